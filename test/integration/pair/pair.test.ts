// A real blue/green pair on two embedded servers: init copies the schema and the rows and keeps streaming,
// reruns converge, status sees lag, sync state, sequence drift, schema drift and apply errors, teardown
// leaves nothing retaining WAL, resync rebuilds the standby, and the publication never carries the ledger.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PairPreflightError } from '../../../src/pair/errors.js';
import { pairInit, pairResync } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { pairTeardown } from '../../../src/pair/teardown.js';
import { readTopology, switchTopology } from '../../../src/pair/topology.js';
import { loadConfig } from '../../../src/config/config.js';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { introspect } from '../../../src/introspect/index.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { APP_SQL, eventually, freshPair, replicationObjects, type TestPair } from '../../support/pair.js';

const count = async (p: TestPair['blue'], table: string) =>
  Number((await p.client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0]!.n);

async function seed(pair: TestPair, customers: number, orders: number): Promise<void> {
  await pair.blue.client.query(APP_SQL);
  await pair.blue.client.query(
    `INSERT INTO customers (email, tier) SELECT 'c' || g || '@example.com', CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'free' END::tier FROM generate_series(1, $1) g`,
    [customers],
  );
  await pair.blue.client.query(
    `INSERT INTO orders (customer_id, total) SELECT 1 + g % $1, (g % 1000) / 10.0 FROM generate_series(1, $2) g`,
    [customers, orders],
  );
  await pair.blue.client.query(
    `INSERT INTO billing.events (id, payload) SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 100) g`,
  );
}

