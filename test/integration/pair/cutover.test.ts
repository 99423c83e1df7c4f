// Cutover and cutback on a real pair with a real PgBouncer in front and 16 clients writing through it:
// cutover, cutback, cutover. No client transaction fails, every acknowledged write is on the live side after
// each switch, and once the reverse stream catches up both sides hold the same rows (count and checksum).
// Inserts on each new live side never collide: its sequences were copied from the old one while fenced.
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { SwitchyardConfig } from '../../../src/config/config.js';
import { runSwitch, type SwitchEvent, type SwitchReport } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology } from '../../../src/pair/topology.js';
import {
  APP_SQL,
  appRole,
  eventually,
  freshPair,
  replicationObjects,
  type PairSide,
  type TestPair,
} from '../../support/pair.js';
import { startPgBouncer, type PgBouncer } from '../../support/pgbouncer.js';
import { startWriteLoad, writeLoadTable, type WriteLoadResult } from '../../support/write-load.js';
import { cli } from '../../support/cli.js';
import { introspect, serverVersion } from '../../../src/introspect/index.js';
import { writePlanFiles } from '../../../src/planner/file.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

async function schemaOf(c: pg.Client): Promise<DatabaseSchema> {
  await prepareSession(c);
  return introspect(c, { includeSchemas: ['public', 'billing'] });
}

const count = async (c: pg.Client, sql: string): Promise<number> =>
  Number(Object.values((await c.query<Record<string, string>>(sql)).rows[0]!)[0]);

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!().catch(() => undefined);
});

