// Grants and default privileges, per change kind, rehearsed on a real PostgreSQL 15 like kinds.test.ts: every
// phase forward, its rollback (the schema must come back exactly: by fingerprint, by pg_dump, and by every
// object's effective ACL, the owner's own privileges included), forward again; then the target, a database
// built directly from it, and an empty plan when planned again.
//
// Roles belong to the cluster and the scenarios run concurrently: each test file run makes roles with a
// random prefix, and drops them when every database that used them is gone.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeKind } from '../../../src/diff/index.js';
import { ident } from '../../../src/db/quote.js';
import { introspect } from '../../../src/introspect/index.js';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';
import { diff } from '../../../src/diff/index.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { schemaDump } from '../../support/pgdump.js';
import { checkScenario, planScenario, targetFromSql, type ScenarioDatabase } from '../../support/scenario.js';

const PG15 = '/usr/lib/postgresql/15/bin/postgres';
const P = `g${randomBytes(4).toString('hex')}`;
/** Unique role names for this run. */
const APP = `${P}_app`;
const RO = `${P}_ro`;
const DEPLOY = `${P}_deploy`;
const ROLES = [APP, RO, DEPLOY];

let server: EmbeddedServer | undefined;
let admin: pg.Client | undefined;

beforeAll(async () => {
  if (!existsSync(PG15)) throw new Error(`${PG15} is missing: install the Debian package postgresql-15`);
  server = await startEmbedded({ major: 15 });
  admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  for (const r of ROLES) await admin.query(`CREATE ROLE ${ident(r)} NOLOGIN`);
});

afterAll(async () => {
  for (const r of ROLES) await admin?.query(`DROP ROLE IF EXISTS ${ident(r)}`).catch(() => undefined);
  await admin?.end().catch(() => undefined);
  await server?.stop();
});

function databases(onFinished: (fn: () => Promise<void>) => void): () => Promise<ScenarioDatabase> {
  return async () => {
    if (!server || !admin) throw new Error('the PostgreSQL 15 server did not start');
    const name = `g_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${ident(name)}`);
    const client = new pg.Client({ connectionString: server.url(name) });
    client.on('error', () => undefined);
    await client.connect();
    onFinished(async () => {
      await client.end().catch(() => undefined);
      await admin?.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    });
    return { client, url: server.url(name) };
  };
}

/**
 * Every object's effective ACL (the default one when the catalog holds NULL: the owner's implicit privileges
 * are compared too) and every default ACL, as text: the witness pg_dump --no-privileges is not.
 */
const ACLS = `
SELECT 'schema ' || n.nspname || ' ' || coalesce(n.nspacl, acldefault('n', n.nspowner))::text AS line
  FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
UNION ALL
SELECT 'relation ' || c.oid::regclass::text || ' ' || coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
UNION ALL
SELECT 'column ' || c.oid::regclass::text || '.' || a.attname || ' ' || coalesce(a.attacl, '{}')::text
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND a.attnum > 0 AND NOT a.attisdropped
    AND c.relkind IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl, acldefault('f', p.proowner))::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
UNION ALL
SELECT 'type ' || t.oid::regtype::text || ' ' || coalesce(t.typacl, acldefault('T', t.typowner))::text
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND t.typtype = 'e'
UNION ALL
SELECT 'default ' || pg_get_userbyid(d.defaclrole) || ' ' || d.defaclnamespace::regnamespace::text || ' '
    || d.defaclobjtype::text || ' ' || d.defaclacl::text
  FROM pg_default_acl d
ORDER BY 1`;

async function witness(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const acls = (await c.query<{ line: string }>(ACLS)).rows.map((r) => r.line).join('\n');
    return `${await schemaDump(url)}\n-- ACLs\n${acls}\n`;
  } finally {
    await c.end();
  }
}

const CUSTOMERS = `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  name text
);
INSERT INTO customers (email, name) VALUES ('ana@example.com', 'Ana'), ('bo@example.org', NULL);`;

const OBJECTS = `${CUSTOMERS}
CREATE SCHEMA billing;
CREATE TYPE billing.mood AS ENUM ('ok', 'bad');
CREATE SEQUENCE billing.invoice_no;
CREATE FUNCTION billing.total(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE VIEW billing.customer_emails AS SELECT id, email FROM public.customers;`;

