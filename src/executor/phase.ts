// Running one phase of a plan on one database: every step in order, each recorded in the ledger, resumable
// after a crash at any moment. Transactional steps commit with their ledger row; a non-transactional step
// (CONCURRENTLY) is made idempotent by checking the catalog first, and an index its build left invalid is
// dropped and built again, never skipped. Lock timeouts (55P03) are retried with backoff and jitter.
import type pg from 'pg';
import { databaseError, serverMessage, SwitchyardError } from '../errors.js';
import type { Phase, Plan, Step } from '../planner/types.js';
import { runBackfill } from './backfill.js';
import {
  ensureLedger,
  markRollbackFailed,
  markStepDone,
  markStepFailed,
  markStepRolledBack,
  markStepRollingBack,
  markStepRunning,
  recordPlan,
  saveBackfillPosition,
  saveRollbackPosition,
  stepStatuses,
  DEFAULT_LEDGER_SCHEMA,
  type StepRecord,
  type StepRef,
} from './ledger.js';
import { qualified } from '../db/quote.js';
import { concurrentIndex, mustRunAlone, runRollbackInTransaction, runStatement } from './statement.js';
import { pressureGate, type PressureLimits } from './pressure.js';
import { grantAdvice, needsOf, privilegeProblems } from './preflight/privileges.js';

type Queryable = Pick<pg.Client, 'query'>;

/** Progress of a phase: a step started, finished, skipped or retried, and backfill batches. */
export type PhaseEvent =
  | { readonly kind: 'step'; readonly step: Step; readonly state: 'start' | 'done' | 'skipped' }
  | {
      readonly kind: 'retry';
      readonly step: Step;
      readonly attempt: number;
      readonly waitMs: number;
      readonly reason: string;
    }
  | { readonly kind: 'rebuild'; readonly step: Step; readonly index: string }
  | {
      readonly kind: 'backfill';
      readonly step: Step;
      readonly rows: number;
      readonly totalRows: number;
      readonly rowsPerSecond: number;
      readonly etaSeconds: number;
      readonly batchMs: number;
    }
  | { readonly kind: 'pause'; readonly step: Step; readonly reason: string; readonly ms: number };

export interface PhaseOptions {
  readonly ledgerSchema?: string;
  readonly tenant?: string;
  /** The ledger exists and holds this unit's rows already (the tenant fan-out records every tenant at once). */
  readonly ledgerReady?: boolean;
  /** Attempts of a step that hits lock_timeout before giving up (default 8). */
  readonly maxAttempts?: number;
  /** First retry wait; doubles each attempt, with jitter (default 200 ms). */
  readonly retryBaseMs?: number;
  readonly onEvent?: (e: PhaseEvent) => void;
  /** Only these steps (rehearsal runs and undoes one step at a time); the others are left as they are. */
  readonly only?: ReadonlySet<string>;
  /** When backfills hold off between batches (lock waiters, replication lag). */
  readonly pressure?: PressureLimits;
  /** After each statement but the last of a rollback run statement by statement (rehearsal records the schema there). */
  readonly onRollbackStatement?: (step: Step, done: number) => Promise<void>;
}

export interface PhaseResult {
  readonly ran: number;
  readonly skipped: number;
  readonly retries: number;
}

/** A step of a phase failed; `step` is its id, and the phase can be resumed by running the same command again. */
export class StepFailedError extends SwitchyardError {
  readonly step: string;
  constructor(step: Step, cause: unknown) {
    super('STEP_FAILED', `step ${step.id} (${step.description}) failed: ${serverMessage(cause)}`, 3, { cause });
    this.step = step.id;
  }
}

export function phaseSteps(plan: Plan, release: number, phase: Phase, only?: ReadonlySet<string>): readonly Step[] {
  const steps = plan.releases.find((r) => r.number === release)?.[phase] ?? [];
  return only ? steps.filter((s) => only.has(s.id)) : steps;
}

