// `cutover` and `cutback`: the live side moves to the other database, exactly as DESIGN.md ("Cutover") says.
// 1 gate, 2 fence (router PAUSE, or every application role made read-only here and its sessions ended), 3 a
// marker row written on the old side and seen on the new, 4 every sequence copied, 5 the forward stream
// disabled and the reverse one made (slot and publication on the new side, with the columns the old side has;
// subscription on the old side, copy_data = false, origin = none on 16+), 6 the generation bumped on both
// sides, the new side's fence lifted, the router switched, RESUME. The old side stays fenced.
//
// Each finished step is recorded in `pair_switch` on both sides. A rerun of either command after a crash reads
// it: `cutover` finishes the switch; `cutback` undoes it while the topology has not moved yet (after that the
// switch is finished and a new one goes back). Every step is idempotent. A stale process cannot act: the pair
// lock is held for the whole switch, and the topology moves only by compare-and-set on the generation.
import type { SwitchyardConfig } from '../config/config.js';
import type { Client } from '../db/connect.js';
import { runHealthCheck, type HealthResult } from '../executor/health.js';
import { executorLockKey } from '../executor/lock.js';
import { serverVersion } from '../introspect/index.js';
import { ident, literal, qualified } from '../db/quote.js';
import { databaseError } from '../errors.js';
import { replicaIdentityGate, rolePrivilegesCheck } from './gate-roles.js';
import { catalogGate } from './catalog-gate.js';
import { PairError, TopologyConflictError } from './errors.js';
import { grantStatement, missingPrivileges, readPrivileges } from './privileges.js';
import { applicationRoles, fenceFix, fenceRoles, unfenceRoles } from './fence.js';
import {
  DEFAULT_FENCE_TIMEOUT_MS,
  spawnGuardian,
  startGuardian,
  type Guardian,
  type SpareGuardian,
} from './guardian.js';
import { waitForApplyWorker } from './guardian-lift.js';
import { armWatch, disarmWatch } from './watch.js';
import { HEARTBEAT_TABLE, SWITCH_TABLE, publicationName, streamName } from './names.js';
import {
  dropPublications,
  dropSlots,
  dropSubscriptions,
  ensurePublication,
  ensureSlot,
  ensureSubscription,
  pairSlots,
  pairSubscriptions,
} from './replicate.js';
import { openRouter, type Router } from './router.js';
import { readApplication, schemaNames, type ScopeConfig } from './scope.js';
import { readSequences, writeSequences, type SequenceValue } from './sequences.js';
import { lockPair, openPair, resolvePair, type PairFlags, type PairSession } from './session.js';
import type { PublishedTable } from './sql.js';
import { subscriberConnection } from './subscriber.js';
import { verifyGate } from './verify-gate.js';
import {
  describeInitializing,
  ensurePairLedger,
  readTopology,
  switchTopology,
  waitForHeartbeat,
  writeHeartbeat,
  SWITCH_STEPS,
  type SwitchStep,
} from './topology.js';
import { otherSide, SIDES, type Side } from './types.js';

/** Which way a switch goes: `cutover` makes the standby live, `cutback` goes back. */
export type SwitchCommand = 'cutover' | 'cutback';
export type SwitchConfig = ScopeConfig &
  Pick<SwitchyardConfig, 'pair' | 'router' | 'unsetVariables'> &
  Partial<Pick<SwitchyardConfig, 'healthCheck' | 'cutover'>>;

/** Options of `runSwitch`: the pair's URLs, dry run, the gate's lag and transaction limits, the marker timeout and progress. */
export interface SwitchOptions extends PairFlags {
  readonly dryRun?: boolean;
  /** Gate: most WAL the forward stream may be behind (default 16 MiB). */
  readonly maxLagBytes?: number;
  /** Gate: oldest transaction allowed on the live side, in seconds (default 5): PAUSE would wait for it. */
  readonly maxTransactionSeconds?: number;
  /** How long the marker may take to reach the new side (default 10 s); the switch is undone after that. */
  readonly markerTimeoutMs?: number;
  readonly onEvent?: (e: SwitchEvent) => void;
  /** Fault injection for the kill tests: called after each step is recorded. */
  readonly afterStep?: ((step: SwitchStep) => void | Promise<void>) | undefined;
  /** Between health check tries after a switch (default 1 s). */
  readonly healthRetryMs?: number;
}

/** Progress of a cutover or cutback: gate checks, protocol steps and notices. */
export type SwitchEvent =
  | { readonly kind: 'gate'; readonly check: string; readonly ok: boolean; readonly detail: string }
  | { readonly kind: 'step'; readonly step: SwitchStep; readonly ms: number; readonly detail: string }
  | { readonly kind: 'notice'; readonly message: string };

/**
 * What a cutover or cutback did (or would do with a dry run): the gate, the steps, the write pause, the health
 * check.
 */
