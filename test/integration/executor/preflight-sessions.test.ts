// Preflight on a real PostgreSQL, the sessions around a migration: a healthy database passes every check; lock
// waits, idle and long transactions, another executor and an inactive slot are provoked, then cleared.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withAdvisoryLock } from '../../../src/executor/lock.js';
import { runPreflight } from '../../../src/executor/preflight.js';
import { only, pidOf, plan, preflight, setup, sleep } from './preflight-support.js';

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
    for (const id of ['pending-locks', 'idle-in-transaction', 'long-transactions'])
      expect(only(good, id).status, only(good, id).detail).toBe('pass');
  });

  it('a lock wait on a table the plan does not lock is a warning', async () => {
    const s = await setup();
    const holder = await s.db.connect();
    const waiter = await s.db.connect();
    const waiterPid = await pidOf(waiter);
    await holder.query('BEGIN; LOCK TABLE central.tenants IN ACCESS EXCLUSIVE MODE');
    const waiting = waiter.query('SELECT count(*) FROM central.tenants');
    for (
      let i = 0;
      i < 50 &&
      !(await s.db.client.query('SELECT 1 FROM pg_locks WHERE NOT granted AND pid = $1', [waiterPid])).rows.length;
      i++
    )
      await sleep(20);
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
    const during = await withAdvisoryLock(
      other,
      { database: s.db.name, ledgerSchema: 'switchyard' },
      'apply 0001 expand',
      () => preflight(s),
    );
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
