// Preflight on real PostgreSQL servers, the checks of a live/standby pair: a second server for prepared
// transactions and wal_level = replica, a pair with every replication problem, and a streaming pair.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  capacityCheck,
  runPreflight,
  runReplicationChecks,
  walLevelCheck,
  type Check,
} from '../../../src/executor/preflight.js';
import { startEmbedded } from '../../../src/rehearsal/embedded.js';
import { freshDatabase } from '../../support/db.js';
import { only, pidOf, plan, setup, sleep, SOURCE } from './preflight-support.js';

describe('a second server: prepared transactions and wal_level = replica', () => {
  it('a forgotten prepared transaction fails; wal_level = replica and no free slot fail the pair', async () => {
    const server = await startEmbedded({
      settings: { wal_level: 'replica', max_prepared_transactions: '4', max_replication_slots: '0' },
    });
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
        expect(capacity).toMatchObject({
          id: 'pair-capacity',
          status: 'fail',
          detail: 'live has no free replication slot (max_replication_slots = 0)',
        });
        await app.query(`ROLLBACK PREPARED 'sy-forgotten'`);
        expect(
          (await runPreflight({ plan, planPath: s.planPath, db: app, config: s.config })).checks.find(
            (c) => c.id === 'prepared-transactions',
          )!.status,
        ).toBe('pass');
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
    const checks = new Map(
      (await runReplicationChecks({ live: live.db.client, standby: standby.client }, scope)).map((c) => [c.id, c]),
    );
    const status = (id: string) => only(checks, id).status;
    expect(status('pair-wal-level')).toBe('pass');
    expect(status('pair-capacity')).toBe('pass');
    expect(status('pair-replication-role')).toBe('pass');
    expect(only(checks, 'pair-replica-identity')).toMatchObject({
      status: 'fail',
      detail: 'updates and deletes cannot replicate (and fail on the publisher): public.nokey (no primary key)',
      fix: 'ALTER TABLE public.nokey REPLICA IDENTITY FULL (or add a primary key)',
    });
    expect(status('pair-unreplicated-objects')).toBe('warn');
    expect(only(checks, 'pair-unreplicated-objects').detail).toContain('materialized view public.user_counts');
    expect(only(checks, 'pair-unlogged-tables')).toMatchObject({
      status: 'fail',
      detail:
        'logical replication cannot carry the rows of unlogged tables, the standby would take over without them: public.scratch',
      fix: 'ALTER TABLE public.scratch SET LOGGED (each rewrites its table under ACCESS EXCLUSIVE; then declare it without unlogged: true)',
    });
    expect(only(checks, 'pair-standby-columns')).toMatchObject({
      status: 'fail',
      detail: 'missing on the standby: tables public.nokey; columns public.users.legacy_flag',
    });
    expect(only(checks, 'pair-sequences').detail).toBe('missing on the standby: public.invoice_numbers');
    expect(only(checks, 'pair-triggers')).toMatchObject({
      status: 'warn',
      detail: 'application triggers that fire for replicated rows: audit_users on public.users (live)',
    });
    expect(only(checks, 'pair-standby-writers')).toMatchObject({ status: 'warn' });
    expect(only(checks, 'pair-standby-writers').detail).toContain(`pid ${writerPid} `);
    expect(only(checks, 'pair-subscription')).toMatchObject({ status: 'warn' });
    await writer.query('ROLLBACK');

    // Through runPreflight: the pair's checks follow the single-database ones.
    const all = await runPreflight({
      plan,
      planPath: live.planPath,
      db: live.db.client,
      config: live.config,
      pair: { live: live.db.client, standby: standby.client },
    });
    // 12 replication checks (unlogged tables among them), then the privileges of pair init, cutover and cutback,
    // pair status and watch.
    expect(all.checks.filter((c) => c.id.startsWith('pair-')).length).toBe(15);
    expect(all.checks.slice(-3).map((c) => [c.id, c.status])).toEqual([
      ['pair-privileges-init', 'pass'],
      ['pair-privileges-switch', 'pass'],
      ['pair-privileges-status', 'pass'],
    ]);
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
    await standby.client.query(
      `CREATE SUBSCRIPTION ${name} CONNECTION '${live.db.url}' PUBLICATION ${name} WITH (create_slot = false, slot_name = '${name}', copy_data = false)`,
    );
    try {
      let checks = new Map<string, Check>();
      for (let i = 0; i < 100; i++) {
        checks = new Map(
          (await runReplicationChecks({ live: live.db.client, standby: standby.client }, scope)).map((c) => [c.id, c]),
        );
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
        const ok = await live.db.client.query('SELECT pg_drop_replication_slot($1)', [name]).then(
          () => true,
          () => false,
        );
        if (ok) break;
        await sleep(100);
      }
    }
  });
});
