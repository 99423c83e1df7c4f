// One executor at a time per database. The lock is SESSION-level and taken outside any transaction: a
// transaction-level advisory lock would keep a transaction open, and CREATE INDEX CONCURRENTLY waits for every
// open transaction to finish, so it would wait on its own executor forever.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { SwitchyardError, databaseError } from '../errors.js';
import { ident } from '../db/quote.js';

type Queryable = Pick<pg.Client, 'query'>;

export interface ExecutorLockKey {
  readonly ledgerSchema: string;
  readonly database: string;
}

/** The session that holds the executor lock, from pg_locks joined with pg_stat_activity. */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string | null;
  readonly clientAddr: string | null;
  readonly backendStart: Date | null;
  readonly queryStart: Date | null;
}

/** Another executor is running on this database. */
export class ExecutorBusyError extends SwitchyardError {
  readonly database: string;
  readonly ledgerSchema: string;
  /** Undefined when the holder ended between our attempt and the lookup. */
  readonly holder: LockHolder | undefined;
  constructor(key: ExecutorLockKey, holder: LockHolder | undefined) {
    const who = holder
      ? `pid ${holder.pid}, application_name ${JSON.stringify(holder.applicationName ?? '')}, client ${holder.clientAddr ?? 'local socket'}, ` +
        `connected since ${holder.backendStart?.toISOString() ?? '?'}, query started ${holder.queryStart?.toISOString() ?? '?'}`
      : 'a session that has just ended; try again';
    super(
      'EXECUTOR_BUSY',
      `another switchyard executor holds the lock on database ${ident(key.database)} (ledger ${ident(key.ledgerSchema)}): ${who}`,
      1,
    );
    this.database = key.database;
    this.ledgerSchema = key.ledgerSchema;
    this.holder = holder;
  }
}

/** withAdvisoryLock was called inside a transaction block: a programming error, not a user's. */
export class LockInTransactionError extends SwitchyardError {
  constructor() {
    super('LOCK_IN_TRANSACTION', 'the executor lock must be taken outside a transaction block', 2);
  }
}

/** A stable signed 64-bit key (as a decimal string for pg) and its two int4 halves as pg_locks shows them. */
export function executorLockKey(key: ExecutorLockKey): {
  readonly key: string;
  readonly classid: string;
  readonly objid: string;
} {
  const digest = createHash('sha256').update(`switchyard executor\0${key.database}\0${key.ledgerSchema}`).digest();
  const k = digest.readBigInt64BE(0);
  return { key: k.toString(), classid: String(digest.readUInt32BE(0)), objid: String(digest.readUInt32BE(4)) };
}

const MAX_APPLICATION_NAME_BYTES = 63;

function applicationName(holderInfo: string): string {
  let name = `switchyard[${process.pid}] ${holderInfo}`.replace(/[^\x20-\x7e]/g, '?');
  if (name.length > MAX_APPLICATION_NAME_BYTES) name = name.slice(0, MAX_APPLICATION_NAME_BYTES);
  return name;
}

/** Who holds the executor lock of `key` now, if anyone. */
export async function lockHolder(db: Queryable, key: ExecutorLockKey): Promise<LockHolder | undefined> {
  return findHolder(db, executorLockKey(key));
}

async function findHolder(db: Queryable, k: { classid: string; objid: string }): Promise<LockHolder | undefined> {
  const { rows } = await db.query<{
    pid: number;
    application_name: string | null;
    client_addr: string | null;
    backend_start: Date | null;
    query_start: Date | null;
  }>(
    `SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.query_start
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
      LIMIT 1`,
    [k.classid, k.objid],
  );
  const r = rows[0];
  return (
    r && {
      pid: r.pid,
      applicationName: r.application_name,
      clientAddr: r.client_addr,
      backendStart: r.backend_start,
      queryStart: r.query_start,
    }
  );
}

