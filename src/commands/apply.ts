// `switchyard apply`, `rollback` and `status`: running a plan's phases on one database.
// Everything that must hold before a step runs is checked here, in this order: the plan file's checksum
// (readPlan), its SQL files and signature as reviewed (planner/reviewed.ts), hazards allowed, a passing
// rehearsal for this checksum, one executor (the advisory lock), phases in order, and no drift. Every refusal
// only reads: the ledger schema is created once all of them passed. Then the phase runner does the work and the
// health check judges it.
// With a pair in switchyard.yaml (and no --db), a phase runs on the side DESIGN.md gives it (pair/phases.ts):
// expand, after the replication-compatibility check (pair/compat.ts), and backfill on the standby; contract on
// live, only with --yes; a rollback where its phase ran.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget, type Client, type ConnectionTarget } from '../db/connect.js';
import { SwitchyardError, UsageError } from '../errors.js';
import { checkDrift, type DriftCheck } from '../executor/drift.js';
import { runHealthCheck, type HealthResult } from '../executor/health.js';
import {
  ensureLedger, ledgerExists, tookEffect, markPlanApplied, markPlanUnapplied, planStatus, readSteps, recordPlan, stepStatuses, type StepRecord,
} from '../executor/ledger.js';
import { withAdvisoryLock, type ExecutorLockKey } from '../executor/lock.js';
import { applyPhase, rollbackPhase, type PhaseEvent, type PhaseResult } from '../executor/phase.js';
import { phaseLabel, phaseStatuses, planPosition, planPhases, type PhaseStatus } from '../executor/state.js';
import { mustRunAlone, statementScript, timeoutSettings } from '../executor/statement.js';
import { renderBatch } from '../executor/backfill-sql.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import { pairTeardown } from '../pair/teardown.js';
import { confirmPlacement, contractWarning, pairMode, placeApply, placeLabel, placeRollback, ranElsewhere, readPairLedgers, type PairLedgers, type Placement, type Role } from '../pair/phases.js';
import type { Side } from '../pair/types.js';
import { readPlan } from '../planner/file.js';
import { isHazard, lintPlan, type LintFinding } from '../planner/lint.js';
import { reviewProblem } from '../planner/reviewed.js';
import { PHASES, type Hazard, type Phase, type Plan, type Step } from '../planner/types.js';
import { readReport, rehearsalProblem, type RehearsalReport } from '../executor/rehearsal-report.js';
import { prepareSession } from '../rehearsal/shadow.js';
import type { FanoutProgress } from '../tenants/fanout.js';

/** Everything an executor command reports while it works: the phase runner's events and its own. */
export type ExecutorEvent =
  | PhaseEvent
  | { readonly kind: 'phase'; readonly release: number; readonly phase: Phase; readonly state: 'start' | 'done' | 'rolled_back'; readonly ms?: number }
  | { readonly kind: 'drift'; readonly check: DriftCheck }
  | { readonly kind: 'health'; readonly result: HealthResult }
  | { readonly kind: 'notice'; readonly message: string }
  | ({ readonly kind: 'tenants' } & FanoutProgress);

export interface ExecuteOptions {
  readonly plan: string;
  readonly db?: string;
  readonly release?: number;
  readonly phase?: string;
  readonly all?: boolean;
  readonly dryRun?: boolean;
  readonly skipRehearsal?: boolean;
  readonly allowHazard?: readonly string[];
  /** Pair mode: contract ends the cutback window, and runs only when the operator says so. */
  readonly yes?: boolean;
  readonly onEvent?: (e: ExecutorEvent) => void;
}

/** Pair mode: the side a phase ran (or would run) on, and its role then. */
export interface PairPlace {
  readonly side: Side;
  readonly role: Role;
}

export interface PhaseRun extends PhaseResult {
  readonly release: number;
  readonly phase: Phase;
  readonly ms: number;
  readonly drift: DriftCheck;
  readonly health?: HealthResult;
}

export interface ApplyResult {
  readonly plan: string;
  readonly database: string;
  readonly phases: readonly PhaseRun[];
  readonly pair?: PairPlace;
  /** Every phase of the plan is applied. */
  readonly complete: boolean;
  /** The command to run next, when there is a next phase. */
  readonly next?: string;
}