export interface SwitchReport {
  readonly command: SwitchCommand;
  /** What happened: a switch, an interrupted one finished, or an interrupted one undone. */
  readonly outcome: 'switched' | 'finished' | 'undone' | 'dry-run';
  readonly from: Side;
  readonly to: Side;
  readonly generation: { readonly from: number; readonly to: number };
  readonly fence: 'router' | 'roles';
  /** Milliseconds application writes were held (router) or refused (roles): fence to resume. */
  readonly pauseMs: number | null;
  readonly steps: readonly { readonly step: SwitchStep; readonly ms: number; readonly detail: string }[];
  readonly gate: readonly { readonly check: string; readonly ok: boolean; readonly detail: string }[];
  readonly sequences: number;
  readonly ms: number;
  /** The health check after the switch (when configured), and the switch back it caused (afterSwitch: cutback). */
  readonly health?: HealthResult;
  readonly back?: SwitchReport;
}

interface SwitchRow {
  generation: string;
  from_side: Side;
  to_side: Side;
  command: SwitchCommand;
  fence: 'router' | 'roles';
  step: SwitchStep;
  state: 'running' | 'done' | 'undone';
}

const after = (a: SwitchStep, b: SwitchStep) => SWITCH_STEPS.indexOf(a) >= SWITCH_STEPS.indexOf(b);

/** The switch in progress, from whichever side recorded it furthest. */
async function runningSwitch(session: PairSession, schema: string): Promise<SwitchRow | undefined> {
  let best: SwitchRow | undefined;
  for (const side of SIDES) {
    const { rows } = await session
      .db(side)
      .query<SwitchRow>(
        `SELECT generation::text, from_side, to_side, command, fence, step, state FROM ${qualified(schema, SWITCH_TABLE)} WHERE state = 'running' ORDER BY generation DESC LIMIT 1`,
      );
    const r = rows[0];
    if (r && (!best || after(r.step, best.step))) best = r;
  }
  return best;
}

async function record(
  session: PairSession,
  schema: string,
  r: SwitchRow,
  step: SwitchStep,
  state: SwitchRow['state'] = 'running',
  pauseMs?: number,
): Promise<void> {
  // Both sides at once: each step's record is on the write pause's path.
  await Promise.all(
    SIDES.map((side) =>
      session.db(side).query(
        `INSERT INTO ${qualified(schema, SWITCH_TABLE)} AS s (generation, from_side, to_side, command, fence, step, state, pause_ms, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $7 = 'running' THEN NULL ELSE now() END)
       ON CONFLICT (generation) DO UPDATE SET step = EXCLUDED.step, state = EXCLUDED.state, pause_ms = coalesce(EXCLUDED.pause_ms, s.pause_ms), finished_at = EXCLUDED.finished_at`,
        [r.generation, r.from_side, r.to_side, r.command, r.fence, step, state, pauseMs ?? null],
      ),
    ),
  );
}

/** Application tables of `from` with the columns the reverse stream may carry back (the ones both sides have). */
async function reverseTables(
  from: Client,
  to: Client,
  schemas: readonly string[],
): Promise<{ tables: PublishedTable[]; problems: string[] }> {
  const sql = `SELECT n.nspname AS schema, c.relname AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns,
                      array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnotnull AND NOT a.atthasdef) AS required
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition AND n.nspname = ANY($1::text[])
                GROUP BY 1, 2 ORDER BY 1, 2`;
  type Row = { schema: string; table: string; columns: string[]; required: string[] | null };
  const old = (await from.query<Row>(sql, [schemas])).rows;
  const now = new Map((await to.query<Row>(sql, [schemas])).rows.map((r) => [qualified(r.schema, r.table), r]));
  const tables: PublishedTable[] = [];
  const problems: string[] = [];
  for (const t of old) {
    const n = now.get(qualified(t.schema, t.table));
    if (!n) {
      problems.push(`table ${qualified(t.schema, t.table)} of the old side is missing on the new side`);
      continue;
    }
    const shared = t.columns.filter((c) => n.columns.includes(c));
    const unfed = (t.required ?? []).filter((c) => !shared.includes(c));
    if (unfed.length)
      problems.push(
        `${qualified(t.schema, t.table)}: the old side requires ${unfed.map(ident).join(', ')} (NOT NULL, no default), which the new side does not have`,
      );
    tables.push(shared.length === n.columns.length ? [t.schema, t.table] : [t.schema, t.table, shared]);
  }
  return { tables, problems };
}

/**
 * Sessions on the new side, other than replication and this process, that wrote since `since` or are writing:
 * their changes would be in a reverse slot made before the fence. Decoding the slot to prove there are none
 * takes longer than the pause (it reads all the replicated WAL), so sessions are checked instead: with the
 * executor lock held no switchyard phase can write, and the gate found no other writer.
 */
async function localWriters(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ who: string }>(
    `SELECT format('pid %s (%s)', pid, coalesce(usename::text, '?')) AS who FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND application_name NOT LIKE 'switchyard%' AND (backend_xid IS NOT NULL OR (state = 'active' AND query !~* '^\\s*(select|show)\\M'))`,
  );
  return rows.map((r) => r.who);
}

