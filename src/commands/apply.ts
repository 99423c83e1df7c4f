// `switchyard apply` and `rollback`: this file chooses what a phase runs on and where, builds the checks, and
// hands them to the one phase runner (executor/run.ts), which runs them in the same order on every path: the
// plan file's checksum (readPlan), its SQL files and signature as reviewed (planner/reviewed.ts), hazards allowed,
// a passing rehearsal for this checksum, one executor (the advisory lock), phases in order, no drift, and the
// health check after the phase. Every refusal only reads: the ledger schema is created once all of them passed.
// What it runs on: one database (executor/single.ts), or a plan with tenants (or any tenant flag) over its tenants
// (tenants/run.ts). Where: with a pair in switchyard.yaml (and no --db), on the side DESIGN.md gives the phase
// (pair/phases.ts): expand, after the replication-compatibility check (pair/compat.ts), and backfill on the
// standby; contract on live, only with --yes; a rollback where its phase ran.
import type { SwitchyardConfig } from '../config/config.js';
import { describeTarget } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { allowedHazards, hazardRefusal } from '../executor/hazards.js';
import { refuseFirst, runPhase, type PhaseRef } from '../executor/run.js';
import { planPhases } from '../executor/state.js';
import { applyOne, phaseCommand as command, rollbackOne, type PhaseRun } from '../executor/single.js';
import { pairMode, placeRollback, readPairLedgers } from '../pair/phases.js';
import { reviewProblem } from '../planner/reviewed.js';
import type { Phase } from '../planner/types.js';
import { rehearsalProblem } from '../executor/rehearsal-report.js';
import { parseShard } from '../tenants/registry.js';
import { dryRunTenants } from '../tenants/dry-run.js';
import { isTenantPlan, tenantSettings, tenantUnits, type TenantRun } from '../tenants/run.js';
import type { NotModeled } from '../introspect/index.js';
import { dryRun, dryRunRollback, type DryRunResult, type PairPlace } from './dry-run.js';
import { openInventoried } from './not-modeled.js';
import {
  applyGuards,
  load,
  opener,
  openExecutor,
  pairHooks,
  pairOf,
  pairPlacement,
  parseSelection,
  productionAll,
  type ExecuteOptions,
  type Where,
} from './phase-setup.js';

export { allowedHazards, hazardRefusal } from '../executor/hazards.js';
export { HealthCheckFailedError, RefusedError, type ExecutorEvent } from '../executor/run.js';
export { rollbackScript, stepScript } from '../executor/script.js';
export {
  deployFirst,
  executionMs,
  nextCommand,
  phaseCommand as command,
  type PhaseRun,
} from '../executor/single.js';
export type { DryRunResult, PairPlace } from './dry-run.js';
export { load, openExecutor, pairPlacement, parseSelection, type ExecuteOptions, type Loaded } from './phase-setup.js';

/**
 * What `applyCommand` did: the phases it ran on which database, whether the plan is now complete, and the command to
 * run next.
 */
export interface ApplyResult {
  readonly plan: string;
  readonly database: string;
  readonly phases: readonly PhaseRun[];
  readonly pair?: PairPlace;
  /** Every phase of the plan is applied. */
  readonly complete: boolean;
  /** What the plan's schemas hold outside the model on this database: left as it is, never planned. */
  readonly notModeled: readonly NotModeled[];
  /** The command to run next, when there is a next phase. */
  readonly next?: string;
}

/** What `rollbackCommand` undid: one phase of one release, its steps run and skipped, and the drift check after it. */
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
  /** What the plan's schemas (every tenant's) hold outside the model on this database. */
  readonly notModeled: readonly NotModeled[];
  readonly pair?: PairPlace;
}

/** `apply --all` over tenants: each phase in order across the fleet, stopping at the first that did not finish. */
export interface TenantAllResult {
  readonly plan: string;
  readonly database: string;
  /** One tenant run per phase that was run, in order. */
  readonly runs: readonly TenantRunResult[];
  /** The phase the walk stopped at because a tenant failed or was not started; the later phases did not run. */
  readonly stoppedAt?: PhaseRef;
  readonly complete: boolean;
}