describe('pair init', () => {
  it('copies the schema and the rows, streams later writes, stores the topology, and converges when run again', async () => {
    const pair = await freshPair();
    await seed(pair, 20_000, 100_000);
    const started = Date.now();
    const r = await pairInit(pair.config, { timeoutMs: 60_000 });
    const ms = Date.now() - started;
    console.log(
      `pair init: ${ms} ms total, initial copy of ${r.rows} rows in ${r.copyMs} ms (${Math.round((r.rows * 1000) / Math.max(1, r.copyMs))} rows/s), heartbeat ${r.heartbeatMs} ms`,
    );

    expect(r).toMatchObject({
      live: 'blue',
      standby: 'green',
      generation: 1,
      publication: 'switchyard_from_blue',
      subscription: 'switchyard_blue_to_green_g1',
    });
    expect(r.schema.action).toBe('built');
    expect(r.tables).toBe(4); // customers, orders, billing.events, switchyard.heartbeat
    const names = ['public', 'billing'];
    expect(fingerprint(await introspect(pair.green.client, { includeSchemas: names }))).toBe(
      fingerprint(await introspect(pair.blue.client, { includeSchemas: names })),
    );
    expect(await count(pair.green, 'customers')).toBe(20_000);
    expect(await count(pair.green, 'orders')).toBe(100_000);
    expect(await count(pair.green, 'billing.events')).toBe(100);

    for (const side of ['blue', 'green'] as const) {
      expect(await readTopology(pair[side].client, 'switchyard')).toMatchObject({
        side,
        live: 'blue',
        generation: 1,
        state: 'paired',
      });
    }

    // Later writes (insert, update, delete) arrive.
    await pair.blue.client.query(`INSERT INTO customers (email) VALUES ('late@example.com')`);
    await pair.blue.client.query(`UPDATE orders SET total = 999.99 WHERE id = 7`);
    await pair.blue.client.query(`DELETE FROM billing.events WHERE id <= 10`);
    await eventually(
      'later writes on green',
      async () =>
        (await pair.green.client.query(`SELECT 1 FROM customers WHERE email = 'late@example.com'`)).rows.length === 1 &&
        (await pair.green.client.query(`SELECT total::text FROM orders WHERE id = 7`)).rows[0]?.total === '999.99' &&
        (await count(pair.green, 'billing.events')) === 90,
    );

    // Running it again changes nothing and says so.
    const again = await pairInit(pair.config, { timeoutMs: 60_000 });
    expect(again.schema.action).toBe('unchanged');
    expect(
      Object.fromEntries(
        again.steps
          .filter((s) => ['publication', 'slot', 'subscription'].includes(s.step))
          .map((s) => [s.step, s.outcome]),
      ),
    ).toEqual({ publication: 'exists', slot: 'exists', subscription: 'exists' });
    expect(again.generation).toBe(1);
    expect(await count(pair.green, 'customers')).toBe(20_001);
    expect((await replicationObjects(pair.blue.client)).slots).toEqual(['switchyard_blue_to_green_g1']);
  });

  it('resumes after a crash between creating the slot and subscribing', async () => {
    const pair = await freshPair();
    await seed(pair, 100, 200);
    // What a crash after the slot leaves: the pair tables, the schema on green, the publication and the slot.
    const first = await pairInit(pair.config, { timeoutMs: 60_000 });
    await pair.green.client.query(
      `ALTER SUBSCRIPTION ${first.subscription} DISABLE; ALTER SUBSCRIPTION ${first.subscription} SET (slot_name = NONE); DROP SUBSCRIPTION ${first.subscription}`,
    );
    await pair.green.client.query(`TRUNCATE customers, orders, billing.events, switchyard.heartbeat CASCADE`);
    const r = await pairInit(pair.config, { timeoutMs: 60_000 });
    expect(
      Object.fromEntries(
        r.steps.filter((s) => ['schema', 'slot', 'subscription'].includes(s.step)).map((s) => [s.step, s.outcome]),
      ),
    ).toEqual({ schema: 'exists', slot: 'exists', subscription: 'created' });
    expect(await count(pair.green, 'orders')).toBe(200);
  });

  it('publishes the application schemas and the heartbeat, never the ledger', async () => {
    const pair = await freshPair('ledgerSchema: ops\n');
    await seed(pair, 10, 10);
    // A ledger that already holds plan rows on live (what `apply` writes there).
    await pair.blue.client.query(
      `CREATE SCHEMA ops; CREATE TABLE ops.plans (id int PRIMARY KEY, name text); INSERT INTO ops.plans VALUES (1, 'p')`,
    );
    await pairInit(pair.config, { timeoutMs: 60_000 });
    const { rows } = await pair.blue.client.query<{ t: string }>(
      `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = 'switchyard_from_blue' ORDER BY 1`,
    );
    expect(rows.map((r) => r.t)).toEqual(['billing.events', 'ops.heartbeat', 'public.customers', 'public.orders']);
    expect((await pair.green.client.query(`SELECT to_regclass('ops.plans') AS t`)).rows[0].t).toBeNull();
    expect((await pair.green.client.query(`SELECT to_regclass('switchyard.pair_topology') AS t`)).rows[0].t).toBeNull();
    expect(await readTopology(pair.green.client, 'ops')).toMatchObject({ side: 'green', live: 'blue' });
    // A table created later in an application schema is published; nothing in the ledger is.
    await pair.blue.client.query(
      `CREATE TABLE ops.later (id int PRIMARY KEY); CREATE TABLE public.later (id int PRIMARY KEY)`,
    );
    const after = (
      await pair.blue.client.query<{ t: string }>(
        `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = 'switchyard_from_blue' AND schemaname = 'ops'`,
      )
    ).rows.map((r) => r.t);
    expect(after).toEqual(['ops.heartbeat']);
  });

  it('refuses with the fix when a preflight check fails, and changes nothing', async () => {
    const pair = await freshPair();
    await pair.blue.client.query(`CREATE TABLE audit (at timestamptz, what text)`);
    await expect(pairInit(pair.config)).rejects.toMatchObject({
      code: 'PAIR_PREFLIGHT',
      exitCode: 1,
      message: expect.stringMatching(
        /public\.audit \(no primary key\)[\s\S]*fix: ALTER TABLE public\.audit REPLICA IDENTITY FULL \(or add a primary key\)/,
      ),
    });
    expect(await replicationObjects(pair.blue.client)).toEqual({ slots: [], publications: [], subscriptions: [] });
    expect((await pair.green.client.query(`SELECT to_regclass('public.audit') AS t`)).rows[0].t).toBeNull();
  });
});

