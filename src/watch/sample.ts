// What the watcher reads on each tick (issue #20): one query per database, whatever the number of sessions,
// locks or tables, plus one peek at the split-brain watch slot on a fenced side of a pair. Only statistics views,
// pg_locks and pg_replication_slots are read; nothing is written and no slot is consumed.
import { PgoutputPlugin } from 'pg-logical-replication';
import type { Client } from '../db/connect.js';
import { literal, qualified } from '../db/quote.js';
import { databaseError } from '../errors.js';
import { isStreamName, parseWatchSlotName } from '../pair/names.js';
import type { Side } from '../pair/types.js';
import { WatchDecoder, watchOptions } from '../pair/watch.js';

/** A session waiting on a lock, and the first session blocking it (pg_blocking_pids). */
export interface LockWait {
  readonly pid: number;
  readonly applicationName: string;
  readonly query: string;
  readonly waitingMs: number;
  readonly blocker: {
    readonly pid: number;
    readonly applicationName: string;
    readonly query: string;
    readonly state: string;
    /** How long the blocker's transaction has been open: it holds its locks since at most then. */
    readonly heldMs: number;
  } | null;
}

/** A session whose transaction has been open for long (or idle in one). */
export interface LongSession {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string;
  readonly query: string;
  readonly seconds: number;
}

export interface SessionList {
  readonly count: number;
  readonly sessions: readonly LongSession[];
}

export interface SlotSample {
  readonly slot: string;
  readonly active: boolean;
  /** WAL not yet confirmed by the subscriber (current LSN - confirmed_flush_lsn). */
  readonly lagBytes: number | null;
  /** WAL the slot keeps on disk (current LSN - restart_lsn). */
  readonly retainedBytes: number | null;
}

export interface DatabaseSample {
  /** When the database took the sample (its clock), ms since the epoch. */
  readonly at: number;
  readonly serverVersionNum: number;
  readonly commits: number;
  readonly rollbacks: number;
  readonly deadlocks: number;
  readonly conflicts: number;
  readonly connections: number;
  readonly maxConnections: number;
  readonly lockWaits: readonly LockWait[];
  /** Every session waiting on a lock, whatever for how long. */
  readonly lockWaiting: number;
  /** Transactions open longer than longTransactionS (the longest listed). */
  readonly longTransactions: SessionList;
  /** Sessions idle in a transaction longer than idleInTransactionS (the longest listed). */
  readonly idleInTransaction: SessionList;
  /** The pair's stream slots in this database (switchyard_<from>_to_<to>_g<n>). */
  readonly slots: readonly SlotSample[];
  /** The split-brain watch slot of this side, if armed. */
  readonly watchSlot: {
    readonly name: string;
    readonly activePid: number | null;
    readonly retainedBytes: number | null;
  } | null;
}

export interface SampleLimits {
  readonly lockWaitMs: number;
  readonly longTransactionS: number;
  readonly idleInTransactionS: number;
}

/** Sessions named per kind in a sample; the counts are complete. */
const LISTED = 5;

