// What `apply` and `rollback` set up before the phase runner takes over (executor/run.ts): the plan loaded (its
// checksum checked), the phase selected, the guards of apply in their order, and where the phase runs: the one
// database, or the side of the pair that pair/phases.ts gives it, confirmed again under the executor lock.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, resolveTarget, type Client, type ConnectionTarget } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { allowedHazards, hazardRefusal } from '../executor/hazards.js';
import type { ExecutorLockKey } from '../executor/lock.js';
import { RefusedError, type ExecutorEvent, type Guard, type PhaseRef } from '../executor/run.js';
import { phaseCommand as command } from '../executor/single.js';
import { phaseLabel, planPhases } from '../executor/state.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import {
  confirmPlacement,
  contractWarning,
  pairMode,
  placeApply,
  placeLabel,
  ranElsewhere,
  readPairLedgers,
  type Placement,
} from '../pair/phases.js';
import { pairTeardown } from '../pair/teardown.js';
import { readPlan } from '../planner/file.js';
import { PHASES, type Phase, type Plan } from '../planner/types.js';
import { readReport, type RehearsalReport } from '../executor/rehearsal-report.js';
import { prepareSession } from '../rehearsal/shadow.js';
import type { TenantFlags } from '../tenants/run.js';
import type { PairPlace } from './dry-run.js';

/**
 * Options of `applyCommand`, `rollbackCommand` and `executeCommand`: the plan file, which phase, where, and the
 * safety switches.
 */
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
  /** Refuse (NotModeledError, exit 1) when the plan's schemas hold objects the model does not; default `strict:`. */
  readonly strict?: boolean;
  readonly onEvent?: (e: ExecutorEvent) => void;
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

export function parseSelection(
  plan: Plan,
  o: ExecuteOptions,
  command: 'apply' | 'rollback',
): { release: number; phase: Phase } | 'all' {
  if (o.all) {
    if (command === 'rollback') throw new UsageError('rollback takes one phase: --release N --phase P');
    if (o.release !== undefined || o.phase !== undefined)
      throw new UsageError('give either --all or --release N --phase P, not both');
    return 'all';
  }
  if (o.release === undefined || o.phase === undefined) {
    throw new UsageError(
      `${command} needs --release N --phase expand|backfill|contract${command === 'apply' ? ' (or --all for every remaining phase)' : ''}`,
    );
  }
  if (!(PHASES as readonly string[]).includes(o.phase))
    throw new UsageError(`--phase ${o.phase} is not one of ${PHASES.join(', ')}`);
  if (!Number.isInteger(o.release) || !plan.releases.some((r) => r.number === o.release)) {
    throw new UsageError(
      `plan ${plan.name} has no release ${o.release}; its releases are ${plan.releases.map((r) => r.number).join(', ')}`,
    );
  }
  return { release: o.release, phase: o.phase as Phase };
}