/**
 * Ends the apply worker of the disabled subscription `name` on `db` and waits until it is gone. A worker notices
 * DISABLE only when it next wakes (up to a second when idle); when it may not be signalled (another role's
 * worker), it is waited for.
 */
async function stopApplyWorker(db: Client, name: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await db.query<{ pid: number }>(
      `SELECT w.pid FROM pg_stat_subscription w JOIN pg_subscription x ON x.oid = w.subid WHERE x.subname = $1 AND w.pid IS NOT NULL`,
      [name],
    );
    if (!rows.length) return;
    for (const { pid } of rows) await db.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new PairError(
    'STREAM_NOT_STOPPED',
    `the apply worker of ${name} did not stop within 2 s\nfix: run switchyard cutback to undo the fence, then check switchyard pair status`,
    1,
  );
}

/** Whether this role may move a subscription's replication origin on `db` (superusers, or granted the function). */
async function mayAdvanceOrigin(db: Client): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT has_function_privilege('pg_replication_origin_advance(text, pg_lsn)', 'EXECUTE') AS ok`,
  );
  return rows[0]?.ok === true;
}

/**
 * Where the reverse stream starts when its slot was made before the fence: the new side's WAL insert position
 * now, past every change the forward stream applied (pg_current_wal_lsn, the write position, may still be behind
 * its last commits: the apply worker commits asynchronously).
 */
async function startReverseAt(next: Client): Promise<string> {
  const { rows } = await next.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
  return rows[0]!.lsn;
}

/**
 * Enables the reverse subscription, in one query string: with `start`, its origin (`pg_<oid>`) is first set to
 * that position while it has never run, so that what the new side wrote before is skipped.
 */
function enableReverse(name: string, start: string | undefined): string {
  const enable = `ALTER SUBSCRIPTION ${ident(name)} ENABLE`;
  if (start === undefined) return enable;
  return `SELECT pg_replication_origin_advance('pg_' || s.oid, ${literal(start)}::pg_lsn) FROM pg_subscription s
     WHERE s.subname = ${literal(name)} AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND NOT s.subenabled; ${enable}`;
}

/** Takes the executor lock of `db` for this session (released when it ends); false when an executor holds it. */
async function holdExecutorLock(db: Client, ledgerSchema: string): Promise<boolean> {
  const {
    rows: [d],
  } = await db.query<{ db: string }>('SELECT current_database() AS db');
  const {
    rows: [r],
  } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [
    executorLockKey({ database: d!.db, ledgerSchema }).key,
  ]);
  return r?.ok === true;
}

/** The application's privileges on live must be on the new side too, or its writes fail there after the switch. */
async function privilegesCheck(
  live: Client,
  next: Client,
  schemas: readonly string[],
  from: Side,
  to: Side,
): Promise<{ check: string; ok: boolean; detail: string }> {
  const { rows } = await next.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'S')`,
    [schemas],
  );
  const objects = new Set([...schemas, ...rows.map((r) => qualified(r.schema, r.name))]);
  const missing = missingPrivileges(await readPrivileges(live, schemas), await readPrivileges(next, schemas), objects);
  const grants = missing.map((p) => `${grantStatement(p)};`);
  return {
    check: 'privileges',
    ok: missing.length === 0,
    detail: missing.length
      ? `${missing.length} privilege(s) the application has on ${from} are missing on ${to} (its writes would fail there after the switch); run on ${to}: ${grants.slice(0, 10).join(' ')}${grants.length > 10 ? ` and ${grants.length - 10} more` : ''}`
      : `every privilege granted on ${from}'s application objects is granted on ${to} too`,
  };
}

