// Sessions on the database right now: waiting locks, long and idle transactions, prepared transactions,
// anti-wraparound autovacuum, and replication slots holding WAL. Any of them can turn a brief lock into an
// outage or a concurrent index build into an endless wait.
import {
  fail,
  formatBytes,
  guarded,
  listed,
  pass,
  plural,
  relName,
  warn,
  type Check,
  type CheckContext,
} from './types.js';

/** The plan's locked tables as a SQL parameter: resolved with to_regclass, so tables yet to be created are skipped. */
const planTables = (ctx: CheckContext) => [...ctx.lockedTables];

export async function pendingLocksCheck(ctx: CheckContext): Promise<Check> {
  const id = 'pending-locks',
    title = 'no lock requests waiting';
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{
      pid: number;
      mode: string;
      target: string;
      blockers: number[];
      secs: number;
      on_plan: boolean;
    }>(
      `SELECT l.pid, l.mode, coalesce(${relName('l.relation')}, l.locktype) AS target, pg_blocking_pids(l.pid) AS blockers,
              coalesce(extract(epoch FROM now() - a.query_start), 0)::float8 AS secs,
              coalesce(l.relation IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t), false) AS on_plan
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid()
        ORDER BY on_plan DESC, secs DESC`,
      [planTables(ctx)],
    );
    if (rows.length === 0) return pass(id, title, 'no session is waiting for a lock');
    const describe = (r: (typeof rows)[number]) =>
      `pid ${r.pid} waits ${r.secs.toFixed(1)} s for ${r.mode} on ${r.target}${r.blockers.length ? ` (blocked by pid ${r.blockers.join(', ')})` : ''}`;
    const fix =
      'find what the blocking sessions are doing (SELECT * FROM pg_stat_activity WHERE pid IN (...)); let them finish or end them with pg_terminate_backend(pid) before applying';
    if (rows.some((r) => r.on_plan))
      return fail(
        id,
        title,
        `lock waits on tables the plan locks: ${listed(rows.filter((r) => r.on_plan).map(describe), 5)}`,
        fix,
      );
    return warn(id, title, `lock waits elsewhere in the database: ${listed(rows.map(describe), 5)}`, fix);
  });
}

export async function longTransactionsCheck(ctx: CheckContext): Promise<Check> {
  const id = 'long-transactions',
    title = 'no long-running transactions';
  const limit = ctx.thresholds.longTransactionSeconds;
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{
      pid: number;
      usr: string | null;
      app: string | null;
      state: string | null;
      secs: number;
    }>(
      `SELECT pid, usename AS usr, application_name AS app, state, extract(epoch FROM now() - xact_start)::float8 AS secs
         FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
          AND backend_type = 'client backend' AND now() - xact_start > make_interval(secs => $1)
        ORDER BY xact_start`,
      [limit],
    );
    if (rows.length === 0) return pass(id, title, `no transaction has been open longer than ${limit} s`);
    return fail(
      id,
      title,
      `${plural(rows.length, 'transaction')} open longer than ${limit} s: ${listed(
        rows.map(
          (r) =>
            `pid ${r.pid} (${r.usr ?? '?'}, ${JSON.stringify(r.app ?? '')}, ${r.state ?? '?'}, ${Math.round(r.secs)} s)`,
        ),
        5,
      )}`,
      'CREATE INDEX CONCURRENTLY waits for every older transaction and a long transaction holds its locks to the end: let them finish, or end them with pg_terminate_backend(pid), and move batch jobs out of the window',
    );
  });
}

export async function idleInTransactionCheck(ctx: CheckContext): Promise<Check> {
  const id = 'idle-in-transaction',
    title = 'no sessions idle in a transaction';
  const limit = ctx.thresholds.idleInTransactionSeconds;
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{ pid: number; usr: string | null; secs: number; holds: string[] }>(
      `SELECT a.pid, a.usename AS usr, extract(epoch FROM now() - a.state_change)::float8 AS secs,
              array(SELECT DISTINCT ${relName('l.relation')} FROM pg_locks l
                     WHERE l.pid = a.pid AND l.granted AND l.relation IN (SELECT to_regclass(t) FROM unnest($2::text[]) AS t) ORDER BY 1) AS holds
         FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state LIKE 'idle in transaction%'
          AND now() - a.state_change > make_interval(secs => $1)
        ORDER BY a.state_change`,
      [limit, planTables(ctx)],
    );
    if (rows.length === 0) return pass(id, title, `no session has been idle in a transaction longer than ${limit} s`);
    const describe = (r: (typeof rows)[number]) =>
      `pid ${r.pid} (${r.usr ?? '?'}, idle ${Math.round(r.secs)} s${r.holds.length ? `, holding locks on ${r.holds.join(', ')}` : ''})`;
    const fix =
      "end them with pg_terminate_backend(pid), and set idle_in_transaction_session_timeout (e.g. ALTER ROLE app SET idle_in_transaction_session_timeout = '60s') so the application cannot leave them";
    if (rows.some((r) => r.holds.length > 0))
      return fail(
        id,
        title,
        `sessions idle in a transaction hold locks on tables the plan locks: ${listed(rows.map(describe), 5)}`,
        fix,
      );
    return warn(
      id,
      title,
      `${plural(rows.length, 'session')} idle in a transaction: ${listed(rows.map(describe), 5)}`,
      fix,
    );
  });
}