// One statement: database statistics, lock waits with their blockers, long and idle transactions, connections and
// replication slots. Sessions are this database's (connections: the server's, as max_connections is); the
// watcher's own session is left out, and switchyard's own sessions from the long and idle transactions (a long
// CREATE INDEX CONCURRENTLY is the phase's progress, not an application holding a transaction open); a
// switchyard session waiting on a lock is reported, as the migration is what is blocked. Query text is cut to 200 characters.
const SAMPLE_SQL = `
WITH me AS (SELECT pg_backend_pid() AS pid),
waiting AS (
  SELECT a.pid, a.application_name, a.query,
         extract(epoch FROM clock_timestamp() - coalesce(l.since, a.state_change)) * 1000 AS waiting_ms
    FROM pg_stat_activity a
    LEFT JOIN LATERAL (SELECT min(waitstart) AS since FROM pg_locks WHERE pid = a.pid AND NOT granted) l ON true
   WHERE a.wait_event_type = 'Lock' AND a.datname = current_database() AND a.pid <> (SELECT pid FROM me)
),
slow AS (
  SELECT w.*, (pg_blocking_pids(w.pid))[1] AS blocker FROM waiting w WHERE w.waiting_ms >= $1
   ORDER BY w.waiting_ms DESC LIMIT ${LISTED}
),
open_xact AS (
  SELECT pid, application_name, state, query, extract(epoch FROM clock_timestamp() - xact_start) AS xact_s,
         extract(epoch FROM clock_timestamp() - state_change) AS state_s
    FROM pg_stat_activity
   WHERE xact_start IS NOT NULL AND datname = current_database() AND pid <> (SELECT pid FROM me)
     AND backend_type = 'client backend' AND application_name NOT LIKE 'switchyard%'
)
SELECT json_build_object(
  'at', extract(epoch FROM clock_timestamp()) * 1000,
  'version', current_setting('server_version_num')::int,
  'db', (SELECT json_build_object('commits', xact_commit, 'rollbacks', xact_rollback, 'deadlocks', deadlocks,
                                  'conflicts', conflicts)
           FROM pg_stat_database WHERE datname = current_database()),
  'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  'maxConnections', current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int,
  'lockWaiting', (SELECT count(*) FROM waiting),
  'lockWaits', coalesce((SELECT json_agg(json_build_object(
      'pid', s.pid, 'applicationName', s.application_name, 'query', left(s.query, 200), 'waitingMs', s.waiting_ms,
      'blocker', (SELECT json_build_object('pid', b.pid, 'applicationName', b.application_name,
                                           'query', left(b.query, 200), 'state', b.state,
                                           'heldMs', extract(epoch FROM clock_timestamp() - coalesce(b.xact_start, b.backend_start)) * 1000)
                    FROM pg_stat_activity b WHERE b.pid = s.blocker))) FROM slow s), '[]'),
  'longTransactions', (SELECT json_build_object('count', count(*), 'top', coalesce(json_agg(t.x ORDER BY t.n) FILTER (WHERE t.n <= ${LISTED}), '[]'))
      FROM (SELECT json_build_object('pid', pid, 'applicationName', application_name, 'state', state,
                                     'query', left(query, 200), 'seconds', xact_s) AS x,
                   row_number() OVER (ORDER BY xact_s DESC) AS n
              FROM open_xact WHERE xact_s >= $2 AND state <> 'idle in transaction') t(x, n)),
  'idleInTransaction', (SELECT json_build_object('count', count(*), 'top', coalesce(json_agg(t.x ORDER BY t.n) FILTER (WHERE t.n <= ${LISTED}), '[]'))
      FROM (SELECT json_build_object('pid', pid, 'applicationName', application_name, 'state', state,
                                     'query', left(query, 200), 'seconds', state_s) AS x,
                   row_number() OVER (ORDER BY state_s DESC) AS n
              FROM open_xact WHERE state_s >= $3 AND state IN ('idle in transaction', 'idle in transaction (aborted)')) t(x, n)),
  'slots', coalesce((SELECT json_agg(json_build_object('slot', slot_name, 'active', active, 'activePid', active_pid,
      'lagBytes', CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) END,
      'retainedBytes', CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) END))
      FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE 'switchyard\\_%'), '[]')
) AS sample`;

interface RawSample {
  at: number;
  version: number;
  db: { commits: number; rollbacks: number; deadlocks: number; conflicts: number };
  connections: number;
  maxConnections: number;
  lockWaiting: number;
  lockWaits: LockWait[];
  longTransactions: { count: number; top: LongSession[] };
  idleInTransaction: { count: number; top: LongSession[] };
  slots: Array<SlotSample & { activePid: number | null }>;
}

/** Statements the watcher sends per database per tick (the sample), not counting the watch-slot peek. */
export const QUERIES_PER_SAMPLE = 1;

/** One sample of `db`: a single statement. */
export async function sampleDatabase(db: Client, limits: SampleLimits, side?: Side): Promise<DatabaseSample> {
  let raw: RawSample;
  try {
    raw = (
      await db.query<{ sample: RawSample }>(SAMPLE_SQL, [
        limits.lockWaitMs,
        limits.longTransactionS,
        limits.idleInTransactionS,
      ])
    ).rows[0]!.sample;
  } catch (e) {
    throw databaseError('sampling the database (watch)', e);
  }
  const watch = raw.slots
    .map((s) => ({ s, parsed: parseWatchSlotName(s.slot) }))
    .filter((x) => x.parsed && (side === undefined || x.parsed.side === side))
    .sort((a, b) => b.parsed!.generation - a.parsed!.generation)[0];
  return {
    at: raw.at,
    serverVersionNum: raw.version,
    commits: Number(raw.db.commits),
    rollbacks: Number(raw.db.rollbacks),
    deadlocks: Number(raw.db.deadlocks),
    conflicts: Number(raw.db.conflicts),
    connections: Number(raw.connections),
    maxConnections: raw.maxConnections,
    lockWaiting: Number(raw.lockWaiting),
    lockWaits: raw.lockWaits.map((w) => ({
      ...w,
      waitingMs: Math.round(w.waitingMs),
      blocker: w.blocker ? { ...w.blocker, heldMs: Math.round(w.blocker.heldMs) } : null,
    })),
    longTransactions: withCount(raw.longTransactions),
    idleInTransaction: withCount(raw.idleInTransaction),
    slots: raw.slots
      .filter((s) => isStreamName(s.slot))
      .map((s) => ({
        slot: s.slot,
        active: s.active,
        lagBytes: s.lagBytes === null ? null : Number(s.lagBytes),
        retainedBytes: s.retainedBytes === null ? null : Number(s.retainedBytes),
      })),
    watchSlot: watch
      ? {
          name: watch.s.slot,
          activePid: watch.s.activePid,
          retainedBytes: watch.s.retainedBytes === null ? null : Number(watch.s.retainedBytes),
        }
      : null,
  };
}

