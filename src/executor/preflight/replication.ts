// Preflight checks of a blue/green pair (shared/reference/logical-replication.md, "Preflight checks before
// pairing or cutover"). Exported on their own: `pair` commands run them, and preflight runs them when a
// pair is given.
import {
  fail,
  guarded,
  listed,
  pass,
  plural,
  relName,
  warn,
  type Check,
  type PreflightPair,
  type Queryable,
} from './types.js';

export interface ReplicationScope {
  /** The application schemas: the ones replicated (never the ledger). */
  readonly schemas: readonly string[];
  readonly ledgerSchema: string;
}

type Side = 'live' | 'standby';

async function settings(db: Queryable): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('wal_level', 'max_replication_slots', 'max_wal_senders', 'max_logical_replication_workers', 'max_worker_processes')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

/** Both sides need wal_level = logical: the live side publishes now, the standby publishes back after cutover. */
export async function walLevelCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-wal-level',
    title = 'wal_level = logical on both sides';
  return guarded(id, title, async () => {
    const found = await Promise.all(
      (['live', 'standby'] as const).map(async (side) => ({
        side,
        level: (await settings(pair[side])).wal_level ?? '?',
      })),
    );
    const bad = found.filter((f) => f.level !== 'logical');
    if (bad.length)
      return fail(
        id,
        title,
        listed(bad.map((b) => `${b.side} has wal_level = ${b.level}`)),
        'ALTER SYSTEM SET wal_level = logical on each side named, then restart it (a restart is required)',
      );
    return pass(id, title, 'wal_level = logical on live and standby');
  });
}

/** Slots, WAL senders and workers: one forward stream now, one reverse stream at cutover. */
export async function capacityCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-capacity',
    title = 'replication slots, WAL senders and workers available';
  return guarded(id, title, async () => {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const side of ['live', 'standby'] as Side[]) {
      const db = pair[side];
      const s = await settings(db);
      const {
        rows: [u],
      } = await db.query<{ slots: number; senders: number }>(
        `SELECT (SELECT count(*) FROM pg_replication_slots)::int AS slots, (SELECT count(*) FROM pg_stat_replication)::int AS senders`,
      );
      const freeSlots = Number(s.max_replication_slots) - (u?.slots ?? 0);
      const freeSenders = Number(s.max_wal_senders) - (u?.senders ?? 0);
      seen.push(
        `${side}: ${freeSlots} free slots, ${freeSenders} free WAL senders, ${s.max_logical_replication_workers} logical workers`,
      );
      if (freeSlots < 1)
        problems.push(`${side} has no free replication slot (max_replication_slots = ${s.max_replication_slots})`);
      if (freeSenders < 1) problems.push(`${side} has no free WAL sender (max_wal_senders = ${s.max_wal_senders})`);
      if (Number(s.max_logical_replication_workers) < 1)
        problems.push(`${side} has max_logical_replication_workers = ${s.max_logical_replication_workers}`);
      if (Number(s.max_worker_processes) < Number(s.max_logical_replication_workers) + 1)
        problems.push(
          `${side} has max_worker_processes = ${s.max_worker_processes}, too few for its logical replication workers`,
        );
    }
    if (problems.length)
      return fail(
        id,
        title,
        listed(problems),
        'raise max_replication_slots, max_wal_senders, max_logical_replication_workers and max_worker_processes (restart), or drop unused slots',
      );
    return pass(id, title, seen.join('; '));
  });
}

