// One scenario per change kind, rehearsed on a real PostgreSQL 15: every phase forward, its rollback (the
// schema must come back exactly, by fingerprint and by pg_dump), forward again; then the result must equal the
// target, equal a database built directly from the target, and give an empty plan when planned again.
//
// pg_dump here is version 15 and refuses newer servers, so this file runs its own PostgreSQL 15 (the system
// binaries in /usr/lib/postgresql/15/bin) rather than the suite's server. Scenarios run concurrently, each in
// databases of its own.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../../../src/diff/index.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';
import { ident } from '../../../src/db/quote.js';
import { schemaDump } from '../../support/pgdump.js';
import { checkScenario, planScenario, targetFromSql, type ScenarioDatabase } from '../../support/scenario.js';

const PG15 = '/usr/lib/postgresql/15/bin/postgres';

// ---- the source every scenario starts from, unless it says otherwise --------------------------------------

import { ADD_COLUMN, ALTER_COLUMN_TYPE, changes, GRANT_SCENARIOS, SCENARIOS } from './kinds-scenarios.js';
import { TYPE_SCENARIOS } from './types-scenarios.js';
import { SECURITY_SCENARIOS } from './security-scenarios.js';
import { VIEW_SCENARIOS } from './views-scenarios.js';
import { EXTENSION_SCENARIOS } from './extensions-scenarios.js';
import { STORAGE_SCENARIOS } from './storage-scenarios.js';

let server: EmbeddedServer | undefined;
let admin: pg.Client | undefined;

beforeAll(async () => {
  if (!existsSync(PG15)) {
    throw new Error(
      `${PG15} is missing: these tests need the PostgreSQL 15 server (pg_dump here is 15); install the Debian package postgresql-15`,
    );
  }
  server = await startEmbedded({ major: 15 });
  admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  await server?.stop();
});

/** Fresh databases on the PostgreSQL 15 server, dropped when the test finishes. */
function databases(onFinished: (fn: () => Promise<void>) => void): () => Promise<ScenarioDatabase> {
  return async () => {
    if (!server || !admin) throw new Error('the PostgreSQL 15 server did not start');
    const name = `k_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${ident(name)}`);
    const url = server.url(name);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined); // a dropped connection fails the next query instead of the worker
    await client.connect();
    onFinished(async () => {
      await client.end().catch(() => undefined);
      await admin?.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    });
    return { client, url };
  };
}

const ALL = [
  ...SCENARIOS,
  ...ADD_COLUMN,
  ...ALTER_COLUMN_TYPE,
  ...VIEW_SCENARIOS,
  ...EXTENSION_SCENARIOS,
  ...STORAGE_SCENARIOS,
  ...GRANT_SCENARIOS,
  ...TYPE_SCENARIOS,
  ...SECURITY_SCENARIOS,
];

describe('every change kind, rehearsed on PostgreSQL 15', () => {
  it('has a scenario for every change kind', () => {
    const covered = new Set(ALL.map((s) => s.kind));
    // A raw SQL step comes from the declared file's sql:, not from a schema difference: its apply, rollback
    // and re-apply on a real server are in its own test.
    // An extension update has no rollback (IRREVERSIBLE), which this file's exact-rollback check cannot hold.
    const elsewhere: Record<string, string> = {
      run_sql: 'test/integration/executor/raw-sql.test.ts',
      alter_extension: 'test/integration/planner/extensions.test.ts',
      refuse_type_change: 'test/unit/planner/user-types.test.ts',
    };
    for (const file of Object.values(elsewhere)) expect(existsSync(file), file).toBe(true);
    expect(CHANGE_KINDS.filter((k) => !covered.has(k) && !(k in elsewhere))).toEqual([]);
  });

  for (const s of ALL) {
    it.concurrent(`${s.kind}: ${s.name}`, async ({ onTestFinished }) => {
      const fresh = databases(onTestFinished);
      const db = await fresh();
      const yaml = typeof s.target === 'string' ? s.target : await targetFromSql(await fresh(), s.target.sql);
      const scenario = await planScenario(db, s.source, yaml, s.alsoRead ? { alsoRead: s.alsoRead } : {});
      expect(changes(scenario.plan)).toContain(s.kind);
      s.plan?.(scenario.plan);
      await checkScenario(db, scenario, { freshDatabase: fresh, dump: schemaDump });
    });
  }
});
