// The PgBouncer router against a real PgBouncer: 16 clients keep writing through it while it pauses, moves
// the [databases] entry from A to B (and back), and resumes. No transaction fails, no acknowledged write is
// lost, writes after each switch land on the new side, and every other line of pgbouncer.ini is untouched.
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openRouter, RouterError, type Router, type RouterEvent } from '../../../src/pair/router.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable, type WriteLoadResult } from '../../support/write-load.js';

const stops: Array<() => Promise<void>> = [];
// Each step is capped: a client stuck behind a paused PgBouncer must not keep PgBouncer itself from stopping.
afterEach(async () => {
  while (stops.length)
    await Promise.race([stops.pop()!().catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
});

async function setup(
  database = 'app',
): Promise<{ a: TestDatabase; b: TestDatabase; bouncer: PgBouncer; router: Router; events: RouterEvent[] }> {
  const [a, b] = [await freshDatabase(), await freshDatabase()];
  for (const db of [a, b]) await db.client.query(writeLoadTable('writes'));
  const bouncer = await startPgBouncer(a.url, { database });
  stops.push(() => bouncer.stop());
  const events: RouterEvent[] = [];
  const router = await openRouter(
    { kind: 'pgbouncer', admin: bouncer.adminUrl, config: bouncer.iniPath, database: bouncer.database },
    { onEvent: (e) => events.push(e) },
  );
  stops.push(() => router.close());
  return { a, b, bouncer, router, events };
}

type Row = { client: number; seq: number };
const rows = async (db: TestDatabase): Promise<Row[]> =>
  (await db.client.query<Row>('SELECT client, seq FROM writes')).rows;
const key = (r: Row) => `${r.client}:${r.seq}`;

describe('pgbouncer router', () => {
  it('moves 16 writing clients from A to B and back with no failed transaction and no lost write', async () => {
    const { a, b, bouncer, router, events } = await setup();
    const iniBefore = readFileSync(bouncer.iniPath, 'utf8');
    expect(await router.current(a.url, b.url)).toBe('blue');

    const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
    let result: WriteLoadResult | undefined;
    try {
      await load.waitForMore(300);
      const windows: number[] = [];
      for (const [side, db] of [
        ['green', b],
        ['blue', a],
      ] as const) {
        const started = performance.now();
        await router.pause();
        await router.switchTo(side, db.url);
        await router.resume();
        windows.push(performance.now() - started);
        expect(await router.current(a.url, b.url)).toBe(side);
        await load.waitForMore(300);
      }
      const pauses = events.filter((e) => e.kind === 'pause').map((e) => Math.round((e as { ms: number }).ms));
      console.log(`PAUSE took ${pauses.join(', ')} ms; pause+switch+resume ${windows.map(Math.round).join(', ')} ms`);
    } finally {
      result = await load.stop();
    }
    if (result.maxLatencyMs > 2000)
      console.log(
        (await bouncer.log())
          .split('\n')
          .filter((l) => /new connection|command issued|pause mode|WARNING|ERROR/.test(l))
          .join('\n'),
      );
    console.log(
      `${result.acknowledged.length} writes acknowledged, ${result.failed} failed, max latency ${Math.round(result.maxLatencyMs)} ms`,
    );
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    // A PAUSE that closes a server still logging in stalls the pool for server_login_retry (15 s): not here.
    expect(result.maxLatencyMs).toBeLessThan(5000);

    const [inA, inB] = [await rows(a), await rows(b)];
    const stored = new Set([...inA, ...inB].map(key));
    expect(stored.size).toBe(inA.length + inB.length); // no write landed twice
    expect(result.acknowledged.filter((w) => !stored.has(key(w)))).toEqual([]);
    expect(inB.length).toBeGreaterThan(0);
    // Per client: A before the first switch, then B, then A again; B's writes sit between A's two runs.
    for (let client = 1; client <= 16; client++) {
      const bSeqs = inB.filter((r) => r.client === client).map((r) => r.seq);
      const aSeqs = inA.filter((r) => r.client === client).map((r) => r.seq);
      if (!bSeqs.length) continue;
      const [lo, hi] = [Math.min(...bSeqs), Math.max(...bSeqs)];
      expect(aSeqs.filter((s) => s > lo && s < hi)).toEqual([]);
      expect(hi - lo + 1).toBe(bSeqs.length);
    }
    expect(inA.some((r) => inB.some((w) => w.client === r.client && r.seq > w.seq))).toBe(true); // writes after the switch back

    // Only the entry line changed; it holds no password.
    const [before, after] = [iniBefore.split('\n'), readFileSync(bouncer.iniPath, 'utf8').split('\n')];
    expect(after.length).toBe(before.length);
    const changed = after.map((l, i) => (l === before[i] ? -1 : i)).filter((i) => i >= 0);
    expect(changed.length).toBeLessThanOrEqual(1);
    expect(after.join('\n')).not.toContain(new URL(a.url).password);
    expect(events.map((e) => e.kind)).toEqual(['pause', 'switch', 'resume', 'pause', 'switch', 'resume']);
  });

  it('close() resumes a database it left paused, unless told to keep it paused (a fence handed to the guardian)', async () => {
    const { bouncer, router } = await setup('app');
    const console = new pg.Client({ connectionString: bouncer.adminUrl });
    await console.connect();
    stops.push(() => console.end());
    const paused = async () =>
      (await console.query<{ name: string; paused: number }>('SHOW DATABASES')).rows.find((r) => r.name === 'app')
        ?.paused;
    await router.pause();
    expect(await paused()).toBe(1);
    await router.close();
    expect(await paused()).toBe(0);
    const kept = await openRouter({
      kind: 'pgbouncer',
      admin: bouncer.adminUrl,
      config: bouncer.iniPath,
      database: 'app',
    });
    await kept.pause();
    await kept.close({ resume: false });
    expect(await paused()).toBe(1);
    await console.query('RESUME app');
  });

  it('is idempotent, stays paused across RELOAD, and quotes an entry name that needs it', async () => {
    const { a, b, bouncer, router } = await setup('shop-app');
    const console = new pg.Client({ connectionString: bouncer.adminUrl });
    await console.connect();
    stops.push(() => console.end());
    const paused = async () =>
      (await console.query<{ name: string; paused: number }>('SHOW DATABASES')).rows.find((r) => r.name === 'shop-app')
        ?.paused;
    await router.resume();
    await router.pause();
    await router.pause();
    await router.switchTo('green', b.url);
    expect(await paused()).toBe(1);
    await router.switchTo('green', b.url);
    await router.resume();
    await router.resume();
    expect(await paused()).toBe(0);
    const { port, pathname } = new URL(b.url);
    expect(readFileSync(bouncer.iniPath, 'utf8')).toContain(
      `\nshop-app = host=127.0.0.1 port=${port} dbname=${pathname.slice(1)}\n`,
    );
    expect(await router.current(a.url, b.url)).toBe('green');
    const c = new pg.Client({ connectionString: bouncer.url });
    await c.connect();
    expect((await c.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db).toBe(b.name);
    await c.end();
  });

  it('gives up a PAUSE that an open transaction blocks, and leaves the database resumed', async () => {
    const { bouncer } = await setup();
    const router = await openRouter(
      { kind: 'pgbouncer', admin: bouncer.adminUrl, config: bouncer.iniPath, database: bouncer.database },
      { pauseTimeoutMs: 300 },
    );
    stops.push(() => router.close());
    const holder = new pg.Client({ connectionString: bouncer.url });
    await holder.connect();
    stops.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('INSERT INTO writes (client, seq, payload) VALUES (0, 0, $1)', ['held']);
    const err = await router.pause().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RouterError);
    expect((err as RouterError).code).toBe('ROUTER_PAUSE_TIMEOUT');
    await holder.query('COMMIT');
    const other = new pg.Client({ connectionString: bouncer.url });
    await other.connect();
    stops.push(() => other.end());
    const answered = await Promise.race([
      other.query('SELECT 1'),
      new Promise((r) => setTimeout(() => r('held'), 2000)),
    ]);
    expect(answered).not.toBe('held');
  });

  it('refuses to open when the entry is missing, naming the file and the fix', async () => {
    const { bouncer } = await setup();
    const err = await openRouter({
      kind: 'pgbouncer',
      admin: bouncer.adminUrl,
      config: bouncer.iniPath,
      database: 'shop',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RouterError);
    expect((err as Error).message).toContain(`${bouncer.iniPath} has no [databases] entry "shop" (it has app)`);
    expect((err as Error).message).toContain('set router.database');
  });

  it('notices when PgBouncer did not load the rewritten entry', async () => {
    const { b, bouncer, router } = await setup();
    // The file PgBouncer runs with is not the one router.config names: simulate with a copy.
    const copy = `${bouncer.iniPath}.copy`;
    writeFileSync(copy, readFileSync(bouncer.iniPath));
    const other = await openRouter({ kind: 'pgbouncer', admin: bouncer.adminUrl, config: copy, database: 'app' });
    stops.push(() => other.close());
    await expect(other.switchTo('green', b.url)).rejects.toThrow(
      /did not take the new \[databases\] entry app after RELOAD/,
    );
    await router.close();
  });
});