function withCount(x: { count: number; top: LongSession[] }): SessionList {
  return { count: Number(x.count), sessions: x.top.map((s) => ({ ...s, seconds: Math.round(s.seconds) })) };
}

/**
 * Writes pending in the split-brain watch slot that did not come from replication, without consuming them
 * (pg_logical_slot_peek_binary_changes: the slot does not move; `pair watch` keeps reading it). Null while a
 * stream holds the slot (it reports them itself). At most `limit` changes are decoded.
 */
export async function peekSplitBrain(
  db: Client,
  side: Side,
  slot: { name: string; activePid: number | null },
  serverVersionNum: number,
  limit = 10_000,
): Promise<number | null> {
  if (slot.activePid !== null) return null;
  const w = watchOptions(side, serverVersionNum);
  const options = [
    `'proto_version', '${w.protoVersion}'`,
    `'publication_names', ${literal(w.publication)}`,
    ...(w.originNone ? [`'origin', 'none'`] : []),
  ];
  let rows: { data: Buffer }[];
  try {
    ({ rows } = await db.query<{ data: Buffer }>(
      `SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2, ${options.join(', ')})`,
      [slot.name, limit],
    ));
  } catch (e) {
    // The slot became active between the sample and the peek: `pair watch` reads it.
    if ((e as { code?: string }).code === '55006') return null;
    throw databaseError(`peeking at the watch slot ${slot.name} on ${side}`, e);
  }
  const plugin = new PgoutputPlugin({ protoVersion: w.protoVersion, publicationNames: [w.publication] });
  const decoder = new WatchDecoder();
  return rows.reduce((n, r) => n + decoder.feed(plugin.parse(r.data)).length, 0);
}

/** Where a plan stands in the ledger of one database: the phase running (or last started and not finished). */
export interface LedgerPhase {
  readonly release: number;
  readonly phase: string;
  readonly done: number;
  readonly steps: number;
  /** When its first step started (ms since the epoch). */
  readonly startedAt: number;
  readonly running: boolean;
}

/**
 * `watch --plan` in its own process: the plan's phase as the executor records it in the ledger (one statement;
 * null when there is no ledger yet or the plan has no unfinished phase).
 */
export async function ledgerPhase(db: Client, ledgerSchema: string, plan: string): Promise<LedgerPhase | null> {
  const { rows } = await db
    .query<{
      release: number;
      phase: string;
      done: string;
      steps: string;
      started: Date | null;
      running: boolean;
    }>(
      `SELECT release, phase, count(*) FILTER (WHERE status = 'done') AS done, count(*) AS steps,
            min(started_at) AS started, bool_or(status = 'running') AS running
       FROM ${qualified(ledgerSchema, 'steps')} WHERE plan = $1 AND tenant = ''
      GROUP BY release, phase HAVING count(*) FILTER (WHERE status <> 'done') > 0 AND min(started_at) IS NOT NULL
      ORDER BY bool_or(status = 'running') DESC, min(started_at) DESC LIMIT 1`,
      [plan],
    )
    .catch((e: unknown) => {
      // No ledger in this database yet (42P01): nothing applied here.
      if ((e as { code?: string }).code === '42P01') return { rows: [] };
      throw databaseError('reading the ledger (watch --plan)', e);
    });
  const r = rows[0];
  if (!r?.started) return null;
  return {
    release: r.release,
    phase: r.phase,
    done: Number(r.done),
    steps: Number(r.steps),
    startedAt: r.started.getTime(),
    running: r.running,
  };
}
