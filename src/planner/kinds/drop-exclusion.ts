// drop_exclusion: DROP CONSTRAINT (a brief ACCESS EXCLUSIVE lock, no scan) in the contract of the next release:
// the previous version may rely on it to reject conflicting rows. A constraint redefined under the same name
// cannot wait that long (two cannot share a name), so it is dropped in expand, just before its new definition
// is added. The rollback re-adds it, which rebuilds its index under ACCESS EXCLUSIVE (see add_exclusion).
import type { DropExclusion } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addExclusion, comment, dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { dropping } from '../recipes/dependents.js';
import { isNewTable } from '../recipes/constraints.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';

/** The target declares an exclusion constraint of the same name on the same (existing) table. */
function redefined(c: DropExclusion, ctx: PlanContext): boolean {
  if (isNewTable(ctx, c.schema, c.table)) return false;
  return (
    ctx.target.schemas
      .find((s) => s.name === c.schema)
      ?.tables.find((t) => t.name === c.table)
      ?.exclusions?.some((e) => e.name === c.exclusion.name) ?? false
  );
}

function drop(c: DropExclusion, early: boolean): StepDraft {
  const { schema, table, exclusion: x } = c;
  return dropping(
    draft({
      phase: early ? 'expand' : 'contract',
      releaseOffset: early ? 0 : 1,
      action: 'drop_exclusion',
      description: `drop exclusion constraint ${ident(x.name)} on ${qualified(schema, table)}`,
      sql: dropConstraint(schema, table, x.name),
      rollback: [
        addExclusion(schema, table, x),
        ...(x.comment !== undefined ? [comment({ kind: 'constraint', schema, table, name: x.name }, x.comment)] : []),
      ],
      lock: 'ACCESS EXCLUSIVE',
      locks: [[schema, table]],
      requires: [key.table(schema, table)],
      drops: [key.constraint(schema, table, x.name), key.index(schema, x.name)],
    }),
  );
}

export const dropExclusionHandler: Handler<DropExclusion> = {
  validate: () => [],
  expand: (c, ctx) => (redefined(c, ctx) ? [drop(c, true)] : []),
  backfill: none,
  contract: (c, ctx) => (redefined(c, ctx) ? [] : [drop(c, false)]),
};
