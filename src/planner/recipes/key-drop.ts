// Dropping a key (unique or primary), shared by drop_unique and drop_primary_key: what refuses it, and the
// drop step whose rollback rebuilds the key.
import type { Change } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { createIndex, dropConstraint } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { Hazard, PlanContext, PlanProblem, StepDraft } from '../types.js';
import { columnKeys, concurrentBuildProblems, keyIndex } from './constraints.js';
import { restoreComment } from './comments.js';
import { orphanedDependents, withDependents } from './dependents.js';

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
  readonly comment?: string;
}

export function keyDropProblems(c: Change, ctx: PlanContext, k: DroppedKey): PlanProblem[] {
  const what = `${k.what} on ${qualified(k.schema, k.table)}`;
  return [
    ...concurrentBuildProblems(c, ctx, `rolling back the drop of ${what}`),
    ...orphanedDependents(c, ctx, k, what),
  ];
}

export function keyDrop(ctx: PlanContext, k: DroppedKey): StepDraft[] {
  const what = `${k.what} on ${qualified(k.schema, k.table)}`;
  const drop = draft({
    phase: 'contract',
    releaseOffset: 1,
    action: 'drop_constraint',
    description: `drop ${what}`,
    sql: dropConstraint(k.schema, k.table, k.name),
    rollback: [
      createIndex(k.schema, k.table, keyIndex(k.name, k.columns, k.nullsNotDistinct), { concurrently: true }),
      k.usingIndex,
      ...restoreComment({ kind: 'constraint', schema: k.schema, table: k.table, name: k.name }, k.comment),
    ],
    lock: 'ACCESS EXCLUSIVE',
    locks: [[k.schema, k.table]],
    hazards: ['INDEX_DROPPED', ...k.hazards],
    drops: [key.constraint(k.schema, k.table, k.name), key.index(k.schema, k.name)],
    requires: [key.table(k.schema, k.table), ...columnKeys(k.schema, k.table, k.columns)],
  });
  return withDependents(ctx, k, what, drop);
}