/** Publishing needs REPLICATION on the live side; subscribing needs superuser (or pg_create_subscription, 16+) on the standby. */
export async function replicationRoleCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-replication-role',
    title = 'roles may publish and subscribe';
  return guarded(id, title, async () => {
    const live = (
      await pair.live.query<{ usr: string; ok: boolean }>(
        `SELECT current_user AS usr, (rolsuper OR rolreplication) AS ok FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows[0];
    const standby = (
      await pair.standby.query<{ usr: string; ok: boolean }>(
        `SELECT current_user AS usr, rolsuper OR coalesce(pg_has_role(current_user, to_regrole('pg_create_subscription'), 'USAGE'), false) AS ok FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows[0];
    const problems = [
      ...(live?.ok ? [] : [`${live?.usr ?? '?'} on live has neither REPLICATION nor superuser`]),
      ...(standby?.ok ? [] : [`${standby?.usr ?? '?'} on standby can not create subscriptions`]),
    ];
    if (problems.length)
      return fail(
        id,
        title,
        problems.join('; '),
        'ALTER ROLE ... REPLICATION on live; on the standby a superuser, or GRANT pg_create_subscription (PostgreSQL 16+) and CREATE on the database',
      );
    return pass(id, title, `${live!.usr} may publish on live, ${standby!.usr} may subscribe on standby`);
  });
}

/**
 * A table is refused only when its updates and deletes cannot replicate: no primary key (or its replica
 * identity index is gone) and replica identity DEFAULT or NOTHING. On the publisher such UPDATEs and DELETEs
 * fail, so the live application gets the error. REPLICA IDENTITY FULL replicates (the subscriber finds rows by
 * their content). The fix names, per table, a unique index on NOT NULL columns to use when there is one.
 */
export async function replicaIdentityCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-replica-identity',
    title = 'updates and deletes of every replicated table can replicate';
  return guarded(id, title, async () => {
    const { rows } = await pair.live.query<{ name: string; identity: string; usable: string | null }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relreplident AS identity,
              (SELECT quote_ident(i.relname) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = c.oid AND x.indisunique AND x.indimmediate AND x.indpred IS NULL AND x.indexprs IS NULL AND x.indisvalid
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = ANY(x.indkey) AND NOT a.attnotnull)
                ORDER BY x.indnatts, i.relname LIMIT 1) AS usable
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1::text[]) AND n.nspname <> $2 AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
          AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
               OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
        ORDER BY 1`,
      [scope.schemas, scope.ledgerSchema],
    );
    if (rows.length === 0)
      return pass(
        id,
        title,
        `every table in ${scope.schemas.join(', ')} has a primary key, a replica identity index or REPLICA IDENTITY FULL`,
      );
    const why = (r: { identity: string }) =>
      r.identity === 'n'
        ? 'REPLICA IDENTITY NOTHING'
        : r.identity === 'i'
          ? 'its replica identity index is gone'
          : 'no primary key';
    return fail(
      id,
      title,
      `updates and deletes cannot replicate (and fail on the publisher): ${listed(rows.map((r) => `${r.name} (${why(r)})`))}`,
      rows
        .map((r) =>
          r.usable
            ? `ALTER TABLE ${r.name} REPLICA IDENTITY USING INDEX ${r.usable}`
            : `ALTER TABLE ${r.name} REPLICA IDENTITY FULL (or add a primary key)`,
        )
        .join('; '),
    );
  });
}

/**
 * An UNLOGGED table cannot be published: logical replication never carries its rows, so the standby would take
 * over with it empty (and the table is in the model, so the standby has it, silently). Refused, naming each, with
 * the fix: SET LOGGED rewrites it under ACCESS EXCLUSIVE, so it is the user's decision and run by them.
 */
export async function unloggedTablesCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-unlogged-tables',
    title = 'no replicated table is UNLOGGED';
  return guarded(id, title, async () => {
    const { rows } = await pair.live.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1::text[]) AND n.nspname <> $2 AND c.relkind IN ('r', 'p') AND c.relpersistence = 'u'
        ORDER BY 1`,
      [scope.schemas, scope.ledgerSchema],
    );
    if (rows.length === 0) return pass(id, title, `no unlogged table in ${scope.schemas.join(', ')}`);
    return fail(
      id,
      title,
      `logical replication cannot carry the rows of unlogged tables, the standby would take over without them: ${listed(rows.map((r) => r.name))}`,
      `${rows.map((r) => `ALTER TABLE ${r.name} SET LOGGED`).join('; ')} (each rewrites its table under ACCESS EXCLUSIVE; then declare it without unlogged: true)`,
    );
  });
}

/** Materialized views and large objects do not travel by logical replication (unlogged tables are refused above). */
export async function unreplicatedObjectsCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-unreplicated-objects',
    title = 'nothing the application needs is left out of replication';
  return guarded(id, title, async () => {
    const { rows } = await pair.live.query<{ what: string }>(
      `SELECT format('materialized view %s', format('%I.%I', n.nspname, c.relname)) AS what
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'm'
       UNION ALL
       SELECT format('%s large objects', count(*)) FROM pg_largeobject_metadata HAVING count(*) > 0
       ORDER BY 1`,
      [scope.schemas],
    );
    if (rows.length === 0) return pass(id, title, 'no materialized views or large objects');
    return warn(
      id,
      title,
      `not replicated: ${listed(rows.map((r) => r.what))}`,
      'refresh materialized views on the standby before cutover, copy large objects or move them into bytea columns',
    );
  });
}

