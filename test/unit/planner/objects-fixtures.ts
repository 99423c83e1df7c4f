// Builders for the object handlers' tables: a plan context from two snapshots, and the fields of a step draft
// that a table compares.
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import type { PlanContext, StepDraft } from '../../../src/planner/types.js';

export * from '../diff/fixtures.js';

export function context(
  source: DatabaseSchema,
  target: DatabaseSchema = source,
  serverVersionNum = 170000,
  newTables: readonly string[] = [],
): PlanContext {
  return { source, target, serverVersionNum, newTables: new Set(newTables) };
}

/** What a reviewer reads in a plan: everything but the description and the graph keys. */
export const shown = (d: StepDraft) => ({
  phase: d.phase,
  releaseOffset: d.releaseOffset,
  action: d.action,
  sql: d.sql,
  rollback: d.rollback,
  lock: d.lock,
  lockedTables: d.lockedTables,
  transactional: d.transactional,
  hazards: d.hazards,
});

/** The dependency-graph keys of a step. */
export const keys = (d: StepDraft) => ({ creates: d.creates, requires: d.requires, drops: d.drops });

/** Every step of a change, in phase order. */
export function steps<C>(
  h: {
    expand(c: C, x: PlanContext): readonly StepDraft[];
    backfill(c: C, x: PlanContext): readonly StepDraft[];
    contract(c: C, x: PlanContext): readonly StepDraft[];
  },
  c: C,
  x: PlanContext,
): StepDraft[] {
  return [...h.expand(c, x), ...h.backfill(c, x), ...h.contract(c, x)];
}