describe('pair status', () => {
  it('reports the topology, lag, sync state, sequence drift, schema drift and apply errors', async () => {
    const pair = await freshPair();
    await seed(pair, 50, 80);
    await pair.blue.client.query(`SELECT nextval('invoice_numbers') FROM generate_series(1, 5)`);
    await pairInit(pair.config, { timeoutMs: 60_000 });

    const s = await pairStatus(pair.config);
    expect(s).toMatchObject({ ok: true, paired: true, live: 'blue', standby: 'green', generation: 1, problems: [] });
    expect(s.stream).toMatchObject({ subscription: 'switchyard_blue_to_green_g1', enabled: true });
    expect(s.stream!.workerPid).toBeGreaterThan(0);
    expect(typeof s.lag!.bytes).toBe('number');
    expect(s.lag!.bytes).toBeGreaterThanOrEqual(0);
    expect(s.tables.map((t) => [t.table, t.state])).toEqual([
      ['billing.events', 'r'],
      ['public.customers', 'r'],
      ['public.orders', 'r'],
      ['switchyard.heartbeat', 'r'],
    ]);
    expect(s.schema).toMatchObject({ equal: true, differences: [] });
    expect(s.errors).toEqual({ apply: 0, sync: 0 });
    // Sequences are not replicated: live is ahead, the standby's were never used.
    const seq = Object.fromEntries(s.sequences.map((q) => [q.sequence, q]));
    expect(seq['public.customers_id_seq']).toMatchObject({ live: '50', standby: null, behind: '50' });
    expect(seq['public.orders_id_seq']).toMatchObject({ live: '80', standby: null, behind: '80' });
    expect(seq['public.invoice_numbers']).toMatchObject({ live: '85', standby: null, behind: '85' });

    // Drift made on the standby is listed; an extra nullable column does not stop replication.
    await pair.green.client.query(
      `ALTER TABLE customers ADD COLUMN nickname text; CREATE INDEX events_at ON billing.events (at)`,
    );
    const drift = await pairStatus(pair.config);
    expect(drift.ok).toBe(true);
    expect(drift.schema!.equal).toBe(false);
    expect(drift.schema!.differences.join('\n')).toMatch(/nickname/);
    expect(drift.schema!.differences.join('\n')).toMatch(/events_at/);

    // A column live publishes that the standby lacks is a problem.
    await pair.green.client.query(`ALTER TABLE billing.events DROP COLUMN payload`);
    const missing = await pairStatus(pair.config);
    expect(missing.ok).toBe(false);
    expect(missing.problems.join('\n')).toMatch(/billing\.events\.payload/);
    expect(missing.schema!.differences.join('\n')).toMatch(/payload/);

    // A conflicting row makes the apply worker fail: counted and reported.
    await pair.green.client.query(`INSERT INTO customers (id, email) VALUES (1000, 'standby@example.com')`);
    await pair.blue.client.query(`INSERT INTO customers (id, email) VALUES (1000, 'live@example.com')`);
    let failing = missing;
    await eventually('an apply error', async () => ((failing = await pairStatus(pair.config)).errors?.apply ?? 0) > 0);
    expect(failing.ok).toBe(false);
    expect(failing.problems.join('\n')).toMatch(/apply error/);
  });

  it('lag in bytes grows while the standby is not applying, and comes back to zero', async () => {
    const pair = await freshPair();
    await seed(pair, 10, 10);
    const r = await pairInit(pair.config, { timeoutMs: 60_000 });
    await pair.green.client.query(`ALTER SUBSCRIPTION ${r.subscription} DISABLE`);
    await eventually('worker stopped', async () => (await pairStatus(pair.config)).stream!.workerPid === null);
    await pair.blue.client.query(`INSERT INTO orders (customer_id, total) SELECT 1, 1 FROM generate_series(1, 5000)`);
    const behind = await pairStatus(pair.config);
    expect(behind.ok).toBe(false);
    expect(behind.problems.join('\n')).toMatch(/disabled/);
    expect(behind.lag!.bytes).toBeGreaterThan(100_000);
    // pair init converges: the stream of the current direction is enabled again.
    const again = await pairInit(pair.config, { timeoutMs: 60_000 });
    expect(again.steps.find((s) => s.step === 'subscription')!.outcome).toBe('updated');
    await eventually('caught up', async () => (await count(pair.green, 'orders')) === 5010);
    await eventually(
      'lag back to 0',
      async () => {
        await pair.blue.client.query(`SELECT pg_switch_wal()`).catch(() => undefined);
        const s = await pairStatus(pair.config);
        return s.ok && (s.lag!.bytes ?? 1) < 200;
      },
      30_000,
    );
  });
});