interface ColumnRow {
  table: string;
  column: string | null;
}

/** The subscriber must have every published column (extra ones are fine): matched by name. */
export async function standbyColumnsCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-standby-columns',
    title = 'the standby has every replicated table and column';
  return guarded(id, title, async () => {
    const sql = `SELECT format('%I.%I', n.nspname, c.relname) AS table, a.attname::text AS column
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                  WHERE n.nspname = ANY($1::text[]) AND n.nspname <> $2 AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p'`;
    const [live, standby] = await Promise.all(
      [pair.live, pair.standby].map((db) => db.query<ColumnRow>(sql, [scope.schemas, scope.ledgerSchema])),
    );
    const tables = new Set(standby!.rows.map((r) => r.table));
    const columns = new Set(standby!.rows.map((r) => `${r.table}.${r.column}`));
    const missingTables = [...new Set(live!.rows.filter((r) => !tables.has(r.table)).map((r) => r.table))].sort();
    const missingColumns = live!.rows
      .filter((r) => r.column !== null && tables.has(r.table) && !columns.has(`${r.table}.${r.column}`))
      .map((r) => `${r.table}.${r.column}`)
      .sort();
    if (missingTables.length || missingColumns.length) {
      const what = [
        missingTables.length ? `tables ${listed(missingTables)}` : '',
        missingColumns.length ? `columns ${listed(missingColumns)}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return fail(
        id,
        title,
        `missing on the standby: ${what}`,
        'the standby must keep every column live publishes (renames and drops wait for contract); run switchyard pair resync, or apply the missing expand phase on the standby',
      );
    }
    return pass(id, title, `${tables.size} table(s) on the standby carry every column live has`);
  });
}

/** Sequences are not replicated: cutover copies each one, so each must exist on both sides. */
export async function sequencesCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-sequences',
    title = 'every sequence exists on both sides';
  return guarded(id, title, async () => {
    const sql = `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind = 'S' AND n.nspname = ANY($1::text[]) AND n.nspname <> $2 ORDER BY 1`;
    const [live, standby] = await Promise.all(
      [pair.live, pair.standby].map((db) => db.query<{ name: string }>(sql, [scope.schemas, scope.ledgerSchema])),
    );
    const there = new Set(standby!.rows.map((r) => r.name));
    const missing = live!.rows.map((r) => r.name).filter((n) => !there.has(n));
    if (missing.length)
      return fail(
        id,
        title,
        `missing on the standby: ${listed(missing)}`,
        'create them on the standby (pair resync copies the schema); cutover copies last_value of every sequence',
      );
    return pass(
      id,
      title,
      `${plural(live!.rows.length, 'sequence')} on live, all present on the standby (identity, owned and unowned)`,
    );
  });
}

/** Triggers ENABLE ALWAYS fire for replicated rows too: only switchyard's sync triggers should. */
export async function alwaysTriggersCheck(pair: PreflightPair, scope: ReplicationScope): Promise<Check> {
  const id = 'pair-triggers',
    title = 'only sync triggers fire for replicated rows';
  return guarded(id, title, async () => {
    const sql = `SELECT format('%I on %I.%I', t.tgname, n.nspname, c.relname) AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE NOT t.tgisinternal AND t.tgenabled IN ('A', 'R') AND n.nspname = ANY($1::text[]) AND t.tgname !~ '^(zz_)?_?sy_' ORDER BY 1`;
    const found = await Promise.all(
      (['live', 'standby'] as const).map(async (side) =>
        (await pair[side].query<{ name: string }>(sql, [scope.schemas])).rows.map((r) => `${r.name} (${side})`),
      ),
    );
    const all = found.flat();
    if (all.length === 0) return pass(id, title, 'no application trigger is ENABLE ALWAYS or ENABLE REPLICA');
    return warn(
      id,
      title,
      `application triggers that fire for replicated rows: ${listed(all)}`,
      'a data-changing trigger that fires on both sides writes twice: ALTER TABLE ... ENABLE TRIGGER name (origin only) unless it must run for replicated rows',
    );
  });
}

/** Slots that lost their WAL cannot resume; leftover ones retain WAL. */
export async function slotHealthCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-slots',
    title = 'replication slots healthy';
  return guarded(id, title, async () => {
    const sql = `SELECT slot_name AS name, active, to_jsonb(s) ->> 'wal_status' AS wal_status FROM pg_replication_slots s WHERE database = current_database() OR database IS NULL ORDER BY 1`;
    const rows = (
      await Promise.all(
        (['live', 'standby'] as const).map(async (side) =>
          (
            await pair[side].query<{ name: string; active: boolean; wal_status: string | null }>(sql)
          ).rows.map((r) => ({ ...r, side })),
        ),
      )
    ).flat();
    const lost = rows.filter((r) => r.wal_status === 'lost' || r.wal_status === 'unreserved');
    const idle = rows.filter((r) => !r.active && !lost.includes(r));
    if (lost.length)
      return fail(
        id,
        title,
        `slots past their WAL: ${listed(lost.map((r) => `${r.name} on ${r.side} (${r.wal_status})`))}`,
        'the stream cannot resume from them: drop the slot and run switchyard pair init again; raise max_slot_wal_keep_size',
      );
    if (idle.length)
      return warn(
        id,
        title,
        `inactive slots: ${listed(idle.map((r) => `${r.name} on ${r.side}`))}`,
        "drop leftovers with SELECT pg_drop_replication_slot('name'), or start their subscription",
      );
    return pass(id, title, rows.length ? `${plural(rows.length, 'slot')}, all active` : 'no slots on this database');
  });
}

/** The standby takes writes only from the apply worker; anything else is lost or conflicts at cutover. */
export async function standbyWritersCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-standby-writers',
    title = 'no writers on the standby besides replication';
  return guarded(id, title, async () => {
    const { rows } = await pair.standby.query<{ pid: number; usr: string | null; app: string | null }>(
      `SELECT pid, usename AS usr, application_name AS app FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL ORDER BY pid`,
    );
    if (rows.length === 0) return pass(id, title, 'no session is writing on the standby');
    return warn(
      id,
      title,
      `sessions writing on the standby: ${listed(rows.map((r) => `pid ${r.pid} (${r.usr ?? '?'}, ${JSON.stringify(r.app ?? '')})`))}`,
      'point every application write at the live side; end the sessions with pg_terminate_backend(pid)',
    );
  });
}

/** The forward subscription is streaming: every table ready, a worker running. */
export async function subscriptionCheck(pair: PreflightPair): Promise<Check> {
  const id = 'pair-subscription',
    title = 'the standby subscription is streaming';
  return guarded(id, title, async () => {
    const { rows } = await pair.standby.query<{ name: string; enabled: boolean; worker: boolean; not_ready: string[] }>(
      `SELECT s.subname AS name, s.subenabled AS enabled,
              EXISTS (SELECT 1 FROM pg_stat_subscription w WHERE w.subid = s.oid AND w.pid IS NOT NULL) AS worker,
              array(SELECT format('%s (%s)', ${relName('r.srrelid')}, r.srsubstate) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate <> 'r' ORDER BY 1) AS not_ready
         FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1`,
    );
    if (rows.length === 0)
      return warn(id, title, 'the standby has no subscription: the pair is not set up', 'run switchyard pair init');
    const bad = rows.filter((r) => !r.enabled || !r.worker || r.not_ready.length);
    if (bad.length) {
      return warn(
        id,
        title,
        listed(
          bad.map(
            (r) =>
              `${r.name}: ${!r.enabled ? 'disabled' : !r.worker ? 'no apply worker running' : `tables not ready ${r.not_ready.join(', ')}`}`,
          ),
        ),
        'wait for the initial copy to finish (switchyard pair status); check the standby log for apply errors',
      );
    }
    return pass(id, title, `${listed(rows.map((r) => r.name))}: every table ready, apply worker running`);
  });
}

/** Every pair check, in the order of the reference's list. */
export async function runReplicationChecks(pair: PreflightPair, scope: ReplicationScope): Promise<Check[]> {
  const checks: Array<() => Promise<Check>> = [
    () => walLevelCheck(pair),
    () => capacityCheck(pair),
    () => replicationRoleCheck(pair),
    () => replicaIdentityCheck(pair, scope),
    () => unloggedTablesCheck(pair, scope),
    () => unreplicatedObjectsCheck(pair, scope),
    () => standbyColumnsCheck(pair, scope),
    () => sequencesCheck(pair, scope),
    () => alwaysTriggersCheck(pair, scope),
    () => slotHealthCheck(pair),
    () => standbyWritersCheck(pair),
    () => subscriptionCheck(pair),
  ];
  const out: Check[] = [];
  // One after another: the two clients are shared and a pg.Client queues anyway.
  for (const c of checks) out.push(await c());
  return out;
}