export interface DryRunResult {
  readonly plan: string;
  readonly database?: string;
  readonly pair?: PairPlace;
  readonly phases: readonly { readonly release: number; readonly phase: Phase; readonly steps: readonly { readonly id: string; readonly tenant?: string; readonly sql: readonly string[] }[] }[];
  readonly notices: readonly string[];
}

/** A phase was refused before anything ran. */
export class RefusedError extends SwitchyardError {
  constructor(code: string, message: string) {
    super(code, message, 1);
  }
}

export class HealthCheckFailedError extends SwitchyardError {
  readonly result: HealthResult;
  constructor(what: string, r: HealthResult, rolledBack: boolean, rollbackCommand: string) {
    super(
      'HEALTH_CHECK_FAILED',
      `the health check failed after ${what}: ${r.check}: ${r.detail}` +
        (rolledBack ? `\nthe phase was rolled back (healthCheck.onFailure: rollback)` : `\nthe phase stays applied (healthCheck.onFailure: stop); to undo it: ${rollbackCommand}`),
      1,
    );
    this.result = r;
  }
}

export interface Loaded {
  readonly plan: Plan;
  readonly path: string;
  readonly report: RehearsalReport | undefined;
}

export async function load(config: SwitchyardConfig, path: string): Promise<Loaded> {
  const full = configPath(config, path);
  const plan = await readPlan(full);
  return { plan, path, report: await readReport(full) };
}

export function parseSelection(plan: Plan, o: ExecuteOptions, command: 'apply' | 'rollback'): { release: number; phase: Phase } | 'all' {
  if (o.all) {
    if (command === 'rollback') throw new UsageError('rollback takes one phase: --release N --phase P');
    if (o.release !== undefined || o.phase !== undefined) throw new UsageError('give either --all or --release N --phase P, not both');
    return 'all';
  }
  if (o.release === undefined || o.phase === undefined) {
    throw new UsageError(`${command} needs --release N --phase expand|backfill|contract${command === 'apply' ? ' (or --all for every remaining phase)' : ''}`);
  }
  if (!(PHASES as readonly string[]).includes(o.phase)) throw new UsageError(`--phase ${o.phase} is not one of ${PHASES.join(', ')}`);
  if (!Number.isInteger(o.release) || !plan.releases.some((r) => r.number === o.release)) {
    throw new UsageError(`plan ${plan.name} has no release ${o.release}; its releases are ${plan.releases.map((r) => r.number).join(', ')}`);
  }
  return { release: o.release, phase: o.phase as Phase };
}

export function allowedHazards(config: SwitchyardConfig, extra: readonly string[] = []): Hazard[] {
  const bad = extra.filter((h) => !isHazard(h));
  if (bad.length) throw new UsageError(`unknown hazard ${bad.join(', ')}; hazards are named like ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE, DELETES_DATA`);
  return [...config.allowHazards, ...(extra as Hazard[])];
}

/** Lint errors that concern the given steps (or the whole plan). */
export function hazardRefusal(plan: Plan, allowed: readonly Hazard[], steps: readonly Step[], planPath: string): RefusedError | undefined {
  const ids = new Set(steps.map((s) => s.id));
  const errors = lintPlan(plan, allowed).findings.filter((f: LintFinding) => f.severity === 'error' && (f.step === undefined || ids.has(f.step)));
  if (!errors.length) return undefined;
  return new RefusedError(
    'HAZARD_REFUSED',
    `refused: ${errors.length} finding${errors.length === 1 ? '' : 's'} in ${planPath} not allowed:\n` +
      errors.map((f) => `  ${f.step ? f.step + ': ' : ''}${f.message} (fix: ${f.fix})`).join('\n') +
      `\nallow a hazard with --allow-hazard NAME or \`allowHazards:\` in switchyard.yaml, after review`,
  );
}

export function command(path: string, verb: 'apply' | 'rollback', p: { release: number; phase: Phase }): string {
  return `switchyard ${verb} ${path} --release ${p.release} --phase ${p.phase}`;
}

