// `switchyard apply` and `rollback`: this file chooses what a phase runs on and where, builds the checks, and
// hands them to the one phase runner (executor/run.ts), which runs them in the same order on every path: the
// plan file's checksum (readPlan), its SQL files and signature as reviewed (planner/reviewed.ts), hazards allowed,
// a passing rehearsal for this checksum, one executor (the advisory lock), phases in order, no drift, and the
// health check after the phase. Every refusal only reads: the ledger schema is created once all of them passed.
// What it runs on: one database (executor/single.ts), or a plan with tenants (or any tenant flag) over its tenants
// (tenants/run.ts). Where: with a pair in switchyard.yaml (and no --db), on the side DESIGN.md gives the phase
// (pair/phases.ts): expand, after the replication-compatibility check (pair/compat.ts), and backfill on the
// standby; contract on live, only with --yes; a rollback where its phase ran.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget, type Client, type ConnectionTarget } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { allowedHazards, hazardRefusal } from '../executor/hazards.js';
import type { ExecutorLockKey } from '../executor/lock.js';
import { RefusedError, runPhase, type ExecutorEvent, type Guard, type PhaseRef } from '../executor/run.js';
import { applyOne, phaseCommand as command, rollbackOne, type PhaseRun } from '../executor/single.js';
import { phaseLabel, planPhases } from '../executor/state.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import { confirmPlacement, contractWarning, pairMode, placeApply, placeRollback, ranElsewhere, readPairLedgers, placeLabel, type Placement } from '../pair/phases.js';
import { pairTeardown } from '../pair/teardown.js';
import { readPlan } from '../planner/file.js';
import { reviewProblem } from '../planner/reviewed.js';
import { PHASES, type Phase, type Plan } from '../planner/types.js';
import { readReport, rehearsalProblem, type RehearsalReport } from '../rehearsal/report.js';
import { prepareSession } from '../rehearsal/shadow.js';
import { parseShard } from '../tenants/registry.js';
import { dryRunTenants } from '../tenants/dry-run.js';
import { isTenantPlan, tenantSettings, tenantUnits, type TenantFlags, type TenantRun } from '../tenants/run.js';
import { dryRun, dryRunRollback, type DryRunResult, type PairPlace } from './dry-run.js';

export { allowedHazards, hazardRefusal } from '../executor/hazards.js';
export { HealthCheckFailedError, RefusedError, type ExecutorEvent } from '../executor/run.js';
export { rollbackScript, stepScript } from '../executor/script.js';
export { executionMs, nextCommand, phaseCommand as command, type PhaseRun } from '../executor/single.js';
export type { DryRunResult, PairPlace } from './dry-run.js';

export interface ExecuteOptions extends TenantFlags {
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
  readonly drift: import('../executor/drift.js').DriftCheck;
}

