// The executor lock on a real PostgreSQL: one executor at a time, the loser told who holds the lock, the lock
// released whatever fn does, and no transaction held open (CREATE INDEX CONCURRENTLY must complete under it).
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  ExecutorBusyError,
  LockInTransactionError,
  executorLockKey,
  withAdvisoryLock,
} from '../../../src/executor/lock.js';
import { freshDatabase } from '../../support/db.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

async function advisoryLocks(c: pg.Client): Promise<number> {
  const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
  return rows[0]!.n;
}

describe('withAdvisoryLock', () => {
  it('lets exactly one of two executors started together run; the other fails fast naming the holder', async () => {
    const db = await freshDatabase();
    const a = await db.connect();
    const b = await db.connect();
    const key = { ledgerSchema: 'switchyard', database: db.name };
    const pids = new Map([
      [a, await pidOf(a)],
      [b, await pidOf(b)],
    ]);
    const ran: number[] = [];
    const started = Date.now();
    const run = (c: pg.Client) =>
      withAdvisoryLock(c, key, 'apply 0004 expand', async () => {
        ran.push(pids.get(c)!);
        await sleep(2_000);
        return 'ran';
      }).catch((e: unknown) => ({ error: e, after: Date.now() - started }));
    const results = await Promise.all([run(a), run(b)]);

    expect(ran).toHaveLength(1);
    const failures = results.filter((r): r is { error: unknown; after: number } => typeof r === 'object');
    expect(results.filter((r) => r === 'ran')).toHaveLength(1);
    expect(failures).toHaveLength(1);
    const { error, after } = failures[0]!;
    expect(after).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(ExecutorBusyError);
    const busy = error as ExecutorBusyError;
    expect(busy.exitCode).toBe(1);
    expect(busy.code).toBe('EXECUTOR_BUSY');
    expect(busy.holder?.pid).toBe(ran[0]);
    expect(busy.holder?.applicationName).toBe(`switchyard[${process.pid}] apply 0004 expand`);
    expect(busy.holder?.backendStart).toBeInstanceOf(Date);
    expect(busy.message).toContain(`pid ${ran[0]}`);
    expect(busy.message).toContain('switchyard[');
    expect(await advisoryLocks(db.client)).toBe(0);
  });

  it('releases the lock when fn throws, and restores application_name', async () => {
    const db = await freshDatabase();
    const key = { ledgerSchema: 'switchyard', database: db.name };
    const before = (await db.client.query("SELECT current_setting('application_name') AS n")).rows[0].n;
    await expect(
      withAdvisoryLock(db.client, key, 'boom', async () => {
        expect(await advisoryLocks(db.client)).toBe(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await advisoryLocks(db.client)).toBe(0);
    expect((await db.client.query("SELECT current_setting('application_name') AS n")).rows[0].n).toBe(before);
    // Another session can take it now.
    const other = await db.connect();
    await expect(withAdvisoryLock(other, key, 'next', async () => 7)).resolves.toBe(7);
  });

  it('takes a session-level lock: CREATE INDEX CONCURRENTLY inside fn completes', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY, v int)');
    await db.client.query('INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g');
    const key = { ledgerSchema: 'switchyard', database: db.name };
    await withAdvisoryLock(db.client, key, 'cic', async () => {
      await db.client.query('SET statement_timeout = 20000');
      await db.client.query('CREATE INDEX CONCURRENTLY t_v_idx ON t (v)');
    });
    const { rows } = await db.client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v_idx'::regclass");
    expect(rows).toEqual([{ indisvalid: true }]);
  });

  it('shows in pg_locks under the classid/objid halves of the 64-bit key', async () => {
    const db = await freshDatabase();
    const key = { ledgerSchema: 'Ledger "x"', database: db.name };
    const k = executorLockKey(key);
    expect(executorLockKey({ ...key })).toEqual(k); // stable
    expect(executorLockKey({ ...key, database: 'other' }).key).not.toBe(k.key);
    const other = await db.connect();
    await withAdvisoryLock(db.client, key, 'x', async () => {
      const { rows } = await other.query(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid AND objsubid = 1 AND granted",
        [k.classid, k.objid],
      );
      expect(rows).toEqual([{ pid: await pidOf(db.client) }]);
    });
  });

  it('refuses to run inside a transaction block', async () => {
    const db = await freshDatabase();
    await db.client.query('BEGIN');
    await expect(
      withAdvisoryLock(db.client, { ledgerSchema: 's', database: db.name }, 'x', async () => 1),
    ).rejects.toBeInstanceOf(LockInTransactionError);
    await db.client.query('ROLLBACK');
    expect(await advisoryLocks(db.client)).toBe(0);
  });
});
