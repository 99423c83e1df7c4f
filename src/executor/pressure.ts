// When a backfill should hold off between batches: sessions queueing on locks (the application is contending
// with something, and more batches would add to it) or logical replication falling behind (the standby of a
// pair, or any subscriber, would lag further). A pause is bounded, so a busy system slows a backfill down
// but never stalls it forever.
import type pg from 'pg';

type Queryable = Pick<pg.Client, 'query'>;

export interface PressureLimits {
  /** Pause while at least this many sessions of this database wait on a lock (default 3). */
  readonly lockWaiters: number;
  /** Pause while a logical replication slot is this many bytes behind (default 64 MiB). */
  readonly lagBytes: number;
  /** How long one pause lasts before looking again (default 250 ms). */
  readonly pauseMs: number;
  /** Longest run of pauses in a row; then one batch goes ahead anyway (default 10 s). */
  readonly maxPauseMs: number;
}

export const DEFAULT_PRESSURE: PressureLimits = {
  lockWaiters: 3,
  lagBytes: 64 * 1024 * 1024,
  pauseMs: 250,
  maxPauseMs: 10_000,
};

export interface Pressure {
  readonly lockWaiters: number;
  readonly lagBytes: number;
}

// Sessions of this database waiting on any lock (relation, tuple, transactionid) except this one.
const PRESSURE = `
SELECT (SELECT count(DISTINCT l.pid)::int FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
         WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid()) AS waiters,
       CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0
            ELSE coalesce((SELECT max(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_insert_lsn(), s.confirmed_flush_lsn))::float8
                             FROM pg_catalog.pg_replication_slots s WHERE s.slot_type = 'logical' AND s.confirmed_flush_lsn IS NOT NULL), 0) END AS lag`;

export async function measurePressure(db: Queryable): Promise<Pressure> {
  const { rows } = await db.query<{ waiters: number; lag: number }>(PRESSURE);
  return { lockWaiters: rows[0]?.waiters ?? 0, lagBytes: Number(rows[0]?.lag ?? 0) };
}

/** Why a backfill should pause now, or undefined. */
export function pauseReason(p: Pressure, limits: PressureLimits): string | undefined {
  if (p.lockWaiters >= limits.lockWaiters) return `${p.lockWaiters} sessions are waiting on locks`;
  if (p.lagBytes >= limits.lagBytes) return `logical replication is ${Math.round(p.lagBytes / 1024 / 1024)} MiB behind`;
  return undefined;
}

/**
 * A `shouldPause` for runBackfill: the wait before the next batch (0 to go on). Reports each pause. A
 * failing measurement (no privilege to read a view) never stops the backfill.
 */
export function pressureGate(
  db: Queryable,
  onPause: (reason: string, ms: number) => void,
  limits: PressureLimits = DEFAULT_PRESSURE,
): () => Promise<number> {
  let pausedFor = 0;
  return async () => {
    const reason = await measurePressure(db).then(
      (p) => pauseReason(p, limits),
      () => undefined,
    );
    if (reason === undefined || pausedFor >= limits.maxPauseMs) {
      pausedFor = 0;
      return 0;
    }
    pausedFor += limits.pauseMs;
    onPause(reason, limits.pauseMs);
    return limits.pauseMs;
  };
}
