// Test support for the key, constraint and index handlers: a planning context, every phase's drafts for a list
// of changes, and a stand-in for the planner's ordering (a stable topological sort on creates / requires /
// drops), so that tests can check that the keys the handlers declare give a correct order.
import type { Change } from '../../../src/diff/index.js';
import { constraintHandlers } from '../../support/families.js';
import { draft } from '../../../src/planner/draft.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { key } from '../../../src/planner/keys.js';
import type { Handler, Phase, PlanContext, StepDraft } from '../../../src/planner/types.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { createTable, dropTable } from '../../../src/sql/render/index.js';

export function context(source: DatabaseSchema, target: DatabaseSchema, more: Partial<PlanContext> = {}): PlanContext {
  return { source, target, serverVersionNum: 170004, newTables: new Set(), ...more };
}

/** The fields a reviewer reads, in a stable shape for exact tables. */
export function shape(s: StepDraft) {
  return {
    phase: s.phase,
    releaseOffset: s.releaseOffset,
    sql: s.sql,
    rollback: s.rollback,
    lock: s.lock,
    lockedTables: s.lockedTables,
    transactional: s.transactional,
    hazards: s.hazards,
  };
}

/**
 * add_table is not this family's: a minimal stand-in so that scenarios with new tables can run. It creates the
 * table with its primary key, unique constraints and checks, and the keys the family convention expects.
 */
const addTableStandIn: Handler<Extract<Change, { kind: 'add_table' }>> = {
  validate: () => [],
  expand: (c) => [
    draft({
      phase: 'expand',
      action: 'create_table',
      description: 'create table (test stand-in)',
      sql: createTable(c.schema, c.definition),
      rollback: [dropTable(c.schema, c.table)],
      creates: [
        key.table(c.schema, c.table),
        ...c.definition.columns.map((col) => key.column(c.schema, c.table, col.name)),
        ...[...(c.definition.primaryKey ? [c.definition.primaryKey] : []), ...c.definition.unique].flatMap((k) => [
          key.index(c.schema, k.name),
          key.constraint(c.schema, c.table, k.name),
        ]),
        ...c.definition.checks.map((k) => key.constraint(c.schema, c.table, k.name)),
      ],
    }),
  ],
  backfill: () => [],
  contract: () => [],
};

function handlerOf(change: Change): Handler {
  if (change.kind === 'add_table') return addTableStandIn as Handler;
  const h = (constraintHandlers as Record<string, Handler | undefined>)[change.kind];
  if (!h) throw new Error(`no handler in this family for ${change.kind}`);
  return h;
}

export function problemsOf(changes: readonly Change[], ctx: PlanContext) {
  return changes.flatMap((c) => handlerOf(c).validate(c, ctx));
}

export function draftsOf(changes: readonly Change[], ctx: PlanContext): StepDraft[] {
  return changes.flatMap((c) => {
    const h = handlerOf(c);
    return [...h.expand(c, ctx), ...h.backfill(c, ctx), ...h.contract(c, ctx)];
  });
}

/**
 * One (release, phase) in the planner's order (graph.ts). Also checks what the planner cannot: every milestone
 * a step requires is created by a step of the same phase, and every other required key is created here or
 * exists (`existing`).
 */
export function order(steps: readonly StepDraft[], existing: (k: string) => boolean = () => true): StepDraft[] {
  const created = new Set(steps.flatMap((s) => s.creates));
  for (const s of steps) {
    for (const k of s.requires) {
      const milestone = /^(gone|readded|not_null|validated):/.test(k);
      if (!created.has(k) && (milestone || !existing(k)))
        throw new Error(`step ${s.action} requires ${k}, which nothing in its phase creates`);
    }
  }
  return orderSteps(steps);
}

export interface PhaseRun {
  readonly release: number;
  readonly phase: Phase;
  readonly steps: StepDraft[];
}

/** Every (release, phase) that has steps, in execution order, each ordered by `order`; `existing` is the source. */
export function phases(drafts: readonly StepDraft[], existing?: (k: string) => boolean): PhaseRun[] {
  const earlier = new Set<string>();
  const exists = (k: string) => earlier.has(k) || (existing?.(k) ?? true);
  const releases = [...new Set(drafts.map((d) => d.releaseOffset))].sort((a, b) => a - b);
  return releases.flatMap((release) =>
    (['expand', 'backfill', 'contract'] as const).flatMap((phase) => {
      const steps = drafts.filter((d) => d.releaseOffset === release && d.phase === phase);
      if (steps.length === 0) return [];
      const run = { release, phase, steps: order(steps, exists) };
      for (const s of steps) for (const k of s.creates) earlier.add(k);
      return [run];
    }),
  );
}
