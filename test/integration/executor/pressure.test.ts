// Backfill back-pressure on a real server: sessions queueing on locks and a logical slot falling behind.
import { describe, expect, it } from 'vitest';
import { measurePressure, pauseReason, pressureGate, DEFAULT_PRESSURE } from '../../../src/executor/pressure.js';
import { freshDatabase } from '../../support/db.js';

const waitFor = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('backfill pressure', () => {
  it('counts sessions waiting on locks and pauses while there are enough of them, never forever', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0)');
    const holder = await db.connect();
    await holder.query('BEGIN; UPDATE t SET v = 1 WHERE id = 1');
    const waiters = await Promise.all([1, 2, 3].map(() => db.connect()));
    const pending = waiters.map((w) => w.query('UPDATE t SET v = 2 WHERE id = 1'));
    await waitFor(async () => (await measurePressure(db.client)).lockWaiters >= 3);
    expect((await measurePressure(db.client)).lockWaiters).toBe(3);

    const pauses: string[] = [];
    const gate = pressureGate(db.client, (reason) => pauses.push(reason), {
      ...DEFAULT_PRESSURE,
      pauseMs: 10,
      maxPauseMs: 30,
    });
    expect(await gate()).toBe(10);
    expect(pauses[0]).toBe('3 sessions are waiting on locks');
    expect(await gate()).toBe(10);
    expect(await gate()).toBe(10);
    // After maxPauseMs of pauses in a row, one batch goes ahead anyway.
    expect(await gate()).toBe(0);

    await holder.query('COMMIT');
    await Promise.all(pending);
    expect((await measurePressure(db.client)).lockWaiters).toBe(0);
    expect(await gate()).toBe(0);
  });

  it('sees a logical replication slot falling behind', async () => {
    const db = await freshDatabase();
    const slot = `sy_pressure_${db.name}`;
    await db.client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    try {
      await db.client.query('CREATE TABLE w (id int); INSERT INTO w SELECT generate_series(1, 20000)');
      const p = await measurePressure(db.client);
      expect(p.lagBytes).toBeGreaterThan(100_000);
      expect(pauseReason(p, { ...DEFAULT_PRESSURE, lagBytes: 100_000 })).toMatch(
        /^logical replication is \d+ MiB behind$/,
      );
      expect(pauseReason(p, DEFAULT_PRESSURE)).toBeUndefined();
    } finally {
      await db.client.query('SELECT pg_drop_replication_slot($1)', [slot]);
    }
  });
});