/** The gate (step 1): every check, each with what it found. */
async function gate(
  session: PairSession,
  from: Side,
  to: Side,
  generation: number,
  o: SwitchOptions,
): Promise<{ check: string; ok: boolean; detail: string }[]> {
  const live = session.db(from);
  const standby = session.db(to);
  const forward = streamName(from, to, generation);
  const checks: { check: string; ok: boolean; detail: string }[] = [];
  const add = (check: string, ok: boolean, detail: string) => {
    checks.push({ check, ok, detail });
    o.onEvent?.({ kind: 'gate', check, ok, detail });
  };
  const {
    rows: [sub],
  } = await standby.query<{ enabled: boolean; worker: boolean; not_ready: string[] }>(
    `SELECT s.subenabled AS enabled, EXISTS (SELECT 1 FROM pg_stat_subscription w WHERE w.subid = s.oid AND w.pid IS NOT NULL AND w.relid IS NULL) AS worker,
            array(SELECT format('%s (%s)', r.srrelid::regclass, r.srsubstate) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r' ORDER BY 1) AS not_ready
       FROM pg_subscription s WHERE s.subname = $1`,
    [forward],
  );
  add(
    'stream',
    Boolean(sub?.enabled && sub.worker),
    !sub
      ? `no subscription ${forward} on ${to}: run switchyard pair init`
      : !sub.enabled
        ? `${forward} is disabled`
        : !sub.worker
          ? `${forward} has no apply worker running (see the ${to} server log)`
          : `${forward} streaming`,
  );
  add(
    'tables ready',
    Boolean(sub && sub.not_ready.length === 0),
    sub?.not_ready.length ? `not ready: ${sub.not_ready.join(', ')}` : 'every table in state r',
  );
  const {
    rows: [lag],
  } = await live.query<{ bytes: string | null }>(
    `SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS bytes FROM pg_replication_slots WHERE slot_name = $1`,
    [forward],
  );
  const max = o.maxLagBytes ?? 16 * 1024 * 1024;
  const bytes = lag?.bytes === null || lag?.bytes === undefined ? null : Number(lag.bytes);
  add(
    'lag',
    bytes !== null && bytes <= max,
    bytes === null ? `no slot ${forward} on ${from}` : `${bytes} bytes behind (at most ${max})`,
  );
  const { rows: old } = await live.query<{ pid: number; s: number; usr: string | null }>(
    `SELECT pid, extract(epoch FROM clock_timestamp() - xact_start)::float8 AS s, usename AS usr FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start < clock_timestamp() - make_interval(secs => $1) ORDER BY xact_start`,
    [o.maxTransactionSeconds ?? 5],
  );
  add(
    'long transactions',
    old.length === 0,
    old.length
      ? `open for more than ${o.maxTransactionSeconds ?? 5} s on ${from}: ${old.map((r) => `pid ${r.pid} (${r.usr ?? '?'}, ${Math.round(r.s)} s)`).join(', ')}; the fence would wait for them`
      : `none on ${from}`,
  );
  const { rows: writers } = await standby.query<{ pid: number; usr: string | null }>(
    `SELECT pid, usename AS usr FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`,
  );
  add(
    'standby writers',
    writers.length === 0,
    writers.length
      ? `sessions writing on ${to}: ${writers.map((r) => `pid ${r.pid} (${r.usr ?? '?'})`).join(', ')}`
      : `only replication writes on ${to}`,
  );
  return checks;
}

/**
 * Runs `cutover` or `cutback`, then the health check when one is configured: the application on the new side
 * must answer (three tries, a second apart). If it does not and `healthCheck.afterSwitch` is `cutback`
 * (the default), the switch is made again in the other direction at once.
 */
export async function runSwitch(
  command: SwitchCommand,
  config: SwitchConfig,
  o: SwitchOptions = {},
): Promise<SwitchReport> {
  const report = await switchOnce(command, config, o);
  if (!config.healthCheck || (report.outcome !== 'switched' && report.outcome !== 'finished')) return report;
  let health = await runHealthCheck(config.healthCheck);
  for (let i = 1; i < 3 && !health.ok; i++) {
    await new Promise((r) => setTimeout(r, o.healthRetryMs ?? 1000));
    health = await runHealthCheck(config.healthCheck);
  }
  if (health.ok || config.healthCheck.afterSwitch === 'stop') return { ...report, health };
  o.onEvent?.({
    kind: 'notice',
    message: `the health check failed on ${report.to} (${health.check}: ${health.detail}): switching back to ${report.from} (healthCheck.afterSwitch: cutback)`,
  });
  const back = await switchOnce(command === 'cutover' ? 'cutback' : 'cutover', config, { ...o, afterStep: undefined });
  return { ...report, health, back };
}

