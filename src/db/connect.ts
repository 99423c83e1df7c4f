// Connections: one place that opens, labels and closes them.
import pg from 'pg';
import { DatabaseError, UsageError, databaseError } from '../errors.js';
import { redactText, redactUrl } from './redact.js';

export type Client = pg.Client;

/** Where a connection comes from: an explicit URL, or libpq environment variables (PGHOST, PGDATABASE...). */
export interface ConnectionTarget {
  readonly url?: string;
  /** Overrides the database named by the URL or PGDATABASE. */
  readonly database?: string;
}

/** `--db` flag, then the configured value, then DATABASE_URL, then libpq variables. */
export function resolveTarget(flag: string | undefined, configured: string | undefined, unsetVariables: readonly string[] = []): ConnectionTarget {
  const url = flag ?? configured ?? process.env.DATABASE_URL;
  if (url !== undefined && url.trim() === '') throw new UsageError('the database URL is empty (check --db, switchyard.yaml or DATABASE_URL)');
  if (url !== undefined) return { url };
  if (process.env.PGHOST || process.env.PGDATABASE || process.env.PGSERVICE) return {};
  const unset = unsetVariables.length ? ` (switchyard.yaml names ${unsetVariables.map((v) => '$' + v).join(', ')}, which is not set)` : '';
  throw new UsageError(`no database given${unset}: pass --db postgres://user@host:5432/db, set \`database:\` in switchyard.yaml, or set DATABASE_URL / PGHOST`);
}

/** A printable name for the target, without password. */
export function describeTarget(t: ConnectionTarget): string {
  if (t.url) return redactUrl(t.database ? withDatabase(t.url, t.database) : t.url);
  return `postgres://${process.env.PGUSER ?? ''}@${process.env.PGHOST ?? 'localhost'}:${process.env.PGPORT ?? '5432'}/${process.env.PGDATABASE ?? ''}`;
}

export async function connect(target: ConnectionTarget, applicationName = 'switchyard'): Promise<Client> {
  // pg lets connectionString win over `database`, so an override rewrites the URL itself.
  const url = target.url && target.database ? withDatabase(target.url, target.database) : target.url;
  const client = new pg.Client({
    ...(url ? { connectionString: url } : {}),
    ...(!url && target.database ? { database: target.database } : {}),
    application_name: applicationName,
  });
  // A connection dropped by the server must surface as a failed query, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    const err = databaseError(`cannot connect to ${describeTarget(target)}`, e);
    throw new DatabaseError(redactText(err.message, target.url ? [new URL(target.url).password] : []), { cause: e, ...(err.sqlstate ? { sqlstate: err.sqlstate } : {}) });
  }
  return client;
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

/** The same URL naming another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + encodeURIComponent(database);
  return u.toString();
}