/** `apply` on one database (or the side of the pair the phase runs on). */
export async function applyCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<ApplyResult | DryRunResult> {
  const l = await load(config, o.plan);
  const { plan, path, report } = l;
  const selection = parseSelection(plan, o, 'apply');
  const paired = pairMode(config, o.db);
  if (paired && selection === 'all')
    throw new UsageError(
      '--all runs every phase on one database, but on a pair expand and backfill run on the standby and contract on live: give --release N --phase P (or --db URL for one database)',
    );
  const allowed = allowedHazards(config, o.allowHazard);
  const rehearsal = o.skipRehearsal ? undefined : rehearsalProblem(plan, report, path);
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun)
    return dryRun(
      config,
      plan,
      path,
      selection,
      allowed,
      [productionAll(config, path, selection, o)?.message, reviewed?.message, rehearsal],
      o,
    );
  const emit = o.onEvent ?? (() => undefined);
  const where: Where = {};
  const seen: { notModeled?: NotModeled[] } = {};
  // Without --skip-rehearsal the report passed for this checksum; with it, a report for this checksum still adds
  // what it recorded, and without one the plan's own source and target fingerprints are checked (drift.ts).
  const recorded = report?.checksum === plan.checksum ? report : undefined;
  const run = await runPhase({
    what:
      selection === 'all' ? `apply ${plan.name} --all` : `apply ${plan.name} r${selection.release} ${selection.phase}`,
    guards: applyGuards(config, l, selection, o, () => reviewed, rehearsal),
    open: openInventoried(
      opener(config, o, where, async () =>
        paired && selection !== 'all' ? pairPlacement(config, plan, path, selection) : undefined,
      ),
      plan,
      o.strict ?? config.strict,
      seen,
    ),
    ...pairHooks(config, where, selection, emit),
    ledger: config.ledgerSchema,
    health: config.healthCheck,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: applyOne(plan, path, selection, recorded),
    onEvent: emit,
  });
  return {
    plan: plan.name,
    database: describeTarget(where.target!),
    phases: run.phases,
    ...pairOf(where),
    complete: run.complete,
    ...(run.next ? { next: run.next } : {}),
    notModeled: seen.notModeled ?? [],
  };
}

/** `rollback` of one phase on one database (or the side of the pair where it ran). */
export async function rollbackCommand(
  config: SwitchyardConfig,
  o: ExecuteOptions,
): Promise<RollbackResult | DryRunResult> {
  const { plan, path, report } = await load(config, o.plan);
  const selection = parseSelection(plan, o, 'rollback') as PhaseRef;
  const reviewed = await reviewProblem(config, plan, path);
  if (o.dryRun)
    return dryRunRollback(config, plan, selection, o, reviewed ? [`rollback would refuse: ${reviewed.message}`] : []);
  const where: Where = {};
  const run = await runPhase({
    what: `rollback ${plan.name} r${selection.release} ${selection.phase}`,
    guards: [() => reviewed],
    open: opener(config, o, where, async () =>
      pairMode(config, o.db)
        ? placeRollback(plan, await readPairLedgers(config, plan.name, `switchyard rollback ${plan.name}`), selection)
        : undefined,
    ),
    ...pairHooks(config, where, 'all', () => undefined),
    ledger: config.ledgerSchema,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: rollbackOne(plan, path, selection, report?.checksum === plan.checksum ? report : undefined, () =>
      describeTarget(where.target!),
    ),
    onEvent: o.onEvent,
  });
  return { plan: plan.name, database: describeTarget(where.target!), ...pairOf(where), ...selection, ...run };
}

/**
 * `apply` or `rollback` of one phase of a plan with tenants: the same guards and runner, the units being the
 * selected tenants over the fan-out (and the shared steps once), under a shared executor lock.
 */
export async function tenantsCommand(
  config: SwitchyardConfig,
  o: ExecuteOptions,
  verb: 'apply' | 'rollback',
): Promise<TenantRunResult | DryRunResult> {
  const l = await load(config, o.plan);
  const { plan, path, report } = l;
  const t = tenantSettings(plan);
  const parsed = parseSelection(plan, o, verb);
  // executeCommand sends --all to tenantsAllCommand, which calls this once per phase.
  if (parsed === 'all')
    throw new UsageError('tenantsCommand runs one phase: --all over tenants is tenantsAllCommand (or executeCommand)');
  const sel: PhaseRef = parsed;
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  const reviewed = await reviewProblem(config, plan, path);
  const rehearsal = verb === 'apply' && !o.skipRehearsal ? rehearsalProblem(plan, report, path) : undefined;
  if (o.dryRun) {
    const steps = plan.releases.find((r) => r.number === sel.release)![sel.phase];
    const hazards =
      verb === 'apply' ? hazardRefusal(plan, allowedHazards(config, o.allowHazard), steps, path) : undefined;
    const refusals = [reviewed?.message, rehearsal, hazards?.message]
      .filter((x): x is string => x !== undefined)
      .map((m) => `${verb} would refuse: ${m}`);
    return dryRunTenants(
      config,
      { ...o, plan, path, template: t.template, registry: t.registry, selection: sel, shard },
      verb,
      refusals,
    );
  }
  if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64))
    throw new UsageError(
      `--concurrency ${o.concurrency}: give a whole number from 1 to 64 (each is one database connection)`,
    );
  const paired = pairMode(config, o.db);
  const emit = o.onEvent ?? (() => undefined);
  const where: Where = {};
  const seen: { notModeled?: NotModeled[] } = {};
  // A rollback names what is not modeled but is never refused for it: undoing a change must stay possible.
  const strict = verb === 'apply' ? (o.strict ?? config.strict) : false;
  const run = await runPhase({
    what: `${verb} ${plan.name} r${sel.release} ${sel.phase} tenants${shard ? ` ${shard.index}/${shard.count}` : ''}`,
    guards: verb === 'apply' ? applyGuards(config, l, sel, o, () => reviewed, rehearsal) : [() => reviewed],
    open: openInventoried(
      opener(config, o, where, async () => {
        if (!paired) return undefined;
        if (verb === 'apply') return pairPlacement(config, plan, path, sel);
        return placeRollback(plan, await readPairLedgers(config, plan.name, `switchyard rollback ${plan.name}`), sel);
      }),
      plan,
      strict,
      seen,
    ),
    ...pairHooks(config, where, verb === 'apply' ? sel : 'all', emit),
    ledger: config.ledgerSchema,
    sharedLock: true,
    health: config.healthCheck,
    rollbackCommand: (p) => command(path, 'rollback', p),
    units: tenantUnits({
      verb,
      plan,
      path,
      report,
      template: t.template,
      registry: t.registry,
      selection: sel,
      shard,
      tenants: o.tenants,
      concurrency: o.concurrency,
      onError: o.onError,
      openWorker: async () => (await openExecutor(config, where.place?.url ?? o.db)).client,
    }),
    onEvent: emit,
  });
  return { ...run, database: describeTarget(where.target!), ...pairOf(where), notModeled: seen.notModeled ?? [] };
}