async function pairedWithBouncer(
  o: { amount?: boolean } = {},
): Promise<{ pair: TestPair; bouncer: PgBouncer; config: SwitchyardConfig }> {
  const pair = await freshPair();
  await pair.blue.client.query(`${APP_SQL};${writeLoadTable('writes')}`);
  // A column the next release retypes (integer -> bigint): the old application writes it, the new one amount__new.
  if (o.amount) await pair.blue.client.query('ALTER TABLE writes ADD COLUMN amount integer');
  await pair.blue.client.query(`INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 50) g;
    INSERT INTO orders (customer_id, total) SELECT 1 + g % 50, g FROM generate_series(1, 200) g`);
  await pairInit(pair.config);
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
    const { rows } = await c.query<{ n: string; sum: string | null }>(
      `SELECT count(*)::text AS n, sum(hashtext(x::text)::bigint)::text AS sum FROM ${t} x`,
    );
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
        expect(report.steps.map((s) => s.step)).toEqual([
          'fence',
          'marker',
          'sequences',
          'forward_off',
          'reverse',
          'topology',
          'unfence',
          'route',
          'resume',
          'done',
        ]);
        const live = sides[report.to];
        for (const side of [pair.blue, pair.green])
          expect(await readTopology(side.client, 'switchyard')).toMatchObject({
            live: report.to,
            generation: report.generation.to,
          });
        // Every write acknowledged so far, on either side, is on the new live side right after the switch.
        expect(await missingOn(live, load.acknowledgedWrites()), `after ${command}`).toEqual([]);
        // Writes go on, now on the new live side, with identity/serial values that do not collide.
        await load.waitForMore(300).catch(async (e: unknown) => {
          console.log(events.map((x) => JSON.stringify(x)).join('\n'));
          console.log((await bouncer.log()).split('\n').slice(-40).join('\n'));
          const a = await pair.green.client.query(
            `SELECT pid, usename, application_name, state, wait_event, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()`,
          );
          console.log(JSON.stringify(a.rows));
          throw e;
        });
        await live.client.query(`INSERT INTO customers (email) VALUES ('after-${command}-${reports.length}@example.com');
          INSERT INTO orders (customer_id, total) VALUES (1, 1)`);
      }
    } finally {
      result = await load.stop();
    }
    console.log(
      `pauses: ${reports.map((r) => `${r.command} ${r.pauseMs} ms (${r.steps.map((s) => `${s.step} ${s.ms}`).join(', ')})`).join('; ')}`,
    );
    console.log(
      `${result.acknowledged.length} writes acknowledged, ${result.failed} failed, max latency ${Math.round(result.maxLatencyMs)} ms`,
    );
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(await missingOn(pair.green, result.acknowledged)).toEqual([]);
    // The reverse stream carries green's writes back to blue: both sides end up equal.
    await eventually(
      'blue to catch up with green',
      async () =>
        JSON.stringify(await contents(pair.blue.client)) === JSON.stringify(await contents(pair.green.client)),
    );
    expect(await contents(pair.blue.client)).toEqual(await contents(pair.green.client));
    for (const r of reports) expect(r.pauseMs).toBeLessThan(2000);
    // Only the current streams exist: green -> blue at generation 4, nothing left of the older ones.
    const [b, g] = [await replicationObjects(pair.blue.client), await replicationObjects(pair.green.client)];
    expect(b.subscriptions).toEqual(['switchyard_green_to_blue_g4']);
    expect(g.slots.filter((s) => s.startsWith('switchyard_'))).toContain('switchyard_green_to_blue_g4');
  }, 180_000);

  it('old and new application versions writing through a retype: derived columns on the new side, old columns on the old, through cutover, cutback, cutover', async () => {
    const { pair, bouncer, config } = await pairedWithBouncer({ amount: true });
    await pair.blue.client.query('UPDATE writes SET amount = 0');
    // The next release retypes writes.amount to bigint: expand and backfill run on the standby (green) while blue is live.
    const source = await schemaOf(pair.blue.client);
    const target = {
      ...source,
      schemas: source.schemas.map((sc) => ({
        ...sc,
        tables: sc.tables.map((t) =>
          t.name !== 'writes'
            ? t
            : {
                ...t,
                columns: t.columns.map((c) =>
                  c.name === 'amount' ? { ...c, type: 'bigint', down: 'amount::integer' } : c,
                ),
              },
        ),
      })),
    };
    const v = await serverVersion(pair.blue.client);
    const plan = buildPlan(source, target, {
      name: 'retype_amount',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    const dir = join(dirname(pair.configFile), 'plans');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, '0001_retype_amount.plan.yaml');
    await writePlanFiles(plan, dir, join(dirname(pair.configFile), 'migrations'));
    const run = (...argv: string[]) => cli('--config', pair.configFile, ...argv);

    // The application version of each client: old writes amount, new writes amount__new (only on green, which has it).
    let version: 'old' | 'new' = 'old';
    const newClients = new Set([1, 2, 3, 4, 5, 6, 7, 8]);
    let newVersionWrites = 0;
    const load = startWriteLoad(bouncer.url, 'writes', {
      clients: 16,
      columns: (client, seq) => {
        const isNew = version === 'new' && newClients.has(client);
        if (isNew) newVersionWrites++;
        return { payload: `client ${client} write ${seq}`, [isNew ? 'amount__new' : 'amount']: seq };
      },
    });
    const sides = { blue: pair.blue, green: pair.green };
    let result: WriteLoadResult | undefined;
    try {
      await load.waitForMore(200);
      for (const phase of ['expand', 'backfill']) {
        const r = await run('apply', path, '--release', '1', '--phase', phase, '--skip-rehearsal');
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
      await load.waitForMore(200);
      for (const command of ['cutover', 'cutback', 'cutover'] as const) {
        // Before a cutback the application is rolled back first (the old version runs on green, which has both columns).
        if (command === 'cutback') {
          version = 'old';
          await load.waitForMore(100);
        }
        const report = await runSwitch(command, config);
        expect(report.outcome).toBe('switched');
        expect(await missingOn(sides[report.to], load.acknowledgedWrites()), `after ${command}`).toEqual([]);
        // After a cutover half the clients are deployed with the new version, which writes amount__new only.
        if (report.to === 'green') version = 'new';
        await load.waitForMore(300);
      }
    } finally {
      result = await load.stop();
    }
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(await missingOn(pair.green, result.acknowledged)).toEqual([]);
    await eventually(
      'blue to catch up with green',
      async () =>
        (await count(pair.blue.client, 'SELECT count(*) FROM writes')) ===
        (await count(pair.green.client, 'SELECT count(*) FROM writes')),
    );
    // Green (new schema): every row has both columns, equal, whichever version wrote it.
    expect(
      await count(
        pair.green.client,
        'SELECT count(*) FROM writes WHERE amount__new IS NULL OR amount IS DISTINCT FROM amount__new::integer',
      ),
    ).toBe(0);
    expect(await count(pair.green.client, 'SELECT count(*) FROM writes WHERE client > 0 AND amount <> seq')).toBe(0);
    // The new version did write (during both times green was live), with no failed transaction.
    expect(newVersionWrites).toBeGreaterThan(100);
    // Blue (old schema): the new version's rows arrived with the old column filled (down), via the reverse stream.
    expect(
      await count(pair.blue.client, 'SELECT count(*) FROM writes WHERE client > 0 AND amount IS DISTINCT FROM seq'),
    ).toBe(0);
    // The columns both sides have hold the same rows (green has amount__new besides).
    const common =
      "SELECT count(*)::text || ' rows, checksum ' || coalesce(sum(hashtext((id, client, seq, payload, amount)::text)::bigint), 0)::text FROM writes";
    expect(await count(pair.blue.client, `SELECT hashtext((${common}))`)).toBe(
      await count(pair.green.client, `SELECT hashtext((${common}))`),
    );
    const other = async (c: pg.Client) => {
      const x = await contents(c);
      delete x.writes;
      return x;
    };
    expect(await other(pair.blue.client)).toEqual(await other(pair.green.client));
  }, 240_000);
});