describe('pair teardown and resync', () => {
  it('teardown removes every slot, publication and subscription on both sides; resync pairs again', async () => {
    const pair = await freshPair();
    await seed(pair, 100, 300);
    await pairInit(pair.config, { timeoutMs: 60_000 });
    const t = await pairTeardown(pair.config);
    expect(t.removed.green.subscriptions).toEqual(['switchyard_blue_to_green_g1']);
    expect(t.removed.blue).toEqual({
      subscriptions: [],
      publications: ['switchyard_from_blue'],
      slots: ['switchyard_blue_to_green_g1'],
    });
    expect(t.remainingSlots).toEqual([]);
    for (const side of ['blue', 'green'] as const) {
      expect(await replicationObjects(pair[side].client)).toEqual({ slots: [], publications: [], subscriptions: [] });
      expect(await readTopology(pair[side].client, 'switchyard')).toMatchObject({ live: 'blue', state: 'unpaired' });
    }
    // Rows stay; a second teardown has nothing to do.
    expect(await count(pair.green, 'orders')).toBe(300);
    expect((await pairTeardown(pair.config)).removed.blue.slots).toEqual([]);

    // init refuses to copy onto rows; resync rebuilds the standby.
    await expect(pairInit(pair.config)).rejects.toMatchObject({
      code: 'STANDBY_HAS_ROWS',
      message: expect.stringContaining('pair resync'),
    });
    await pair.blue.client.query(`ALTER TABLE orders ADD COLUMN note text`); // a contract-like change on live
    await pair.blue.client.query(`INSERT INTO orders (customer_id, total, note) VALUES (1, 5, 'after')`);
    const r = await pairResync(pair.config, { timeoutMs: 60_000 });
    expect(r.dropped).toBeGreaterThan(0);
    expect(await count(pair.green, 'orders')).toBe(301);
    expect((await pair.green.client.query(`SELECT note FROM orders WHERE note = 'after'`)).rows).toHaveLength(1);
    expect((await pairStatus(pair.config)).ok).toBe(true);
  });
});

