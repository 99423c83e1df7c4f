// bench/backfill: the executor's keyset backfill against one plain UPDATE of the same column on the same table.
// The table (BENCH_ROWS rows, default 1,000,000) is retyped int -> bigint by a real plan (the two-column recipe):
// its expand phase is applied first (shadow column, sync trigger, NOT VALID check, index copy), so both
// contestants fill `price__new` with the trigger firing and both indexes maintained, on byte-identical copies of
// one vacuumed and analyzed template database. The backfill runs as applyPhase runs it: the plan's timeouts, the
// pressure gate between batches, the ledger position saved after each batch. Each is timed alone (the rows/s
// ratio), then again while pgbench plays the application on the same table (point reads and single-row updates
// by random id, fixed rate); the application's latency comes from pgbench's per-transaction logs, against a
// baseline run with nothing else.
// Run: npm run bench:backfill   (goals: rows/s at least 0.7x the UPDATE, no batch over 250 ms, p99 at most 2x)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runBackfill, type BackfillProgress } from '../dist/executor/backfill.js';
import { renderBatch } from '../dist/executor/backfill-sql.js';
import { markStepRunning, saveBackfillPosition } from '../dist/executor/ledger.js';
import { pressureGate } from '../dist/executor/pressure.js';
import { applyPhase } from '../dist/executor/phase.js';
import { introspect, serverVersion } from '../dist/introspect/index.js';
import { buildPlan } from '../dist/planner/plan.js';
import type { Plan, Step } from '../dist/planner/types.js';
import { startEmbedded, type EmbeddedServer } from '../dist/rehearsal/embedded.js';
import { canonicalize, prepareSession } from '../dist/rehearsal/shadow.js';
import { parseDeclared } from '../dist/schema/declared/yaml.js';
import { load, startPgbench, summarize, writeResults, type LatencySummary, type PgbenchRun } from './lib.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const MAJOR = Number(process.env.BENCH_PG_VERSION ?? 17);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 400); // application transactions per second, all clients together
const CLIENTS = 4;
const THREADS = 2;
const TARGET_BATCH_MS = 200;
const GOALS = { ratio: 0.7, batchMs: 250, p99x: 2 } as const;

const SOURCE = `
CREATE TABLE public.items (
  id bigint PRIMARY KEY,
  price integer NOT NULL,
  qty integer NOT NULL,
  note text NOT NULL,
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
INSERT INTO public.items (id, price, qty, note)
  SELECT g, (g::bigint * 7919) % 100000, g % 100, 'item number ' || g FROM generate_series(1, ${ROWS}) AS g;
CREATE INDEX items_price_idx ON public.items (price);`;

const TARGET = `
schemas:
  public:
    tables:
      items:
        columns:
          id: { type: bigint, nullable: false }
          price: { type: bigint, nullable: false, up: "price::bigint", down: "price::integer" }
          qty: { type: integer, nullable: false }
          note: { type: text, nullable: false }
          updated_at: { type: timestamp with time zone, nullable: false, default: "now()" }
        primaryKey: { name: items_pkey, columns: [id] }
        indexes:
          items_price_idx: { columns: [price] }
`;

const SCRIPTS = {
  'read.sql': `\\set id random(1, ${ROWS})\nSELECT id, price, qty, note FROM public.items WHERE id = :id;\n`,
  'update.sql': `\\set id random(1, ${ROWS})\nUPDATE public.items SET qty = qty + 1, updated_at = now() WHERE id = :id;\n`,
};

const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The template: the source table, the plan towards the target, its expand phase applied, vacuumed and analyzed. */
async function prepareTemplate(server: EmbeddedServer): Promise<{ plan: Plan; step: Step }> {
  await withClient(server.url(), (c) => c.query('CREATE DATABASE tmpl'));
  const url = server.url('tmpl');
  return withClient(url, async (c) => {
    const t0 = performance.now();
    await c.query(SOURCE);
    log(`built ${ROWS} rows in ${round(performance.now() - t0)} ms`);
    await prepareSession(c);
    const target = await canonicalize(parseDeclared(TARGET, 'target.yaml'), { url });
    const source = await introspect(c, { includeSchemas: ['public'] });
    const version = await serverVersion(c);
    const plan = buildPlan(source, target, {
      name: 'bench_backfill',
      number: 1,
      server: { version: version.text, versionNum: version.num },
    });
    await applyPhase(c, plan, 1, 'expand');
    await c.query('VACUUM (ANALYZE) public.items');
    await c.query('CHECKPOINT');
    const step = plan.releases[0]!.backfill.find((s) => s.backfill !== undefined);
    if (!step) throw new Error('the plan has no backfill step');
    log(`expand applied (${plan.releases[0]!.expand.map((s) => s.action).join(', ')}); backfill: ${step.description}`);
    return { plan, step };
  });
}

