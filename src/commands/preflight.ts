// `switchyard preflight PLAN`: connects, runs every check, and returns them; the CLI prints and sets the exit code.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget, type Client } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { allowedHazards } from '../executor/hazards.js';
import {
  runPreflight,
  selectedSteps,
  type Check,
  type PreflightPair,
  type PreflightThresholds,
} from '../executor/preflight.js';
import { PHASES, type Phase, type Plan } from '../planner/types.js';
import { pairMode } from '../pair/phases.js';
import { openPair, resolvePair, resolveSides, type PairSession } from '../pair/session.js';
import { subscriberConnection } from '../pair/subscriber.js';
import type { Side } from '../pair/types.js';
import { loadPlan } from './review.js';

/** Options of `preflightCommand`: the database, whether warnings fail, and the thresholds. */
export interface PreflightCommandOptions {
  readonly db?: string;
  /** Warnings count as failures. */
  readonly strict?: boolean;
  readonly thresholds?: Partial<PreflightThresholds>;
  /** The pair, once `pair` configuration exists; until then only the library API passes one. */
  readonly pair?: PreflightPair;
  /** Check only what `apply --release N --phase P` would run (both or neither). */
  readonly release?: number;
  readonly phase?: string;
  /** Hazards allowed beyond `allowHazards:`, as `apply --allow-hazard` takes them. */
  readonly allowHazard?: readonly string[];
}

/** Every preflight check with its status (pass, warn, fail), detail and fix. */
export interface PreflightCommandResult {
  readonly plan: string;
  readonly database: string;
  /** The phase checked, when one was selected; otherwise the whole plan was. */
  readonly selection?: { readonly release: number; readonly phase: Phase };
  readonly checks: readonly Check[];
  readonly counts: { readonly pass: number; readonly warn: number; readonly fail: number };
  readonly strict: boolean;
  /** No failure (and, with --strict, no warning): the plan may be applied. */
  readonly ok: boolean;
}

/** `switchyard preflight`: checks what a plan needs before it is applied; reads only. */
export async function preflightCommand(
  config: SwitchyardConfig,
  planPath: string,
  o: PreflightCommandOptions = {},
): Promise<PreflightCommandResult> {
  const plan = await loadPlan(config, planPath);
  const selection = phaseOption(o);
  selectedSteps(plan, selection);
  const allow = allowedHazards(config, o.allowHazard);
  const strict = o.strict ?? false;
  if (!o.pair && pairMode(config, o.db)) return preflightPair(config, planPath, plan, o, selection, strict, allow);
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const database = describeTarget(target);
  let client: Client;
  try {
    client = await connect(target, 'switchyard preflight');
  } catch (e) {
    // A database that cannot be reached is the first finding, not a crash: nothing else can be checked.
    return result(planPath, database, strict, selection, [
      {
        id: 'connection',
        title: 'connection and server version',
        status: 'fail',
        detail: (e as Error).message,
        fix: 'check the URL (--db, switchyard.yaml or DATABASE_URL), that the server is up, and that pg_hba.conf lets this host in',
      },
    ]);
  }
  try {
    const input = {
      plan,
      planPath: configPath(config, planPath),
      db: client,
      config: { ...config, allowHazards: allow },
      ...(selection ? { selection } : {}),
      ...(o.pair ? { pair: o.pair } : {}),
      ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    };
    return result(planPath, database, strict, selection, (await runPreflight(input)).checks);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * On a pair (switchyard.yaml names one and no --db is given): the plan's checks on the live side, then the
 * pair's: replication, and the privileges each pair command needs with the GRANT for each missing one.
 */
async function preflightPair(
  config: SwitchyardConfig,
  planPath: string,
  plan: Plan,
  o: PreflightCommandOptions,
  selection: PreflightCommandResult['selection'],
  strict: boolean,
  allow: ReturnType<typeof allowedHazards>,
): Promise<PreflightCommandResult> {
  const targets = resolvePair(config);
  let session: PairSession;
  try {
    session = await openPair(targets, 'switchyard preflight');
  } catch (e) {
    return result(
      planPath,
      `${describeTarget({ url: targets.blue })} + ${describeTarget({ url: targets.green })}`,
      strict,
      selection,
      [
        {
          id: 'connection',
          title: 'connection and server version',
          status: 'fail',
          detail: (e as Error).message,
          fix: 'check pair.blue and pair.green in switchyard.yaml (or their variables), that both servers are up, and that pg_hba.conf lets this host in',
        },
      ],
    );
  }
  try {
    const sides = await resolveSides(session, config.ledgerSchema);
    const live = session.db(sides.live);
    const standby = session.db(sides.standby);
    // Whether each direction's subscription would carry a password (PostgreSQL 16+ requires one of a non-superuser).
    const carries = async (to: Side) =>
      (await subscriberConnection(session.targets[to], targets.replicationUser)).password !== 'none';
    const pair: PreflightPair = {
      live,
      standby,
      fence: config.router?.kind === 'pgbouncer' ? 'router' : 'roles',
      passwords: { standby: await carries(sides.live), live: await carries(sides.standby) },
      ...(targets.replicationUser ? { replicationUser: targets.replicationUser } : {}),
    };
    const input = {
      plan,
      planPath: configPath(config, planPath),
      db: live,
      config: { ...config, allowHazards: allow },
      ...(selection ? { selection } : {}),
      pair,
      ...(o.thresholds ? { thresholds: o.thresholds } : {}),
    };
    const database = `${session.names[sides.live]} (${sides.live}, live) + ${session.names[sides.standby]} (${sides.standby}, standby)`;
    return result(planPath, database, strict, selection, (await runPreflight(input)).checks);
  } finally {
    await session.close();
  }
}

/** `--release N --phase P`: both or neither, as apply takes them. */
function phaseOption(o: PreflightCommandOptions): { release: number; phase: Phase } | undefined {
  if (o.release === undefined && o.phase === undefined) return undefined;
  if (o.release === undefined || o.phase === undefined)
    throw new UsageError(
      `preflight checks one phase with --release N --phase expand|backfill|contract (both), or the whole plan with neither`,
    );
  if (!Number.isInteger(o.release) || o.release < 1)
    throw new UsageError(`--release ${o.release} is not a release number: give a whole number such as 1`);
  if (!(PHASES as readonly string[]).includes(o.phase))
    throw new UsageError(`--phase ${o.phase} is not one of ${PHASES.join(', ')}`);
  return { release: o.release, phase: o.phase as Phase };
}

function result(
  plan: string,
  database: string,
  strict: boolean,
  selection: PreflightCommandResult['selection'],
  checks: readonly Check[],
): PreflightCommandResult {
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return {
    plan,
    database,
    ...(selection ? { selection } : {}),
    checks,
    counts,
    strict,
    ok: counts.fail === 0 && (!strict || counts.warn === 0),
  };
}
