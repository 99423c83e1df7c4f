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
