// `pair verify` on a real pair: clean when the sides hold the same rows (also while live takes inserts), a row
// changed by hand and rows deleted or added on the standby (replication paused) named by key, exit 1, nothing
// written on either side while reading, and the cutover gate's `cutover.requireVerify`.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairVerify, type VerifyReport } from '../../../src/pair/verify.js';
import { cli } from '../../support/cli.js';
import { APP_SQL, eventually, freshPair, type TestPair } from '../../support/pair.js';

const SUB = 'switchyard_blue_to_green_g1';

/** The app, a composite key, a table without a key, rows in several chunks; paired and caught up. */
async function pairedApp(extraYaml = ''): Promise<TestPair> {
  const pair = await freshPair(extraYaml);
  const b = pair.blue.client;
  await b.query(APP_SQL);
  await b.query(`
    CREATE TABLE line_items (order_ref text NOT NULL, line int NOT NULL, qty int NOT NULL, note text, PRIMARY KEY (order_ref, line));
    CREATE TABLE audit_log (at timestamptz NOT NULL, what text);
    ALTER TABLE audit_log REPLICA IDENTITY FULL;
    INSERT INTO customers (email, tier) SELECT 'c' || g || '@x', CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'free' END::tier FROM generate_series(1, 2500) g;
    INSERT INTO orders (customer_id, total) SELECT 1 + g % 2500, g * 1.25 FROM generate_series(1, 1200) g;
    INSERT INTO billing.events (id, payload) SELECT g, jsonb_build_object('n', g, 's', 'x' || g) FROM generate_series(1, 700) g;
    INSERT INTO line_items SELECT 'o-' || (g / 4), g % 4, g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 900) g;
    INSERT INTO audit_log SELECT timestamptz '2026-01-01' + g * interval '1 minute', 'w' || (g % 7) FROM generate_series(1, 300) g;
  `);
  await pairInit(pair.config, { timeoutMs: 60_000 });
  return pair;
}

/** Relations, functions, temporary tables and rows in the ledger schema: what a write would leave. */
async function footprint(c: pg.Client): Promise<string> {
  const { rows } = await c.query<{ f: string }>(
    `SELECT (SELECT count(*) FROM pg_class) || '/' || (SELECT count(*) FROM pg_proc)
         || '/' || (SELECT count(*) FROM pg_class WHERE relpersistence = 't') || '/' || (SELECT count(*) FROM pg_namespace) AS f`,
  );
  return rows[0]!.f;
}

const table = (r: VerifyReport, name: string) => r.tables.find((t) => t.table === name)!;

