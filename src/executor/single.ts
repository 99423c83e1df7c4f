// One database as the phase runner's one unit: its phases in order, each after a drift check, recorded in the
// ledger, each judged by the health check (run.ts) before the next starts. A rollback undoes one phase, refused
// while a later phase is still in place. The database is a plain one or a side of the pair: run.ts was given it.
import { deployHint, releaseNotes } from '../planner/release-notes.js';
import type { Phase, Plan } from '../planner/types.js';
import { checkDrift, type DriftCheck } from './drift.js';
import type { HealthResult } from './health.js';
import {
  ensureLedger,
  ledgerExists,
  markPlanApplied,
  markPlanUnapplied,
  planStatus,
  readSteps,
  recordPlan,
  stepStatuses,
  type StepRecord,
} from './ledger.js';
import { applyPhase, rollbackPhase, withGrants, type PhaseResult } from './phase.js';
import { RefusedError, type Executor, type PhaseRef, type PhaseUnits } from './run.js';
import { phaseLabel, phaseStatuses, planPosition, type PhaseStatus } from './state.js';

/** What the rehearsal recorded for this plan's checksum, as the drift check reads it. */
export type DriftReport = Parameters<typeof checkDrift>[3];

/** One phase that ran: its steps, time, drift check and health check. */
export interface PhaseRun extends PhaseResult {
  readonly release: number;
  readonly phase: Phase;
  readonly ms: number;
  readonly drift: DriftCheck;
  readonly health?: HealthResult;
}

export function phaseCommand(path: string, verb: 'apply' | 'rollback', p: PhaseRef): string {
  return `switchyard ${verb} ${path} --release ${p.release} --phase ${p.phase}`;
}

/**
 * What to run next. Given the plan, a contract that has not started and whose release notes ask for an
 * application deploy is preceded by it: `deploy the version that ..., then: switchyard apply ...`.
 */
export function nextCommand(statuses: readonly PhaseStatus[], path: string, plan?: Plan): string | undefined {
  const next = statuses.find((s) => s.state !== 'applied' && s.state !== 'empty');
  if (!next) return undefined;
  const command = phaseCommand(path, 'apply', next);
  return plan ? deployFirst(plan, next, command) : command;
}

/** `command`, preceded by the deploy the release notes ask for when `next` is a contract not started yet. */
export function deployFirst(plan: Plan, next: PhaseStatus | undefined, command: string): string {
  if (next?.phase !== 'contract' || next.done > 0 || next.unfinished.length > 0) return command;
  return deployHint(
    releaseNotes(plan).find((n) => n.release === next.release),
    command,
  );
}

export function executionMs(records: readonly StepRecord[]): number {
  return records.reduce(
    (n, r) =>
      n + (r.status === 'done' && r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : 0),
    0,
  );
}

/** The phases `apply` will run, in order, refusing a phase whose predecessors are not applied. */
export function phasesToApply(
  plan: Plan,
  statuses: readonly PhaseStatus[],
  selection: PhaseRef | 'all',
  path: string,
): PhaseStatus[] {
  if (selection === 'all') return statuses.filter((s) => s.state !== 'applied' && s.state !== 'empty');
  const i = statuses.findIndex((s) => s.release === selection.release && s.phase === selection.phase);
  const missing = statuses.slice(0, i).find((s) => s.state !== 'applied' && s.state !== 'empty');
  if (missing) {
    throw new RefusedError(
      'OUT_OF_ORDER',
      `cannot apply ${phaseLabel(selection)} of plan ${plan.name}: ${phaseLabel(missing)} is ${missing.state}, and phases run in order\nfix: ${phaseCommand(path, 'apply', missing)}`,
    );
  }
  const s = statuses[i]!;
  return s.state === 'applied' || s.state === 'empty' ? [] : [s];
}

export interface SingleApplied {
  readonly phases: readonly PhaseRun[];
  readonly complete: boolean;
  readonly next?: string;
}