interface ServerCounters {
  readonly walBytes: number;
  readonly checkpoints: number;
  readonly autovacuums: number;
  readonly autoanalyzes: number;
  readonly deadRows: number;
}

async function counters(c: pg.Client): Promise<ServerCounters> {
  const wal = await c.query<{ b: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text AS b`);
  const cp = await c
    .query<{ n: string }>('SELECT (num_timed + num_requested)::text AS n FROM pg_stat_checkpointer')
    .catch(() =>
      c.query<{ n: string }>('SELECT (checkpoints_timed + checkpoints_req)::text AS n FROM pg_stat_bgwriter'),
    );
  const t = await c.query<{ av: string; aa: string; dead: string }>(
    `SELECT autovacuum_count::text AS av, autoanalyze_count::text AS aa, n_dead_tup::text AS dead FROM pg_stat_user_tables WHERE relid = 'public.items'::regclass`,
  );
  const r = t.rows[0];
  return {
    walBytes: Number(wal.rows[0]!.b),
    checkpoints: Number(cp.rows[0]!.n),
    autovacuums: Number(r?.av ?? 0),
    autoanalyzes: Number(r?.aa ?? 0),
    deadRows: Number(r?.dead ?? 0),
  };
}

interface Batch {
  readonly rows: number;
  readonly size: number;
  readonly ms: number;
}

interface Run {
  readonly method: 'backfill' | 'update';
  readonly loaded: boolean;
  readonly ms: number;
  readonly rowsPerSecond: number;
  /** Rows the statement(s) reported updated, and rows whose `price__new` was still wrong afterwards. */
  readonly updatedRows: number;
  readonly unfilledRows: number;
  readonly batches?: readonly Batch[];
  readonly retries?: number;
  /** Pauses the pressure gate asked for (lock waiters or replication lag), and their total. */
  readonly pauses?: number;
  readonly pausedMs?: number;
  readonly walMiB: number;
  readonly checkpoints: number;
  readonly autovacuumsDuring: number;
  readonly app?: LatencySummary;
  readonly appUpdates?: LatencySummary;
  readonly appAborts?: readonly string[];
}

let copies = 0;

/** A byte-identical copy of the template, dropped after `fn`. */
async function onCopy<T>(server: EmbeddedServer, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `copy${++copies}`;
  await withClient(server.url(), (c) => c.query(`CREATE DATABASE ${name} TEMPLATE tmpl`));
  try {
    return await fn(server.url(name));
  } finally {
    await withClient(server.url(), (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
  }
}

function pgbench(url: string, dir: string, label: string, seconds?: number) {
  return startPgbench({
    url,
    dir,
    label,
    clients: CLIENTS,
    threads: THREADS,
    scripts: [`${join(dir, 'read.sql')}@3`, `${join(dir, 'update.sql')}@1`],
    ...(seconds !== undefined ? { seconds } : {}),
    ...(RATE > 0 ? { rate: RATE } : {}),
  });
}

function judge(run: PgbenchRun, from: number, to: number) {
  for (const a of run.aborts) log(`  pgbench: ${a.message}`);
  return {
    app: summarize(run.transactions, from, to, run.aborts),
    // Script 1 is update.sql: the transactions a row lock can hold up.
    appUpdates: summarize(
      run.transactions.filter((t) => t.script === 1),
      from,
      to,
    ),
    appAborts: run.aborts.map((a) => a.message),
  };
}

async function measure(
  server: EmbeddedServer,
  step: Step,
  plan: Plan,
  method: Run['method'],
  loaded: boolean,
  dir: string,
): Promise<Run> {
  return onCopy(server, async (url) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const before = await counters(c);
      const bench = loaded ? pgbench(url, dir, `${method}_loaded`) : undefined;
      if (bench) await sleep(2000);
      const batches: Batch[] = [];
      let retries: number | undefined;
      let updatedRows = 0;
      let pauses = 0;
      let pausedMs = 0;
      const t0 = performance.now();
      const from = Date.now();
      if (method === 'backfill') {
        // What applyPhase does for a backfill step, with each batch's timing kept.
        const ref = { plan: plan.name, step };
        await markStepRunning(c, ref);
        const r = await runBackfill(c, step.backfill!, {
          shouldPause: pressureGate(c, (_reason, wait) => {
            pauses++;
            pausedMs += wait;
          }),
          targetBatchMs: TARGET_BATCH_MS,
          lockTimeoutMs: step.lockTimeoutMs,
          statementTimeoutMs: step.statementTimeoutMs,
          onBatch: async (p: BackfillProgress) => {
            batches.push({ rows: p.batchRows, size: p.batchSize, ms: round(p.batchMs, 1) });
            await saveBackfillPosition(c, ref, p.position);
            if (batches.length % 50 === 0)
              log(
                `  ${method}: ${p.rows} rows, ${round(p.rowsPerSecond)} rows/s, batch ${p.batchSize} rows in ${round(p.batchMs)} ms`,
              );
          },
        });
        retries = r.retries;
        updatedRows = r.updatedRows;
        if (r.rows !== ROWS) throw new Error(`the backfill walked ${r.rows} rows, not ${ROWS}`);
      } else {
        updatedRows = (await c.query(step.sql)).rowCount ?? 0;
      }
      const ms = performance.now() - t0;
      const to = Date.now();
      if (bench) await sleep(1000);
      const run = bench ? await bench.stop() : undefined;
      const after = await counters(c);
      const wrong = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM public.items WHERE price__new IS DISTINCT FROM price::bigint',
      );
      const unfilledRows = wrong.rows[0]!.n;
      if (updatedRows !== ROWS || unfilledRows !== 0)
        log(`  ${method}: ${updatedRows} rows updated, ${unfilledRows} rows left unfilled`);
      const result: Run = {
        method,
        loaded,
        ms: round(ms),
        rowsPerSecond: round(ROWS / (ms / 1000)),
        updatedRows,
        unfilledRows,
        ...(method === 'backfill' ? { batches, retries, pauses, pausedMs } : {}),
        walMiB: round((after.walBytes - before.walBytes) / 2 ** 20),
        checkpoints: after.checkpoints - before.checkpoints,
        autovacuumsDuring: after.autovacuums - before.autovacuums,
        ...(run ? judge(run, from, to) : {}),
      };
      log(
        `${method}${loaded ? ' under load' : ' alone'}: ${result.ms} ms, ${result.rowsPerSecond} rows/s` +
          (result.app
            ? `, app p99 ${result.app.p99Ms} ms, max ${result.app.maxMs} ms, failed ${result.app.failed}`
            : ''),
      );
      return result;
    } finally {
      await c.end();
    }
  });
}

/** How the server runs one batch's UPDATE at each size (the statement runBackfill sends, planned for those values). */
async function batchPlans(
  server: EmbeddedServer,
  step: Step,
): Promise<{ size: number; join: string; seqScan: boolean }[]> {
  const sql = renderBatch(step.backfill!, true);
  return withClient(server.url('tmpl'), async (c) => {
    const out = [];
    for (const size of [1000, 2000, 4000, 8000, 16000, 32000]) {
      const { rows } = await c.query<{ 'QUERY PLAN': string }>({
        text: `EXPLAIN (COSTS OFF) ${sql}`,
        values: [size, Math.floor(ROWS / 2)],
      });
      const text = rows.map((r) => r['QUERY PLAN']).join('\n');
      out.push({
        size,
        join: /Hash Join/.test(text) ? 'hash join' : /Merge Join/.test(text) ? 'merge join' : 'nested loop',
        seqScan: /Seq Scan on items/.test(text),
      });
    }
    return out;
  });
}

function batchStats(batches: readonly Batch[]) {
  const ms = batches.map((b) => b.ms).sort((a, b) => a - b);
  const full = batches.slice(0, -1);
  return {
    count: batches.length,
    minSize: Math.min(...full.map((b) => b.size)),
    maxSize: Math.max(...full.map((b) => b.size)),
    p50Ms: ms[Math.floor(ms.length / 2)] ?? 0,
    p99Ms: ms[Math.max(0, Math.ceil(ms.length * 0.99) - 1)] ?? 0,
    maxMs: ms.at(-1) ?? 0,
    over250: batches.filter((b) => b.ms > GOALS.batchMs).length,
  };
}

const loadBefore = load();
log(`load before: ${loadBefore.load1} on ${loadBefore.cores} cores`);
const dir = mkdtempSync(join(tmpdir(), 'sy-bench-backfill-'));
for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
const server = await startEmbedded({ major: MAJOR });
try {
  const { plan, step } = await prepareTemplate(server);
  const quietBackfill = await measure(server, step, plan, 'backfill', false, dir);
  const quietUpdate = await measure(server, step, plan, 'update', false, dir);
  const baseline = await onCopy(server, async (url) => {
    log(`baseline: pgbench alone for ${BASELINE_SECONDS} s`);
    const from = Date.now();
    const run = await pgbench(url, dir, 'baseline', BASELINE_SECONDS).stop();
    const r = judge(run, from, Date.now());
    log(
      `baseline: p50 ${r.app.p50Ms} ms, p99 ${r.app.p99Ms} ms, max ${r.app.maxMs} ms, ${r.app.tps} tps, failed ${r.app.failed}`,
    );
    return r;
  });
  const loadedBackfill = await measure(server, step, plan, 'backfill', true, dir);
  const loadedUpdate = await measure(server, step, plan, 'update', true, dir);
  const plans = await batchPlans(server, step);
  log(`batch UPDATE plans: ${plans.map((p) => `${p.size}: ${p.join}${p.seqScan ? ' + seq scan' : ''}`).join(', ')}`);
  const loadAfter = load();
  log(`load after: ${loadAfter.load1}`);

  const ratio = quietBackfill.rowsPerSecond / quietUpdate.rowsPerSecond;
  const ratioLoaded = loadedBackfill.rowsPerSecond / loadedUpdate.rowsPerSecond;
  const quietBatches = batchStats(quietBackfill.batches!);
  const loadedBatches = batchStats(loadedBackfill.batches!);
  const longest = Math.max(quietBatches.maxMs, loadedBatches.maxMs);
  const p99x = loadedBackfill.app!.p99Ms / baseline.app.p99Ms;
  const meets = { ratio: ratio >= GOALS.ratio, batch: longest <= GOALS.batchMs, p99: p99x <= GOALS.p99x };
  const yes = (b: boolean) => (b ? 'met' : 'NOT met');
  console.log(
    `rows/s: backfill ${quietBackfill.rowsPerSecond}, UPDATE ${quietUpdate.rowsPerSecond}, ratio ${ratio.toFixed(2)}x (${yes(meets.ratio)}); longest batch ${longest} ms (${yes(meets.batch)}); app p99 ${loadedBackfill.app!.p99Ms} ms vs baseline ${baseline.app.p99Ms} ms = ${p99x.toFixed(2)}x (${yes(meets.p99)})`,
  );

  const app = (label: string, s: LatencySummary, u: LatencySummary) =>
    `| ${label} | ${s.transactions} | ${s.tps} | ${s.p50Ms} | ${s.p99Ms} | ${s.maxMs} | ${u.p99Ms} | ${u.maxMs} | ${s.failed} |`;
  const busy = Math.max(loadBefore.load1, loadAfter.load1) > loadBefore.cores * 0.5;
  writeResults(
    'backfill',
    {
      rows: ROWS,
      server: `PostgreSQL ${MAJOR}`,
      backfillStep: { sql: step.sql, spec: step.backfill },
      targetBatchMs: TARGET_BATCH_MS,
      pgbench: { clients: CLIENTS, threads: THREADS, rate: RATE, scripts: SCRIPTS, weights: { read: 3, update: 1 } },
      load: { before: loadBefore, after: loadAfter, busy },
      ratio: round(ratio, 3),
      ratioUnderLoad: round(ratioLoaded, 3),
      longestBatchMs: longest,
      p99VsBaseline: round(p99x, 2),
      goals: GOALS,
      meetsGoals: meets,
      baseline,
      runs: { quietBackfill, quietUpdate, loadedBackfill, loadedUpdate },
      batchStats: { quiet: quietBatches, loaded: loadedBatches },
      batchPlans: plans,
    },
    [
      `${ROWS.toLocaleString('en')} rows; PostgreSQL ${MAJOR} (embedded, fsync off). A real plan retypes \`items.price\` int -> bigint with the`,
      `two-column recipe; its expand phase (${plan.releases[0]!.expand.map((s) => s.action).join(', ')}) is applied to a template`,
      'database, vacuumed and analyzed; every run gets a byte-identical copy (CREATE DATABASE ... TEMPLATE), dropped after.',
      `The backfill is \`runBackfill\` with the plan's spec, as applyPhase runs it (target ${TARGET_BATCH_MS} ms per batch, the pressure gate`,
      'between batches, the ledger position saved after each batch);',
      `the single UPDATE is the plan step's own statement: \`${step.sql}\`.`,
      '',
      `Application: pgbench ${CLIENTS} clients, ${THREADS} threads, ${RATE > 0 ? `${RATE} tps fixed rate (latency counted from the scheduled start)` : 'unthrottled'},`,
      '3:1 point reads (`SELECT ... WHERE id = :id`) and single-row updates (`UPDATE ... SET qty = qty + 1 ... WHERE id = :id`), random ids',
      'on the same table. Latencies from the per-transaction logs (`--log`), over the transactions overlapping the operation.',
      '',
      '| operation | alone: ms | alone: rows/s | under load: ms | under load: rows/s | rows updated (alone / loaded) | rows left unfilled (alone / loaded) | WAL MiB (alone) | checkpoints (alone / loaded) | autovacuums (alone / loaded) |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...(
        [
          [quietBackfill, loadedBackfill],
          [quietUpdate, loadedUpdate],
        ] as const
      ).map(
        ([q, l]) =>
          `| ${q.method === 'backfill' ? 'backfill (keyset batches)' : 'single UPDATE'} | ${q.ms} | ${q.rowsPerSecond} | ${l.ms} | ${l.rowsPerSecond} | ${q.updatedRows} / ${l.updatedRows} | ${q.unfilledRows} / ${l.unfilledRows} | ${q.walMiB} | ${q.checkpoints} / ${l.checkpoints} | ${q.autovacuumsDuring} / ${l.autovacuumsDuring} |`,
      ),
      ...(loadedBackfill.updatedRows < ROWS || loadedUpdate.updatedRows < ROWS
        ? [
            '',
            "Under load fewer rows are updated than walked, and none is left unfilled: the application's own updates fill `price__new`",
            "through the sync trigger on the rows they touch first, and the backfill's (or the UPDATE's) `IS DISTINCT FROM` condition skips them.",
          ]
        : []),
      '',
      `Batches alone: ${quietBatches.count}, sizes ${quietBatches.minSize}–${quietBatches.maxSize} rows, p50 ${quietBatches.p50Ms} ms, p99 ${quietBatches.p99Ms} ms, longest ${quietBatches.maxMs} ms, ${quietBatches.over250} over 250 ms.`,
      `Batches under load: ${loadedBatches.count}, sizes ${loadedBatches.minSize}–${loadedBatches.maxSize} rows, p50 ${loadedBatches.p50Ms} ms, p99 ${loadedBatches.p99Ms} ms, longest ${loadedBatches.maxMs} ms, ${loadedBatches.over250} over 250 ms; lock retries ${loadedBackfill.retries}; pressure pauses ${loadedBackfill.pauses} (${loadedBackfill.pausedMs} ms).`,
      '',
      '| application | transactions | tps | p50 ms | p99 ms | max ms | updates p99 ms | updates max ms | failed |',
      '|---|---|---|---|---|---|---|---|---|',
      app(`baseline (alone, ${BASELINE_SECONDS} s)`, baseline.app, baseline.appUpdates),
      app('during the backfill', loadedBackfill.app!, loadedBackfill.appUpdates!),
      app('during the single UPDATE', loadedUpdate.app!, loadedUpdate.appUpdates!),
      '',
      `How the server plans one batch (\`EXPLAIN\` of the batch statement, halfway through the table), by batch size: ${plans.map((p) => `${p.size} rows: ${p.join}${p.seqScan ? ' over a **seq scan of the whole table**' : ''}`).join('; ')}.`,
      '',
      '| goal | measured | |',
      '|---|---|---|',
      `| rows/s at least ${GOALS.ratio}x the single UPDATE (both alone) | ${ratio.toFixed(2)}x (under load: ${ratioLoaded.toFixed(2)}x) | ${yes(meets.ratio)} |`,
      `| no batch over ${GOALS.batchMs} ms | longest ${longest} ms | ${yes(meets.batch)} |`,
      `| application p99 at most ${GOALS.p99x}x its baseline | ${loadedBackfill.app!.p99Ms} / ${baseline.app.p99Ms} ms = ${p99x.toFixed(2)}x | ${yes(meets.p99)} |`,
      '',
      `Machine load (1-minute average) before ${loadBefore.load1}, after ${loadAfter.load1} on ${loadBefore.cores} cores` +
        (busy ? ': the machine was shared with other work during the run, so absolute times are noisy.' : '.'),
    ].join('\n'),
  );
} finally {
  await server.stop();
}