async function switchOnce(command: SwitchCommand, config: SwitchConfig, o: SwitchOptions): Promise<SwitchReport> {
  const started = Date.now();
  const schema = config.ledgerSchema;
  const session = await openPair(resolvePair(config, o), `switchyard ${command}`);
  let router: Router | undefined;
  // The fence's guardian (started by drive): at its deadline it asks this process to let go of everything.
  const guard: Guard = {
    // Started now, armed before the fence: its start-up overlaps the gate.
    spare: o.dryRun ? undefined : spawnGuardian(),
    onAbort: async () => {
      await router?.close({ resume: false }).catch(() => undefined);
      await session.close();
    },
  };
  try {
    await lockPair(session);
    for (const side of SIDES) await ensurePairLedger(session.db(side), schema);
    router = await openRouter(config.router);
    const fence: 'router' | 'roles' = router.kind === 'pgbouncer' ? 'router' : 'roles';
    const interrupted = await runningSwitch(session, schema);
    if (interrupted) {
      const undo = command === 'cutback' && !after(interrupted.step, 'topology');
      return undo
        ? await undoSwitch(session, router, interrupted, config, o, started)
        : await drive(session, router, interrupted, config, o, started, 'finished', guard);
    }
    const stored = await Promise.all(SIDES.map((s) => readTopology(session.db(s), schema)));
    const [b, g] = stored;
    if (!b || !g || b.state !== 'paired' || g.state !== 'paired') {
      const initializing = [b, g].some((t) => t?.state === 'initializing')
        ? await describeInitializing([session.blue, session.green], schema)
        : undefined;
      throw new PairError(
        'NOT_PAIRED',
        `the pair is not streaming (blue: ${b?.state ?? 'never paired'}, green: ${g?.state ?? 'never paired'})${initializing ? `: ${initializing}` : '\nfix: switchyard pair init'}`,
        1,
      );
    }
    if (b.live !== g.live || b.generation !== g.generation) {
      throw new PairError(
        'TOPOLOGY_CONFLICT',
        `the sides disagree (blue: live=${b.live} generation ${b.generation}; green: live=${g.live} generation ${g.generation}) and no switch is recorded as running\nfix: run switchyard pair status, and pair resync if needed`,
        1,
      );
    }
    const from = b.live;
    const to = otherSide(from);
    // `cutback` after an interrupted switch undoes it; the fence guardian may have undone it already.
    if (command === 'cutback' && !o.dryRun) {
      const undone = await session
        .db(from)
        .query(`SELECT 1 FROM ${qualified(schema, SWITCH_TABLE)} WHERE generation = $1 AND state = 'undone'`, [
          b.generation,
        ]);
      if (undone.rows.length) {
        o.onEvent?.({
          kind: 'notice',
          message: `the last switch from ${from} was undone already (by the fence guardian, or an earlier cutback): nothing to undo; ${from} is live. switchyard cutover --yes starts a new switch`,
        });
        return {
          command,
          outcome: 'undone',
          from: to,
          to: from,
          generation: { from: b.generation, to: b.generation },
          fence,
          pauseMs: null,
          steps: [],
          gate: [],
          sequences: 0,
          ms: Date.now() - started,
        };
      }
    }
    const row: SwitchRow = {
      generation: String(b.generation),
      from_side: from,
      to_side: to,
      command,
      fence,
      step: 'begin',
      state: 'running',
    };
    const checks = await gate(session, from, to, b.generation, o);
    const appSchemas = schemaNames(await readApplication(session.db(from), config));
    const grants = await privilegesCheck(session.db(from), session.db(to), appSchemas, from, to);
    checks.push(grants);
    o.onEvent?.({ kind: 'gate', ...grants });
    const reverse = await reverseTables(session.db(from), session.db(to), appSchemas);
    const viable = {
      check: 'reverse path',
      ok: reverse.problems.length === 0,
      detail: reverse.problems.length
        ? reverse.problems.join('; ')
        : `${reverse.tables.length} table(s) can stream back to ${from}`,
    };
    checks.push(viable);
    o.onEvent?.({ kind: 'gate', ...viable });
    const replicates = await replicaIdentityGate(session, from, to, { schemas: appSchemas, ledgerSchema: schema });
    checks.push(replicates);
    o.onEvent?.({ kind: 'gate', ...replicates });
    const catalog = await catalogGate(session.db(from), session.db(to), from, to, appSchemas, schema);
    checks.push(catalog);
    o.onEvent?.({ kind: 'gate', ...catalog });
    const role = await rolePrivilegesCheck(session, from, to, appSchemas, fence);
    checks.push(role);
    o.onEvent?.({ kind: 'gate', ...role });
    const verified = command === 'cutover' ? await verifyGate(session, from, to, b.generation, config) : undefined;
    if (verified) checks.push(verified);
    if (verified) o.onEvent?.({ kind: 'gate', ...verified });
    const failed = checks.filter((c) => !c.ok);
    if (o.dryRun) {
      return {
        command,
        outcome: 'dry-run',
        from,
        to,
        generation: { from: b.generation, to: b.generation + 1 },
        fence,
        pauseMs: null,
        steps: [],
        gate: checks,
        sequences: 0,
        ms: Date.now() - started,
      };
    }
    if (failed.length) {
      throw new PairError(
        'GATE',
        `${command} refused, nothing was changed; the gate found:\n${failed.map((c) => `  - ${c.check}: ${c.detail}`).join('\n')}`,
        1,
      );
    }
    await record(session, schema, row, 'gate');
    await o.afterStep?.('gate');
    return await drive(session, router, { ...row, step: 'gate' }, config, o, started, 'switched', guard, checks);
  } catch (e) {
    const keeper = guard.guardian;
    if (!keeper) throw e;
    // Failed inside the fence: the guardian lifts it (undone before the commit, finished after it).
    await router?.close({ resume: false }).catch(() => undefined);
    await session.close();
    const lifted = await keeper.handOver();
    const what = lifted?.detail ?? 'the fence guardian gave no report: check switchyard pair status and the router';
    if (keeper.aborted)
      throw new PairError(
        'FENCE_TIMEOUT',
        `${command} did not finish within pair.fenceTimeoutMs (${config.pair?.fenceTimeoutMs ?? DEFAULT_FENCE_TIMEOUT_MS} ms) and was stopped; ${what}`,
        1,
        { cause: e },
      );
    o.onEvent?.({ kind: 'notice', message: `the fence guardian took over: ${what}` });
    throw e;
  } finally {
    guard.spare?.discard();
    await router?.close({ resume: !guard.guardian }).catch(() => undefined);
    await session.close();
  }
}