export async function openExecutor(
  config: SwitchyardConfig,
  db: string | undefined,
): Promise<{ client: Client; target: ConnectionTarget; key: ExecutorLockKey }> {
  const target = resolveTarget(db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    await prepareSession(client);
    // A killed executor's session must end (and free the executor lock) when the server notices, not when its
    // statement finishes: a CREATE INDEX CONCURRENTLY could hold the lock for hours. PostgreSQL 14+.
    await client.query(
      "SELECT set_config('client_connection_check_interval', '1s', false) WHERE current_setting('server_version_num')::int >= 140000",
    );
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    return { client, target, key: { database: rows[0]!.db, ledgerSchema: config.ledgerSchema } };
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
}

/** Pair mode: which side runs the selected phase, refusing what cannot run on the pair. */
export async function pairPlacement(
  config: SwitchyardConfig,
  plan: Plan,
  path: string,
  selection: { release: number; phase: Phase },
): Promise<Placement> {
  // Contract runs on live whether or not the stream to the standby is still there (a previous contract closed it).
  const pair = await readPairLedgers(config, plan.name, `switchyard apply ${plan.name}`, {
    streaming: selection.phase !== 'contract',
  });
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
export async function closeStream(
  config: SwitchyardConfig,
  selection: { release: number; phase: Phase },
  place: Placement,
  emit: (e: ExecutorEvent) => void,
): Promise<void> {
  emit({ kind: 'notice', message: contractWarning(selection, place.side) });
  const removed = await pairTeardown(config);
  const n = Object.values(removed.removed).reduce(
    (k, r) => k + r.subscriptions.length + r.slots.length + r.publications.length,
    0,
  );
  if (n)
    emit({
      kind: 'notice',
      message: `the cutback window is closed: replication to the standby removed (${n} object(s)); after the contract, run switchyard pair resync`,
    });
}

/** The checks `apply` makes before it connects, in this order, whatever the phase runs on. */
export function applyGuards(
  config: SwitchyardConfig,
  l: Loaded,
  selection: PhaseRef | 'all',
  o: ExecuteOptions,
  reviewed: Guard,
  rehearsal: string | undefined,
): Guard[] {
  const { plan, path } = l;
  const paired = pairMode(config, o.db);
  const single = selection === 'all' ? undefined : selection;
  const selected = single
    ? planPhases(plan).find((p) => p.release === single.release && p.phase === single.phase)!.steps
    : planPhases(plan).flatMap((p) => p.steps);
  const allowed = allowedHazards(config, o.allowHazard);
  return [
    () => productionAll(config, path, selection, o),
    reviewed,
    () =>
      paired && single?.phase === 'contract' && !o.yes
        ? new UsageError(
            `${contractWarning(single)}\nfix: when the new application version is fully deployed and no cutback is needed, run: ${command(path, 'apply', single)} --yes`,
          )
        : undefined,
    () => (rehearsal ? new RefusedError('REHEARSAL_REQUIRED', `refused: ${rehearsal}`) : undefined),
    () => {
      if (!paired || single?.phase !== 'expand') return undefined;
      const problems = replicationProblems(plan, selected);
      return problems.length ? new NotReplicationCompatibleError(path, phaseLabel(single), problems) : undefined;
    },
    () => hazardRefusal(plan, allowed, selected, path),
  ];
}

/**
 * `apply --all` runs every remaining phase back to back, the contracts (drops, BREAKS_OLD_APP) included, with no
 * deploy of the application between them: on a database the configuration calls production, only with --yes.
 */
export function productionAll(
  config: SwitchyardConfig,
  path: string,
  selection: PhaseRef | 'all',
  o: Pick<ExecuteOptions, 'yes'>,
): UsageError | undefined {
  if (selection !== 'all' || config.environment !== 'production' || o.yes) return undefined;
  return new UsageError(
    `apply --all runs every remaining phase of ${path} back to back, contracts included, and switchyard.yaml says environment: production` +
      `\nfix: run the phases one at a time (switchyard apply ${path} --release N --phase P; switchyard status says which is next), or add --yes to run them all`,
  );
}

/** Where the phase runs, decided once every guard passed, and the session opened there. */
export interface Where {
  place?: Placement | undefined;
  target?: ConnectionTarget;
}

export function opener(
  config: SwitchyardConfig,
  o: ExecuteOptions,
  where: Where,
  place: () => Promise<Placement | undefined>,
) {
  return async () => {
    where.place = await place();
    const e = await openExecutor(config, where.place?.url ?? o.db);
    where.target = e.target;
    return e;
  };
}

/** Hooks of the phase runner for a pair: the side is still the one placed, and contract closes the stream. */
export function pairHooks(
  config: SwitchyardConfig,
  where: Where,
  selection: PhaseRef | 'all',
  emit: (e: ExecutorEvent) => void,
) {
  return {
    confirm: async (c: Client) => {
      if (where.place) await confirmPlacement(c, config.ledgerSchema, where.place);
    },
    beforeChange: async () => {
      if (where.place && selection !== 'all' && selection.phase === 'contract')
        await closeStream(config, selection, where.place, emit);
    },
  };
}

export const pairOf = (where: Where): { pair?: PairPlace } =>
  where.place ? { pair: { side: where.place.side, role: where.place.role } } : {};