/** Applies a phase; steps the ledger already records as done are skipped, so a rerun finishes the phase. */
export async function applyPhase(
  db: Queryable,
  plan: Plan,
  release: number,
  phase: Phase,
  o: PhaseOptions = {},
): Promise<PhaseResult> {
  const schema = o.ledgerSchema ?? DEFAULT_LEDGER_SCHEMA;
  if (!o.ledgerReady) {
    try {
      await ensureLedger(db, schema);
      await recordPlan(db, plan, [o.tenant ?? ''], schema);
    } catch (e) {
      throw await withGrants(db, e, [], schema);
    }
  }
  const ledger = new Map((await stepStatuses(db, plan.name, o.tenant ?? '', schema)).map((r) => [r.stepId, r]));
  let ran = 0;
  let skipped = 0;
  let retries = 0;
  for (const step of phaseSteps(plan, release, phase, o.only)) {
    const ref: StepRef = { plan: plan.name, step, ...(o.tenant ? { tenant: o.tenant } : {}) };
    const known = ledger.get(step.id);
    if (known?.status === 'done') {
      skipped++;
      o.onEvent?.({ kind: 'step', step, state: 'skipped' });
      continue;
    }
    o.onEvent?.({ kind: 'step', step, state: 'start' });
    await markStepRunning(db, ref, schema);
    try {
      retries += await withLockRetries(step, o, async () => {
        if (step.backfill) await backfillStep(db, step, ref, known?.backfillPosition, schema, o);
        else if (step.transactional) await runStatement(db, step.sql, step, () => markStepDone(db, ref, schema));
        else await nonTransactionalStep(db, step, o);
      });
      if (step.backfill || !step.transactional) await markStepDone(db, ref, schema);
    } catch (e) {
      const failure = e instanceof SwitchyardError ? e : new StepFailedError(step, e);
      await withGrants(db, failure, [step], schema);
      await markStepFailed(db, ref, serverMessage(e), schema).catch(() => undefined);
      throw failure;
    }
    ran++;
    o.onEvent?.({ kind: 'step', step, state: 'done' });
  }
  return { ran, skipped, retries };
}

/**
 * A permission error (SQLSTATE 42501, here or in the error's cause) gets what the role lacks for `steps` and the
 * ledger, with the GRANT for each (preflight's privilege check, asked again for these steps); `e` is returned.
 */
export async function withGrants(
  db: Queryable,
  e: unknown,
  steps: readonly Step[],
  ledgerSchema: string,
): Promise<unknown> {
  const cause = (e as { cause?: unknown })?.cause;
  if (sqlstate(e) !== '42501' && sqlstate(cause) !== '42501') return e;
  try {
    const r = await privilegeProblems(db, needsOf(steps, ledgerSchema));
    if (r.problems.length && e instanceof Error)
      e.message += `\n${r.user}: ${r.problems.map((p) => p.problem).join('; ')}; ${grantAdvice(r.problems)}`;
  } catch {
    // The failure itself matters more than the advice.
  }
  return e;
}

/** The SQLSTATE of a pg error, or of the one a DatabaseError wraps. */
function sqlstate(e: unknown): string | undefined {
  const x = e as { sqlstate?: string; code?: string };
  return x.sqlstate ?? (/^[0-9A-Z]{5}$/.test(x.code ?? '') ? x.code : undefined);
}

/** SQLSTATEs of "does not exist": what undoing a step that never took effect runs into. */
const ABSENT = new Set(['42703', '42704', '42P01', '42883', '3F000']);

/**
 * Rolls a phase back: the steps the ledger records as applied, in reverse order, each marked rolled back.
 * A transactional step's rollback commits with its ledger row when it can (every statement may run in a
 * transaction); otherwise it runs statement by statement, the ledger recording how many are done, so a
 * killed executor resumes it where it stopped (see stepwiseRollback). A step that was running or failed when
 * its executor died may or may not have taken effect: a transactional one did not (its ledger row commits
 * with it); for a non-transactional one, undoing something that does not exist counts as already undone.
 */