/** The guardian of a switch's fence, and how this process lets go when it says the deadline passed. */
interface Guard {
  readonly spare: SpareGuardian | undefined;
  guardian?: Guardian;
  readonly onAbort: () => Promise<void>;
}

/** The two sides of a recorded switch: from (the old live side) and to, with their connections. */
function sidesOf(session: PairSession, row: SwitchRow) {
  return {
    from: row.from_side,
    to: row.to_side,
    g: Number(row.generation),
    old: session.db(row.from_side),
    next: session.db(row.to_side),
  };
}

/** Steps 2-6 from wherever `row` stopped. */
async function drive(
  session: PairSession,
  router: Router,
  row: SwitchRow,
  config: SwitchConfig,
  o: SwitchOptions,
  started: number,
  outcome: 'switched' | 'finished',
  guard: Guard,
  gateChecks: SwitchReport['gate'] = [],
): Promise<SwitchReport> {
  const schema = config.ledgerSchema;
  const { from, to, g, old, next } = sidesOf(session, row);
  const steps: { step: SwitchStep; ms: number; detail: string }[] = [];
  let current = row.step;
  let sequences = 0;
  let fencedAt: number | undefined;
  const run = async (step: SwitchStep, fn: () => Promise<string>) => {
    if (after(current, step)) return;
    const t0 = Date.now();
    const detail = await fn();
    await record(session, schema, row, step);
    current = step;
    const ms = Date.now() - t0;
    steps.push({ step, ms, detail });
    o.onEvent?.({ kind: 'step', step, ms, detail });
    await o.afterStep?.(step);
  };
  // What the fenced steps need is read before the fence: introspection takes longer than the whole pause.
  const schemas = schemaNames(await readApplication(old, config));
  const back = after(current, 'reverse') ? undefined : await reverseTables(old, next, schemas);
  // PostgreSQL 16+ on both sides: the reverse stream is made before the fence, its subscription disabled. The
  // apply worker's changes on the new side carry a replication origin and `origin = none` filters them out, so
  // enabling it at the switch sends only the new application's writes (DESIGN.md, "Cutover").
  const reverse = streamName(to, from, g + 1);
  const publication = publicationName(to);
  const forward = streamName(from, to, g);
  // ... and only while no executor can write there: its lock is taken here and held for the whole switch.
  const early =
    !after(current, 'reverse') &&
    (await serverVersion(old)).num >= 160000 &&
    (await serverVersion(next)).num >= 160000 &&
    (await holdExecutorLock(next, schema));
  const { conninfo } = await subscriberConnection(session.targets[to], session.targets.replicationUser);
  const makeReverse = async (enabled: boolean, slot = true) => {
    const { tables } = back ?? (await reverseTables(old, next, schemas));
    await ensurePublication(next, publication, { tables: [...tables, [schema, HEARTBEAT_TABLE]] });
    if (slot) await ensureSlot(next, reverse);
    if (!(await pairSubscriptions(old)).some((x) => x.name === reverse)) {
      await ensureSubscription(old, reverse, conninfo, publication, { copyData: false, originNone: early, enabled });
    } else if (enabled) {
      await ensureSubscription(old, reverse, conninfo, publication, { copyData: false, originNone: early });
    }
    return tables;
  };
  // Every sequence copied once before the fence, so that the fenced step sets only those used since: setting
  // one writes WAL, and a schema has as many sequences as it likes. Whatever the versions, the publication (its
  // table list grows with the schema) and the disabled subscription are made before the fence too.
  if (!after(current, 'sequences')) await writeSequences(next, await readSequences(old, schemas));
  const prepared = !after(current, 'reverse');
  // Before 16 (no `origin = none`) a slot made before the fence would hold the apply worker's changes too. It is
  // made before the fence all the same when the subscription's origin may be moved (superusers, or a role granted
  // pg_replication_origin_advance): at the switch the origin is set past all the new side wrote until the forward
  // stream stopped, and the reverse stream starts there. Otherwise the slot is made while fenced.
  const advance = prepared && !early && (await mayAdvanceOrigin(old));
  if (prepared) await makeReverse(false, early || advance);
  // Writes come back by themselves if this process dies or hangs from here to `resume` (guardian.ts).
  if (!after(current, 'resume'))
    guard.guardian = await startGuardian(
      session,
      { ledgerSchema: schema, generation: g, from, to, fence: row.fence },
      {
        router: config.router,
        timeoutMs: config.pair?.fenceTimeoutMs ?? DEFAULT_FENCE_TIMEOUT_MS,
        onAbort: guard.onAbort,
        spare: guard.spare,
      },
    );
  const fenceStart = Date.now();

  await run('fence', async () => {
    fencedAt = Date.now();
    if (row.fence === 'router') {
      await router.pause();
      return `router paused: new transactions held, in-flight ones finished`;
    }
    const f = await fenceRoles(old, schema, g);
    return `writes fenced on ${from} for ${f.roles.length} role(s) (${f.roles.map(ident).join(', ') || 'none'}), ${f.terminated} session(s) ended`;
  });
  // On a rerun after the fence, the router may be paused still (PgBouncer keeps its state): pause again is harmless.
  if (row.fence === 'router' && !after(current, 'resume') && fencedAt === undefined)
    await router.pause().catch(() => undefined);

  // Fenced, the sequences are final: the old side's are read while the marker travels (its connection is idle then).
  let fencedSequences: Promise<SequenceValue[]> | undefined;
  await run('marker', async () => {
    const beat = await writeHeartbeat(old, schema, g, from);
    fencedSequences = readSequences(old, schemas);
    fencedSequences.catch(() => undefined);
    const ms = await waitForHeartbeat(next, schema, beat.id, o.markerTimeoutMs ?? 10_000, 2);
    if (ms === undefined)
      throw new PairError(
        'MARKER_TIMEOUT',
        `the marker written on ${from} did not reach ${to} within ${(o.markerTimeoutMs ?? 10_000) / 1000} s: the stream is stalled\nfix: run switchyard cutback to undo the fence, then check switchyard pair status`,
        1,
      );
    return `marker seen on ${to} after ${ms} ms`;
  });

  await run('sequences', async () => {
    // One statement sets those that differ on the new side (most were copied before the fence).
    const values = await (fencedSequences ?? readSequences(old, schemas));
    const changed = await writeSequences(next, values);
    sequences = values.length;
    return `${sequences} sequence(s) copied from ${from} to ${to} (${changed} set, the rest already equal)`;
  });

  await run('forward_off', async () => {
    // One statement, whatever the schema: disabling a disabled subscription is harmless, a missing one is gone.
    await next.query(`ALTER SUBSCRIPTION ${ident(forward)} DISABLE`).catch((e: unknown) => {
      if ((e as { code?: string }).code !== '42704') throw databaseError(`disabling ${forward} on ${to}`, e);
    });
    // Before 16 the reverse slot is made next, and nothing may be applied after it: the worker must be gone. It
    // notices the change only when it wakes (up to a second), so it is ended: the marker was applied, nothing it
    // still holds matters, and a disabled subscription's worker is not started again.
    if (!early) await stopApplyWorker(next, forward);
    return `${forward} disabled on ${to}`;
  });

  await run('reverse', async () => {
    let ready = prepared;
    if (early) {
      // Only the new application's writes may go back: a local write on the new side since the slot was made
      // (a backfill batch) would be replayed onto the old side. Then the slot is made again, here.
      const writers = await localWriters(next);
      if (writers.length) {
        await dropSubscriptions(old, [reverse]);
        await dropSlots(next, [reverse]);
        ready = false;
        o.onEvent?.({
          kind: 'notice',
          message: `sessions wrote on ${to} after the reverse slot was made (${writers.join(', ')}): slot made again while fenced`,
        });
      }
    }
    let tables: readonly PublishedTable[];
    if (ready && back) {
      // Made before the fence: the slot while fenced (before 16, without the origin's privilege), the origin
      // moved past the forward stream's last change (before 16), and one statement to enable the subscription.
      if (!early && !advance) await ensureSlot(next, reverse);
      const start = advance ? await startReverseAt(next) : undefined;
      await old.query(enableReverse(reverse, start)).catch((e: unknown) => {
        throw databaseError(`enabling ${reverse} on ${from}`, e);
      });
      tables = back.tables;
    } else tables = await makeReverse(true);
    return `${publication} on ${to} (${tables.filter((t) => t[2]).length} table(s) with a column list), slot and subscription ${reverse} on ${from}${early ? ' (made before the fence, enabled now)' : advance ? ' (made before the fence, started at the switch)' : ' (slot made now)'}`;
  });

  await run('topology', async () => {
    // Compare-and-set first (one round trip a side); a side refusing it is read: on a rerun it may have moved already.
    for (const side of [to, from]) {
      await switchTopology(session.db(side), schema, g, { live: to, generation: g + 1 }).catch(async (e: unknown) => {
        const t = await readTopology(session.db(side), schema);
        if (!(e instanceof TopologyConflictError) || t?.generation !== g + 1 || t.live !== to) throw e;
      });
    }
    return `live=${to}, generation ${g + 1} on both sides`;
  });

  await run('unfence', async () => {
    // The new live side is no longer watched for foreign writes: writes there are the application's now.
    await disarmWatch(next, to, { keepPublication: true });
    const roles = await unfenceRoles(next, schema);
    // Without a pooler the old side keeps its fence; with one, it is fenced now, outside the pause.
    return roles.length ? `writes allowed again on ${to} for ${roles.map(ident).join(', ')}` : `no fence on ${to}`;
  });

  await run('route', async () => {
    await router.switchTo(to, session.targets[to]);
    return router.kind === 'none' ? `no router: the application must connect to ${to}` : `router points at ${to}`;
  });

  await run('resume', async () => {
    await router.resume();
    return row.fence === 'router'
      ? 'router resumed: held transactions run on the new side'
      : 'writes flow to the new side';
  });
  await guard.guardian?.release();
  guard.guardian = undefined;
  const pauseMs = fencedAt !== undefined ? Date.now() - Math.min(fencedAt, fenceStart) : null;

  if (row.fence === 'router') {
    // The old side stays fenced against direct connections too, now that traffic no longer waits. The switch
    // is done by now: a role that may not alter the application roles (a managed deploy role without
    // CREATEROLE and ADMIN OPTION on them) leaves direct connections unfenced, and says so.
    try {
      const f = await fenceRoles(old, schema, g + 1);
      o.onEvent?.({
        kind: 'notice',
        message: `${from} fenced for ${f.roles.length} application role(s) after the switch`,
      });
    } catch (e) {
      o.onEvent?.({
        kind: 'notice',
        message: `${from} is not fenced against direct connections of the application roles (PgBouncer no longer sends it traffic): ${(e as Error).message.replaceAll('\n', ' ')}; fix: ${fenceFix(await applicationRoles(old).catch(() => []))}, or make them read-only on ${from} by hand`,
      });
    }
  }
  // The new live side's watch publication, left by the unfence step (its slot is gone, so it watched nothing).
  await disarmWatch(next, to).catch((e: unknown) =>
    o.onEvent?.({
      kind: 'notice',
      message: `the split-brain watch's publication on ${to} stays: ${(e as Error).message}`,
    }),
  );
  // The split-brain watch on the fenced side: any write there that did not come by replication (pair watch).
  try {
    const watch = await armWatch(old, schema, from, g + 1);
    o.onEvent?.({
      kind: 'notice',
      message: `split-brain watch armed on ${from}: slot ${watch.slot}; run switchyard pair watch to stream it (it retains WAL until read)`,
    });
  } catch (e) {
    o.onEvent?.({
      kind: 'notice',
      message: `the split-brain watch could not be armed on ${from}: ${(e as Error).message}`,
    });
  }
  // The old forward stream is done with: its slot on the old side would retain WAL forever.
  if ((await pairSubscriptions(next)).some((s) => s.name === forward)) await dropSubscriptions(next, [forward]);
  if ((await pairSlots(old)).some((s) => s.name === forward)) await dropSlots(old, [forward]);
  await record(session, schema, row, 'done', 'done', pauseMs ?? undefined);
  steps.push({ step: 'done', ms: 0, detail: `${to} is live` });
  return {
    command: row.command,
    outcome,
    from,
    to,
    generation: { from: g, to: g + 1 },
    fence: row.fence,
    pauseMs,
    steps,
    gate: gateChecks,
    sequences,
    ms: Date.now() - started,
  };
}

