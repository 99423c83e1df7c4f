// Cutover without a pooler: writes are fenced by making every application role read-only in the old live
// database and ending its sessions; the application finds the new side through a `command` router (here it
// writes the live URL to a file the clients read when they reconnect). Transactions may fail while fenced
// (counted), but no acknowledged write is lost. And sequences: after each switch, inserts on the new live side
// never collide, for an identity column, a serial column and an unowned sequence used by a DEFAULT.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { APP_SQL, appRole, eventually, freshPair, type PairSide } from '../../support/pair.js';

const withApp = (url: string) => {
  const u = new URL(url);
  u.username = 'app_writer';
  u.password = 'app-secret';
  return u.toString();
};

/** 16 clients that connect to whatever URL the file names, writing until stopped; a failure reconnects. */
function directLoad(urlFile: string, clients = 16) {
  const acknowledged: string[] = [];
  const errors: Record<string, number> = {};
  let running = true;
  const worker = async (n: number) => {
    let db: pg.Client | undefined;
    for (let seq = 1; running; seq++) {
      try {
        if (!db) {
          db = new pg.Client({ connectionString: readFileSync(urlFile, 'utf8') });
          db.on('error', () => undefined);
          await db.connect();
        }
        await db.query('BEGIN');
        await db.query('INSERT INTO writes (client, seq, payload) VALUES ($1, $2, $3)', [n, seq, 'x']);
        await db.query('COMMIT');
        acknowledged.push(`${n}:${seq}`);
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'connection';
        errors[code] = (errors[code] ?? 0) + 1;
        await db?.end().catch(() => undefined);
        db = undefined;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await db?.end().catch(() => undefined);
  };
  const workers = Array.from({ length: clients }, (_, i) => worker(i + 1));
  return {
    count: () => acknowledged.length,
    async stop() {
      running = false;
      await Promise.all(workers);
      return { acknowledged, errors, failed: Object.values(errors).reduce((a, b) => a + b, 0) };
    },
  };
}

async function more(load: { count(): number }, n: number) {
  const target = load.count() + n;
  await eventually(`${n} more acknowledged writes`, async () => load.count() >= target, 30_000);
}

async function sequences(side: PairSide) {
  const { rows } = await side.client.query<{ name: string; v: string | null }>(
    `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS v FROM pg_sequences ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.v]));
}

describe('cutover fenced by roles, without a pooler', () => {
  it('loses no acknowledged write, and inserts on each new live side never collide', async () => {
    const pair = await freshPair();
    await pair.blue.client.query(
      `${APP_SQL}; CREATE TABLE writes (client int, seq int, payload text NOT NULL, PRIMARY KEY (client, seq))`,
    );
    await pair.blue.client.query(`INSERT INTO customers (email) SELECT 'c' || g FROM generate_series(1, 30) g;
      INSERT INTO orders (customer_id, total) SELECT 1 + g % 30, g FROM generate_series(1, 40) g`);
    await pairInit(pair.config);
    await appRole(pair);
    const dir = mkdtempSync(join(tmpdir(), 'sy-roles-'));
    const urlFile = join(dir, 'live-url');
    writeFileSync(urlFile, withApp(pair.blue.url));
    // The application's own switch: point new connections at the new side.
    const script = join(dir, 'switch.sh');
    writeFileSync(
      script,
      `#!/bin/sh\nurl=$(printf %s "$2" | sed 's#//[^@]*@#//app_writer:app-secret@#')\nprintf %s "$url" > ${JSON.stringify(urlFile)}\n`,
      { mode: 0o755 },
    );
    const config = { ...pair.config, router: { kind: 'command' as const, run: `${script} {side} {url}` } };

    const load = directLoad(urlFile);
    const sides = { blue: pair.blue, green: pair.green };
    const fenced: string[] = [];
    let result;
    try {
      await more(load, 200);
      for (const command of ['cutover', 'cutback', 'cutover'] as const) {
        const before = await sequences(command === 'cutback' ? pair.green : pair.blue);
        const report = await runSwitch(command, config, {
          onEvent: (e) => void (e.kind === 'step' && e.step === 'fence' && fenced.push(e.detail)),
        });
        expect(report.fence).toBe('roles');
        const live = sides[report.to];
        // Every sequence on the new side is where the old side left it, and the application's inserts work.
        const after = await sequences(live);
        for (const [name, v] of Object.entries(before))
          expect(BigInt(after[name] ?? 0), name).toBeGreaterThanOrEqual(BigInt(v ?? 0));
        await live.client.query(`INSERT INTO customers (email) VALUES ('new-${command}-${report.generation.to}');
          INSERT INTO orders (customer_id, total) VALUES (1, 1), (2, 2)`);
        await more(load, 200);
        // The old side refuses the application's writes.
        const old = new pg.Client({ connectionString: withApp(sides[report.from].url) });
        await old.connect();
        await expect(
          old.query(`INSERT INTO writes (client, seq, payload) VALUES (999, ${report.generation.to}, 'x')`),
        ).rejects.toMatchObject({ code: '25006' });
        await old.end();
      }
    } finally {
      result = await load.stop();
    }
    console.log(`fence: ${fenced.join(' | ')}`);
    console.log(
      `${result.acknowledged.length} writes acknowledged, ${result.failed} failed (${JSON.stringify(result.errors)})`,
    );
    const have = new Set(
      (await pair.green.client.query<{ k: string }>(`SELECT client || ':' || seq AS k FROM writes`)).rows.map(
        (r) => r.k,
      ),
    );
    expect(result.acknowledged.filter((k) => !have.has(k))).toEqual([]);
    // Identity, serial and the unowned sequence never handed out a value twice across the three switches.
    for (const t of ['customers', 'orders']) {
      const { rows } = await pair.green.client.query(`SELECT count(*) = count(DISTINCT id) AS unique FROM ${t}`);
      expect(rows[0].unique, t).toBe(true);
    }
    const { rows: inv } = await pair.green.client.query(
      `SELECT count(invoice) = count(DISTINCT invoice) AS unique FROM orders`,
    );
    expect(inv[0].unique).toBe(true);
    await eventually(
      'blue to catch up',
      async () => {
        const q = `SELECT (SELECT count(*) FROM writes)::text || '/' || (SELECT count(*) FROM orders)::text || '/' || (SELECT count(*) FROM customers)::text AS s`;
        return (await pair.blue.client.query(q)).rows[0].s === (await pair.green.client.query(q)).rows[0].s;
      },
      30_000,
    );
  }, 180_000);
});