/** A tenant run and where it ran. */
export interface TenantRunResult extends TenantRun {
  readonly database: string;
  readonly pair?: PairPlace;
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

/** The checks `apply` makes before it connects, in this order, whatever the phase runs on. */
function applyGuards(
  config: SwitchyardConfig, l: Loaded, selection: PhaseRef | 'all', o: ExecuteOptions, reviewed: Guard, rehearsal: string | undefined,
): Guard[] {
  const { plan, path } = l;
  const paired = pairMode(config, o.db);
  const single = selection === 'all' ? undefined : selection;
  const selected = single ? planPhases(plan).find((p) => p.release === single.release && p.phase === single.phase)!.steps : planPhases(plan).flatMap((p) => p.steps);
  const allowed = allowedHazards(config, o.allowHazard);
  return [
    reviewed,
    () => (paired && single?.phase === 'contract' && !o.yes
      ? new UsageError(`${contractWarning(single)}\nfix: when the new application version is fully deployed and no cutback is needed, run: ${command(path, 'apply', single)} --yes`)
      : undefined),
    () => (rehearsal ? new RefusedError('REHEARSAL_REQUIRED', `refused: ${rehearsal}`) : undefined),
    () => {
      if (!paired || single?.phase !== 'expand') return undefined;
      const problems = replicationProblems(plan, selected);
      return problems.length ? new NotReplicationCompatibleError(path, phaseLabel(single), problems) : undefined;
    },
    () => hazardRefusal(plan, allowed, selected, path),
  ];
}

/** Where the phase runs, decided once every guard passed, and the session opened there. */
interface Where {
  place?: Placement | undefined;
  target?: ConnectionTarget;
}

function opener(config: SwitchyardConfig, o: ExecuteOptions, where: Where, place: () => Promise<Placement | undefined>) {
  return async () => {
    where.place = await place();
    const e = await openExecutor(config, where.place?.url ?? o.db);
    where.target = e.target;
    return e;
  };
}

/** Hooks of the phase runner for a pair: the side is still the one placed, and contract closes the stream. */
function pairHooks(config: SwitchyardConfig, where: Where, selection: PhaseRef | 'all', emit: (e: ExecutorEvent) => void) {
  return {
    confirm: async (c: Client) => {
      if (where.place) await confirmPlacement(c, config.ledgerSchema, where.place);
    },
    beforeChange: async () => {
      if (where.place && selection !== 'all' && selection.phase === 'contract') await closeStream(config, selection, where.place, emit);
    },
  };
}

const pairOf = (where: Where): { pair?: PairPlace } => (where.place ? { pair: { side: where.place.side, role: where.place.role } } : {});

/** `apply` on one database (or the side of the pair the phase runs on). */
export async function applyCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<ApplyResult | DryRunResult> {
  const l = await load(config, o.plan);
  const { plan, path, report } = l;
  const selection = parseSelection(plan, o, 'apply');
  const paired = pairMode(config, o.db);
  if (paired && selection === 'all') throw new UsageError('--all runs every phase on one database, but on a pair expand and backfill run on the standby and contract on live: give --release N --phase P (or --db URL for one database)');
  const allowed = allowedHazards(config, o.allowHazard);
  const rehearsal = o.skipRehearsal ? undefined : rehearsalProblem(plan, report, path);
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun) return dryRun(config, plan, path, selection, allowed, [reviewed?.message, rehearsal], o);
  const emit = o.onEvent ?? (() => undefined);
  const where: Where = {};
  // Without --skip-rehearsal the report passed for this checksum; with it, a report for this checksum still adds
  // what it recorded, and without one the plan's own source and target fingerprints are checked (drift.ts).
  const recorded = report?.checksum === plan.checksum ? report : undefined;
  const run = await runPhase({
    what: selection === 'all' ? `apply ${plan.name} --all` : `apply ${plan.name} r${selection.release} ${selection.phase}`,
    guards: applyGuards(config, l, selection, o, () => reviewed, rehearsal),
    open: opener(config, o, where, async () => (paired && selection !== 'all' ? pairPlacement(config, plan, path, selection) : undefined)),
    ...pairHooks(config, where, selection, emit),
    ledger: config.ledgerSchema,
    health: config.healthCheck,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: applyOne(plan, path, selection, recorded),
    onEvent: emit,
  });
  return { plan: plan.name, database: describeTarget(where.target!), phases: run.phases, ...pairOf(where), complete: run.complete, ...(run.next ? { next: run.next } : {}) };
}

/** `rollback` of one phase on one database (or the side of the pair where it ran). */
export async function rollbackCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<RollbackResult | DryRunResult> {
  const { plan, path, report } = await load(config, o.plan);
  const selection = parseSelection(plan, o, 'rollback') as PhaseRef;
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun) return dryRunRollback(config, plan, selection, o, reviewed ? [`rollback would refuse: ${reviewed.message}`] : []);
  const where: Where = {};
  const run = await runPhase({
    what: `rollback ${plan.name} r${selection.release} ${selection.phase}`,
    guards: [() => reviewed],
    open: opener(config, o, where, async () =>
      (pairMode(config, o.db) ? placeRollback(plan, await readPairLedgers(config, plan.name, `switchyard rollback ${plan.name}`), selection) : undefined)),
    ...pairHooks(config, where, 'all', () => undefined),
    ledger: config.ledgerSchema,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: rollbackOne(plan, path, selection, report?.checksum === plan.checksum ? report : undefined, () => describeTarget(where.target!)),
    onEvent: o.onEvent,
  });
  return { plan: plan.name, database: describeTarget(where.target!), ...pairOf(where), ...selection, ...run };
}