/**
 * `apply --all` of a plan with tenants: phase by phase across the fleet, each phase a run of the one phase runner
 * (lock, drift, fan-out, health check) as `--release N --phase P` would be, and the next phase only once every
 * selected tenant finished this one. The guards of the whole walk (production's --yes, SQL as reviewed,
 * rehearsal, every hazard of the plan) are made once, before the first phase.
 */
export async function tenantsAllCommand(config: SwitchyardConfig, o: ExecuteOptions): Promise<TenantAllResult> {
  const l = await load(config, o.plan);
  const { plan, path, report } = l;
  tenantSettings(plan);
  if (o.dryRun)
    throw new UsageError(
      `--dry-run with --all over tenants: the SQL of a phase depends on where the tenants stand after the one before; give --release N --phase P to see a phase's SQL`,
    );
  if (pairMode(config, o.db))
    throw new UsageError(
      '--all runs every phase on one database, but on a pair expand and backfill run on the standby and contract on live: give --release N --phase P (or --db URL for one database)',
    );
  const reviewed = await reviewProblem(config, plan, path);
  const rehearsal = o.skipRehearsal ? undefined : rehearsalProblem(plan, report, path);
  await refuseFirst(applyGuards(config, l, 'all', o, () => reviewed, rehearsal));
  const runs: TenantRunResult[] = [];
  for (const p of planPhases(plan)) {
    if (p.steps.length === 0) continue;
    const sel = { release: p.release, phase: p.phase };
    const r = await tenantsCommand(config, { ...o, all: false, release: p.release, phase: p.phase }, 'apply');
    const run = r as TenantRunResult;
    runs.push(run);
    if (run.outcomes.some((x) => x.state === 'failed') || run.notStarted.length)
      return { plan: plan.name, database: run.database, runs, stoppedAt: sel, complete: false };
  }
  const last = runs[runs.length - 1];
  return { plan: plan.name, database: last?.database ?? '', runs, complete: last?.complete ?? true };
}

/** A plan with tenants (or any tenant flag) runs over its tenants; any other on one database. */
async function runsOnTenants(config: SwitchyardConfig, o: ExecuteOptions): Promise<boolean> {
  const flags =
    o.tenants !== undefined || o.concurrency !== undefined || o.shard !== undefined || o.onError !== undefined;
  return flags || isTenantPlan((await load(config, o.plan)).plan);
}

/** The command line's one entry for `apply` and `rollback`: it does not need to know about tenants. */
export async function executeCommand(
  config: SwitchyardConfig,
  o: ExecuteOptions,
  verb: 'apply',
): Promise<ApplyResult | DryRunResult | TenantRunResult | TenantAllResult>;
export async function executeCommand(
  config: SwitchyardConfig,
  o: ExecuteOptions,
  verb: 'rollback',
): Promise<RollbackResult | DryRunResult | TenantRunResult>;
export async function executeCommand(config: SwitchyardConfig, o: ExecuteOptions, verb: 'apply' | 'rollback') {
  if (await runsOnTenants(config, o))
    return verb === 'apply' && o.all && o.release === undefined && o.phase === undefined
      ? tenantsAllCommand(config, o)
      : tenantsCommand(config, o, verb);
  return verb === 'apply' ? applyCommand(config, o) : rollbackCommand(config, o);
}