export async function openExecutor(config: SwitchyardConfig, db: string | undefined): Promise<{ client: Client; target: ConnectionTarget; key: ExecutorLockKey }> {
  const target = resolveTarget(db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    await prepareSession(client);
    // A killed executor's session must end (and free the executor lock) when the server notices, not when its
    // statement finishes: a CREATE INDEX CONCURRENTLY could hold the lock for hours. PostgreSQL 14+.
    await client.query("SELECT set_config('client_connection_check_interval', '1s', false) WHERE current_setting('server_version_num')::int >= 140000");
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    return { client, target, key: { database: rows[0]!.db, ledgerSchema: config.ledgerSchema } };
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
}

/** The phases `apply` will run, in order, refusing a phase whose predecessors are not applied. */
function phasesToApply(plan: Plan, statuses: readonly PhaseStatus[], selection: { release: number; phase: Phase } | 'all', path: string): PhaseStatus[] {
  if (selection === 'all') return statuses.filter((s) => s.state !== 'applied' && s.state !== 'empty');
  const i = statuses.findIndex((s) => s.release === selection.release && s.phase === selection.phase);
  const missing = statuses.slice(0, i).find((s) => s.state !== 'applied' && s.state !== 'empty');
  if (missing) {
    throw new RefusedError('OUT_OF_ORDER', `cannot apply ${phaseLabel(selection)} of plan ${plan.name}: ${phaseLabel(missing)} is ${missing.state}, and phases run in order\nfix: ${command(path, 'apply', missing)}`);
  }
  const s = statuses[i]!;
  return s.state === 'applied' || s.state === 'empty' ? [] : [s];
}

export function nextCommand(statuses: readonly PhaseStatus[], path: string): string | undefined {
  const next = statuses.find((s) => s.state !== 'applied' && s.state !== 'empty');
  return next ? command(path, 'apply', next) : undefined;
}

export function executionMs(records: readonly StepRecord[]): number {
  return records.reduce((n, r) => n + (r.status === 'done' && r.startedAt && r.finishedAt ? r.finishedAt.getTime() - r.startedAt.getTime() : 0), 0);
}

/** Pair mode: which side runs the selected phase, refusing what cannot run on the pair. */
export async function pairPlacement(config: SwitchyardConfig, plan: Plan, path: string, selection: { release: number; phase: Phase }): Promise<Placement> {
  // Contract runs on live whether or not the stream to the standby is still there (a previous contract closed it).
  const pair = await readPairLedgers(config, plan.name, `switchyard apply ${plan.name}`, { streaming: selection.phase !== 'contract' });
  const place = placeApply(pair, selection.phase);
  const elsewhere = ranElsewhere(plan, pair, selection, place.side);
  if (selection.phase === 'contract' && elsewhere.length) {
    throw new RefusedError(
      'CUTOVER_FIRST',
      `cannot apply ${phaseLabel(selection)} of plan ${plan.name} on ${placeLabel(place)}: ${elsewhere.map(phaseLabel).join(', ')} ran on ${pair.standby} (standby), and contract runs on the live side\nfix: switchyard cutover, then ${command(path, 'apply', selection)} --yes`,
    );
  }
  return place;
}

/**
 * Pair mode, contract: the stream to the standby carries the old schema's columns (its publication lists them, and
 * dropping or retyping one of them fails while it does), so contract closes it. pair resync then rebuilds the standby.
 */
async function closeStream(config: SwitchyardConfig, selection: { release: number; phase: Phase }, place: Placement, emit: (e: ExecutorEvent) => void): Promise<void> {
  emit({ kind: 'notice', message: contractWarning(selection, place.side) });
  const removed = await pairTeardown(config);
  const n = Object.values(removed.removed).reduce((k, r) => k + r.subscriptions.length + r.slots.length + r.publications.length, 0);
  if (n) emit({ kind: 'notice', message: `the cutback window is closed: replication to the standby removed (${n} object(s)); after the contract, run switchyard pair resync` });
}

export async function applyCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<ApplyResult | DryRunResult> {
  const { plan, path, report } = await load(config, o.plan);
  const selection = parseSelection(plan, o, 'apply');
  const paired = pairMode(config, o.db);
  if (paired && selection === 'all') throw new UsageError('--all runs every phase on one database, but on a pair expand and backfill run on the standby and contract on live: give --release N --phase P (or --db URL for one database)');
  const allowed = allowedHazards(config, o.allowHazard);
  const rehearsal = o.skipRehearsal ? undefined : rehearsalProblem(plan, report, path);
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun) return dryRun(config, plan, path, selection, allowed, [reviewed?.message, rehearsal], o);
  if (reviewed) throw reviewed;
  if (paired && selection !== 'all' && selection.phase === 'contract' && !o.yes) {
    throw new UsageError(`${contractWarning(selection)}\nfix: when the new application version is fully deployed and no cutback is needed, run: ${command(path, 'apply', selection)} --yes`);
  }
  if (rehearsal) throw new RefusedError('REHEARSAL_REQUIRED', `refused: ${rehearsal}`);
  const selected = selection === 'all' ? planPhases(plan).flatMap((p) => p.steps) : planPhases(plan).find((p) => p.release === selection.release && p.phase === selection.phase)!.steps;
  if (paired && selection !== 'all' && selection.phase === 'expand') {
    const problems = replicationProblems(plan, selected);
    if (problems.length) throw new NotReplicationCompatibleError(path, phaseLabel(selection), problems);
  }
  const refused = hazardRefusal(plan, allowed, selected, path);
  if (refused) throw refused;
  const emit = o.onEvent ?? (() => undefined);
  const place = paired && selection !== 'all' ? await pairPlacement(config, plan, path, selection) : undefined;
  const { client, target, key } = await openExecutor(config, place?.url ?? o.db);
  const ledger = config.ledgerSchema;
  // Without --skip-rehearsal the report passed for this checksum; with it, a report for this checksum still adds
  // what it recorded, and without one the plan's own source and target fingerprints are checked (drift.ts).
  const recorded = report?.checksum === plan.checksum ? report : undefined;
  try {
    const what = selection === 'all' ? `apply ${plan.name} --all` : `apply ${plan.name} r${selection.release} ${selection.phase}`;
    return await withAdvisoryLock(client, key, what, async () => {
      if (place) await confirmPlacement(client, ledger, place);
      let records = await readSteps(client, plan, '', ledger);
      const todo = phasesToApply(plan, phaseStatuses(plan, records), selection, path);
      const first = todo.length ? await checkDrift(client, plan, planPosition(plan, records), recorded) : undefined;
      // Every check passed: from here on the command changes things.
      if (todo.length && place && selection !== 'all' && selection.phase === 'contract') await closeStream(config, selection, place, emit);
      if (todo.length) {
        await ensureLedger(client, ledger);
        await recordPlan(client, plan, [''], ledger);
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
        let health: HealthResult | undefined;
        if (config.healthCheck) {
          health = await runHealthCheck(config.healthCheck);
          emit({ kind: 'health', result: health });
          if (!health.ok) {
            const rollback = config.healthCheck.onFailure === 'rollback';
            if (rollback) {
              await rollbackPhase(client, plan, p.release, p.phase, { ledgerSchema: ledger, onEvent: emit });
              emit({ kind: 'phase', release: p.release, phase: p.phase, state: 'rolled_back' });
            }
            throw new HealthCheckFailedError(`${phaseLabel(p)} of plan ${plan.name}`, health, rollback, command(path, 'rollback', p));
          }
        }
        runs.push({ release: p.release, phase: p.phase, ...result, ms, drift, ...(health ? { health } : {}) });
        records = await stepStatuses(client, plan.name, '', ledger);
      }
      const statuses = phaseStatuses(plan, records);
      const complete = statuses.every((s) => s.state === 'applied' || s.state === 'empty');
      if (complete && runs.length) await markPlanApplied(client, plan.name, executionMs(records), ledger);
      const next = nextCommand(statuses, path);
      return { plan: plan.name, database: describeTarget(target), phases: runs, ...(place ? { pair: { side: place.side, role: place.role } } : {}), complete, ...(next ? { next } : {}) };
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface RollbackResult {
  readonly plan: string;
  readonly database: string;
  readonly pair?: PairPlace;
  readonly release: number;
  readonly phase: Phase;
  readonly ran: number;
  readonly skipped: number;
  readonly retries: number;
  readonly ms: number;
  readonly drift: DriftCheck;
}

export async function rollbackCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<RollbackResult | DryRunResult> {
  const { plan, path, report } = await load(config, o.plan);
  const selection = parseSelection(plan, o, 'rollback') as { release: number; phase: Phase };
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun) return dryRunRollback(config, plan, selection, o, reviewed ? [`rollback would refuse: ${reviewed.message}`] : []);
  if (reviewed) throw reviewed;
  const emit = o.onEvent ?? (() => undefined);
  const place = pairMode(config, o.db) ? placeRollback(plan, await readPairLedgers(config, plan.name, `switchyard rollback ${plan.name}`), selection) : undefined;
  const { client, target, key } = await openExecutor(config, place?.url ?? o.db);
  const ledger = config.ledgerSchema;
  try {
    return await withAdvisoryLock(client, key, `rollback ${plan.name} r${selection.release} ${selection.phase}`, async () => {
      if (place) await confirmPlacement(client, ledger, place);
      if (!(await ledgerExists(client, ledger))) throw new RefusedError('NOT_APPLIED', `nothing to roll back: no plan has been applied to ${describeTarget(target)} (no ledger in schema ${ledger})`);
      const records = await stepStatuses(client, plan.name, '', ledger);
      const statuses = phaseStatuses(plan, records);
      const i = statuses.findIndex((s) => s.release === selection.release && s.phase === selection.phase);
      const later = statuses.slice(i + 1).reverse().find((s) => s.done > 0 || s.unfinished.length > 0);
      if (later) {
        throw new RefusedError('OUT_OF_ORDER', `cannot roll back ${phaseLabel(selection)} of plan ${plan.name} while ${phaseLabel(later)} is ${later.state}: phases roll back in reverse order\nfix: ${command(path, 'rollback', later)}`);
      }
      const drift = await checkDrift(client, plan, planPosition(plan, records), report?.checksum === plan.checksum ? report : undefined);
      emit({ kind: 'drift', check: drift });
      if (drift.notice) emit({ kind: 'notice', message: drift.notice });
      emit({ kind: 'phase', ...selection, state: 'start' });
      const started = performance.now();
      const result = await rollbackPhase(client, plan, selection.release, selection.phase, { ledgerSchema: ledger, onEvent: emit });
      const ms = Math.round(performance.now() - started);
      emit({ kind: 'phase', ...selection, state: 'rolled_back', ms });
      if ((await planStatus(client, plan.name, ledger))?.appliedAt) await markPlanUnapplied(client, plan.name, ledger);
      return { plan: plan.name, database: describeTarget(target), ...(place ? { pair: { side: place.side, role: place.role } } : {}), ...selection, ...result, ms, drift };
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The exact statements each step would send, for steps the ledger does not already record as done. */
export function stepScript(step: Step): string[] {
  const ledgerRow = '-- the ledger row of this step commits in this same transaction';
  if (step.backfill) {
    const batch = (sql: string) => ['BEGIN', timeoutSettings(step, true), sql, 'COMMIT', '-- then the position of the batch is saved in the ledger'];
    return [
      '-- backfill in keyset batches, each its own transaction, sized to about 200 ms (the size adapts), until a batch comes back short;',
      '-- $1 is the batch size; $2... the last key of the previous batch. The first batch:',
      ...batch(renderBatch(step.backfill, false)),
      '-- every later batch:',
      ...batch(renderBatch(step.backfill, true)),
    ];
  }
  return statementScript(step.sql, step, step.transactional ? ledgerRow : undefined);
}

async function readLedger(
  config: SwitchyardConfig, plan: Plan, db: string | undefined, notices: string[], placeOf: (pair: PairLedgers) => Placement,
): Promise<{ records: readonly StepRecord[]; database?: string; pair?: PairPlace }> {
  if (pairMode(config, db)) {
    const pair = await readPairLedgers(config, plan.name, `switchyard ${plan.name} --dry-run`);
    const place = placeOf(pair);
    notices.push(`on the pair: this runs on ${placeLabel(place)}`);
    return { records: pair.sides[place.side].records, database: place.name, pair: { side: place.side, role: place.role } };
  }
  let target: ConnectionTarget;
  try {
    target = resolveTarget(db, config.database, config.unsetVariables);
  } catch {
    notices.push('no database given: every step is shown, as on a database where the plan has not started');
    return { records: [] };
  }
  const client = await connect(target);
  try {
    const exists = await ledgerExists(client, config.ledgerSchema);
    return { records: exists ? await stepStatuses(client, plan.name, '', config.ledgerSchema) : [], database: describeTarget(target) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dryRun(
  config: SwitchyardConfig, plan: Plan, path: string, selection: { release: number; phase: Phase } | 'all', allowed: readonly Hazard[],
  refusals: readonly (string | undefined)[], o: ExecuteOptions,
): Promise<DryRunResult> {
  const notices = refusals.filter((r): r is string => r !== undefined).map((r) => `apply would refuse: ${r}`);
  const single = selection === 'all' ? undefined : selection;
  const { records, database, pair } = await readLedger(config, plan, o.db, notices, (p) => placeApply(p, single?.phase ?? 'expand'));
  if (pair && single?.phase === 'contract') notices.push(`${contractWarning(single, pair.side)}; apply needs --yes`);
  if (pair && single?.phase === 'expand') {
    const problems = replicationProblems(plan, planPhases(plan).find((x) => x.release === single.release && x.phase === 'expand')!.steps);
    if (problems.length) notices.push(`apply would refuse: ${new NotReplicationCompatibleError(path, phaseLabel(single), problems).message}`);
  }
  const done = new Set(records.filter((r) => r.status === 'done').map((r) => r.stepId));
  const statuses = phaseStatuses(plan, records);
  let phases: PhaseStatus[];
  try {
    phases = phasesToApply(plan, statuses, selection, path);
  } catch (e) {
    if (!(e instanceof RefusedError)) throw e;
    notices.push(`apply would refuse: ${e.message}`);
    phases = selection === 'all' ? [] : [statuses.find((s) => s.release === selection.release && s.phase === selection.phase)!];
  }
  const out = phases.map((p) => {
    const steps = planPhases(plan).find((x) => x.release === p.release && x.phase === p.phase)!.steps.filter((s) => !done.has(s.id));
    return { release: p.release, phase: p.phase, steps: steps.map((s) => ({ id: s.id, sql: stepScript(s) })) };
  });
  const refused = hazardRefusal(plan, allowed, out.flatMap((p) => planPhases(plan).find((x) => x.release === p.release && x.phase === p.phase)!.steps), path);
  if (refused) notices.push(`apply would refuse: ${refused.message}`);
  return { plan: plan.name, ...(database ? { database } : {}), ...(pair ? { pair } : {}), phases: out, notices };
}

async function dryRunRollback(config: SwitchyardConfig, plan: Plan, selection: { release: number; phase: Phase }, o: ExecuteOptions, refusals: readonly string[]): Promise<DryRunResult> {
  const notices = [...refusals];
  const { records, database, pair } = await readLedger(config, plan, o.db, notices, (p) => placeRollback(plan, p, selection));
  const byId = new Map(records.map((r) => [r.stepId, r]));
  const known = records.length > 0;
  const steps = [...planPhases(plan).find((x) => x.release === selection.release && x.phase === selection.phase)!.steps]
    .reverse()
    .filter((s) => !known || tookEffect(byId.get(s.id)));
  return { plan: plan.name, ...(database ? { database } : {}), ...(pair ? { pair } : {}), phases: [{ ...selection, steps: steps.map((s) => ({ id: s.id, sql: rollbackScript(s, byId.get(s.id)) })) }], notices };
}

/**
 * A step's rollback as rollbackPhase runs it: in one transaction with its ledger row when it can, otherwise
 * statement by statement (resuming after the statements a killed run recorded as done).
 */
export function rollbackScript(s: Step, r: StepRecord | undefined): string[] {
  if (s.transactional && (r?.status === 'running' || r?.status === 'failed')) return ['-- never took effect (its ledger row commits with it): only recorded as rolled back'];
  if (s.transactional && !s.rollback.some(mustRunAlone) && r?.status !== 'rolling_back') {
    return ['BEGIN', timeoutSettings(s, true), ...s.rollback, '-- the ledger row of this step commits in this same transaction', 'COMMIT'];
  }
  const from = r?.status === 'rolling_back' ? (r.rollbackPosition ?? 0) : 0;
  return [
    ...(from > 0 ? [`-- ${from} of the ${s.rollback.length} rollback statements were done by an interrupted run`] : []),
    ...s.rollback.slice(from).flatMap((sql) => statementScript(sql, { ...s, transactional: true }, '-- ledger: one more rollback statement done')),
  ];
}
