// bench/watch: what the watcher (issue #20) costs the database it watches.
// 1. Statements per tick and time per tick, with few and with many sessions (idle, idle in transaction, waiting
//    on a lock): the number of statements must not grow with them.
// 2. pgbench (TPC-B-like, fixed rate) with and without the watcher ticking every second, runs alternated
//    (off, on, off, on...) so that drift in the machine's load hits both alike; p99 latency compared (goal: the
//    watched p99 within 5% of the unwatched one). A run with a 100 ms interval is reported beside, for scale.
// Run: npm run bench:watch   (BENCH_SECONDS per run, default 20; BENCH_ROUNDS, default 3; BENCH_RATE tps, default 300)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../dist/rehearsal/embedded.js';
import { DEFAULT_THRESHOLDS } from '../dist/watch/rules.js';
import { Watcher } from '../dist/watch/watcher.js';
import { load, startPgbench, summarize, writeResults, type LatencySummary } from './lib.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 300);
const MAJOR = Number(process.env.BENCH_PG_VERSION ?? 17);

async function ticks(url: string, n: number, intervalMs = 0): Promise<{ queries: number[]; ms: number[] }> {
  const w = new Watcher({
    targets: [{ url }],
    thresholds: { ...DEFAULT_THRESHOLDS, lockWaitMs: 100 },
    intervalMs: 1000,
  });
  await w.start();
  const queries: number[] = [];
  const ms: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const t = await w.tick();
      ms.push(performance.now() - t0);
      queries.push(t.queries);
      if (intervalMs) await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await w.stop();
  }
  return { queries, ms };
}