describe('a live role that is not superuser', () => {
  it('refuses an UNLOGGED table naming it with the fix, then publishes a table list (no FOR TABLES IN SCHEMA) and streams', async () => {
    const pair = await freshPair();
    await seed(pair, 30, 60);
    const role = `pairer_${randomBytes(4).toString('hex')}`;
    const secret = randomBytes(12).toString('hex');
    await pair.blue.client.query(
      `CREATE ROLE ${role} LOGIN REPLICATION PASSWORD '${secret}'; GRANT CREATE ON DATABASE ${pair.blue.name} TO ${role}; GRANT USAGE ON SCHEMA billing TO ${role}`,
    );
    // Roles belong to the cluster: the owner of live's tables must exist on the standby's too.
    await pair.green.client.query(`CREATE ROLE ${role}`);
    await pair.blue.client.query(`CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)`);
    for (const t of ['customers', 'orders', 'billing.events', 'scratch'])
      await pair.blue.client.query(`ALTER TABLE ${t} OWNER TO ${role}`);
    const url = new URL(pair.blue.url);
    url.username = role;
    url.password = secret;
    writeFileSync(pair.configFile, `pair:\n  blue: ${url.toString()}\n  green: ${pair.green.url}\n`);
    const config = await loadConfig(pair.configFile);
    try {
      // Logical replication cannot carry an unlogged table's rows: the standby would take over without them.
      const refused = await pairInit(config, { timeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PairPreflightError);
      const failed = (refused as PairPreflightError).checks.filter((c) => c.status === 'fail');
      expect(failed.map((c) => c.id)).toEqual(['pair-unlogged-tables']);
      expect(failed[0]!.detail).toContain('public.scratch');
      expect(failed[0]!.fix).toContain('ALTER TABLE public.scratch SET LOGGED');
      await pair.blue.client.query('DROP TABLE scratch');
      const r = await pairInit(config, { timeoutMs: 60_000 });
      expect(r.steps.find((s) => s.step === 'publication')!.detail).toMatch(/3 table\(s\), plus switchyard.heartbeat/);
      expect((await pair.blue.client.query(`SELECT count(*)::int AS n FROM pg_publication_namespace`)).rows[0].n).toBe(
        0,
      );
      const { rows } = await pair.blue.client.query<{ t: string }>(
        `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = 'switchyard_from_blue' ORDER BY 1`,
      );
      expect(rows.map((x) => x.t)).toEqual([
        'billing.events',
        'public.customers',
        'public.orders',
        'switchyard.heartbeat',
      ]);
      expect(await count(pair.green, 'orders')).toBe(60);
      await pair.blue.client.query(`INSERT INTO billing.events (id) VALUES (5000)`);
      await eventually(
        'the new event on green',
        async () => (await pair.green.client.query(`SELECT 1 FROM billing.events WHERE id = 5000`)).rows.length === 1,
      );
    } finally {
      await pairTeardown(config);
    }
  });
});

describe('topology as a fencing token', () => {
  it('switchTopology moves a side only from the expected generation; status sees the sides disagree', async () => {
    const pair = await freshPair();
    await seed(pair, 5, 5);
    await pairInit(pair.config, { timeoutMs: 60_000 });
    expect(await switchTopology(pair.blue.client, 'switchyard', 1, { live: 'green', generation: 2 })).toMatchObject({
      side: 'blue',
      live: 'green',
      generation: 2,
    });
    await expect(
      switchTopology(pair.blue.client, 'switchyard', 1, { live: 'green', generation: 2 }),
    ).rejects.toMatchObject({
      code: 'TOPOLOGY_CONFLICT',
      message: expect.stringContaining('expected generation 1, the database holds generation 2'),
    });
    const half = await pairStatus(pair.config);
    expect(half.ok).toBe(false);
    expect(half.problems.join('\n')).toMatch(/blue says live=green generation 2, green says live=blue generation 1/);
    await switchTopology(pair.green.client, 'switchyard', 1, { live: 'green', generation: 2 });
    const moved = await pairStatus(pair.config);
    expect(moved).toMatchObject({ live: 'green', standby: 'blue', generation: 2, ok: false });
    expect(moved.problems.join('\n')).toMatch(/no subscription switchyard_green_to_blue_g2 on blue/);
  });
});

describe('one pair command at a time', () => {
  it('init, resync and teardown refuse while another holds the pair lock, naming it', async () => {
    const pair = await freshPair();
    const other = new pg.Client({ connectionString: pair.green.url, application_name: 'switchyard pair init' });
    await other.connect();
    try {
      await other.query(`SELECT pg_try_advisory_lock(${0x535950}, ${0x414952})`);
      await expect(pairTeardown(pair.config)).rejects.toMatchObject({
        code: 'PAIR_BUSY',
        exitCode: 1,
        message: expect.stringMatching(/another pair command is running on green: pid \d+ \("switchyard pair init"\)/),
      });
      await expect(pairInit(pair.config)).rejects.toMatchObject({ code: 'PAIR_BUSY' });
      await expect(pairResync(pair.config)).rejects.toMatchObject({ code: 'PAIR_BUSY' });
    } finally {
      await other.end();
    }
    expect((await pairTeardown(pair.config)).remainingSlots).toEqual([]);
  });
});
