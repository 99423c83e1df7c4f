// The split-brain watch on a real pair after a real cutover (blue -> green, no router): blue is fenced, and the
// reverse subscription on it applies green's writes. Those raise no alarm; a write made directly on blue (as a
// superuser, whom the fence does not stop) does, through the stream, `pair watch --once` and peekWatch. The
// watch slot (which cutover arms) is armed again here, idempotently, and leaves nothing behind when disarmed or
// torn down.
import { describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairTeardown } from '../../../src/pair/teardown.js';
import {
  armWatch,
  disarmWatch,
  peekWatch,
  watchSlots,
  watchWrites,
  type ForeignWrite,
} from '../../../src/pair/watch.js';
import { cli } from '../../support/cli.js';
import { APP_SQL, eventually, freshPair, replicationObjects, type TestPair } from '../../support/pair.js';

async function cutOver(): Promise<{ pair: TestPair; generation: number }> {
  const pair = await freshPair();
  await pair.blue.client.query(APP_SQL);
  await pair.blue.client.query(
    `INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 5) g`,
  );
  await pairInit(pair.config);
  const report = await runSwitch('cutover', pair.config);
  expect(report).toMatchObject({ outcome: 'switched', from: 'blue', to: 'green' });
  return { pair, generation: report.generation.to };
}

/** Writes on green (live) that the reverse stream applies on blue: an insert, an update, a delete. */
async function liveWrites(pair: TestPair, email: string): Promise<void> {
  await pair.green.client.query(`INSERT INTO customers (email) VALUES ($1)`, [email]);
  await pair.green.client.query(`UPDATE customers SET tier = 'pro' WHERE email = $1`, [email]);
  await pair.green.client.query(
    `INSERT INTO billing.events (id, payload) VALUES (1, '{}'); DELETE FROM billing.events WHERE id = 1`,
  );
  await eventually(
    `${email} on blue`,
    async () =>
      (await pair.blue.client.query(`SELECT 1 FROM customers WHERE email = $1 AND tier = 'pro'`, [email])).rows
        .length === 1,
  );
}

const watchNames = async (pair: TestPair) => {
  const [b, g] = [await replicationObjects(pair.blue.client), await replicationObjects(pair.green.client)];
  return [...b.slots, ...b.publications, ...g.slots, ...g.publications].filter((n) => n.startsWith('switchyard_watch'));
};

