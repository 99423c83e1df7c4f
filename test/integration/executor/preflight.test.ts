// Preflight on a real PostgreSQL: each check provoked into its failing or warning state, and passing once
// the cause is gone. The example plan (migrations/example) is planned once; every test builds its source on
// a fresh database.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { ensureLedger, markStepRunning, recordPlan } from '../../../src/executor/ledger.js';
import { withAdvisoryLock } from '../../../src/executor/lock.js';
import {
  capacityCheck, concurrentlyIsBroken, concurrentlyVerdict, diskVerdict, phaseEstimates, replicationRoleCheck, runPreflight, runReplicationChecks, walLevelCheck, wraparoundVerdict,
  type Check, type PreflightConfig, type PreflightInput,
} from '../../../src/executor/preflight.js';
import { planToYaml } from '../../../src/planner/file.js';
import type { Plan, Step } from '../../../src/planner/types.js';
import { startEmbedded } from '../../../src/rehearsal/embedded.js';
import { writeReport, type RehearsalReport } from '../../../src/rehearsal/report.js';
import { ident } from '../../../src/sql/quote.js';
import { cli } from '../../support/cli.js';
import { freshDatabase, urlFor, type TestDatabase } from '../../support/db.js';
import { planScenario } from '../../support/scenario.js';

// The lead wires `preflight` into the command index; until then the CLI test registers it itself.