describe('pair verify', () => {
  it('is clean on a clean pair, reads both sides without writing, and records the result on live', async () => {
    const pair = await pairedApp();
    const before = { blue: await footprint(pair.blue.client), green: await footprint(pair.green.client) };
    // Read only: without recording, not a relation, function or temporary table more on either side.
    const dry = await pairVerify(pair.config, { chunkRows: 500, record: false });
    expect(dry).toMatchObject({ clean: true, recorded: false });
    expect(await footprint(pair.blue.client)).toBe(before.blue);
    expect(await footprint(pair.green.client)).toBe(before.green);
    const events: string[] = [];
    const r = await pairVerify(pair.config, { chunkRows: 500, onEvent: (e) => events.push(e.kind) });
    expect(r.clean, JSON.stringify(r.tables, null, 1)).toBe(true);
    expect(r.paused).toBe(false);
    expect(r.tables.map((t) => t.table).sort()).toEqual([
      'billing.events',
      'public.audit_log',
      'public.customers',
      'public.line_items',
      'public.orders',
    ]);
    expect(table(r, 'public.customers')).toMatchObject({
      equal: true,
      key: ['id'],
      rows: { live: 2500, standby: 2500 },
      chunks: 5,
      comparedChunks: 5,
    });
    expect(table(r, 'public.line_items')).toMatchObject({ key: ['order_ref', 'line'], rows: { live: 900 }, chunks: 2 });
    expect(table(r, 'public.audit_log')).toMatchObject({ equal: true, key: null, rows: { live: 300, standby: 300 } });
    expect(table(r, 'public.audit_log').notes.join(' ')).toContain('no primary key');
    expect(events).toContain('position');
    expect(events.filter((e) => e === 'chunk').length).toBeGreaterThanOrEqual(5 + 3 + 2 + 2 + 1);
    // Recorded: one row in live's ledger, nothing on the standby.
    expect(await footprint(pair.green.client)).toBe(before.green);
    const { rows } = await pair.blue.client.query(
      `SELECT live_side, generation::int AS generation, clean, paused, filtered, position::text AS position FROM switchyard.verifications`,
    );
    expect(rows).toEqual([
      { live_side: 'blue', generation: 1, clean: true, paused: false, filtered: false, position: r.position },
    ]);
    expect((await pair.green.client.query(`SELECT to_regclass('switchyard.verifications') AS t`)).rows[0].t).toBeNull();
  });

  it('stays clean while live takes inserts and updates (a key that differs is read again at a newer position)', async () => {
    const pair = await pairedApp();
    let stop = false;
    let writes = 0;
    const load = (async () => {
      while (!stop) {
        await pair.blue.client.query(
          `INSERT INTO billing.events (id, payload) SELECT coalesce(max(id), 0) + 1, '{}' FROM billing.events`,
        );
        await pair.blue.client.query(`UPDATE customers SET email = email || '.' WHERE id = 1 + ($1::int % 2500)`, [
          writes,
        ]);
        writes++;
      }
    })();
    try {
      await eventually('some writes', async () => writes > 20);
      const r = await pairVerify(pair.config, { chunkRows: 500, rechecks: 5 });
      expect(r.clean, JSON.stringify(r.tables.filter((t) => !t.equal))).toBe(true);
    } finally {
      stop = true;
      await load;
    }
    expect(writes).toBeGreaterThan(20);
  });

  it("a row the standby holds ahead of live's snapshot differs at first and settles when read again", async () => {
    const pair = await pairedApp();
    // Between live's snapshot and the standby's, a row is committed on live and reaches the standby: the
    // standby is read past live's snapshot, as under writes.
    const ahead = async (round: number) => {
      if (round > 0) return;
      await pair.blue.client.query(`INSERT INTO billing.events (id) VALUES (5000)`);
      await eventually('the row on the standby', async () => {
        const { rows } = await pair.green.client.query(`SELECT 1 FROM billing.events WHERE id = 5000`);
        return rows.length === 1;
      });
    };
    const events: string[] = [];
    const r = await pairVerify(pair.config, {
      chunkRows: 500,
      afterLiveSnapshot: ahead,
      onEvent: (e) => events.push(e.kind),
    });
    expect(r.clean).toBe(true);
    expect(events).toContain('recheck');
    expect(table(r, 'billing.events').notes).toContain(
      '1 chunk(s) differed at first and matched when read again (writes in flight)',
    );
    // Without reading again, the row is named as only on the standby: the recheck is what settles it.
    await pair.blue.client.query(`DELETE FROM billing.events WHERE id = 5000`);
    await eventually('the delete on the standby', async () => {
      const { rows } = await pair.green.client.query(`SELECT 1 FROM billing.events WHERE id = 5000`);
      return rows.length === 0;
    });
    const once = await pairVerify(pair.config, {
      chunkRows: 500,
      rechecks: 0,
      afterLiveSnapshot: ahead,
      record: false,
    });
    expect(once.clean).toBe(false);
    expect(table(once, 'billing.events').differences).toEqual([{ kind: 'extra', key: { id: '5000' } }]);
  });

  it('names a row changed by hand, a row deleted and a row added on the standby (replication paused); exit 1', async () => {
    const pair = await pairedApp();
    const g = pair.green.client;
    await g.query(`ALTER SUBSCRIPTION ${SUB} DISABLE`);
    await g.query(`UPDATE customers SET email = 'hacked@x' WHERE id = 1234`);
    await g.query(`DELETE FROM orders WHERE id = 777`);
    await g.query(`INSERT INTO billing.events (id) VALUES (100000)`);
    await g.query(`UPDATE line_items SET qty = -1 WHERE order_ref = 'o-100' AND line = 2`);
    await g.query(`DELETE FROM audit_log WHERE ctid = (SELECT min(ctid) FROM audit_log WHERE what = 'w3')`);

    const r = await pairVerify(pair.config, { chunkRows: 500 });
    expect(r.clean).toBe(false);
    expect(r.paused).toBe(true);
    expect(table(r, 'public.customers')).toMatchObject({
      equal: false,
      differingChunks: 1,
      differences: [{ kind: 'changed', key: { id: '1234' } }],
      rows: { live: 2500, standby: 2500 },
    });
    expect(table(r, 'public.orders')).toMatchObject({
      equal: false,
      differences: [{ kind: 'missing', key: { id: '777' } }],
      rows: { live: 1200, standby: 1199 },
    });
    expect(table(r, 'billing.events').differences).toEqual([{ kind: 'extra', key: { id: '100000' } }]);
    expect(table(r, 'public.line_items').differences).toEqual([
      { kind: 'changed', key: { order_ref: 'o-100', line: '2' } },
    ]);
    const audit = table(r, 'public.audit_log');
    expect(audit.equal).toBe(false);
    expect(audit.differences).toHaveLength(1);
    expect(audit.differences[0]).toMatchObject({ kind: 'missing' });
    expect(audit.differences[0]!.key.row).toMatch(/^\(".*",w3\)$/);

    const out = await cli('-c', pair.configFile, 'pair', 'verify', '--chunk-rows', '500');
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toContain('DIFFERS public.customers');
    expect(out.stdout).toContain('changed: id=1234');
    expect(out.stdout).toContain('missing on the standby: id=777');
    expect(out.stdout).toContain('only on the standby: id=100000');
    expect(out.stdout).toContain('changed: order_ref=o-100, line=2');
    expect(out.stdout).toMatch(/5 table\(s\) differ/);
    expect(out.stderr).toContain('replication paused');

    // --table narrows the comparison (orders still differs: exit 1); JSON on stdout.
    const one = await cli(
      '-c',
      pair.configFile,
      '--json',
      'pair',
      'verify',
      '--table',
      'billing.events',
      '--table',
      'public.orders',
    );
    expect(one.code).toBe(1);
    expect((JSON.parse(one.stdout) as VerifyReport).tables.map((t) => t.table).sort()).toEqual([
      'billing.events',
      'public.orders',
    ]);
    const unknown = await cli('-c', pair.configFile, 'pair', 'verify', '--table', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--table nope: no such table');
  });

  it('a table emptied on the standby: the first keys are named, the rest counted (memory stays bounded)', async () => {
    const pair = await pairedApp();
    await pair.green.client.query(`ALTER SUBSCRIPTION ${SUB} DISABLE`);
    await pair.green.client.query(`DELETE FROM billing.events`);
    const r = await pairVerify(pair.config, { chunkRows: 100, keyCap: 150, record: false });
    const t = table(r, 'billing.events');
    expect(t).toMatchObject({ equal: false, rows: { live: 700, standby: 0 }, chunks: 7, differingChunks: 7 });
    expect(t.differences.slice(0, 2)).toEqual([
      { kind: 'missing', key: { id: '1' } },
      { kind: 'missing', key: { id: '2' } },
    ]);
    expect(t.moreDifferences).toBe(200 - 10);
    expect(t.notes).toContain(
      'more than 150 keys differ: the differing chunks after them are counted, their keys not named',
    );
  });

  it('--sample compares some chunks and says so; --help has examples', async () => {
    const pair = await pairedApp();
    const r = await pairVerify(pair.config, { chunkRows: 100, sample: 20, tables: ['customers'] });
    const t = table(r, 'public.customers');
    expect(r.sample).toBe(20);
    // Boundaries from a block sample: about 25 chunks of about 100 rows, a fifth of them compared.
    expect(t.chunks).toBeGreaterThan(2);
    expect(t.comparedChunks).toBeLessThan(t.chunks);
    expect(t.notes).toContain(`sample: ${t.comparedChunks} of ${t.chunks} chunks compared (20%)`);
    expect(t.rows.live).toBeLessThan(2500);
    expect(r.clean).toBe(true);
    const help = await cli('pair', 'verify', '--help');
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--sample <percent>');
    expect((await cli('pair', 'verify', '--sample', '0')).code).toBe(2);
  });

  it('cutover.requireVerify: the gate refuses without a clean verify since the last schema change, naming the fix', async () => {
    const pair = await pairedApp('cutover:\n  requireVerify: true\n');
    const gate = async () =>
      (await runSwitch('cutover', pair.config, { dryRun: true })).gate.find((c) => c.check === 'verify');
    expect(await gate()).toMatchObject({ ok: false, detail: expect.stringContaining('no pair verify recorded') });
    expect((await gate())!.detail).toContain('fix: run switchyard pair verify');

    await pair.green.client.query(`ALTER SUBSCRIPTION ${SUB} DISABLE`);
    await pair.green.client.query(`DELETE FROM orders WHERE id = 5`);
    expect((await pairVerify(pair.config)).clean).toBe(false);
    expect(await gate()).toMatchObject({ ok: false, detail: expect.stringContaining('found differences') });

    const { rows } = await pair.blue.client.query(`SELECT * FROM orders WHERE id = 5`);
    await pair.green.client.query(`INSERT INTO orders (id, customer_id, total, invoice) VALUES ($1, $2, $3, $4)`, [
      rows[0].id,
      rows[0].customer_id,
      rows[0].total,
      rows[0].invoice,
    ]);
    await pair.green.client.query(`ALTER SUBSCRIPTION ${SUB} ENABLE`);
    const clean = await pairVerify(pair.config);
    expect(clean.clean, JSON.stringify(clean.tables.filter((t) => !t.equal))).toBe(true);
    expect(await gate()).toMatchObject({ ok: true, detail: expect.stringContaining('clean pair verify at') });

    // A phase step finished on the standby after the verify: refused until verified again.
    await pair.green.client.query(`
      CREATE SCHEMA IF NOT EXISTS switchyard;
      CREATE TABLE IF NOT EXISTS switchyard.steps (plan text, step_id text, release int, phase text, status text,
        started_at timestamptz, finished_at timestamptz);
      INSERT INTO switchyard.steps VALUES ('0001_x', 's1', 1, 'expand', 'done', now(), now())`);
    expect(await gate()).toMatchObject({ ok: false, detail: expect.stringContaining('a phase ran at') });
    expect((await pairVerify(pair.config)).clean).toBe(true);
    expect(await gate()).toMatchObject({ ok: true });

    // A schema change on the standby (as an expand would make) after the verify: refused again.
    await pair.green.client.query(
      `ALTER TABLE customers ADD COLUMN nickname text; CREATE TABLE billing.refunds (id int PRIMARY KEY)`,
    );
    expect(await gate()).toMatchObject({
      ok: false,
      detail: expect.stringContaining('the schema of green changed since the last pair verify'),
    });
    // The column and the table only the standby has are named, not compared.
    const expanded = await pairVerify(pair.config, { record: false });
    expect(expanded.clean).toBe(true);
    expect(expanded.onlyStandby).toEqual(['billing.refunds']);
    expect(table(expanded, 'public.customers').onlyStandby).toEqual(['nickname']);
    // Without requireVerify the gate has no verify check.
    const plain = await loadConfig(pair.configFile);
    const off = await runSwitch(
      'cutover',
      { ...plain, cutover: { requireVerify: false, verifyMaxAgeHours: 24 } },
      { dryRun: true },
    );
    expect(off.gate.find((c) => c.check === 'verify')).toBeUndefined();
  });
});
