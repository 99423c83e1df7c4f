// `switchyard demo`: the story on a throwaway PostgreSQL, with nothing to set up and nothing left behind.
// This first chapter builds the example application's database, introspects it and diffs it against the
// example target schema; later chapters (plan, rehearse, apply, pair, cutover, cutback) extend it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config/config.js';
import { startEmbedded, type EmbeddedServer } from '../rehearsal/embedded.js';
import { diffCommand, type DiffResult } from './diff.js';
import { introspectCommand } from './introspect.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../migrations/example/', import.meta.url));

export interface DemoEvents {
  /** A chapter starts. */
  step(title: string): void;
  /** Detail lines of the chapter that just ran. */
  detail(lines: readonly string[]): void;
}

export interface DemoResult {
  readonly pgVersion: number;
  readonly tables: number;
  readonly sourceFingerprint: string;
  readonly diff: DiffResult;
  readonly millis: number;
}

export interface DemoOptions {
  readonly major?: number;
  /** Aborts the demo (Ctrl-C): the server is stopped and its files removed. */
  readonly signal?: AbortSignal;
}

export async function demo(events: DemoEvents, o: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  events.step('starting a throwaway PostgreSQL (embedded, wal_level=logical)');
  const server = await startEmbedded(o.major ? { major: o.major } : {});
  const stopOnAbort = () => void server.stop();
  o.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    events.detail([`PostgreSQL ${server.major} on 127.0.0.1:${server.port}`]);
    const url = await createExampleDatabase(server, events);
    const config = { ...(await loadConfig(undefined)), database: url, root: EXAMPLE_DIR, schema: 'schema.yaml' };
    events.step('introspecting the live database');
    const live = await introspectCommand(config, {});
    const tables = live.schema.schemas.reduce((n, s) => n + s.tables.length, 0);
    events.detail([`${live.schema.schemas.length} schemas, ${tables} tables, fingerprint ${live.fingerprint.slice(0, 19)}…`]);
    events.step('diffing against the target schema migrations/example/schema.yaml');
    const d = await diffCommand(config, {});
    events.detail(d.descriptions.map((line) => `• ${line}`));
    return { pgVersion: server.major, tables, sourceFingerprint: live.fingerprint, diff: d, millis: Date.now() - started };
  } finally {
    o.signal?.removeEventListener('abort', stopOnAbort);
    events.step('stopping PostgreSQL and removing its files');
    await server.stop();
  }
}

async function createExampleDatabase(server: EmbeddedServer, events: DemoEvents): Promise<string> {
  events.step('creating the example application database from migrations/example/source.sql');
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.end();
  const app = new pg.Client({ connectionString: server.url('app') });
  await app.connect();
  try {
    await app.query(await readFile(`${EXAMPLE_DIR}source.sql`, 'utf8'));
    const { rows } = await app.query<{ n: string }>('SELECT (SELECT count(*) FROM public.users) + (SELECT count(*) FROM public.employees) AS n');
    events.detail([`database "app": 2 application schemas, ${rows[0]?.n ?? 0} rows`]);
  } finally {
    await app.end();
  }
  return server.url('app');
}
