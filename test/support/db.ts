// Fresh databases for integration tests: each call creates a new, empty database and drops it after the test.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, inject } from 'vitest';
import { ident } from '../../src/db/quote.js';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** A connected client; closed automatically after the test. */
  readonly client: pg.Client;
  /** Another connected client (for concurrency tests); closed automatically. */
  connect(): Promise<pg.Client>;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

export function adminUrl(): string {
  return inject('pgAdminUrl');
}

export function serverMajor(): number {
  return inject('pgMajor');
}

export function urlFor(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function freshDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${ident(name)}`);
  await admin.end();
  const url = urlFor(name);
  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    clients.push(c);
    return c;
  };
  const client = await connect();
  cleanups.push(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    const a = new pg.Client({ connectionString: adminUrl() });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await a.end();
  });
  return { name, url, client, connect };
}
