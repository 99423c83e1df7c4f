// drop_unique: DROP CONSTRAINT (which drops its index) in the contract phase of the next release, after a
// release of bake time; foreign keys of the target that may still use the key are taken off and put back on a
// remaining key around it (dependents.ts). The rollback rebuilds the index CONCURRENTLY and turns it back into
// the constraint (USING INDEX, with its deferral), so nothing holds ACCESS EXCLUSIVE during a build. Rollback
// lists may hold non-transactional statements: the executor runs rollback statements one by one.
import type { Change, DropUnique } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addUnique as renderAddUnique, createIndex, dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, Hazard, PlanContext, PlanProblem, StepDraft } from '../types.js';
import { columnKeys, concurrentBuildProblems, keyIndex } from '../recipes/constraints.js';
import { orphanedDependents, withDependents } from '../recipes/dependents.js';

/** What drop_unique and drop_primary_key have in common. */
export interface DroppedKey {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly nullsNotDistinct?: true;
  /** `unique constraint "n"` / `primary key "n"`. */
  readonly what: string;
  /** ADD CONSTRAINT ... USING INDEX n, for the rollback. */
  readonly usingIndex: string;
  readonly hazards: readonly Hazard[];
}

export function keyDropProblems(c: Change, ctx: PlanContext, k: DroppedKey): PlanProblem[] {
  const what = `${k.what} on ${qualified(k.schema, k.table)}`;
  return [...concurrentBuildProblems(c, ctx, `rolling back the drop of ${what}`), ...orphanedDependents(c, ctx, k, what)];
}

export function keyDrop(ctx: PlanContext, k: DroppedKey): StepDraft[] {
  const what = `${k.what} on ${qualified(k.schema, k.table)}`;
  const drop = draft({
    phase: 'contract',
    releaseOffset: 1,
    action: 'drop_constraint',
    description: `drop ${what}`,
    sql: dropConstraint(k.schema, k.table, k.name),
    rollback: [createIndex(k.schema, k.table, keyIndex(k.name, k.columns, k.nullsNotDistinct), { concurrently: true }), k.usingIndex],
    lock: 'ACCESS EXCLUSIVE',
    locks: [[k.schema, k.table]],
    hazards: ['INDEX_DROPPED', ...k.hazards],
    drops: [key.constraint(k.schema, k.table, k.name), key.index(k.schema, k.name)],
    requires: [key.table(k.schema, k.table), ...columnKeys(k.schema, k.table, k.columns)],
  });
  return withDependents(ctx, k, what, drop);
}

function spec(c: DropUnique): DroppedKey {
  const u = c.unique;
  return {
    schema: c.schema,
    table: c.table,
    name: u.name,
    columns: u.columns,
    ...(u.nullsNotDistinct ? { nullsNotDistinct: true as const } : {}),
    what: `unique constraint ${ident(u.name)}`,
    usingIndex: renderAddUnique(c.schema, c.table, u, { usingIndex: u.name }),
    hazards: [],
  };
}

export const dropUniqueHandler: Handler<DropUnique> = {
  validate: (c, ctx) => keyDropProblems(c, ctx, spec(c)),
  expand: none,
  backfill: none,
  contract: (c, ctx) => keyDrop(ctx, spec(c)),
};
