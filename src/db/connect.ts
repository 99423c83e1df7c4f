// Connections: one place that opens, labels and closes them.
import pg from 'pg';
import { DatabaseError, UsageError, databaseError } from '../errors.js';
import { parseConninfo, withKeywords, type Conninfo } from './conninfo.js';
import { clientConfigs, resolveKeywords } from './libpq.js';
import { redactText, redactUrl } from './redact.js';

export type Client = pg.Client;

/**
 * Where a connection comes from: a connection string (postgres:// URL or libpq `key=value`), or nothing, and
 * then the libpq environment (PGSERVICE, PGHOST, PGDATABASE...). Either way libpq's rules apply (src/db/libpq.ts).
 */
export interface ConnectionTarget {
  readonly url?: string;
  /** Overrides the database named by the string, its service or PGDATABASE. */
  readonly database?: string;
}

/** `--db` flag, then the configured value, then DATABASE_URL, then libpq variables. */
export function resolveTarget(
  flag: string | undefined,
  configured: string | undefined,
  unsetVariables: readonly string[] = [],
): ConnectionTarget {
  const url = flag ?? configured ?? process.env.DATABASE_URL;
  if (url !== undefined && url.trim() === '')
    throw new UsageError('the database URL is empty (check --db, switchyard.yaml or DATABASE_URL)');
  if (url !== undefined) {
    parseConninfo(url); // a malformed string is a usage error now, not a failed connection later
    return { url };
  }
  if (process.env.PGHOST || process.env.PGDATABASE || process.env.PGSERVICE) return {};
  const unset = unsetVariables.length
    ? ` (switchyard.yaml names ${unsetVariables.map((v) => `$${v}`).join(', ')}, which is not set)`
    : '';
  throw new UsageError(
    `no database given${unset}: pass --db postgres://user@host:5432/db, set \`database:\` in switchyard.yaml, or set DATABASE_URL / PGHOST / PGSERVICE`,
  );
}

/** A printable name for the target, without password. */
export function describeTarget(t: ConnectionTarget): string {
  if (t.url) {
    try {
      return redactUrl(t.database ? withDatabase(t.url, t.database) : t.url);
    } catch {
      return redactUrl(t.url); // a malformed string is reported by whoever parses it
    }
  }
  let k: Conninfo;
  try {
    k = resolveKeywords(undefined, t.database);
  } catch {
    k = {};
  }
  return `postgres://${k.user ?? ''}@${k.host ?? 'localhost'}:${k.port ?? '5432'}/${k.dbname ?? ''}`;
}

export async function connect(target: ConnectionTarget, applicationName = 'switchyard'): Promise<Client> {
  return (await open(target, applicationName)).client;
}

/** A connected client and the settings that connected it (for a second connection that must match it). */
export async function open(
  target: ConnectionTarget,
  applicationName = 'switchyard',
): Promise<{ client: Client; config: pg.ClientConfig }> {
  const info = resolveKeywords(target.url, target.database);
  const attempts = clientConfigs(info, applicationName);
  let failure: unknown;
  for (const [n, config] of attempts.entries()) {
    const client = new pg.Client(config);
    // A connection dropped by the server must surface as a failed query, not crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { client, config };
    } catch (e) {
      await client.end().catch(() => undefined);
      failure = e;
      if (n === attempts.length - 1 || !worthAnotherTry(e)) break;
    }
  }
  const err = databaseError(`cannot connect to ${describeTarget(target)}`, failure);
  const secrets = info.password ? [info.password] : [];
  const sqlstate = err.sqlstate ? { sqlstate: err.sqlstate } : {};
  throw new DatabaseError(redactText(err.message, secrets), { cause: failure, ...sqlstate });
}

/**
 * libpq's sslmode allow/prefer try the other way when the server refuses TLS, the TLS handshake fails, or the
 * server rejects the login (pg_hba.conf may allow only hostssl or only hostnossl); not when it is unreachable.
 */
function worthAnotherTry(e: unknown): boolean {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  if (code && /^[0-9A-Z]{5}$/.test(code)) return true;
  return /^(ERR_SSL|ERR_TLS|EPROTO$|ECONNRESET$)/.test(code ?? '') || /\b(SSL|TLS)\b/.test(message ?? '');
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(target: ConnectionTarget, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(target);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `count` connections to `target`, opened at once (each connection's start-up and authentication overlap), for
 * as long as `fn` runs; all closed afterwards. A failure to open one closes those that opened.
 */
export async function withClients<T>(
  target: ConnectionTarget,
  count: number,
  fn: (clients: Client[]) => Promise<T>,
): Promise<T> {
  const opened = await Promise.allSettled(Array.from({ length: count }, () => connect(target)));
  const clients = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  try {
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    return await fn(clients);
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/** Runs `fn` inside BEGIN/COMMIT, rolling back on any error. */
export async function withTransaction<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The same connection string (URL or key=value) naming another database. */
export function withDatabase(url: string, database: string): string {
  return withKeywords(url, { dbname: database });
}
