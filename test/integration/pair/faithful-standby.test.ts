// Issue #15 point 2, a faithful standby (PostgreSQL 15 pair): live holds views, a materialized view, row-level
// security with a policy, an exclusion constraint, an extension, a partitioned table with partitions, a
// REPLICA IDENTITY FULL table without a key, grants to an application role, comments and a trigger. After
// `pair init`, pg_dump --schema-only of both sides is identical (the ledger schema left out); the materialized
// view is filled on the standby; a cutover under writes through PgBouncer succeeds, and UPDATE and DELETE on
// the REPLICA IDENTITY FULL table work on the new live side and reach the old one. A policy dropped by hand
// on the standby is named by pair status and refused by the cutover gate; a role missing on the standby's
// cluster is named by pair init's refusal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { eventually, freshPair, type TestPair } from '../../support/pair.js';
import { normalizeDump, PG_DUMP } from '../../support/pgdump.js';
import { startPgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable } from '../../support/write-load.js';
import { SwitchyardError } from '../../../src/errors.js';
import { ensureLedger } from '../../../src/executor/ledger.js';

const run = promisify(execFile);

async function rejected(p: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchyardError);
    return e as SwitchyardError;
  }
  throw new Error('expected a refusal');
}
const MAJOR = 15;

/** pg_dump --schema-only --no-publications --no-subscriptions, the ledger schema left out, owners and grants kept. */
async function dump(url: string): Promise<string> {
  const u = new URL(url);
  const { stdout } = await run(
    PG_DUMP,
    ['--schema-only', '--no-publications', '--no-subscriptions', '--exclude-schema=switchyard'],
    {
      env: {
        ...process.env,
        PGHOST: u.hostname,
        PGPORT: u.port,
        PGUSER: decodeURIComponent(u.username),
        PGPASSWORD: decodeURIComponent(u.password),
        PGDATABASE: u.pathname.slice(1),
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return normalizeDump(stdout);
}

/** The application role on both clusters (roles are cluster-wide); its grants are made on live only. */
async function appRole(pair: TestPair): Promise<string> {
  for (const side of [pair.blue, pair.green])
    await side.client.query(
      `DO $$ BEGIN CREATE ROLE app_writer LOGIN PASSWORD 'app-secret'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
  const url = new URL(pair.blue.url);
  url.username = 'app_writer';
  url.password = 'app-secret';
  return url.toString();
}

const LIVE = `
CREATE EXTENSION citext;
CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email citext NOT NULL UNIQUE,
  owner_name text NOT NULL DEFAULT current_user);
COMMENT ON TABLE accounts IS 'customer accounts';
COMMENT ON COLUMN accounts.email IS 'login, without case';
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON accounts FOR SELECT TO app_writer USING (owner_name = current_user);
COMMENT ON POLICY own_rows ON accounts IS 'each role sees its own rows';
CREATE TABLE bookings (id bigint PRIMARY KEY, room int NOT NULL, during tstzrange NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&));
CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, kind text NOT NULL, PRIMARY KEY (id, at))
  PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind ON events (kind);
CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, message text);
ALTER TABLE audit_log REPLICA IDENTITY FULL;
CREATE FUNCTION touch_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.message := coalesce(NEW.message, 'touched'); RETURN NEW; END $$;
CREATE TRIGGER audit_touch BEFORE INSERT OR UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION touch_message();
COMMENT ON TRIGGER audit_touch ON audit_log IS 'fills the message';
CREATE VIEW recent_events AS SELECT id, at, kind FROM events WHERE at >= '2025-06-01';
CREATE VIEW recent_kinds AS SELECT kind, count(*) AS n FROM recent_events GROUP BY kind;
CREATE MATERIALIZED VIEW event_counts AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
CREATE UNIQUE INDEX event_counts_kind ON event_counts (kind);
COMMENT ON MATERIALIZED VIEW event_counts IS 'refreshed nightly';
${writeLoadTable('writes')};
GRANT USAGE ON SCHEMA public TO app_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, bookings, events, audit_log, writes TO app_writer;
GRANT SELECT ON recent_events, recent_kinds, event_counts TO app_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer;
INSERT INTO accounts (email) VALUES ('A@example.com'), ('b@example.com');
INSERT INTO bookings VALUES (1, 1, '[2025-01-01, 2025-01-02)');
INSERT INTO events SELECT g, timestamptz '2025-01-01' + g * interval '3 days', 'k' || g % 4 FROM generate_series(1, 200) g;
INSERT INTO audit_log (actor, message) SELECT 'actor' || g, NULL FROM generate_series(1, 30) g;
REFRESH MATERIALIZED VIEW event_counts;`;

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

async function livePair(): Promise<{ pair: TestPair; appUrl: string }> {
  const pair = await freshPair('', { major: MAJOR });
  const appUrl = await appRole(pair);
  await pair.blue.client.query(LIVE);
  return { pair, appUrl };
}

describe('a faithful standby (PostgreSQL 15)', () => {
  it('builds every object of live on the standby: pg_dump --schema-only of both sides is identical; cutover under writes; UPDATE/DELETE on the REPLICA IDENTITY FULL table on the new live side', async () => {
    const { pair, appUrl } = await livePair();
    const r = await pairInit(pair.config, { timeoutMs: 120_000 });
    expect(r.schema.action).toBe('built');
    expect(r.steps.find((s) => s.step === 'refresh')?.detail).toContain('public.event_counts');
    // The model-based grant and replica identity copies that follow find nothing left to do.
    expect(r.steps.find((s) => s.step === 'grants')?.detail).toBe('0 grant(s) copied from blue to green');
    expect(r.steps.find((s) => s.step === 'replica_identity')?.detail).toBe(
      'every table on green has the replica identity it has on blue',
    );

    const [blue, green] = [await dump(pair.blue.url), await dump(pair.green.url)];
    expect(green).toBe(blue);
    // What the issue found missing is in the dump compared above; a few spot checks that it is not empty.
    for (const needle of [
      'CREATE POLICY own_rows',
      'ENABLE ROW LEVEL SECURITY',
      'EXCLUDE USING gist',
      'PARTITION BY RANGE',
      'ATTACH PARTITION public.events_2026',
      'REPLICA IDENTITY FULL',
      'CREATE MATERIALIZED VIEW public.event_counts',
      'CREATE TRIGGER audit_touch',
      'GRANT SELECT ON TABLE public.recent_events TO app_writer',
      "COMMENT ON POLICY own_rows ON public.accounts IS 'each role sees its own rows'",
      'CREATE EXTENSION IF NOT EXISTS citext',
    ])
      expect(blue).toContain(needle);
    // The materialized view was filled after the copy (the copy does not carry it).
    const counts = 'SELECT kind, n FROM event_counts ORDER BY kind';
    expect((await pair.green.client.query(counts)).rows).toEqual((await pair.blue.client.query(counts)).rows);

    const status = await pairStatus(pair.config);
    expect(status.catalog?.equal).toBe(true);
    expect(status.problems).toEqual([]);

    // Cutover under writes through PgBouncer.
    const bouncer = await startPgBouncer(appUrl);
    stops.push(() => bouncer.stop());
    const config = {
      ...pair.config,
      router: {
        kind: 'pgbouncer' as const,
        admin: bouncer.adminUrl,
        config: bouncer.iniPath,
        database: bouncer.database,
      },
    };
    const load = startWriteLoad(bouncer.url, 'writes', { clients: 8 });
    let report: Awaited<ReturnType<typeof runSwitch>>;
    try {
      await load.waitForMore(200);
      report = await runSwitch('cutover', config);
      await load.waitForMore(200);
    } finally {
      const result = await load.stop();
      expect(result.failed).toBe(0);
    }
    expect(report.outcome).toBe('switched');
    expect(report.gate.find((g) => g.check === 'catalog')).toMatchObject({ ok: true });
    expect(report.to).toBe('green');

    // The new live side updates and deletes rows of the table without a key (REPLICA IDENTITY FULL)...
    await pair.green.client.query(`UPDATE audit_log SET message = 'updated on green' WHERE actor = 'actor1'`);
    await pair.green.client.query(`DELETE FROM audit_log WHERE actor = 'actor2'`);
    // ...and both reach the old side through the reverse stream.
    await eventually('the update and delete reach blue', async () => {
      const { rows } = await pair.blue.client.query<{ m: string | null; gone: boolean }>(
        `SELECT (SELECT message FROM audit_log WHERE actor = 'actor1') AS m, NOT EXISTS (SELECT FROM audit_log WHERE actor = 'actor2') AS gone`,
      );
      return rows[0]!.m === 'updated on green' && rows[0]!.gone;
    });
  }, 300_000);

  it('copies every class the inventory reads that the copy writes: pg_dump --schema-only of both sides is identical', async () => {
    const pair = await freshPair('', { major: MAJOR });
    await appRole(pair);
    await pair.blue.client.query(`
      CREATE EXTENSION pg_trgm;
      CREATE SCHEMA app;
      COMMENT ON SCHEMA app IS 'the application';
      CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN app.email AS text COLLATE "C" DEFAULT 'x@example.com' NOT NULL CONSTRAINT email_at CHECK (VALUE LIKE '%@%');
      COMMENT ON DOMAIN app.email IS 'an address';
      COMMENT ON CONSTRAINT email_at ON DOMAIN app.email IS 'has an at sign';
      CREATE TYPE app.pair AS (a int, b text COLLATE "C");
      CREATE TYPE app.floatrange AS RANGE (subtype = float8);
      CREATE SEQUENCE app.tickets AS integer START WITH 100 INCREMENT BY 5 MAXVALUE 100000 CACHE 2 CYCLE;
      CREATE TABLE app.people (id serial PRIMARY KEY, mail app.email, mood app.mood, name text COLLATE "C",
        bio text, born date, score numeric(8,2) GENERATED ALWAYS AS (length(bio)::numeric) STORED,
        CONSTRAINT people_born CHECK (born > '1900-01-01') NOT VALID) WITH (fillfactor = 80, autovacuum_enabled = false);
      ALTER TABLE app.people ALTER COLUMN bio SET STORAGE EXTERNAL, ALTER COLUMN bio SET STATISTICS 500,
        ALTER COLUMN bio SET COMPRESSION pglz, ALTER COLUMN name SET (n_distinct = 100);
      ALTER SEQUENCE app.tickets OWNED BY app.people.id;
      CREATE INDEX people_name_trgm ON app.people USING gin (name gin_trgm_ops) WITH (fastupdate = off);
      CREATE INDEX people_lower ON app.people (lower(name)) WHERE born IS NOT NULL;
      ALTER INDEX app.people_lower ALTER COLUMN 1 SET STATISTICS 300;
      CLUSTER app.people USING people_pkey;
      COMMENT ON INDEX app.people_lower IS 'lookups';
      CREATE STATISTICS app.people_stats (dependencies) ON mood, born FROM app.people;
      ALTER TABLE app.people ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
      CREATE POLICY happy_only ON app.people AS RESTRICTIVE FOR UPDATE TO app_writer, PUBLIC
        USING (mood = 'happy') WITH CHECK (mood <> 'sad');
      CREATE TABLE app.log (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 10) PRIMARY KEY,
        person int REFERENCES app.people ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, at timestamptz DEFAULT now());
      -- No UNLOGGED table: a pair refuses one (logical replication cannot carry its rows; pair/pair.test.ts).
      CREATE RULE log_no_delete AS ON DELETE TO app.log DO INSTEAD NOTHING;
      COMMENT ON RULE log_no_delete ON app.log IS 'append only';
      CREATE FUNCTION app.mark() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = app AS $$
        BEGIN RETURN NEW; END $$;
      COMMENT ON FUNCTION app.mark() IS 'marks';
      CREATE PROCEDURE app.purge(days int) LANGUAGE sql AS $$ DELETE FROM app.log WHERE at < now() - make_interval(days => days) $$;
      CREATE TRIGGER log_mark AFTER INSERT ON app.log FOR EACH ROW WHEN (NEW.person IS NOT NULL) EXECUTE FUNCTION app.mark();
      ALTER TABLE app.log DISABLE TRIGGER log_mark;
      CREATE CONSTRAINT TRIGGER people_check AFTER INSERT ON app.people DEFERRABLE FOR EACH ROW EXECUTE FUNCTION app.mark();
      CREATE VIEW app.happy WITH (security_barrier = true) AS SELECT id, name FROM app.people WHERE mood = 'happy'
        WITH LOCAL CHECK OPTION;
      ALTER VIEW app.happy ALTER COLUMN name SET DEFAULT 'anon';
      COMMENT ON COLUMN app.happy.name IS 'shown';
      CREATE MATERIALIZED VIEW app.moods WITH (fillfactor = 90) AS SELECT mood, count(*) AS n FROM app.people GROUP BY mood WITH NO DATA;
      GRANT USAGE ON SCHEMA app TO app_writer;
      GRANT SELECT (id, name), UPDATE (name) ON app.people TO app_writer;
      GRANT SELECT ON app.happy TO app_writer WITH GRANT OPTION;
      GRANT USAGE ON SEQUENCE app.tickets TO app_writer;
      GRANT USAGE ON TYPE app.mood TO app_writer;
      REVOKE ALL ON FUNCTION app.mark() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION app.mark() TO app_writer;
      REVOKE EXECUTE ON PROCEDURE app.purge(int) FROM PUBLIC;
      ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_writer;
      ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
      INSERT INTO app.people (name, bio, mood) VALUES ('a', 'b', 'happy');`);
    const r = await pairInit(pair.config, { timeoutMs: 120_000 });
    expect(r.schema.action).toBe('built');
    // Not populated on live: left unpopulated on the standby too.
    expect(r.steps.find((s) => s.step === 'refresh')?.detail).toBe('no populated materialized view on blue');
    expect(await dump(pair.green.url)).toBe(await dump(pair.blue.url));
    expect((await pairStatus(pair.config)).catalog?.equal).toBe(true);
  }, 300_000);

  it('pair init refuses, naming them, objects the copy cannot write (an aggregate, a collation)', async () => {
    const pair = await freshPair('', { major: MAJOR });
    await pair.blue.client.query(`CREATE TABLE t (id int PRIMARY KEY, v int);
      CREATE AGGREGATE public.total(int) (sfunc = int4pl, stype = int);
      CREATE COLLATION public.german (provider = icu, locale = 'de-DE')`);
    const e = await rejected(pairInit(pair.config, { timeoutMs: 60_000 }));
    expect(e).toMatchObject({ code: 'PAIR_PREFLIGHT' });
    expect(e.message).toContain('aggregate "public"."total(integer)"');
    expect(e.message).toContain('collation "public"."german"');
    expect(e.message).toContain("pair init accepts a standby whose catalog already equals live's");
    const { rows } = await pair.green.client.query(`SELECT to_regclass('public.t') AS t`);
    expect(rows[0]!.t).toBeNull();
  }, 120_000);

  it('pair status names a policy dropped by hand on the standby and the cutover gate refuses, naming it', async () => {
    const { pair } = await livePair();
    await pairInit(pair.config, { timeoutMs: 120_000 });
    await pair.green.client.query('DROP POLICY own_rows ON accounts');
    const status = await pairStatus(pair.config);
    expect(status.catalog?.equal).toBe(false);
    // The policy, and its comment with it.
    expect(status.catalog?.differences).toEqual([
      'comment on POLICY own_rows ON public.accounts: missing on green',
      'policy own_rows on public.accounts: missing on green',
    ]);

    const dry = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(dry.gate.find((g) => g.check === 'catalog')).toMatchObject({ ok: false });
    const e = await rejected(runSwitch('cutover', pair.config));
    expect(e).toMatchObject({ code: 'GATE' });
    expect((e as Error).message).toContain('policy own_rows on public.accounts: missing on green');
    // Put back as live has it: the gate passes that check again.
    await pair.green.client.query(
      'CREATE POLICY own_rows ON accounts FOR SELECT TO app_writer USING (owner_name = current_user)',
    );
    await pair.green.client.query(`COMMENT ON POLICY own_rows ON accounts IS 'each role sees its own rows'`);
    const again = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(again.gate.find((g) => g.check === 'catalog')).toMatchObject({ ok: true });
  }, 300_000);

  it('while a release is in flight, the gate allows what an expand adds on the standby but not an object missing there', async () => {
    const { pair } = await livePair();
    await pairInit(pair.config, { timeoutMs: 120_000 });
    // A release whose expand ran on the standby (green) and whose contract has not run: as apply records it.
    await ensureLedger(pair.green.client, 'switchyard');
    await pair.green.client.query(`INSERT INTO switchyard.plans (name, number, checksum, planned_for) VALUES ('0001_r', 1, 'x', 'test');
      INSERT INTO switchyard.steps (plan, step_id, release, phase, status, started_at, finished_at)
        VALUES ('0001_r', 's1', 1, 'expand', 'done', now(), now())`);
    await pair.green.client.query('CREATE INDEX accounts_owner ON accounts (owner_name)');
    const added = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(added.gate.find((g) => g.check === 'catalog')).toMatchObject({
      ok: true,
      detail: expect.stringContaining(
        'expected while 0001_r release 1 is in flight: index public.accounts_owner: only on green',
      ),
    });
    expect((await pairStatus(pair.config)).catalog?.inFlight).toEqual(['0001_r release 1']);
    await pair.green.client.query('DROP POLICY own_rows ON accounts');
    const dropped = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(dropped.gate.find((g) => g.check === 'catalog')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('policy own_rows on public.accounts: missing on green'),
    });
  }, 300_000);

  it('pair init refuses, naming it, a role that is granted objects on live but missing on the standby cluster', async () => {
    const { pair } = await livePair();
    const role = `auditor_${randomBytes(3).toString('hex')}`;
    await pair.blue.client.query(`CREATE ROLE ${role} NOLOGIN; GRANT SELECT ON audit_log TO ${role}`);
    stops.push(async () => {
      await pair.blue.client.query(`REVOKE ALL ON audit_log FROM ${role}; DROP ROLE ${role}`);
    });
    const e = await rejected(pairInit(pair.config, { timeoutMs: 60_000 }));
    expect(e).toMatchObject({ code: 'PAIR_PREFLIGHT' });
    expect((e as Error).message).toContain(`role ${role} (privileges on TABLE public.audit_log)`);
    expect((e as Error).message).toContain(`CREATE ROLE ${role}`);
    // Nothing was built on the standby.
    const { rows } = await pair.green.client.query(`SELECT to_regclass('public.audit_log') AS t`);
    expect(rows[0]!.t).toBeNull();
  }, 120_000);
});