/**
 * `apply` or `rollback` of one phase of a plan with tenants: the same guards and runner, the units being the
 * selected tenants over the fan-out (and the shared steps once), under a shared executor lock.
 */
export async function tenantsCommand(config: SwitchyardConfig, o: ExecuteOptions, verb: 'apply' | 'rollback'): Promise<TenantRunResult | DryRunResult> {
  const l = await load(config, o.plan);
  const { plan, path, report } = l;
  const t = tenantSettings(plan);
  const parsed = parseSelection(plan, o, verb);
  if (parsed === 'all') throw new UsageError(`--all is not supported with tenants: every phase must finish on every tenant before the next; give --release N --phase P`);
  const sel: PhaseRef = parsed;
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  const reviewed = await reviewProblem(config, plan, path);
  const rehearsal = verb === 'apply' && !o.skipRehearsal ? rehearsalProblem(plan, report, path) : undefined;
  if (o.dryRun) {
    const steps = plan.releases.find((r) => r.number === sel.release)![sel.phase];
    const hazards = verb === 'apply' ? hazardRefusal(plan, allowedHazards(config, o.allowHazard), steps, path) : undefined;
    const refusals = [reviewed?.message, rehearsal, hazards?.message].filter((x): x is string => x !== undefined).map((m) => `${verb} would refuse: ${m}`);
    return dryRunTenants(config, { ...o, plan, path, template: t.template, registry: t.registry, selection: sel, shard }, verb, refusals);
  }
  if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64)) throw new UsageError(`--concurrency ${o.concurrency}: give a whole number from 1 to 64 (each is one database connection)`);
  const paired = pairMode(config, o.db);
  const emit = o.onEvent ?? (() => undefined);
  const where: Where = {};
  const run = await runPhase({
    what: `${verb} ${plan.name} r${sel.release} ${sel.phase} tenants${shard ? ` ${shard.index}/${shard.count}` : ''}`,
    guards: verb === 'apply' ? applyGuards(config, l, sel, o, () => reviewed, rehearsal) : [() => reviewed],
    open: opener(config, o, where, async () => {
      if (!paired) return undefined;
      if (verb === 'apply') return pairPlacement(config, plan, path, sel);
      return placeRollback(plan, await readPairLedgers(config, plan.name, `switchyard rollback ${plan.name}`), sel);
    }),
    ...pairHooks(config, where, verb === 'apply' ? sel : 'all', emit),
    ledger: config.ledgerSchema,
    sharedLock: true,
    health: config.healthCheck,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: tenantUnits({
      verb, plan, path, report, template: t.template, registry: t.registry, selection: sel, shard, tenants: o.tenants,
      concurrency: o.concurrency, onError: o.onError, openWorker: async () => (await openExecutor(config, where.place?.url ?? o.db)).client,
    }),
    onEvent: emit,
  });
  return { ...run, database: describeTarget(where.target!), ...pairOf(where) };
}

/** A plan with tenants (or any tenant flag) runs over its tenants; any other on one database. */
async function runsOnTenants(config: SwitchyardConfig, o: ExecuteOptions): Promise<boolean> {
  const flags = o.tenants !== undefined || o.concurrency !== undefined || o.shard !== undefined || o.onError !== undefined;
  return flags || isTenantPlan((await load(config, o.plan)).plan);
}

/** The command line's one entry for `apply` and `rollback`: it does not need to know about tenants. */
export async function executeCommand(config: SwitchyardConfig, o: ExecuteOptions, verb: 'apply'): Promise<ApplyResult | DryRunResult | TenantRunResult>;
export async function executeCommand(config: SwitchyardConfig, o: ExecuteOptions, verb: 'rollback'): Promise<RollbackResult | DryRunResult | TenantRunResult>;
export async function executeCommand(config: SwitchyardConfig, o: ExecuteOptions, verb: 'apply' | 'rollback') {
  if (await runsOnTenants(config, o)) return tenantsCommand(config, o, verb);
  return verb === 'apply' ? applyCommand(config, o) : rollbackCommand(config, o);
}