export async function rollbackPhase(
  db: Queryable,
  plan: Plan,
  release: number,
  phase: Phase,
  o: PhaseOptions = {},
): Promise<PhaseResult> {
  const schema = o.ledgerSchema ?? DEFAULT_LEDGER_SCHEMA;
  if (!o.ledgerReady) await ensureLedger(db, schema);
  const ledger = new Map((await stepStatuses(db, plan.name, o.tenant ?? '', schema)).map((r) => [r.stepId, r]));
  let ran = 0;
  let skipped = 0;
  let retries = 0;
  for (const step of [...phaseSteps(plan, release, phase, o.only)].reverse()) {
    const ref: StepRef = { plan: plan.name, step, ...(o.tenant ? { tenant: o.tenant } : {}) };
    const record = ledger.get(step.id);
    const status = record?.status;
    if (record === undefined || status === 'pending' || status === 'rolled_back') {
      skipped++;
      continue;
    }
    o.onEvent?.({ kind: 'step', step, state: 'start' });
    if (step.transactional && (status === 'running' || status === 'failed')) {
      await markStepRolledBack(db, ref, schema);
    } else if (status === 'done' && step.transactional && !step.rollback.some(mustRunAlone)) {
      try {
        retries += await withLockRetries(step, o, () =>
          runRollbackInTransaction(db, step.rollback, step, () => markStepRolledBack(db, ref, schema)),
        );
      } catch (e) {
        throw e instanceof SwitchyardError ? e : new StepFailedError(step, e);
      }
    } else {
      retries += await stepwiseRollback(db, step, ref, record, schema, o);
    }
    ran++;
    o.onEvent?.({ kind: 'step', step, state: 'done' });
  }
  return { ran, skipped, retries };
}

/**
 * A rollback that cannot commit with its ledger row, one statement at a time: the step is marked rolling_back,
 * each transactional statement commits with the count of statements done, and a CONCURRENTLY one asks the
 * catalog first (an index already built, or already gone, is not built or dropped twice; an invalid one is
 * rebuilt). Killed anywhere, the next run starts at the first statement not recorded as done.
 */
async function stepwiseRollback(
  db: Queryable,
  step: Step,
  ref: StepRef,
  record: StepRecord,
  schema: string,
  o: PhaseOptions,
): Promise<number> {
  const resuming = record.status === 'rolling_back';
  const from = resuming ? (record.rollbackPosition ?? 0) : 0;
  // An interrupted non-transactional step may not have taken effect: "does not exist" then means undone.
  const mayBeAbsent = record.status === 'running' || record.status === 'failed';
  if (!resuming) await markStepRollingBack(db, ref, schema);
  let retries = 0;
  for (let i = from; i < step.rollback.length; i++) {
    const sql = step.rollback[i]!;
    const done = () => saveRollbackPosition(db, ref, i + 1, schema);
    try {
      retries += await withLockRetries(step, o, async () => {
        if (mustRunAlone(sql)) {
          await concurrentStatement(db, step, sql, concurrentIndex(sql), o);
          await done();
        } else {
          await runStatement(db, sql, { ...step, transactional: true }, done);
        }
      });
    } catch (e) {
      const code = sqlstate(e);
      if (code !== undefined && ABSENT.has(code) && (mayBeAbsent || (resuming && i === from && mustRunAlone(sql)))) {
        await done();
        continue;
      }
      const failure =
        e instanceof SwitchyardError
          ? e
          : new StepFailedError(
              step,
              databaseError(`rollback statement ${i + 1} of ${step.rollback.length} failed: ${sql}`, e),
            );
      await markRollbackFailed(db, ref, failure.message, schema).catch(() => undefined);
      throw failure;
    }
    if (i + 1 < step.rollback.length) await o.onRollbackStatement?.(step, i + 1);
  }
  await markStepRolledBack(db, ref, schema);
  return retries;
}

/** Runs `fn`, retrying on SQLSTATE 55P03 (lock_timeout) with exponential backoff and jitter. */
async function withLockRetries(step: Step, o: PhaseOptions, fn: () => Promise<void>): Promise<number> {
  const max = o.maxAttempts ?? 8;
  const base = o.retryBaseMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return attempt - 1;
    } catch (e) {
      if (sqlstate(e) !== '55P03' || attempt >= max) throw e;
      const waitMs = Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
      o.onEvent?.({
        kind: 'retry',
        step,
        attempt,
        waitMs,
        reason: 'lock_timeout: another transaction holds a conflicting lock',
      });
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

/** The index a step builds or drops, from its dependency keys (`index:schema<US>name`). */
function indexOf(keys: readonly string[]): { schema: string; name: string } | undefined {
  const k = keys.find((x) => x.startsWith('index:'));
  if (!k) return undefined;
  const [schema, name] = k.slice('index:'.length).split('\u001f');
  return schema !== undefined && name !== undefined ? { schema, name } : undefined;
}

async function indexState(
  db: Queryable,
  ix: { schema: string; name: string },
): Promise<'absent' | 'valid' | 'invalid'> {
  // to_regclass on the quoted name: one syscache lookup, where a join over pg_class scans by name.
  const { rows } = await db.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    [qualified(ix.schema, ix.name)],
  );
  return rows[0] === undefined ? 'absent' : rows[0].valid ? 'valid' : 'invalid';
}