/** pgbench's built-in TPC-B-like transaction, as a script file (startPgbench takes files). */
const TPCB = `\\set aid random(1, 100000 * :scale)
\\set bid random(1, 1 * :scale)
\\set tid random(1, 10 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
`;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const r2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const loadBefore = load();
  const server = await startEmbedded({ major: MAJOR });
  const clients: pg.Client[] = [];
  try {
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const url = server.url('bench');
    const u = new URL(url);
    const init = spawnSync(
      'pgbench',
      ['-i', '-q', '-s', '5', '-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), 'bench'],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);

    // 1. Statements and time per tick: a quiet database, then 60 more sessions of every kind.
    const quiet = await ticks(url, 20);
    const connect = async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    };
    for (let i = 0; i < 40; i++) await connect();
    for (let i = 0; i < 10; i++) {
      const c = await connect();
      await c.query('BEGIN; SELECT count(*) FROM pgbench_branches');
    }
    const holder = await connect();
    await holder.query('BEGIN; LOCK TABLE pgbench_tellers');
    for (let i = 0; i < 10; i++)
      void (await connect()).query('SELECT count(*) FROM pgbench_tellers').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const busy = await ticks(url, 20);
    await holder.query('COMMIT');
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);

    // 2. pgbench with and without the watcher, alternated.
    const dir = mkdtempSync(join(tmpdir(), 'bench-watch-'));
    const script = join(dir, 'tpcb.sql');
    writeFileSync(script, TPCB);
    const runs: Array<{ mode: string; round: number; summary: LatencySummary; ticks: number }> = [];
    const run = async (mode: 'off' | '1s' | '100ms', round: number) => {
      let w: Watcher | undefined;
      let n = 0;
      if (mode !== 'off') {
        w = new Watcher({
          targets: [{ url }],
          thresholds: DEFAULT_THRESHOLDS,
          intervalMs: mode === '1s' ? 1000 : 100,
          onTick: () => void n++,
        });
        await w.start();
        w.run();
      }
      const label = `${mode}_${round}`;
      const from = Date.now();
      const h = startPgbench({
        url,
        scripts: [script],
        clients: 4,
        threads: 2,
        dir,
        label,
        seconds: SECONDS,
        rate: RATE,
        defines: { scale: 5 },
      });
      const r = await h.stop();
      const to = Date.now();
      await w?.stop();
      // The first and last second left out: pgbench's start-up and shut-down.
      runs.push({ mode, round, summary: summarize(r.transactions, from + 1000, to - 1000, r.aborts), ticks: n });
    };
    for (let round = 1; round <= ROUNDS; round++) {
      await run('off', round);
      await run('1s', round);
    }
    await run('100ms', 1);
    const pooled = (mode: string) => {
      const rs = runs.filter((x) => x.mode === mode);
      return {
        runs: rs.length,
        p99Ms: r2(median(rs.map((x) => x.summary.p99Ms))),
        p50Ms: r2(median(rs.map((x) => x.summary.p50Ms))),
        tps: Math.round(median(rs.map((x) => x.summary.tps))),
        failed: rs.reduce((n, x) => n + x.summary.failed, 0),
      };
    };
    const off = pooled('off');
    const on = pooled('1s');
    const fast = pooled('100ms');
    const ratio = r2(on.p99Ms / off.p99Ms);
    // The machine's load drifts between rounds: each watched run against the unwatched run just before it.
    const paired = Array.from({ length: ROUNDS }, (_, i) => {
      const a = runs.find((x) => x.mode === 'off' && x.round === i + 1)!.summary.p99Ms;
      const b = runs.find((x) => x.mode === '1s' && x.round === i + 1)!.summary.p99Ms;
      return r2(b / a);
    });
    const pairedRatio = median(paired);
    const loadAfter = load();
    const data = {
      settings: { seconds: SECONDS, rounds: ROUNDS, rate: RATE, clients: 4, scale: 5, pg: server.major },
      load: { before: loadBefore, after: loadAfter },
      perTick: {
        quiet: { queries: median(quiet.queries), msMedian: r2(median(quiet.ms)), sessions: 'the watcher only' },
        busy: {
          queries: median(busy.queries),
          msMedian: r2(median(busy.ms)),
          sessions: '40 idle, 10 idle in transaction, 1 lock holder, 10 waiting on it',
        },
      },
      pgbench: {
        off,
        watched1s: on,
        watched100ms: fast,
        p99Ratio: ratio,
        pairedP99Ratios: paired,
        pairedP99RatioMedian: pairedRatio,
        goal: 'p99 watched / unwatched <= 1.05',
      },
      runs,
    };
    const md = [
      `Load average before ${loadBefore.load1}, after ${loadAfter.load1} on ${loadBefore.cores} cores (other work shares the machine).`,
      '',
      '| per tick | statements | median ms |',
      '| --- | ---: | ---: |',
      `| quiet database | ${data.perTick.quiet.queries} | ${data.perTick.quiet.msMedian} |`,
      `| 61 more sessions (idle, idle in transaction, 10 lock waits) | ${data.perTick.busy.queries} | ${data.perTick.busy.msMedian} |`,
      '',
      `pgbench tpcb-like, ${RATE} tps fixed rate, 4 clients, ${SECONDS} s per run, ${ROUNDS} rounds alternated (median of runs):`,
      '',
      '| watcher | p50 ms | p99 ms | tps | failed |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| off | ${off.p50Ms} | ${off.p99Ms} | ${off.tps} | ${off.failed} |`,
      `| every 1 s | ${on.p50Ms} | ${on.p99Ms} | ${on.tps} | ${on.failed} |`,
      `| every 100 ms (1 run, for scale) | ${fast.p50Ms} | ${fast.p99Ms} | ${fast.tps} | ${fast.failed} |`,
      '',
      `p99 watched (1 s) / unwatched, medians of the runs: **${ratio}**; round by round (each watched run against the`,
      `unwatched run just before it): ${paired.join(', ')}, median **${pairedRatio}** (goal at most 1.05: ${pairedRatio <= 1.05 ? 'meets' : 'misses'}).`,
      `The spread between rounds of the same mode is larger than the difference between modes: the machine is shared`,
      `(load average above), so the ratio is read as "no measurable effect", not as a precise overhead.`,
    ].join('\n');
    writeResults('watch', data, md);
    console.log(md);
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    await server.stop();
  }
}

await main();