/**
 * Runs `fn` holding the executor lock of (database, ledger schema); throws ExecutorBusyError at once when
 * another session holds it. `holderInfo` (e.g. `apply 0004_orders expand`) goes into application_name so a
 * second executor, or a DBA looking at pg_stat_activity, sees who is running.
 */
export async function withAdvisoryLock<T>(
  client: Queryable,
  key: ExecutorLockKey,
  holderInfo: string,
  fn: () => Promise<T>,
  o: { shared?: boolean } = {},
): Promise<T> {
  // In an implicit (autocommit) transaction both timestamps are the same; inside BEGIN they differ.
  const tx = await client.query<{ in_tx: boolean }>('SELECT transaction_timestamp() <> statement_timestamp() AS in_tx');
  if (tx.rows[0]?.in_tx) throw new LockInTransactionError();
  const k = executorLockKey(key);
  const previous = await client.query<{ name: string }>("SELECT current_setting('application_name') AS name");
  await client.query("SELECT set_config('application_name', $1, false)", [applicationName(holderInfo)]);
  const restoreName = () =>
    client
      .query("SELECT set_config('application_name', $1, false)", [previous.rows[0]?.name ?? ''])
      .catch(() => undefined);
  let acquired = false;
  try {
    const r = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock${o.shared ? '_shared' : ''}($1::bigint) AS ok`,
      [k.key],
    );
    acquired = r.rows[0]?.ok === true;
  } catch (e) {
    await restoreName();
    throw databaseError('cannot take the executor lock', e);
  }
  if (!acquired) {
    const holder = await findHolder(client, k).catch(() => undefined);
    await restoreName();
    throw new ExecutorBusyError(key, holder);
  }
  try {
    return await fn();
  } finally {
    // If the connection is gone the server has already released the session lock with the session.
    await client
      .query(`SELECT pg_advisory_unlock${o.shared ? '_shared' : ''}($1::bigint)`, [k.key])
      .catch(() => undefined);
    await restoreName();
  }
}

/** A tenant (or the shared steps of a tenant plan, unit '') is being migrated by another executor. */
export class UnitBusyError extends SwitchyardError {
  constructor(key: ExecutorLockKey, unit: string, holder: LockHolder | undefined) {
    const what = unit === '' ? 'the shared steps' : `tenant ${ident(unit)}`;
    super(
      'TENANT_BUSY',
      `another switchyard executor is migrating ${what} on database ${ident(key.database)}${holder ? ` (pid ${holder.pid}, application_name ${JSON.stringify(holder.applicationName ?? '')})` : ''}`,
      1,
    );
  }
}

function unitLockKey(key: ExecutorLockKey, unit: string): { key: string; classid: string; objid: string } {
  const digest = createHash('sha256')
    .update(`switchyard tenant\0${key.database}\0${key.ledgerSchema}\0${unit}`)
    .digest();
  return {
    key: digest.readBigInt64BE(0).toString(),
    classid: String(digest.readUInt32BE(0)),
    objid: String(digest.readUInt32BE(4)),
  };
}

/**
 * Tenant runs: several executors (shards of a fleet, `--shard I/N`) may work on one database at once, each
 * holding the executor lock in shared mode (a plain apply takes it exclusively, so the two never mix), and
 * each tenant is migrated under its own lock. `wait` blocks until the unit is free (the shared steps, which
 * every shard needs done before its tenants); otherwise a busy unit throws UnitBusyError.
 */
export async function withUnitLock<T>(
  client: Queryable,
  key: ExecutorLockKey,
  unit: string,
  o: { wait?: boolean },
  fn: () => Promise<T>,
): Promise<T> {
  const k = unitLockKey(key, unit);
  if (o.wait) {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [k.key]);
  } else {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [k.key]);
    if (r.rows[0]?.ok !== true) throw new UnitBusyError(key, unit, await findHolder(client, k).catch(() => undefined));
  }
  try {
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [k.key]).catch(() => undefined);
  }
}
