// Cutover and cutback on a real pair with a real PgBouncer in front and 16 clients writing through it:
// cutover, cutback, cutover. No client transaction fails, every acknowledged write is on the live side after
// each switch, and once the reverse stream catches up both sides hold the same rows (count and checksum).
// Inserts on each new live side never collide: its sequences were copied from the old one while fenced.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { SwitchyardConfig } from '../../../src/config/config.js';
import { runSwitch, type SwitchEvent, type SwitchReport } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology } from '../../../src/pair/topology.js';
import { APP_SQL, appRole, eventually, freshPair, replicationObjects, type PairSide, type TestPair } from '../../support/pair.js';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable, type WriteLoadResult } from '../../support/write-load.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

async function pairedWithBouncer(): Promise<{ pair: TestPair; bouncer: PgBouncer; config: SwitchyardConfig }> {
  const pair = await freshPair();
  await pair.blue.client.query(APP_SQL + ';' + writeLoadTable('writes'));
  await pair.blue.client.query(`INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 50) g;
    INSERT INTO orders (customer_id, total) SELECT 1 + g % 50, g FROM generate_series(1, 200) g`);
  await pairInit(pair.config);
  const appUrl = await appRole(pair);
  const bouncer = await startPgBouncer(appUrl);
  stops.push(() => bouncer.stop());
  const config = { ...pair.config, router: { kind: 'pgbouncer' as const, admin: bouncer.adminUrl, config: bouncer.iniPath, database: bouncer.database } };
  return { pair, bouncer, config };
}

type Row = { client: number; seq: number };
const key = (r: Row) => `${r.client}:${r.seq}`;

async function missingOn(side: PairSide, acknowledged: readonly Row[]): Promise<string[]> {
  const have = new Set((await side.client.query<Row>('SELECT client, seq FROM writes')).rows.map(key));
  return acknowledged.map(key).filter((k) => !have.has(k));
}

/** Rows and an order-independent checksum of every application table. */
async function contents(c: pg.Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ['customers', 'orders', 'writes', 'billing.events']) {
    const { rows } = await c.query<{ n: string; sum: string | null }>(`SELECT count(*)::text AS n, sum(hashtext(x::text)::bigint)::text AS sum FROM ${t} x`);
    out[t] = `${rows[0]!.n} rows, checksum ${rows[0]!.sum ?? 0}`;
  }
  return out;
}

describe('cutover and cutback through PgBouncer', () => {
  it('moves 16 writing clients blue -> green -> blue -> green with 0 failed transactions and 0 lost writes after each switch', async () => {
    const { pair, bouncer, config } = await pairedWithBouncer();
    const sides = { blue: pair.blue, green: pair.green };
    const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
    const reports: SwitchReport[] = [];
    let result: WriteLoadResult | undefined;
    try {
      await load.waitForMore(300);
      for (const command of ['cutover', 'cutback', 'cutover'] as const) {
        const events: SwitchEvent[] = [];
        const report = await runSwitch(command, config, { onEvent: (e) => events.push(e) });
        for (const e of events) if (e.kind === 'notice') console.log(`${command}: ${e.message}`);
        reports.push(report);
        expect(report.outcome).toBe('switched');
        expect(report.steps.map((s) => s.step)).toEqual(['fence', 'marker', 'sequences', 'forward_off', 'reverse', 'topology', 'unfence', 'route', 'resume', 'done']);
        const live = sides[report.to];
        for (const side of [pair.blue, pair.green]) expect(await readTopology(side.client, 'switchyard')).toMatchObject({ live: report.to, generation: report.generation.to });
        // Every write acknowledged so far, on either side, is on the new live side right after the switch.
        expect(await missingOn(live, load.acknowledgedWrites()), `after ${command}`).toEqual([]);
        // Writes go on, now on the new live side, with identity/serial values that do not collide.
        await load.waitForMore(300).catch(async (e: unknown) => {
          console.log(events.map((x) => JSON.stringify(x)).join('\n'));
          console.log((await bouncer.log()).split('\n').slice(-40).join('\n'));
          const a = await pair.green.client.query(`SELECT pid, usename, application_name, state, wait_event, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()`);
          console.log(JSON.stringify(a.rows));
          throw e;
        });
        await live.client.query(`INSERT INTO customers (email) VALUES ('after-${command}-${reports.length}@example.com');
          INSERT INTO orders (customer_id, total) VALUES (1, 1)`);
      }
    } finally {
      result = await load.stop();
    }
    console.log(`pauses: ${reports.map((r) => `${r.command} ${r.pauseMs} ms (${r.steps.map((s) => `${s.step} ${s.ms}`).join(', ')})`).join('; ')}`);
    console.log(`${result.acknowledged.length} writes acknowledged, ${result.failed} failed, max latency ${Math.round(result.maxLatencyMs)} ms`);
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(await missingOn(pair.green, result.acknowledged)).toEqual([]);
    // The reverse stream carries green's writes back to blue: both sides end up equal.
    await eventually('blue to catch up with green', async () => JSON.stringify(await contents(pair.blue.client)) === JSON.stringify(await contents(pair.green.client)));
    expect(await contents(pair.blue.client)).toEqual(await contents(pair.green.client));
    for (const r of reports) expect(r.pauseMs).toBeLessThan(2000);
    // Only the current streams exist: green -> blue at generation 4, nothing left of the older ones.
    const [b, g] = [await replicationObjects(pair.blue.client), await replicationObjects(pair.green.client)];
    expect(b.subscriptions).toEqual(['switchyard_green_to_blue_g4']);
    expect(g.slots.filter((s) => s.startsWith('switchyard_'))).toContain('switchyard_green_to_blue_g4');
  }, 180_000);
});