/** `apply` on one database: the selected phase, or every remaining one (`--all`). */
export function applyOne(
  plan: Plan,
  path: string,
  selection: PhaseRef | 'all',
  recorded: DriftReport,
): PhaseUnits<SingleApplied> {
  return {
    async run(ex: Executor) {
      const { client, ledger, emit } = ex;
      let records = await readSteps(client, plan, '', ledger);
      const todo = phasesToApply(plan, phaseStatuses(plan, records), selection, path);
      const first = todo.length ? await checkDrift(client, plan, planPosition(plan, records), recorded) : undefined;
      if (todo.length) {
        await ex.ready();
        try {
          await ensureLedger(client, ledger);
          await recordPlan(client, plan, [''], ledger);
        } catch (e) {
          throw await withGrants(client, e, [], ledger); // no CREATE on the database: the GRANT to run
        }
      }
      const runs: PhaseRun[] = [];
      for (const [i, p] of todo.entries()) {
        const drift = i === 0 && first ? first : await checkDrift(client, plan, planPosition(plan, records), recorded);
        emit({ kind: 'drift', check: drift });
        if (drift.notice) emit({ kind: 'notice', message: drift.notice });
        emit({ kind: 'phase', release: p.release, phase: p.phase, state: 'start' });
        const started = performance.now();
        const result = await applyPhase(client, plan, p.release, p.phase, { ledgerSchema: ledger, onEvent: emit });
        const ms = Math.round(performance.now() - started);
        emit({ kind: 'phase', release: p.release, phase: p.phase, state: 'done', ms });
        const health = await ex.ran(p, `${phaseLabel(p)} of plan ${plan.name}`, async () => {
          await rollbackPhase(client, plan, p.release, p.phase, { ledgerSchema: ledger, onEvent: emit });
        });
        runs.push({ release: p.release, phase: p.phase, ...result, ms, drift, ...(health ? { health } : {}) });
        records = await stepStatuses(client, plan.name, '', ledger);
      }
      const statuses = phaseStatuses(plan, records);
      const complete = statuses.every((s) => s.state === 'applied' || s.state === 'empty');
      if (complete && runs.length) await markPlanApplied(client, plan.name, executionMs(records), ledger);
      const next = nextCommand(statuses, path, plan);
      return { phases: runs, complete, ...(next ? { next } : {}) };
    },
  };
}

export interface SingleRolledBack extends PhaseResult {
  readonly ms: number;
  readonly drift: DriftCheck;
}

/** `rollback` of one phase on one database; `where` names the database when it has no ledger. */
export function rollbackOne(
  plan: Plan,
  path: string,
  selection: PhaseRef,
  recorded: DriftReport,
  where: () => string,
): PhaseUnits<SingleRolledBack> {
  return {
    async run(ex: Executor) {
      const { client, ledger, emit } = ex;
      if (!(await ledgerExists(client, ledger)))
        throw new RefusedError(
          'NOT_APPLIED',
          `nothing to roll back: no plan has been applied to ${where()} (no ledger in schema ${ledger})`,
        );
      const records = await stepStatuses(client, plan.name, '', ledger);
      const statuses = phaseStatuses(plan, records);
      const i = statuses.findIndex((s) => s.release === selection.release && s.phase === selection.phase);
      const later = statuses
        .slice(i + 1)
        .reverse()
        .find((s) => s.done > 0 || s.unfinished.length > 0);
      if (later) {
        throw new RefusedError(
          'OUT_OF_ORDER',
          `cannot roll back ${phaseLabel(selection)} of plan ${plan.name} while ${phaseLabel(later)} is ${later.state}: phases roll back in reverse order\nfix: ${phaseCommand(path, 'rollback', later)}`,
        );
      }
      const drift = await checkDrift(client, plan, planPosition(plan, records), recorded);
      emit({ kind: 'drift', check: drift });
      if (drift.notice) emit({ kind: 'notice', message: drift.notice });
      await ex.ready();
      emit({ kind: 'phase', ...selection, state: 'start' });
      const started = performance.now();
      const result = await rollbackPhase(client, plan, selection.release, selection.phase, {
        ledgerSchema: ledger,
        onEvent: emit,
      });
      const ms = Math.round(performance.now() - started);
      emit({ kind: 'phase', ...selection, state: 'rolled_back', ms });
      if ((await planStatus(client, plan.name, ledger))?.appliedAt) await markPlanUnapplied(client, plan.name, ledger);
      return { ...result, ms, drift };
    },
  };
}
