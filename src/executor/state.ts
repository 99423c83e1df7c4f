// Where a plan stands on one database, read from the ledger: the state of every phase, the next one to run,
// and the point in the plan the schema should be at (which the drift check compares against).
import { allSteps } from '../planner/plan.js';
import { PHASES, type Phase, type Plan, type Step } from '../planner/types.js';
import type { StepRecord, StepStatus } from './ledger.js';

export type PhaseState = 'empty' | 'pending' | 'partial' | 'applied' | 'failed';

export interface PhaseStatus {
  readonly release: number;
  readonly phase: Phase;
  readonly state: PhaseState;
  readonly steps: number;
  readonly done: number;
  /** Steps the ledger shows running (an executor died, or is running now), failed, or half rolled back, with their error. */
  readonly unfinished: readonly { readonly id: string; readonly status: StepStatus; readonly error: string | null }[];
}

/** Every phase of the plan, in execution order, with the plan's steps in it. */
export function planPhases(plan: Plan): { release: number; phase: Phase; steps: readonly Step[] }[] {
  return plan.releases.flatMap((r) => PHASES.map((phase) => ({ release: r.number, phase, steps: r[phase] })));
}

export function phaseLabel(p: { release: number; phase: Phase }): string {
  return `release ${p.release} ${p.phase}`;
}

/** The state of every phase of `plan` from the ledger rows of one tenant. */
export function phaseStatuses(plan: Plan, records: readonly StepRecord[]): PhaseStatus[] {
  const byId = new Map(records.map((r) => [r.stepId, r]));
  return planPhases(plan).map(({ release, phase, steps }) => {
    const rows = steps.map((s) => byId.get(s.id));
    const done = rows.filter((r) => r?.status === 'done').length;
    const unfinished = rows
      .filter((r): r is StepRecord => r?.status === 'running' || r?.status === 'failed' || r?.status === 'rolling_back')
      .map((r) => ({ id: r.stepId, status: r.status, error: r.error }));
    const state: PhaseState =
      steps.length === 0
        ? 'empty'
        : done === steps.length
          ? 'applied'
          : unfinished.some((u) => u.status === 'failed')
            ? 'failed'
            : done > 0 || unfinished.length > 0
              ? 'partial'
              : 'pending';
    return { release, phase, state, steps: steps.length, done, unfinished };
  });
}

/**
 * Where the schema should be: after the last step of the done prefix of the plan. `uncertain` names a step
 * that was running or failed right after that prefix and may have taken effect (a non-transactional one:
 * a transactional step's ledger row commits with it). `gaps` lists steps done after a step that is not,
 * which only a hand-edited ledger produces.
 */
export interface PlanPosition {
  readonly lastDone: Step | undefined;
  readonly uncertain: Step | undefined;
  readonly gaps: readonly string[];
  /** The step right after the done prefix whose rollback (statement by statement) stopped half-way, and how far. */
  readonly rollingBack?: { readonly step: Step; readonly done: number };
}

export function planPosition(plan: Plan, records: readonly StepRecord[]): PlanPosition {
  const byId = new Map(records.map((r) => [r.stepId, r]));
  const status = new Map(records.map((r) => [r.stepId, r.status]));
  const steps = allSteps(plan);
  let i = 0;
  while (i < steps.length && status.get(steps[i]!.id) === 'done') i++;
  const lastDone = i > 0 ? steps[i - 1] : undefined;
  const next = steps[i];
  const nextStatus = next ? status.get(next.id) : undefined;
  const uncertain =
    next && !next.transactional && (nextStatus === 'running' || nextStatus === 'failed') ? next : undefined;
  const gaps = steps
    .slice(i + 1)
    .filter((s) => status.get(s.id) === 'done')
    .map((s) => s.id);
  const rollingBack =
    next && nextStatus === 'rolling_back' ? { step: next, done: byId.get(next.id)?.rollbackPosition ?? 0 } : undefined;
  return { lastDone, uncertain, gaps, ...(rollingBack ? { rollingBack } : {}) };
}
