// Waiting for the initial copy: every table of the subscription in state `r` (ready), with rows copied so far
// reported for a progress bar. Rows of finished tables come from live's statistics (or an exact count where
// there are none); rows of tables being copied from pg_stat_progress_copy on the standby.
import type { Client } from '../db/connect.js';
import { relName } from '../executor/preflight/types.js';
import { qualified } from '../db/quote.js';
import { PairError } from './errors.js';
import type { PairEvent } from './types.js';

export const SYNC_STATES: Readonly<Record<string, string>> = {
  i: 'initialize',
  d: 'copying data',
  f: 'finished copy',
  s: 'synchronized',
  r: 'ready',
};

export interface TableSync {
  readonly table: string;
  readonly state: string;
  readonly stateName: string;
}

/** The subscription's tables on the standby and their sync state, sorted by name. */
export async function tableSyncStates(standby: Client, subscription: string): Promise<TableSync[]> {
  const { rows } = await standby.query<{ table: string; state: string }>(
    `SELECT ${relName('r.srrelid')} AS table, r.srsubstate::text AS state FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = $1 ORDER BY 1`,
    [subscription],
  );
  return rows.map((r) => ({ ...r, stateName: SYNC_STATES[r.state] ?? r.state }));
}

/** Estimated rows per table on live (exact count when the table has no statistics yet). */
async function liveRowEstimates(live: Client, tables: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await live.query<{ table: string; n: string; schema: string; name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS table, n.nspname AS schema, c.relname AS name, c.reltuples::bigint::text AS n
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE format('%I.%I', n.nspname, c.relname) = ANY($1::text[])`,
    [tables],
  );
  const out = new Map<string, number>();
  for (const r of rows) {
    let n = Number(r.n);
    if (n < 0)
      n = Number(
        (await live.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(r.schema, r.name)}`)).rows[0]
          ?.n ?? 0,
      );
    out.set(r.table, n);
  }
  return out;
}

export interface SyncResult {
  readonly tables: number;
  readonly rows: number;
  readonly ms: number;
}

export interface SyncOptions {
  /** 0 or absent: wait as long as it takes. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  readonly onEvent?: (e: PairEvent) => void;
}

export async function waitForSync(
  live: Client,
  standby: Client,
  subscription: string,
  o: SyncOptions = {},
): Promise<SyncResult> {
  const started = Date.now();
  const poll = o.pollMs ?? 250;
  let estimates: Map<string, number> | undefined;
  const seen = new Map<string, number>();
  let syncErrors: number | undefined;
  for (;;) {
    const states = await tableSyncStates(standby, subscription);
    estimates ??= await liveRowEstimates(
      live,
      states.map((s) => s.table),
    );
    const copying = new Map(
      (
        await standby.query<{ table: string; n: string }>(
          `SELECT ${relName('p.relid')} AS table, p.tuples_processed::text AS n FROM pg_stat_progress_copy p WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows.map((r) => [r.table, Number(r.n)]),
    );
    let rows = 0;
    let totalRows = 0;
    for (const s of states) {
      const estimate = estimates.get(s.table) ?? 0;
      const now = copying.get(s.table);
      if (now !== undefined) seen.set(s.table, Math.max(seen.get(s.table) ?? 0, now));
      const done = s.state === 'r' || s.state === 's' || s.state === 'f';
      const copied = done ? Math.max(estimate, seen.get(s.table) ?? 0) : (now ?? 0);
      rows += copied;
      totalRows += Math.max(estimate, copied);
    }
    const ready = states.filter((s) => s.state === 'r').length;
    const elapsedMs = Date.now() - started;
    o.onEvent?.({
      kind: 'sync',
      tables: states.length,
      ready,
      rows,
      totalRows,
      rowsPerSecond: elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0,
      elapsedMs,
    });
    if (ready === states.length) return { tables: states.length, rows, ms: elapsedMs };
    const errors = await syncErrorCount(standby, subscription);
    if (errors !== undefined && errors !== syncErrors && errors > 0) {
      o.onEvent?.({
        kind: 'notice',
        message: `the initial copy failed ${errors} time(s) so far and is being retried; the standby's log says why (a table missing a column, a duplicate key, or a pair.replicationUser that may not SELECT the published tables on live)`,
      });
    }
    syncErrors = errors;
    if (o.timeoutMs && elapsedMs > o.timeoutMs) {
      const waiting = states.filter((s) => s.state !== 'r').map((s) => `${s.table} (${s.stateName})`);
      throw new PairError(
        'SYNC_TIMEOUT',
        `the initial copy did not finish within ${Math.round(o.timeoutMs / 1000)} s; not ready: ${waiting.join(', ')}\nfix: run pair init again to keep waiting (it resumes), or check the standby's log for errors`,
        1,
      );
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

/** pg_stat_subscription_stats (15+); undefined on older servers. */
export async function syncErrorCount(standby: Client, subscription: string): Promise<number | undefined> {
  try {
    const {
      rows: [r],
    } = await standby.query<{ n: string }>(
      `SELECT sync_error_count::text AS n FROM pg_stat_subscription_stats WHERE subname = $1`,
      [subscription],
    );
    return r ? Number(r.n) : undefined;
  } catch {
    return undefined;
  }
}
