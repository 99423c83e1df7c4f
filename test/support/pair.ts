// A blue/green pair for integration tests: two embedded PostgreSQL servers (wal_level=logical), started once
// per test file, and a fresh database on each per test. After each test every subscription and slot the test
// left is removed (a database with a slot cannot be dropped) and both databases are dropped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import { loadConfig, type SwitchyardConfig } from '../../src/config/config.js';
import { startEmbedded, type EmbeddedServer } from '../../src/rehearsal/embedded.js';
import { ident, literal } from '../../src/db/quote.js';

export interface PairSide {
  readonly name: string;
  readonly url: string;
  /** A connected client; closed after the test. */
  readonly client: pg.Client;
}

export interface TestPair {
  readonly blue: PairSide;
  readonly green: PairSide;
  /** switchyard.yaml naming both sides (written to a temporary folder) and its loaded form. */
  readonly configFile: string;
  readonly config: SwitchyardConfig;
}

let servers: Promise<[EmbeddedServer, EmbeddedServer]> | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

afterAll(async () => {
  if (!servers) return;
  const s = await servers.catch(() => undefined);
  await Promise.all((s ?? []).map((x) => x.stop()));
  servers = undefined;
});

/**
 * The two servers (blue's and green's), started on first use; `major` pins them (a file's first call decides),
 * and `greenMajor` gives green another one (an upgrade across majors: blue live on the old, green on the new).
 */
export function pairServers(major?: number, greenMajor?: number): Promise<[EmbeddedServer, EmbeddedServer]> {
  const o = major ? { major } : {}; // otherwise SWITCHYARD_PG_VERSION picks the major (default 17)
  servers ??= Promise.all([startEmbedded(o), startEmbedded(greenMajor ? { major: greenMajor } : o)]);
  return servers;
}

async function admin<T>(server: EmbeddedServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: server.url('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Removes what a test left: subscriptions (detached from their slots), slots, then the database. */
async function dropDatabase(server: EmbeddedServer, name: string): Promise<void> {
  const db = new pg.Client({ connectionString: server.url(name) });
  await db.connect().catch(() => undefined);
  try {
    const { rows } = await db.query<{ name: string }>(
      `SELECT subname AS name FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    for (const r of rows) {
      await db.query(`ALTER SUBSCRIPTION ${ident(r.name)} DISABLE`);
      await db.query(`ALTER SUBSCRIPTION ${ident(r.name)} SET (slot_name = NONE)`);
      await db.query(`DROP SUBSCRIPTION ${ident(r.name)}`);
    }
  } catch {
    // no connection: nothing to detach
  } finally {
    await db.end().catch(() => undefined);
  }
  await admin(server, async (a) => {
    for (let i = 0; i < 50; i++) {
      const { rows } = await a.query<{ slot: string; pid: number | null }>(
        `SELECT slot_name AS slot, active_pid AS pid FROM pg_replication_slots WHERE database = $1`,
        [name],
      );
      if (!rows.length) break;
      for (const r of rows) {
        if (r.pid) await a.query('SELECT pg_terminate_backend($1)', [r.pid]);
        await a.query(`SELECT pg_drop_replication_slot(${literal(r.slot)})`).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await a.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
  });
}

/** A fresh database on each server, both empty, and a config naming them as blue and green. */
export async function freshPair(extraYaml = '', o: { major?: number; greenMajor?: number } = {}): Promise<TestPair> {
  const [b, g] = await pairServers(o.major, o.greenMajor);
  const name = `p_${randomBytes(5).toString('hex')}`;
  const sides: PairSide[] = [];
  for (const server of [b, g]) {
    await admin(server, (a) => a.query(`CREATE DATABASE ${ident(name)}`));
    const client = new pg.Client({ connectionString: server.url(name) });
    client.on('error', () => undefined);
    await client.connect();
    sides.push({ name, url: server.url(name), client });
    cleanups.push(async () => {
      await client.end().catch(() => undefined);
      await dropDatabase(server, name);
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'sy-pair-'));
  const configFile = join(dir, 'switchyard.yaml');
  writeFileSync(configFile, `pair:\n  blue: ${sides[0]!.url}\n  green: ${sides[1]!.url}\n${extraYaml}`);
  return { blue: sides[0]!, green: sides[1]!, configFile, config: await loadConfig(configFile) };
}

export { APP_SQL } from './app-sql.js';

/** Polls `fn` until it returns true (or `timeoutMs` passes, then throws with `what`). */
export async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!(await fn())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Slots, publications and subscriptions in the database `c` is connected to. */
export async function replicationObjects(
  c: pg.Client,
): Promise<{ slots: string[]; publications: string[]; subscriptions: string[] }> {
  const q = async (sql: string) => (await c.query<{ n: string }>(sql)).rows.map((r) => r.n);
  return {
    slots: await q(`SELECT slot_name AS n FROM pg_replication_slots ORDER BY 1`),
    publications: await q(`SELECT pubname AS n FROM pg_publication ORDER BY 1`),
    subscriptions: await q(
      `SELECT subname AS n FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1`,
    ),
  };
}

/**
 * The application's own role on both sides, with the same password (grants are not copied by pair init: the
 * operator grants on the standby as on live), and blue's URL logging in as it.
 */
export async function appRole(pair: TestPair): Promise<string> {
  for (const side of [pair.blue, pair.green]) {
    await side.client.query(
      `DO $$ BEGIN CREATE ROLE app_writer LOGIN PASSWORD 'app-secret'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await side.client.query(`GRANT USAGE ON SCHEMA public, billing TO app_writer; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public, billing TO app_writer;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer`);
  }
  const url = new URL(pair.blue.url);
  url.username = 'app_writer';
  url.password = 'app-secret';
  return url.toString();
}
