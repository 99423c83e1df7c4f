// add_exclusion: ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE. PostgreSQL has neither NOT VALID nor USING INDEX for
// an exclusion constraint, so on an existing table the statement builds the constraint's index and checks every
// row while it holds ACCESS EXCLUSIVE: reads and writes of the table wait for the whole build. The plan says so
// (the step's description and its hazards: the lock, the scan, the index build, and a failure on existing rows
// that conflict); lock_timeout bounds only the wait for the lock, not the build. On a table created by this plan
// it is empty and costs nothing. The rollback drops it.
import type { AddExclusion } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addExclusion, dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { commentSteps } from '../recipes/comments.js';
import { isNewTable, locked } from '../recipes/constraints.js';
import { milestone } from '../recipes/dependents.js';
import type { Handler } from '../types.js';

export const addExclusionHandler: Handler<AddExclusion> = {
  validate: () => [],
  expand(c, ctx) {
    const { schema, table, exclusion: x } = c;
    const fresh = isNewTable(ctx, schema, table);
    const what = `exclusion constraint ${ident(x.name)} on ${qualified(schema, table)}`;
    const constraint = key.constraint(schema, table, x.name);
    // A redefinition of the same name comes after the drop of the old one (drop_exclusion runs in expand then).
    const replaces = ctx.source.schemas
      .find((s) => s.name === schema)
      ?.tables.find((t) => t.name === table)
      ?.exclusions?.some((e) => e.name === x.name);
    return [
      draft({
        phase: 'expand',
        action: 'add_exclusion',
        description: fresh
          ? `add ${what} (table created by this plan)`
          : `add ${what}: no NOT VALID form exists, so its index is built and every row checked under ACCESS EXCLUSIVE (reads and writes wait for the scan)`,
        sql: addExclusion(schema, table, x),
        rollback: [dropConstraint(schema, table, x.name)],
        lock: 'ACCESS EXCLUSIVE',
        locks: locked(ctx, 'expand', [schema, table]),
        hazards: fresh ? ['USER_SQL'] : ['CORRECTNESS', 'FULL_SCAN', 'INDEX_BUILD', 'USER_SQL'],
        creates: [constraint, key.index(schema, x.name)],
        requires: [key.table(schema, table), ...(replaces && !fresh ? [milestone.gone(constraint)] : [])],
        ...(fresh ? {} : { costTable: { schema, table, work: 'index' as const } }),
      }),
      ...commentSteps(
        { phase: 'expand', target: { kind: 'constraint', schema, table, name: x.name }, what, requires: [constraint] },
        x.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