describe('split-brain watch', () => {
  it('raises no alarm for the writes the reverse stream applies on the fenced side, and confirms past them', async () => {
    const { pair, generation } = await cutOver();
    expect(await armWatch(pair.blue.client, 'switchyard', 'blue', generation)).toMatchObject({
      slot: `switchyard_watch_blue_g${generation}`,
      publication: 'switchyard_watch_blue',
      outcome: expect.stringMatching(/^(created|exists)$/),
    }); // exists once cutover arms it
    await liveWrites(pair, 'live-1@example.com');
    const {
      rows: [at],
    } = await pair.blue.client.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
    expect(await peekWatch(pair.blue.client, 'blue')).toMatchObject({ pending: 0, writes: [] });
    const once = await cli('-c', pair.configFile, 'pair', 'watch', '--once');
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toContain('no write on blue (fenced)');

    const alarms: ForeignWrite[] = [];
    const watch = await watchWrites(pair.blue.url, { side: 'blue', onAlarm: (w) => alarms.push(w) });
    try {
      await liveWrites(pair, 'live-2@example.com');
      // The stream acknowledges what it decoded: the slot moves past the replicated transactions.
      await eventually(
        'the watch slot to confirm past the replicated writes',
        async () =>
          (
            await pair.blue.client.query(
              `SELECT confirmed_flush_lsn >= $2::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $1`,
              [watch.slot, at!.lsn],
            )
          ).rows[0]?.ok === true,
      );
    } finally {
      await watch.stop();
    }
    expect(alarms).toEqual([]);
  });

  it('reports a direct write on the fenced side through peekWatch, pair watch --once and the stream', async () => {
    const { pair, generation } = await cutOver();
    await armWatch(pair.blue.client, 'switchyard', 'blue', generation);
    await liveWrites(pair, 'live-1@example.com');
    const before = Date.now();
    await pair.blue.client.query(`INSERT INTO customers (id, email) VALUES (9001, 'rogue@example.com')`);
    await pair.blue.client.query(`UPDATE customers SET tier = 'pro' WHERE id = 9001`);
    await pair.blue.client.query(
      `DELETE FROM billing.events WHERE id = 1; INSERT INTO billing.events (id) VALUES (77)`,
    );
    await liveWrites(pair, 'live-2@example.com');
    const expected = [
      { table: 'public.customers', kind: 'insert', key: { id: '9001' } },
      { table: 'public.customers', kind: 'update', key: { id: '9001' } },
      { table: 'billing.events', kind: 'insert', key: { id: '77' } },
    ];

    // Only flushed WAL is decoded: the test servers commit asynchronously (the WAL writer flushes within 200 ms).
    await eventually('three pending writes', async () => (await peekWatch(pair.blue.client, 'blue')).pending === 3);
    const peek = await peekWatch(pair.blue.client, 'blue');
    expect(peek.writes).toMatchObject(expected);
    // The WAL the slot holds back on the fenced side, shown by pair status.
    expect(peek.retainedBytes).toBeGreaterThan(0);
    const status = await cli('-c', pair.configFile, 'pair', 'status');
    expect(status.stdout).toMatch(
      /watch switchyard_watch_blue_g\d+: 3 write\(s\) on blue \(fenced\) since the switch \(split brain\); the slot retains \d+\.\d MB of WAL/,
    );
    const once = await cli('-c', pair.configFile, '--json', 'pair', 'watch', '--once');
    expect(once.code, once.stderr).toBe(1);
    const lines = once.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toMatchObject(expected.map((e) => ({ event: 'alarm', side: 'blue', ...e })));
    const text = await cli('-c', pair.configFile, 'pair', 'watch', '--once');
    expect(text.stdout).toContain('insert on public.customers (id=9001) on fenced side blue');
    // Peeking consumes nothing.
    expect((await peekWatch(pair.blue.client, 'blue')).pending).toBe(3);

    const alarms: ForeignWrite[] = [];
    const watch = await watchWrites(pair.blue.url, { side: 'blue', onAlarm: (w) => alarms.push(w) });
    try {
      await eventually('three alarms', async () => alarms.length >= 3);
      await pair.blue.client.query(`DELETE FROM customers WHERE id = 9001`);
      await eventually('the delete alarm', async () => alarms.length >= 4);
    } finally {
      await watch.stop();
    }
    expect(alarms).toMatchObject([...expected, { table: 'public.customers', kind: 'delete', key: { id: '9001' } }]);
    // Commit times come from the server clock, in the right epoch (the library's keepalive clock is 7 days off).
    for (const a of alarms) expect(Math.abs(a.committedAt!.getTime() - before)).toBeLessThan(60_000);
    // What the stream reported was acknowledged: nothing is pending any more.
    await eventually('the slot to be confirmed', async () => (await peekWatch(pair.blue.client, 'blue')).pending === 0);
    expect((await cli('-c', pair.configFile, 'pair', 'watch', '--once')).code).toBe(0);
  });

  it('is idempotent, replaces an older generation, and disarming leaves no watch slot even while streamed', async () => {
    const { pair, generation } = await cutOver();
    await expect(armWatch(pair.green.client, 'switchyard', 'green', generation)).rejects.toMatchObject({
      code: 'WATCH_LIVE_SIDE',
    });
    await armWatch(pair.blue.client, 'switchyard', 'blue', generation);
    expect((await armWatch(pair.blue.client, 'switchyard', 'blue', generation)).outcome).toBe('exists');
    await armWatch(pair.blue.client, 'switchyard', 'blue', generation + 1);
    expect((await watchSlots(pair.blue.client, 'blue')).map((s) => s.name)).toEqual([
      `switchyard_watch_blue_g${generation + 1}`,
    ]);
    const watch = await watchWrites(pair.blue.url, { side: 'blue', onAlarm: () => undefined });
    expect(await disarmWatch(pair.blue.client, 'blue')).toEqual({
      slots: [`switchyard_watch_blue_g${generation + 1}`],
      publication: 'switchyard_watch_blue',
    });
    await watch.ended.catch(() => undefined);
    await watch.stop();
    expect(await watchNames(pair)).toEqual([]);
    expect(await peekWatch(pair.blue.client, 'blue')).toMatchObject({ slot: null });
    const once = await cli('-c', pair.configFile, 'pair', 'watch', '--once');
    expect(once.code).toBe(1);
    expect(once.stderr).toContain('no watch slot on blue');
  });

  it('teardown removes the watch slot and publication', async () => {
    const { pair, generation } = await cutOver();
    await armWatch(pair.blue.client, 'switchyard', 'blue', generation);
    const r = await pairTeardown(pair.config);
    expect(r.removed.blue.slots).toContain(`switchyard_watch_blue_g${generation}`);
    expect(await watchNames(pair)).toEqual([]);
  });
});