interface GrantScenario {
  readonly name: string;
  readonly kinds: readonly ChangeKind[];
  readonly source: string;
  /** SQL building the target on a scratch database (read back as YAML: introspection round trip included). */
  readonly target: string;
  readonly schemas?: readonly string[];
  readonly plan?: (plan: Plan) => void;
}

const sqlOf = (plan: Plan, kind: ChangeKind) =>
  allSteps(plan)
    .filter((s) => s.change === kind)
    .map((s) => ({ phase: s.phase, release: s.release, sql: s.sql, rollback: s.rollback }));

const SCENARIOS: readonly GrantScenario[] = [
  {
    name: 'on an existing table: privileges, column privileges, grant option',
    kinds: ['grant_privileges'],
    source: CUSTOMERS,
    target: `${CUSTOMERS}
GRANT SELECT, INSERT ON customers TO ${APP};
GRANT UPDATE ON customers TO ${APP} WITH GRANT OPTION;
GRANT SELECT (id, email), UPDATE (name) ON customers TO ${RO};`,
    plan: (p) =>
      expect(sqlOf(p, 'grant_privileges')).toEqual([
        {
          phase: 'expand',
          release: 1,
          sql: `GRANT INSERT, SELECT ON TABLE public.customers TO ${APP}`,
          rollback: [`REVOKE INSERT, SELECT ON TABLE public.customers FROM ${APP}`],
        },
        {
          phase: 'expand',
          release: 1,
          sql: `GRANT UPDATE ON TABLE public.customers TO ${APP} WITH GRANT OPTION`,
          rollback: [`REVOKE UPDATE ON TABLE public.customers FROM ${APP}`],
        },
        {
          phase: 'expand',
          release: 1,
          sql: `GRANT SELECT (email, id), UPDATE (name) ON TABLE public.customers TO ${RO}`,
          rollback: [`REVOKE SELECT (email, id), UPDATE (name) ON TABLE public.customers FROM ${RO}`],
        },
      ]),
  },
  {
    name: 'the grant option alone, on privileges already held',
    kinds: ['grant_privileges'],
    source: `${CUSTOMERS}
GRANT SELECT ON customers TO ${APP};`,
    target: `${CUSTOMERS}
GRANT SELECT ON customers TO ${APP} WITH GRANT OPTION;`,
    plan: (p) =>
      expect(sqlOf(p, 'grant_privileges')).toEqual([
        {
          phase: 'expand',
          release: 1,
          sql: `GRANT SELECT ON TABLE public.customers TO ${APP} WITH GRANT OPTION`,
          rollback: [`REVOKE GRANT OPTION FOR SELECT ON TABLE public.customers FROM ${APP}`],
        },
      ]),
  },
  {
    name: 'on a table, a schema, a sequence, a function, a type and a view the plan creates',
    kinds: ['grant_privileges', 'add_table', 'create_schema'],
    source: `SELECT 1;`,
    target: `${OBJECTS}
GRANT SELECT ON customers TO ${APP};
GRANT USAGE ON SCHEMA billing TO ${APP};
GRANT USAGE ON SEQUENCE billing.invoice_no TO ${APP};
GRANT EXECUTE ON FUNCTION billing.total(integer, integer) TO ${APP} WITH GRANT OPTION;
GRANT USAGE ON TYPE billing.mood TO ${APP} WITH GRANT OPTION;
GRANT SELECT ON billing.customer_emails TO ${RO};
GRANT SELECT (email) ON billing.customer_emails TO ${APP};`,
    schemas: ['public', 'billing'],
    plan: (p) =>
      expect(sqlOf(p, 'grant_privileges').map((s) => s.sql)).toEqual(
        expect.arrayContaining([
          `GRANT USAGE ON SCHEMA billing TO ${APP}`,
          `GRANT USAGE ON SEQUENCE billing.invoice_no TO ${APP}`,
          `GRANT EXECUTE ON FUNCTION billing.total(a integer, b integer) TO ${APP} WITH GRANT OPTION`,
          `GRANT USAGE ON TYPE billing.mood TO ${APP} WITH GRANT OPTION`,
          `GRANT SELECT ON TABLE billing.customer_emails TO ${RO}`,
          `GRANT SELECT (email) ON TABLE billing.customer_emails TO ${APP}`,
          `GRANT SELECT ON TABLE public.customers TO ${APP}`,
        ]),
      ),
  },
  {
    name: 'revoked on every class of object, the grant option alone, column privileges',
    kinds: ['revoke_privileges'],
    source: `${OBJECTS}
GRANT SELECT, INSERT ON customers TO ${APP};
GRANT SELECT ON customers TO ${RO} WITH GRANT OPTION;
GRANT SELECT (email), UPDATE (name) ON customers TO ${RO};
GRANT USAGE, CREATE ON SCHEMA billing TO ${APP};
GRANT USAGE, SELECT ON SEQUENCE billing.invoice_no TO ${APP} WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION billing.total(integer, integer) TO ${APP};
GRANT USAGE ON TYPE billing.mood TO ${APP} WITH GRANT OPTION;
GRANT SELECT ON billing.customer_emails TO ${RO};`,
    target: `${OBJECTS}
GRANT SELECT ON customers TO ${APP};
GRANT SELECT ON customers TO ${RO};
GRANT UPDATE (name) ON customers TO ${RO};
GRANT USAGE ON SCHEMA billing TO ${APP};`,
    schemas: ['public', 'billing'],
    plan: (p) => {
      const revokes = sqlOf(p, 'revoke_privileges');
      expect(revokes.every((r) => r.phase === 'contract' && r.release === 1)).toBe(true);
      expect(revokes.map((r) => [r.sql, r.rollback])).toEqual(
        expect.arrayContaining([
          [`REVOKE CREATE ON SCHEMA billing FROM ${APP}`, [`GRANT CREATE ON SCHEMA billing TO ${APP}`]],
          [
            `REVOKE SELECT, USAGE ON SEQUENCE billing.invoice_no FROM ${APP}`,
            [`GRANT SELECT, USAGE ON SEQUENCE billing.invoice_no TO ${APP} WITH GRANT OPTION`],
          ],
          [
            `REVOKE EXECUTE ON FUNCTION billing.total(a integer, b integer) FROM ${APP}`,
            [`GRANT EXECUTE ON FUNCTION billing.total(a integer, b integer) TO ${APP}`],
          ],
          [
            `REVOKE USAGE ON TYPE billing.mood FROM ${APP}`,
            [`GRANT USAGE ON TYPE billing.mood TO ${APP} WITH GRANT OPTION`],
          ],
          [
            `REVOKE SELECT ON TABLE billing.customer_emails FROM ${RO}`,
            [`GRANT SELECT ON TABLE billing.customer_emails TO ${RO}`],
          ],
          [`REVOKE INSERT ON TABLE public.customers FROM ${APP}`, [`GRANT INSERT ON TABLE public.customers TO ${APP}`]],
          [
            `REVOKE GRANT OPTION FOR SELECT ON TABLE public.customers FROM ${RO}`,
            [`GRANT SELECT ON TABLE public.customers TO ${RO} WITH GRANT OPTION`],
          ],
          [
            `REVOKE SELECT (email) ON TABLE public.customers FROM ${RO}`,
            [`GRANT SELECT (email) ON TABLE public.customers TO ${RO}`],
          ],
        ]),
      );
    },
  },
  {
    name: 'on objects the plan drops: revoked in the drop release, before the drop',
    kinds: ['revoke_privileges', 'drop_table'],
    source: `${CUSTOMERS}
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
GRANT SELECT, UPDATE ON notes TO ${APP};
GRANT SELECT (name) ON customers TO ${RO};`,
    target: `CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL
);`,
    plan: (p) => {
      const steps = allSteps(p);
      const revoke = steps.findIndex((s) => s.sql === `REVOKE SELECT, UPDATE ON TABLE public.notes FROM ${APP}`);
      const drop = steps.findIndex((s) => s.change === 'drop_table');
      expect(revoke).toBeGreaterThanOrEqual(0);
      expect(steps[revoke]?.release).toBe(steps[drop]?.release);
      expect(steps[revoke]?.phase).toBe('contract');
      expect(revoke).toBeLessThan(drop);
      const column = steps.find((s) => s.sql === `REVOKE SELECT (name) ON TABLE public.customers FROM ${RO}`);
      expect(column?.release).toBe(steps.find((s) => s.change === 'drop_column')?.release);
    },
  },
  {
    name: 'default privileges, in a schema and in every schema, with the grant option',
    kinds: ['grant_default_privileges'],
    source: `CREATE SCHEMA billing;`,
    target: `CREATE SCHEMA billing;
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT SELECT, INSERT ON TABLES TO ${APP};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON SEQUENCES TO ${APP} WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT EXECUTE ON FUNCTIONS TO ${RO};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON SCHEMAS TO ${RO};`,
    schemas: ['billing'],
    plan: (p) =>
      expect(sqlOf(p, 'grant_default_privileges').map((s) => [s.phase, s.sql, s.rollback])).toEqual([
        [
          'expand',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT EXECUTE ON FUNCTIONS TO ${RO}`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} REVOKE EXECUTE ON FUNCTIONS FROM ${RO}`],
        ],
        [
          'expand',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON SCHEMAS TO ${RO}`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} REVOKE USAGE ON SCHEMAS FROM ${RO}`],
        ],
        [
          'expand',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON SEQUENCES TO ${APP} WITH GRANT OPTION`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} REVOKE USAGE ON SEQUENCES FROM ${APP}`],
        ],
        [
          'expand',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT INSERT, SELECT ON TABLES TO ${APP}`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing REVOKE INSERT, SELECT ON TABLES FROM ${APP}`],
        ],
      ]),
  },
  {
    name: 'default privileges revoked, the grant option alone',
    kinds: ['revoke_default_privileges'],
    source: `CREATE SCHEMA billing;
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT SELECT, INSERT ON TABLES TO ${APP};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON TYPES TO ${APP} WITH GRANT OPTION;`,
    target: `CREATE SCHEMA billing;
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT SELECT ON TABLES TO ${APP};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON TYPES TO ${APP};`,
    schemas: ['billing'],
    plan: (p) =>
      expect(sqlOf(p, 'revoke_default_privileges').map((s) => [s.phase, s.sql, s.rollback])).toEqual([
        [
          'contract',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} REVOKE GRANT OPTION FOR USAGE ON TYPES FROM ${APP}`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT USAGE ON TYPES TO ${APP} WITH GRANT OPTION`],
        ],
        [
          'contract',
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing REVOKE INSERT ON TABLES FROM ${APP}`,
          [`ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT INSERT ON TABLES TO ${APP}`],
        ],
      ]),
  },
  {
    name: 'a table-wide privilege revoked, the column privileges of the same kind kept (REVOKE takes them too)',
    kinds: ['revoke_privileges'],
    source: `${CUSTOMERS}
GRANT SELECT, UPDATE ON customers TO ${APP};
GRANT SELECT (id, email) ON customers TO ${APP};`,
    target: `${CUSTOMERS}
GRANT UPDATE ON customers TO ${APP};
GRANT SELECT (id, email) ON customers TO ${APP};`,
    plan: (p) =>
      expect(
        allSteps(p)
          .filter((s) => s.phase === 'contract')
          .map((s) => [s.sql, s.rollback]),
      ).toEqual([
        [`REVOKE SELECT ON TABLE public.customers FROM ${APP}`, [`GRANT SELECT ON TABLE public.customers TO ${APP}`]],
        [`GRANT SELECT (email, id) ON TABLE public.customers TO ${APP}`, []],
      ]),
  },
  {
    name: 'a materialized view rebuilt (drop and create) keeps its grants, and its rollback too',
    kinds: ['replace_view'],
    source: `${CUSTOMERS}
CREATE MATERIALIZED VIEW emails AS SELECT id FROM customers;
GRANT SELECT ON emails TO ${RO};`,
    target: `${CUSTOMERS}
CREATE MATERIALIZED VIEW emails AS SELECT id, email FROM customers;
GRANT SELECT ON emails TO ${RO};`,
  },
  {
    name: 'an enum recreated (a value removed) keeps its grants, and its rollback too',
    kinds: ['recreate_enum'],
    source: `CREATE TYPE mood AS ENUM ('ok', 'meh', 'bad');
CREATE TABLE feelings (id bigint PRIMARY KEY, m mood);
GRANT USAGE ON TYPE mood TO ${APP} WITH GRANT OPTION;`,
    target: `CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE TABLE feelings (id bigint PRIMARY KEY, m mood);
GRANT USAGE ON TYPE mood TO ${APP} WITH GRANT OPTION;`,
  },
];

describe('grants and default privileges, rehearsed on PostgreSQL 15', () => {
  for (const s of SCENARIOS) {
    it.concurrent(`${s.kinds.join(', ')}: ${s.name}`, async ({ onTestFinished }) => {
      const fresh = databases(onTestFinished);
      const db = await fresh();
      const yaml = await targetFromSql(await fresh(), s.target, s.schemas ?? ['public']);
      const scenario = await planScenario(db, s.source, yaml, { alsoRead: s.schemas ?? ['public'] });
      const kinds = allSteps(scenario.plan).map((x) => x.change);
      for (const k of s.kinds) expect(kinds).toContain(k);
      s.plan?.(scenario.plan);
      await checkScenario(db, scenario, { freshDatabase: fresh, dump: witness });
    });
  }

  it.concurrent('an explicit ACL equal to the default (NULL) plans nothing', async ({ onTestFinished }) => {
    const fresh = databases(onTestFinished);
    const db = await fresh();
    // GRANT then REVOKE leaves relacl explicit ({owner=arwdDxt/owner}) where it was NULL: the same privileges.
    const source = `${OBJECTS}
GRANT SELECT ON customers TO ${APP}; REVOKE SELECT ON customers FROM ${APP};
GRANT USAGE ON SCHEMA billing TO ${APP}; REVOKE USAGE ON SCHEMA billing FROM ${APP};
GRANT EXECUTE ON FUNCTION billing.total(integer, integer) TO ${APP}; REVOKE EXECUTE ON FUNCTION billing.total(integer, integer) FROM ${APP};
GRANT USAGE ON TYPE billing.mood TO ${APP}; REVOKE USAGE ON TYPE billing.mood FROM ${APP};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT SELECT ON TABLES TO ${APP};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} REVOKE SELECT ON TABLES FROM ${APP};`;
    const yaml = await targetFromSql(await fresh(), OBJECTS, ['public', 'billing']);
    const scenario = await planScenario(db, source, yaml, { alsoRead: ['public', 'billing'] });
    const acl = await db.client.query<{ relacl: string | null }>(
      `SELECT relacl::text FROM pg_class WHERE oid = 'public.customers'::regclass`,
    );
    expect(acl.rows[0]?.relacl).not.toBeNull();
    expect(allSteps(scenario.plan).map((x) => x.description)).toEqual([]);
  });

  it.concurrent('introspect -> YAML -> diff: no change on a database with grants', async ({ onTestFinished }) => {
    const fresh = databases(onTestFinished);
    const db = await fresh();
    await db.client.query(`${OBJECTS}
GRANT SELECT, INSERT ON customers TO ${APP} WITH GRANT OPTION;
GRANT SELECT (id), UPDATE (name, email) ON customers TO ${RO};
GRANT USAGE ON SCHEMA billing TO ${APP}, ${RO};
GRANT USAGE ON SEQUENCE billing.invoice_no TO ${APP};
GRANT EXECUTE ON FUNCTION billing.total(integer, integer) TO ${APP};
GRANT USAGE ON TYPE billing.mood TO ${APP} WITH GRANT OPTION;
GRANT SELECT ON billing.customer_emails TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} IN SCHEMA billing GRANT SELECT ON TABLES TO ${RO};
ALTER DEFAULT PRIVILEGES FOR ROLE ${DEPLOY} GRANT EXECUTE ON FUNCTIONS TO ${APP} WITH GRANT OPTION;`);
    await prepareSession(db.client);
    const live = await introspect(db.client, { includeSchemas: ['public', 'billing'] });
    const yaml = toYaml(live);
    expect(yaml).toContain(`- { role: ${RO}, privileges: [ SELECT ], columns: [ id ] }`);
    expect(yaml).toContain(`- { role: ${RO}, privileges: [ UPDATE ], columns: [ email, name ] }`);
    expect(yaml).toContain(`- { role: ${APP}, privileges: [ INSERT, SELECT ], withGrantOption: true }`);
    expect(yaml).toContain(`- { role: PUBLIC, privileges: [ SELECT ] }`);
    expect(yaml).toContain(
      `  - forRole: ${DEPLOY}\n    on: functions\n    role: ${APP}\n    privileges: [ EXECUTE ]\n    withGrantOption: true\n`,
    );
    expect(yaml).toContain(
      `  - forRole: ${DEPLOY}\n    schema: billing\n    on: tables\n    role: ${RO}\n    privileges: [ SELECT ]\n`,
    );
    expect(diff(live, parseDeclared(yaml, 'live.yaml'))).toEqual([]);
  });
});
