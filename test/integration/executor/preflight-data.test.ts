// Preflight on a real PostgreSQL, the data and the role: invalid indexes, backfill keys, disk headroom, stale
// estimates, and a role without the privileges the plan needs.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { diskVerdict, replicationRoleCheck, runPreflight } from '../../../src/executor/preflight.js';
import { ident } from '../../../src/db/quote.js';
import { urlFor } from '../../support/db.js';
import { mapSteps, only, plan, preflight, setup } from './preflight-support.js';

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

    const unique = plan.releases[0]!.expand.find((st) =>
      st.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY users_email_key'),
    )!;
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
    expect(c.detail).toContain(
      'public.employees (step r1-backfill-001) has no primary key or unique not-null key on (id)',
    );
    await s.db.client.query('ALTER TABLE public.employees ADD PRIMARY KEY (id)');
    expect(only(await preflight(s), 'backfill-keys').status).toBe('pass');
  });

  it('disk headroom: fail under the need, warn under twice the need, unknown is a warning', () => {
    const needs = [
      { table: 'public.orders', work: 'rewrite' as const, bytes: 100e9 },
      { table: 'public.users', work: 'index' as const, bytes: 20e9 },
    ];
    expect(diskVerdict(needs, 50e9, 'the volume of /data')).toMatchObject({ status: 'fail', id: 'disk-headroom' });
    expect(diskVerdict(needs, 50e9, '/data').detail).toContain('rewrite of public.orders');
    expect(diskVerdict(needs, 200e9, '/data').status).toBe('warn');
    expect(diskVerdict(needs, 500e9, '/data').status).toBe('pass');
    expect(diskVerdict(needs, undefined, 'remote').status).toBe('warn');
    expect(diskVerdict([], undefined, '').status).toBe('pass');
  });

  it('a table grown far past its planned size makes the estimates stale', async () => {
    const s = await setup();
    const costed = mapSteps(plan, (st) =>
      st.backfill?.table === 'employees' ? { ...st, cost: { rows: 300, bytes: 8192, seconds: 0.1 } } : st,
    );
    expect(only(await preflight(s, { plan: costed }), 'stale-estimates').status).toBe('pass');
    await s.db.client.query(
      `INSERT INTO public.employees (rut, salary) SELECT (20000000 + g) || '-1', repeat('9', 40) FROM generate_series(1, 20000) AS g`,
    );
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
      expect(role.detail).toMatch(
        /on live has neither REPLICATION nor superuser; .* on standby can not create subscriptions/,
      );
    } finally {
      await weak.end();
      await s.db.client.query(`DROP OWNED BY ${ident(role)}`);
      await s.db.client.query(`DROP ROLE ${ident(role)}`);
    }
  });
});