const SOURCE = readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8');
const TARGET = readFileSync(join(EXAMPLE_DIR, 'schema.yaml'), 'utf8');
/** The example plan drops a column and renames: hazards a reviewer allows. */
const ALLOWED: PreflightConfig['allowHazards'] = ['DELETES_DATA', 'BREAKS_OLD_APP'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let plan: Plan;

beforeAll(async () => {
  const db = await freshDatabase();
  plan = (await planScenario(db, SOURCE, TARGET)).plan;
});

interface Setup {
  readonly db: TestDatabase;
  readonly dir: string;
  readonly planPath: string;
  readonly config: PreflightConfig;
}

function report(p: Plan, over: Partial<RehearsalReport> = {}): RehearsalReport {
  return { format: 1, plan: p.name, checksum: p.checksum, passed: true, engine: 'embedded', server: '17', startedAt: new Date().toISOString(), ms: 1, sampleRows: 20, phases: [], ...over };
}

/** A fresh source database, a passing rehearsal report, a fresh backup file and a generous window. */
async function setup(): Promise<Setup> {
  const db = await freshDatabase();
  await db.client.query(SOURCE);
  const dir = mkdtempSync(join(tmpdir(), 'sy-preflight-'));
  const planPath = join(dir, '0001_scenario.plan.yaml');
  await writeReport(planPath, report(plan));
  writeFileSync(join(dir, 'backup.dump'), 'dump');
  const config: PreflightConfig = { ledgerSchema: 'switchyard', allowHazards: ALLOWED, root: dir, windowMinutes: 60, backup: { file: 'backup.dump', maxAgeHours: 24 } };
  return { db, dir, planPath, config };
}

async function preflight(s: Setup, over: Partial<PreflightInput> = {}): Promise<Map<string, Check>> {
  const r = await runPreflight({ plan, planPath: s.planPath, db: s.db.client, config: s.config, ...over });
  expect(r.ok).toBe(r.checks.every((c) => c.status !== 'fail'));
  return new Map(r.checks.map((c) => [c.id, c]));
}

const only = (checks: Map<string, Check>, id: string): Check => {
  const c = checks.get(id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

function mapSteps(p: Plan, fn: (s: Step) => Step): Plan {
  return { ...p, releases: p.releases.map((r) => ({ ...r, expand: r.expand.map(fn), backfill: r.backfill.map(fn), contract: r.contract.map(fn) })) };
}

const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

describe('preflight on a healthy database', () => {
  it('runs more than 20 checks with stable ids, and every one passes', async () => {
    const s = await setup();
    const r = await runPreflight({ plan, planPath: s.planPath, db: s.db.client, config: s.config });
    expect(r.checks.length).toBeGreaterThanOrEqual(20);
    expect(new Set(r.checks.map((c) => c.id)).size).toBe(r.checks.length);
    for (const c of r.checks) expect(c.id).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
    expect(r.ok).toBe(true);
    const checks = new Map(r.checks.map((c) => [c.id, c]));
    expect(only(checks, 'disk-headroom').detail).toMatch(/free on the volume of/);
    expect(only(checks, 'backfill-keys').detail).toContain('public.employees');
  });
});

describe('sessions', () => {
  it('a lock request waiting behind an open transaction fails pending-locks, idle-in-transaction and long-transactions', async () => {
    const s = await setup();
    const holder = await s.db.connect();
    const waiter = await s.db.connect();
    const [holderPid, waiterPid] = [await pidOf(holder), await pidOf(waiter)];
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE');
    const waiting = waiter.query('SELECT count(*) FROM public.users');
    for (let i = 0; i < 50; i++) {
      const { rows } = await s.db.client.query('SELECT 1 FROM pg_locks WHERE NOT granted AND pid = $1', [waiterPid]);
      if (rows.length) break;
      await sleep(20);
    }
    await sleep(300);
    const thresholds = { longTransactionSeconds: 0.2, idleInTransactionSeconds: 0.2 };
    const bad = await preflight(s, { thresholds });
    const locks = only(bad, 'pending-locks');
    expect(locks.status).toBe('fail');
    expect(locks.detail).toContain(`pid ${waiterPid} waits`);
    expect(locks.detail).toContain('public.users');
    expect(locks.detail).toContain(`blocked by pid ${holderPid}`);
    expect(locks.fix).toContain('pg_terminate_backend');
    const idle = only(bad, 'idle-in-transaction');
    expect(idle.status).toBe('fail');
    expect(idle.detail).toContain(`pid ${holderPid}`);
    expect(idle.detail).toContain('holding locks on public.users');
    const long = only(bad, 'long-transactions');
    expect(long.status).toBe('fail');
    expect(long.detail).toContain(`pid ${holderPid}`);
    // Preflight reads sizes with a short lock_timeout: it reports the lock instead of queueing behind it.
    expect(only(bad, 'disk-headroom')).toMatchObject({ status: 'warn' });
    expect(only(bad, 'disk-headroom').detail).toContain('another session holds a lock');

    await holder.query('COMMIT');
    await waiting;
    const good = await preflight(s, { thresholds: { longTransactionSeconds: 0.2, idleInTransactionSeconds: 0.2 } });
    for (const id of ['pending-locks', 'idle-in-transaction', 'long-transactions']) expect(only(good, id).status, only(good, id).detail).toBe('pass');
  });

  it('a lock wait on a table the plan does not lock is a warning', async () => {
    const s = await setup();
    const holder = await s.db.connect();
    const waiter = await s.db.connect();
    const waiterPid = await pidOf(waiter);
    await holder.query('BEGIN; LOCK TABLE central.tenants IN ACCESS EXCLUSIVE MODE');
    const waiting = waiter.query('SELECT count(*) FROM central.tenants');
    for (let i = 0; i < 50 && !(await s.db.client.query('SELECT 1 FROM pg_locks WHERE NOT granted AND pid = $1', [waiterPid])).rows.length; i++) await sleep(20);
    const c = only(await preflight(s), 'pending-locks');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain(`pid ${waiterPid} waits`);
    expect(c.detail).toContain('on central.tenants');
    await holder.query('COMMIT');
    await waiting;
  });

  it('a session idle in a transaction without locks on the plan tables is a warning', async () => {
    const s = await setup();
    const idle = await s.db.connect();
    await idle.query('BEGIN');
    await idle.query('SELECT 1');
    await sleep(300);
    const c = only(await preflight(s, { thresholds: { idleInTransactionSeconds: 0.2 } }), 'idle-in-transaction');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain(`pid ${await pidOf(idle)} (`);
    expect(c.fix).toContain('idle_in_transaction_session_timeout');
    await idle.query('ROLLBACK');
  });

  it('another executor holding the lock fails executor-lock, naming its pid', async () => {
    const s = await setup();
    const other = await s.db.connect();
    const pid = await pidOf(other);
    const during = await withAdvisoryLock(other, { database: s.db.name, ledgerSchema: 'switchyard' }, 'apply 0001 expand', () => preflight(s));
    expect(only(during, 'executor-lock')).toMatchObject({ status: 'fail' });
    expect(only(during, 'executor-lock').detail).toContain(`pid ${pid}`);
    expect(only(await preflight(s), 'executor-lock').status).toBe('pass');
  });

  it('an inactive replication slot retaining WAL is a warning', async () => {
    const s = await setup();
    const slot = `sy_pf_${randomBytes(4).toString('hex')}`;
    await s.db.client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    try {
      const c = only(await preflight(s, { thresholds: { slotRetainedBytes: 0 } }), 'inactive-replication-slots');
      expect(c.status).toBe('warn');
      expect(c.detail).toContain(slot);
      expect(c.fix).toContain('pg_drop_replication_slot');
      expect(only(await preflight(s), 'inactive-replication-slots').status).toBe('pass');
    } finally {
      await s.db.client.query('SELECT pg_drop_replication_slot($1)', [slot]);
    }
  });
});

describe('data', () => {
  it('an invalid index from a failed CREATE UNIQUE INDEX CONCURRENTLY fails; one the plan builds itself is a warning', async () => {
    const s = await setup();
    await s.db.client.query('CREATE TABLE public.dup (x int); INSERT INTO public.dup VALUES (1), (1)');
    await expect(s.db.client.query('CREATE UNIQUE INDEX CONCURRENTLY dup_x ON public.dup (x)')).rejects.toThrow();
    const bad = only(await preflight(s), 'invalid-indexes');
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('public.dup_x on public.dup (unique: still enforced)');
    expect(bad.fix).toContain('DROP INDEX CONCURRENTLY public.dup_x');
    await s.db.client.query('DROP INDEX public.dup_x');
    expect(only(await preflight(s), 'invalid-indexes').status).toBe('pass');

    const unique = plan.releases[0]!.expand.find((st) => st.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY users_email_key'))!;
    await s.db.client.query(`UPDATE public.users SET email = 'user1@example.com' WHERE id = 2`);
    await expect(s.db.client.query(unique.sql)).rejects.toThrow();
    const own = only(await preflight(s), 'invalid-indexes');
    expect(own.status).toBe('warn');
    expect(own.detail).toContain('public.users_email_key');
  });

  it('a backfill on a table without a primary key fails', async () => {
    const s = await setup();
    await s.db.client.query('ALTER TABLE public.employees DROP CONSTRAINT employees_pkey');
    const c = only(await preflight(s), 'backfill-keys');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('public.employees (step r1-backfill-001) has no primary key or unique not-null key on (id)');
    await s.db.client.query('ALTER TABLE public.employees ADD PRIMARY KEY (id)');
    expect(only(await preflight(s), 'backfill-keys').status).toBe('pass');
  });

  it('disk headroom: fail under the need, warn under twice the need, unknown is a warning', () => {
    const needs = [{ table: 'public.orders', work: 'rewrite' as const, bytes: 100e9 }, { table: 'public.users', work: 'index' as const, bytes: 20e9 }];
    expect(diskVerdict(needs, 50e9, 'the volume of /data')).toMatchObject({ status: 'fail', id: 'disk-headroom' });
    expect(diskVerdict(needs, 50e9, '/data').detail).toContain('rewrite of public.orders');
    expect(diskVerdict(needs, 200e9, '/data').status).toBe('warn');
    expect(diskVerdict(needs, 500e9, '/data').status).toBe('pass');
    expect(diskVerdict(needs, undefined, 'remote').status).toBe('warn');
    expect(diskVerdict([], undefined, '').status).toBe('pass');
  });

  it('a table grown far past its planned size makes the estimates stale', async () => {
    const s = await setup();
    const costed = mapSteps(plan, (st) => (st.backfill?.table === 'employees' ? { ...st, cost: { rows: 300, bytes: 8192, seconds: 0.1 } } : st));
    expect(only(await preflight(s, { plan: costed }), 'stale-estimates').status).toBe('pass');
    await s.db.client.query(`INSERT INTO public.employees (rut, salary) SELECT (20000000 + g) || '-1', repeat('9', 40) FROM generate_series(1, 20000) AS g`);
    const c = only(await preflight(s, { plan: costed }), 'stale-estimates');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('public.employees (8.0 kB ->');
  });
});

describe('the role', () => {
  it('a role that owns none of the tables fails privileges; what it may not read is a warning, not a crash', async () => {
    const s = await setup();
    const role = `sy_weak_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await s.db.client.query(`CREATE ROLE ${ident(role)} LOGIN PASSWORD '${password}'`);
    const u = new URL(urlFor(s.db.name));
    u.username = role;
    u.password = password;
    const weak = new pg.Client({ connectionString: u.toString() });
    await weak.connect();
    try {
      const r = await runPreflight({ plan, planPath: s.planPath, db: weak, config: s.config });
      const c = r.checks.find((x) => x.id === 'privileges')!;
      expect(c.status).toBe('fail');
      expect(c.detail).toContain('not the owner of public.employees (owned by postgres)');
      expect(c.detail).toContain('no SELECT and UPDATE on public.users');
      expect(r.checks.length).toBeGreaterThanOrEqual(20);
      const disk = r.checks.find((x) => x.id === 'disk-headroom')!;
      expect(disk.status).toBe('warn');
      expect(disk.detail).toContain('needs pg_read_all_settings');
      expect(r.checks.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['privileges']);
      const role = await replicationRoleCheck({ live: weak, standby: weak });
      expect(role.status).toBe('fail');
      expect(role.detail).toMatch(/on live has neither REPLICATION nor superuser; .* on standby can not create subscriptions/);
    } finally {
      await weak.end();
      await s.db.client.query(`DROP OWNED BY ${ident(role)}`);
      await s.db.client.query(`DROP ROLE ${ident(role)}`);
    }
  });
});

describe('the plan and its surroundings', () => {
  it('ledger: same plan passes, an interrupted step warns, unknown rows and another checksum fail', async () => {
    const s = await setup();
    expect(only(await preflight(s), 'ledger').detail).toContain('no ledger');
    await ensureLedger(s.db.client);
    await recordPlan(s.db.client, plan);
    expect(only(await preflight(s), 'ledger').status).toBe('pass');
    const first = plan.releases[0]!.expand[0]!;
    await markStepRunning(s.db.client, { plan: plan.name, step: first });
    const running = only(await preflight(s), 'ledger');
    expect(running.status).toBe('warn');
    expect(running.detail).toContain(`interrupted: ${first.id}`);
    await s.db.client.query(`INSERT INTO switchyard.steps (plan, step_id, release, phase) VALUES ($1, 'r7-expand-042', 7, 'expand')`, [plan.name]);
    const unknown = only(await preflight(s), 'ledger');
    expect(unknown.status).toBe('fail');
    expect(unknown.detail).toContain('r7-expand-042 is pending but not in the plan');
    await s.db.client.query(`DELETE FROM switchyard.steps WHERE step_id = 'r7-expand-042'`);
    await s.db.client.query(`UPDATE switchyard.plans SET checksum = 'sha256:0000000000000000000000' WHERE name = $1`, [plan.name]);
    const other = only(await preflight(s), 'ledger');
    expect(other.status).toBe('fail');
    expect(other.detail).toContain('the plan changed after it was (partly) applied');
  });

  it('rehearsal: missing, for another checksum, failed or damaged reports fail', async () => {
    const s = await setup();
    const write = (r: RehearsalReport) => writeReport(s.planPath, r);
    await write(report(plan, { checksum: 'sha256:ffffffffffffffffffffffffff' }));
    expect(only(await preflight(s), 'rehearsal').detail).toContain('another version of the plan');
    await write(report(plan, { passed: false, failure: { step: 'r1-expand-003', stage: 'rollback', message: 'schema differs', differences: [] } }));
    expect(only(await preflight(s), 'rehearsal').detail).toContain('failed at step r1-expand-003');
    writeFileSync(s.planPath.replace('.plan.yaml', '.rehearsal.json'), '{ not json');
    expect(only(await preflight(s), 'rehearsal')).toMatchObject({ status: 'fail' });
    rmSync(s.planPath.replace('.plan.yaml', '.rehearsal.json'));
    const missing = only(await preflight(s), 'rehearsal');
    expect(missing.status).toBe('fail');
    expect(missing.detail).toContain('no rehearsal report');
    expect(missing.fix).toContain('switchyard rehearse');
    await write(report(plan));
    expect(only(await preflight(s), 'rehearsal').status).toBe('pass');
  });

  it('backup: missing or old file, failing or stale command fail; none configured warns', async () => {
    const s = await setup();
    const withBackup = (backup: PreflightConfig['backup']) => preflight({ ...s, config: { ...s.config, backup } });
    const missing = only(await withBackup({ file: 'nope.dump', maxAgeHours: 24 }), 'backup');
    expect(missing).toMatchObject({ status: 'fail' });
    expect(missing.detail).toContain('ENOENT');
    const old = new Date(Date.now() - 48 * 3_600_000);
    utimesSync(join(s.dir, 'backup.dump'), old, old);
    expect(only(await withBackup({ file: 'backup.dump', maxAgeHours: 24 }), 'backup').detail).toMatch(/48\.0 hours ago/);
    expect(only(await withBackup({ file: 'backup.dump', maxAgeHours: 72 }), 'backup').status).toBe('pass');
    expect(only(await withBackup({ command: 'echo 2020-01-01T00:00:00Z', maxAgeHours: 24 }), 'backup').status).toBe('fail');
    const failing = only(await withBackup({ command: 'echo no backup >&2; exit 3', maxAgeHours: 24 }), 'backup');
    expect(failing.detail).toBe('backup command exited with 3: no backup');
    expect(only(await withBackup({ command: 'echo yesterday-ish', maxAgeHours: 24 }), 'backup').detail).toContain('not an ISO 8601 time');
    expect(only(await withBackup({ command: 'date -u +%Y-%m-%dT%H:%M:%SZ', maxAgeHours: 24 }), 'backup').status).toBe('pass');
    expect(only(await withBackup(undefined), 'backup').status).toBe('warn');
  });

  it('window: fails when the longest phase does not fit, warns when it does not fit twice, warns when none is set', async () => {
    const s = await setup();
    const longest = Math.max(...phaseEstimates(plan).map((p) => p.seconds));
    const inWindow = async (windowMinutes: number | undefined) => only(await preflight({ ...s, config: { ...s.config, windowMinutes } }), 'window');
    const tiny = await inWindow(longest / 2 / 60);
    expect(tiny.status).toBe('fail');
    expect(tiny.detail).toMatch(/the longest phase, release 1 \w+, is estimated at/);
    expect((await inWindow((longest * 1.5) / 60)).status).toBe('warn');
    expect((await inWindow(undefined)).status).toBe('warn');
    expect((await inWindow(60)).status).toBe('pass');
  });

  it('hazards not allowed, steps without timeouts or with long ones, and steps outlasting their statement_timeout', async () => {
    const s = await setup();
    const hazards = only(await preflight({ ...s, config: { ...s.config, allowHazards: [] } }), 'hazards');
    expect(hazards.status).toBe('fail');
    expect(hazards.fix).toContain('DELETES_DATA');
    const first = plan.releases[0]!.expand.find((st) => st.lock === 'ACCESS EXCLUSIVE')!;
    const withStep = (change: Partial<Step>) => mapSteps(plan, (st) => (st.id === first.id ? { ...st, ...change } : st));
    const none = only(await preflight(s, { plan: withStep({ lockTimeoutMs: 0 }) }), 'lock-timeout');
    expect(none).toMatchObject({ status: 'fail' });
    expect(none.detail).toContain(first.id);
    const long = only(await preflight(s, { plan: withStep({ lockTimeoutMs: 60_000 }) }), 'lock-timeout');
    expect(long.status).toBe('warn');
    expect(long.detail).toContain(`${first.id} (60000 ms, ACCESS EXCLUSIVE)`);
    const slow = only(await preflight(s, { plan: withStep({ cost: { rows: 1e8, bytes: 4e12, seconds: 5000 } }) }), 'statement-timeouts');
    expect(slow.status).toBe('fail');
    expect(slow.detail).toContain(`${first.id} (~5000 s, timeout 30 s)`);
  });

  it("server version against the plan's, and CONCURRENTLY on 14.0-14.3 as a function of the version", async () => {
    const s = await setup();
    const newer = only(await preflight(s, { plan: { ...plan, server: { version: '99.0', versionNum: 990000 } } }), 'server-version');
    expect(newer.status).toBe('fail');
    expect(newer.detail).toContain('made for PostgreSQL 99.0');
    expect(only(await preflight(s, { plan: { ...plan, server: { version: '12.1', versionNum: 120001 } } }), 'server-version').status).toBe('warn');

    expect([139999, 140000, 140002, 140003, 140004, 150000].map(concurrentlyIsBroken)).toEqual([false, true, true, true, false, false]);
    const broken = concurrentlyVerdict(140002, ['r1-expand-009']);
    expect(broken).toMatchObject({ id: 'concurrently-version', status: 'fail' });
    expect(broken.detail).toContain('PostgreSQL 14.2');
    expect(broken.fix).toContain('14.4');
    expect(concurrentlyVerdict(140002, []).status).toBe('pass');
    expect(concurrentlyVerdict(140005, ['r1-expand-009']).status).toBe('pass');
  });

  it('anti-wraparound autovacuum on a plan table fails; a table near its freeze limit warns', () => {
    const running = wraparoundVerdict([{ pid: 4242, table: 'public.users', onPlan: true }], []);
    expect(running).toMatchObject({ id: 'autovacuum-wraparound', status: 'fail' });
    expect(running.detail).toContain('public.users (pid 4242)');
    expect(wraparoundVerdict([], [{ table: 'public.users', age: 190_000_000, freezeMaxAge: 200_000_000 }]).status).toBe('warn');
    expect(wraparoundVerdict([{ pid: 1, table: 'public.other', onPlan: false }], []).status).toBe('pass');
  });
});

describe('a second server: prepared transactions and wal_level = replica', () => {
  it('a forgotten prepared transaction fails; wal_level = replica and no free slot fail the pair', async () => {
    const server = await startEmbedded({ settings: { wal_level: 'replica', max_prepared_transactions: '4', max_replication_slots: '0' } });
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE app');
      const app = new pg.Client({ connectionString: server.url('app') });
      await app.connect();
      const s = await setup();
      try {
        await app.query(SOURCE);
        await app.query('BEGIN');
        await app.query(`INSERT INTO central.tenants VALUES ('t1')`);
        await app.query(`PREPARE TRANSACTION 'sy-forgotten'`);
        const r = await runPreflight({ plan, planPath: s.planPath, db: app, config: s.config });
        const prepared = r.checks.find((c) => c.id === 'prepared-transactions')!;
        expect(prepared.status).toBe('fail');
        expect(prepared.detail).toContain('"sy-forgotten"');
        expect(prepared.fix).toContain('ROLLBACK PREPARED');
        const wal = await walLevelCheck({ live: app, standby: s.db.client });
        expect(wal).toMatchObject({ id: 'pair-wal-level', status: 'fail', detail: 'live has wal_level = replica' });
        const capacity = await capacityCheck({ live: app, standby: s.db.client });
        expect(capacity).toMatchObject({ id: 'pair-capacity', status: 'fail', detail: 'live has no free replication slot (max_replication_slots = 0)' });
        await app.query(`ROLLBACK PREPARED 'sy-forgotten'`);
        expect((await runPreflight({ plan, planPath: s.planPath, db: app, config: s.config })).checks.find((c) => c.id === 'prepared-transactions')!.status).toBe('pass');
      } finally {
        await app.end();
      }
    } finally {
      await admin.end();
      await server.stop();
    }
  });
});

describe('replication checks of a pair', () => {
  const scope = { schemas: ['central', 'public'], ledgerSchema: 'switchyard' };

  it('a standby missing a column and a sequence, a live table without key, unlogged data, ALWAYS triggers and a writer on the standby', async () => {
    const live = await setup();
    const standby = await freshDatabase();
    await standby.client.query(SOURCE);
    await standby.client.query('ALTER TABLE public.users DROP COLUMN legacy_flag');
    await live.db.client.query(`
      CREATE TABLE public.nokey (a int);
      CREATE UNLOGGED TABLE public.scratch (id int PRIMARY KEY);
      CREATE MATERIALIZED VIEW public.user_counts AS SELECT count(*) AS n FROM public.users;
      CREATE SEQUENCE public.invoice_numbers;
      CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER audit_users BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.audit();
      ALTER TABLE public.users ENABLE ALWAYS TRIGGER audit_users;`);
    const writer = await standby.connect();
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO central.tenants VALUES ('stray')`);
    const writerPid = await pidOf(writer);
    const checks = new Map((await runReplicationChecks({ live: live.db.client, standby: standby.client }, scope)).map((c) => [c.id, c]));
    const status = (id: string) => only(checks, id).status;
    expect(status('pair-wal-level')).toBe('pass');
    expect(status('pair-capacity')).toBe('pass');
    expect(status('pair-replication-role')).toBe('pass');
    expect(only(checks, 'pair-replica-identity')).toMatchObject({ status: 'fail', detail: 'without primary key or replica identity: public.nokey' });
    expect(status('pair-unreplicated-objects')).toBe('warn');
    expect(only(checks, 'pair-unreplicated-objects').detail).toContain('materialized view public.user_counts, unlogged table public.scratch');
    expect(only(checks, 'pair-standby-columns')).toMatchObject({ status: 'fail', detail: 'missing on the standby: tables public.nokey; columns public.users.legacy_flag' });
    expect(only(checks, 'pair-sequences').detail).toBe('missing on the standby: public.invoice_numbers');
    expect(only(checks, 'pair-triggers')).toMatchObject({ status: 'warn', detail: 'application triggers that fire for replicated rows: audit_users on public.users (live)' });
    expect(only(checks, 'pair-standby-writers')).toMatchObject({ status: 'warn' });
    expect(only(checks, 'pair-standby-writers').detail).toContain(`pid ${writerPid} `);
    expect(only(checks, 'pair-subscription')).toMatchObject({ status: 'warn' });
    await writer.query('ROLLBACK');

    // Through runPreflight: the pair's checks follow the single-database ones.
    const all = await runPreflight({ plan, planPath: live.planPath, db: live.db.client, config: live.config, pair: { live: live.db.client, standby: standby.client } });
    expect(all.checks.filter((c) => c.id.startsWith('pair-')).length).toBe(11);
    expect(all.ok).toBe(false);
  });

  it('a streaming pair passes every check', async () => {
    const live = await setup();
    const standby = await freshDatabase();
    await standby.client.query(SOURCE);
    const name = `sy_pf_${randomBytes(4).toString('hex')}`;
    await live.db.client.query(`CREATE PUBLICATION ${name} FOR TABLES IN SCHEMA public, central`);
    // Same cluster: the slot is made first, or CREATE SUBSCRIPTION waits on itself.
    await live.db.client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [name]);
    await standby.client.query(`CREATE SUBSCRIPTION ${name} CONNECTION '${live.db.url}' PUBLICATION ${name} WITH (create_slot = false, slot_name = '${name}', copy_data = false)`);
    try {
      let checks = new Map<string, Check>();
      for (let i = 0; i < 100; i++) {
        checks = new Map((await runReplicationChecks({ live: live.db.client, standby: standby.client }, scope)).map((c) => [c.id, c]));
        if (only(checks, 'pair-subscription').status === 'pass' && only(checks, 'pair-slots').status === 'pass') break;
        await sleep(100);
      }
      expect([...checks.values()].filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.detail}`)).toEqual([]);
      expect(only(checks, 'pair-subscription').detail).toContain(name);
    } finally {
      await standby.client.query(`ALTER SUBSCRIPTION ${name} DISABLE`);
      await standby.client.query(`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`);
      await standby.client.query(`DROP SUBSCRIPTION ${name}`);
      for (let i = 0; i < 50; i++) {
        const ok = await live.db.client.query('SELECT pg_drop_replication_slot($1)', [name]).then(() => true, () => false);
        if (ok) break;
        await sleep(100);
      }
    }
  });
});

describe('switchyard preflight (CLI)', () => {
  it('prints one line per check with the fix under the others, exits 1 on a failure, 0 on warnings unless --strict', async () => {
    const s = await setup();
    const plans = join(s.dir, 'plans');
    mkdirSync(plans);
    writeFileSync(join(plans, '0001_scenario.plan.yaml'), planToYaml(plan));
    await writeReport(join(plans, '0001_scenario.plan.yaml'), report(plan));
    const cfg = join(s.dir, 'switchyard.yaml');
    const base = `database: ${s.db.url}\nallowHazards: [DELETES_DATA, BREAKS_OLD_APP]\nwindowMinutes: 60\n`;
    writeFileSync(cfg, base + 'backup:\n  file: backup.dump\n');
    const planFile = 'plans/0001_scenario.plan.yaml';
    const pass = await cli('--config', cfg, 'preflight', planFile);
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/^preflight plans\/0001_scenario\.plan\.yaml on postgres:\/\//);
    expect(pass.stdout).toContain('  pass  no lock requests waiting [pending-locks]: no session is waiting for a lock');
    expect(pass.stdout).toMatch(/ready to apply: \d+ passed, 0 warnings, 0 failed/);
    expect(pass.stdout).not.toContain(new URL(s.db.url).password);

    const json = JSON.parse((await cli('--config', cfg, '--json', 'preflight', planFile)).stdout) as { ok: boolean; checks: Check[] };
    expect(json.ok).toBe(true);
    expect(json.checks.length).toBeGreaterThanOrEqual(20);

    writeFileSync(cfg, base);
    const warned = await cli('--config', cfg, 'preflight', planFile);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('  warn  a recent backup exists [backup]: no backup is configured');
    expect(warned.stdout).toContain('        fix: set backup.file');
    expect((await cli('--config', cfg, 'preflight', planFile, '--strict')).code).toBe(1);

    rmSync(join(plans, '0001_scenario.rehearsal.json'));
    const failed = await cli('--config', cfg, 'preflight', planFile);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('  FAIL  rehearsal passed for this checksum [rehearsal]: no rehearsal report');
    expect(failed.stdout).toMatch(/not ready: \d+ passed, 1 warning, 1 failed/);

    const unreachable = await cli('--config', cfg, 'preflight', planFile, '--db', 'postgres://nobody:secret-pw@127.0.0.1:1/x');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('FAIL  connection and server version [connection]');
    expect(unreachable.stdout).not.toContain('secret-pw');

    const help = await cli('preflight', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--strict');
    expect((await cli('--config', cfg, 'preflight', planFile, '--long-transaction-seconds', 'soon')).code).toBe(2);
  });
});