export async function preparedTransactionsCheck(ctx: CheckContext): Promise<Check> {
  const id = 'prepared-transactions',
    title = 'no forgotten prepared transactions';
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{ gid: string; owner: string; secs: number }>(
      `SELECT gid, owner, extract(epoch FROM now() - prepared)::float8 AS secs FROM pg_prepared_xacts WHERE database = current_database() ORDER BY prepared`,
    );
    if (rows.length === 0) return pass(id, title, 'no prepared transaction in this database');
    return fail(
      id,
      title,
      `${plural(rows.length, 'prepared transaction')}: ${listed(
        rows.map((r) => `${JSON.stringify(r.gid)} (owner ${r.owner}, ${Math.round(r.secs)} s old)`),
        5,
      )}; they keep their locks and hold back the xmin horizon until resolved`,
      "ask the transaction manager that prepared them; otherwise COMMIT PREPARED 'gid' or ROLLBACK PREPARED 'gid'",
    );
  });
}

export interface WraparoundVacuum {
  readonly pid: number;
  readonly table: string;
  readonly onPlan: boolean;
}
export interface AgingTable {
  readonly table: string;
  readonly age: number;
  readonly freezeMaxAge: number;
}

/**
 * An autovacuum run "to prevent wraparound" does not give up its lock to a conflicting request, so an
 * ACCESS EXCLUSIVE step on that table waits until it ends (hours on a large table). A table close to its
 * freeze limit will get one soon.
 */
export function wraparoundVerdict(running: readonly WraparoundVacuum[], aging: readonly AgingTable[]): Check {
  const id = 'autovacuum-wraparound',
    title = 'no anti-wraparound autovacuum on the tables the plan locks';
  const fix =
    'wait for it to finish (pg_stat_progress_vacuum shows progress) or run VACUUM (FREEZE) on the table yourself before the window; never cancel it repeatedly';
  const onPlan = running.filter((r) => r.onPlan);
  if (onPlan.length)
    return fail(
      id,
      title,
      `autovacuum to prevent wraparound is running on ${listed(onPlan.map((r) => `${r.table} (pid ${r.pid})`))}`,
      fix,
    );
  if (aging.length) {
    return warn(
      id,
      title,
      `close to their freeze limit, an anti-wraparound autovacuum may start during the window: ${listed(aging.map((a) => `${a.table} (age ${a.age} of ${a.freezeMaxAge})`))}`,
      'run VACUUM (FREEZE) on these tables before the window',
    );
  }
  const elsewhere = running.length ? `; running on other tables: ${listed(running.map((r) => r.table))}` : '';
  return pass(id, title, `none running on the plan's tables, none near its freeze limit${elsewhere}`);
}

export async function wraparoundCheck(ctx: CheckContext): Promise<Check> {
  return guarded('autovacuum-wraparound', 'no anti-wraparound autovacuum on the tables the plan locks', async () => {
    const tables = planTables(ctx);
    const running = await ctx.db.query<{ pid: number; table: string; on_plan: boolean }>(
      `SELECT a.pid, coalesce(${relName('p.relid')}, substring(a.query FROM '^autovacuum: VACUUM (?:ANALYZE )?(\\S+)')) AS table,
              coalesce(p.relid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t), false) AS on_plan
         FROM pg_stat_activity a LEFT JOIN pg_stat_progress_vacuum p ON p.pid = a.pid
        WHERE a.datname = current_database() AND a.backend_type = 'autovacuum worker' AND a.query LIKE '%to prevent wraparound%'`,
      [tables],
    );
    // 90% of the effective autovacuum_freeze_max_age (the table's reloption wins over the setting).
    const aging = await ctx.db.query<{ table: string; age: number; max: number }>(
      `SELECT ${relName('c.oid')} AS table, age(c.relfrozenxid)::int AS age,
              coalesce((SELECT option_value::int FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_freeze_max_age'),
                       current_setting('autovacuum_freeze_max_age')::int) AS max
         FROM pg_class c WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t) AND c.relkind IN ('r', 'm', 't')`,
      [tables],
    );
    return wraparoundVerdict(
      running.rows.map((r) => ({ pid: r.pid, table: r.table, onPlan: r.on_plan })),
      aging.rows.filter((r) => r.age > 0.9 * r.max).map((r) => ({ table: r.table, age: r.age, freezeMaxAge: r.max })),
    );
  });
}

/** A slot no consumer reads keeps every WAL segment since its restart_lsn: rewrites and index builds write a lot of WAL. */
export async function replicationSlotsCheck(ctx: CheckContext): Promise<Check> {
  const id = 'inactive-replication-slots',
    title = 'no inactive replication slot retaining WAL';
  const limit = ctx.thresholds.slotRetainedBytes;
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{
      slot: string;
      type: string;
      db: string | null;
      retained: number | null;
      wal_status: string | null;
    }>(
      `SELECT slot_name AS slot, slot_type AS type, database AS db, to_jsonb(s) ->> 'wal_status' AS wal_status,
              CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 END AS retained
         FROM pg_replication_slots s WHERE NOT active ORDER BY slot_name`,
    );
    const heavy = rows.filter(
      (r) => (r.retained ?? 0) >= limit || r.wal_status === 'lost' || r.wal_status === 'unreserved',
    );
    if (heavy.length === 0) {
      return pass(
        id,
        title,
        rows.length
          ? `${plural(rows.length, 'inactive slot')} (${listed(rows.map((r) => r.slot))}), each retaining less than ${formatBytes(limit)}`
          : 'no inactive replication slot',
      );
    }
    return warn(
      id,
      title,
      `inactive ${heavy.length === 1 ? 'slot' : 'slots'} ${listed(heavy.map((r) => `${r.slot} (${r.type}${r.db ? ` on ${r.db}` : ''}, retaining ${formatBytes(r.retained ?? 0)}${r.wal_status ? `, wal_status ${r.wal_status}` : ''})`))}`,
      "start the consumer again, or drop a slot nobody needs with SELECT pg_drop_replication_slot('name'); set max_slot_wal_keep_size so a slot cannot fill the disk",
    );
  });
}