/**
 * CONCURRENTLY statements cannot share a transaction with their ledger row, so the catalog decides: an index
 * already built and valid means a previous run finished the step; an invalid one (a killed or failed build)
 * is dropped and built again.
 */
async function nonTransactionalStep(db: Queryable, step: Step, o: PhaseOptions): Promise<void> {
  const creates = /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY/i.test(step.sql) ? indexOf(step.creates) : undefined;
  const drops = /^\s*DROP\s+INDEX\s+CONCURRENTLY/i.test(step.sql) ? indexOf(step.drops) : undefined;
  const target = creates
    ? { op: 'create' as const, ...creates }
    : drops
      ? { op: 'drop' as const, ...drops }
      : undefined;
  await concurrentStatement(db, step, step.sql, target, o);
}

/** One statement that runs alone, made idempotent from the catalog when it builds or drops an index. */
async function concurrentStatement(
  db: Queryable,
  step: Step,
  sql: string,
  ix: { op: 'create' | 'drop'; schema: string; name: string } | undefined,
  o: PhaseOptions,
): Promise<void> {
  if (ix?.op === 'drop' && (await indexState(db, ix)) === 'absent') return;
  if (ix?.op === 'create') {
    const state = await indexState(db, ix);
    if (state === 'valid') return;
    if (state === 'invalid') await dropInvalid(db, step, ix, o);
  }
  const alone = { ...step, transactional: false };
  await runStatement(db, sql, alone);
  if (ix?.op !== 'create') return;
  const state = await indexState(db, ix);
  if (state === 'absent') {
    throw new StepFailedError(
      step,
      new Error(
        `index ${ix.schema}.${ix.name} does not exist after the step ran: its SQL does not build the index the plan says it does`,
      ),
    );
  }
  if (state !== 'valid') {
    await dropInvalid(db, step, ix, o);
    await runStatement(db, sql, alone);
    if ((await indexState(db, ix)) !== 'valid')
      throw new StepFailedError(step, new Error(`index ${ix.schema}.${ix.name} is still invalid after a rebuild`));
  }
}

async function dropInvalid(
  db: Queryable,
  step: Step,
  ix: { schema: string; name: string },
  o: PhaseOptions,
): Promise<void> {
  o.onEvent?.({ kind: 'rebuild', step, index: `${ix.schema}.${ix.name}` });
  await runStatement(db, `DROP INDEX CONCURRENTLY IF EXISTS ${qualified(ix.schema, ix.name)}`, {
    ...step,
    transactional: false,
  });
}

async function backfillStep(
  db: Queryable,
  step: Step,
  ref: StepRef,
  position: unknown,
  schema: string,
  o: PhaseOptions,
): Promise<void> {
  const startAfter = Array.isArray(position) ? position : undefined;
  await runBackfill(db, step.backfill!, {
    ...(startAfter ? { startAfter } : {}),
    lockTimeoutMs: step.lockTimeoutMs,
    statementTimeoutMs: step.statementTimeoutMs,
    shouldPause: pressureGate(db, (reason, ms) => o.onEvent?.({ kind: 'pause', step, reason, ms }), o.pressure),
    onBatch: async (p) => {
      await saveBackfillPosition(db, ref, p.position, schema);
      o.onEvent?.({
        kind: 'backfill',
        step,
        rows: p.rows,
        totalRows: p.totalRows,
        rowsPerSecond: p.rowsPerSecond,
        etaSeconds: p.etaSeconds,
        batchMs: p.batchMs,
      });
    },
  });
}