/** An interrupted switch that has not moved the topology, undone: the old side is live again and streaming. */
async function undoSwitch(
  session: PairSession,
  router: Router,
  row: SwitchRow,
  config: SwitchConfig,
  o: SwitchOptions,
  started: number,
): Promise<SwitchReport> {
  const schema = config.ledgerSchema;
  const { from, to, g, old, next } = sidesOf(session, row);
  const steps: { step: SwitchStep; ms: number; detail: string }[] = [];
  const note = (step: SwitchStep, t0: number, detail: string) => {
    steps.push({ step, ms: Date.now() - t0, detail });
    o.onEvent?.({ kind: 'step', step, ms: Date.now() - t0, detail });
  };
  let t0 = Date.now();
  const reverse = streamName(to, from, g + 1);
  if ((await pairSubscriptions(old)).some((s) => s.name === reverse)) await dropSubscriptions(old, [reverse]);
  if ((await pairSlots(next)).some((s) => s.name === reverse)) await dropSlots(next, [reverse]);
  await dropPublications(next, [publicationName(to)]);
  note('reverse', t0, `reverse stream ${reverse} removed`);
  t0 = Date.now();
  const forward = streamName(from, to, g);
  if ((await pairSubscriptions(next)).some((s) => s.name === forward && !s.enabled)) {
    await next.query(`ALTER SUBSCRIPTION ${ident(forward)} ENABLE`);
    await waitForApplyWorker(next, forward);
  }
  note('forward_off', t0, `${forward} enabled again on ${to}`);
  t0 = Date.now();
  const roles = await unfenceRoles(old, schema);
  await router.switchTo(from, session.targets[from]);
  await router.resume();
  note(
    'resume',
    t0,
    `${from} takes writes again${roles.length ? ` (fence lifted for ${roles.map(ident).join(', ')})` : ''}`,
  );
  await record(session, schema, row, row.step, 'undone');
  return {
    command: 'cutback',
    outcome: 'undone',
    from: to,
    to: from,
    generation: { from: g, to: g },
    fence: row.fence,
    pauseMs: null,
    steps,
    gate: [],
    sequences: 0,
    ms: Date.now() - started,
  };
}
