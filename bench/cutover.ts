// bench/cutover: issue #5. A blue/green pair of embedded PostgreSQL servers with PgBouncer in front of the live
// side and 16 clients writing through it (test/support/write-load.ts), as test/integration/pair/cutover.test.ts
// sets it up; then N cycles of `cutover` + `cutback` with runSwitch, waiting for some hundreds of newly
// acknowledged writes between switches. Per switch: switchyard's pause (fence to resume), each step's ms, and the
// pause the clients saw: how long a write waited from the start of the fence (or its later BEGIN) to its COMMIT
// answer, the longest transaction overlapping the fenced window (and the whole runSwitch call), and the longest
// stretch in the call without any acknowledged write. At the end: failed transactions, acknowledged
// writes missing on the final live side, and row counts + checksums of both sides once the reverse stream caught up.
// Run: npm run bench:cutover   (BENCH_CYCLES=2 for a short run; goals: max pause ≤ 200 ms, 0 lost, 0 failed)
// Issue #16: BENCH_TABLES=500 adds a wide schema (500 more tables, each with its identity sequence) and writes
// bench/results/cutover-500.*; goals: pause p50 ≤ 60 ms, client write wait p50 ≤ 75 ms and max ≤ 150 ms.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { loadConfig, type SwitchyardConfig } from '../dist/config/config.js';
import { serverVersion } from '../dist/introspect/index.js';
import { runSwitch, type SwitchCommand } from '../dist/pair/cutover.js';
import { pairInit } from '../dist/pair/init.js';
import { readTopology } from '../dist/pair/topology.js';
import { startEmbedded, type EmbeddedServer } from '../dist/rehearsal/embedded.js';
import type { PgBouncer } from '../test/support/pgbouncer.ts';
import type { WriteLoad, WriteLoadResult } from '../test/support/write-load.ts';
import { APP_SQL } from '../test/support/app-sql.ts';
import {
  clientView,
  distribution,
  reconnectDelays,
  type Distribution,
  type SwitchResult,
  type SwitchRun,
} from './cutover-view.ts';
import { load, writeResults } from './lib.ts';

// The test helpers import `../../src/x.js`, which tsc and vitest map to `x.ts`; here they get the built `dist/x.js`
// (the same modules the bench uses).
const SRC = new URL('../src/', import.meta.url).href;
const DIST = new URL('../dist/', import.meta.url).href;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith('.') && context.parentURL?.includes('/test/support/')) {
      const url = new URL(specifier, context.parentURL).href;
      if (url.startsWith(SRC)) return next(DIST + url.slice(SRC.length), context);
    }
    return next(specifier, context);
  },
});
const { startPgBouncer } = await import('../test/support/pgbouncer.ts');
const { startWriteLoad, writeLoadTable } = await import('../test/support/write-load.ts');

const CYCLES = Number(process.env.BENCH_CYCLES ?? 20);
const WRITES_BETWEEN = Number(process.env.BENCH_WRITES_BETWEEN ?? 500);
const MAJOR = Number(process.env.BENCH_PG_VERSION ?? 17);
/** Extra [pgbouncer] settings as JSON, e.g. '{"server_login_retry":"1"}' (default none: the test's PgBouncer as it is). */
const BOUNCER_SETTINGS: Record<string, string> = JSON.parse(process.env.BENCH_PGBOUNCER_SETTINGS ?? '{}');
const CLIENTS = 16;
const GOAL_PAUSE_MS = 200;
/** Issue #16: extra tables (each with an identity sequence) so that the pause is measured against a wide schema. */
const WIDE = Number(process.env.BENCH_TABLES ?? 0);
const GOAL_WIDE = { pauseP50: 60, waitP50: 75, waitMax: 150 };
const RESULTS = WIDE ? `cutover-${WIDE}` : 'cutover';
const wideName = (i: number) => `wide_${String(i).padStart(4, '0')}`;
const TABLES = ['customers', 'orders', 'writes', 'billing.events', ...(WIDE ? [`${WIDE} wide tables`] : [])];
/** The steps between fence and resume: what switchyard's pause is made of. */
const FENCED = ['fence', 'marker', 'sequences', 'forward_off', 'reverse', 'topology', 'unfence', 'route', 'resume'];

const log = (m: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
/** Rows and an order-independent checksum of every application table (as the cutover test computes them). */
async function contents(c: pg.Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const from = t.endsWith('wide tables')
      ? `(${Array.from({ length: WIDE }, (_, i) => `SELECT ${i} AS t, w::text AS x FROM ${wideName(i + 1)} w`).join(' UNION ALL ')})`
      : t;
    const { rows } = await c.query<{ n: string; sum: string | null }>(
      `SELECT count(*)::text AS n, sum(hashtext(x::text)::bigint)::text AS sum FROM ${from} x`,
    );
    out[t] = `${rows[0]!.n} rows, checksum ${rows[0]!.sum ?? 0}`;
  }
  return out;
}

async function caughtUp(
  blue: pg.Client,
  green: pg.Client,
  timeoutMs: number,
): Promise<{ blue: Record<string, string>; green: Record<string, string>; equal: boolean; waitMs: number }> {
  const started = Date.now();
  for (;;) {
    const [b, g] = [await contents(blue), await contents(green)];
    const equal = JSON.stringify(b) === JSON.stringify(g);
    if (equal || Date.now() - started > timeoutMs) return { blue: b, green: g, equal, waitMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Lets traffic go again after a failed switch, so that the write load can stop (its clients may be held). */
async function resumeRouter(adminUrl: string, database: string): Promise<void> {
  const c = await connect(adminUrl);
  try {
    await c.query(`RESUME ${database}`).catch(() => undefined);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Switches after which the clients waited more than a second for their first write on the new side, and why. */
function stallNotes(
  switches: readonly SwitchResult[],
  reconnects: readonly { resumedAt: string; ms: number | null }[],
): string[] {
  const stalled = switches.filter((s) => (s.firstCommitAfterResumeMs ?? 0) > 1000);
  if (!stalled.length) return [];
  const slow = reconnects.filter((r) => r.ms === null || r.ms > 1000);
  return [
    `**${stalled.length} switch(es) stalled the clients after RESUME**, unseen by \`pauseMs\`: ` +
      stalled
        .map(
          (s) =>
            `cycle ${s.cycle} ${s.command} (pauseMs ${s.pauseMs}, first write on the new side ${s.firstCommitAfterResumeMs} ms after the resume step, longest transaction ${s.clientPauseMs} ms)`,
        )
        .join('; ') +
      '.',
    `PgBouncer's log: after ${slow.length} of ${reconnects.length} RESUMEs it opened no server connection for more than a second` +
      (slow.length
        ? ` (${slow.map((r) => `${r.resumedAt.slice(11)}: ${r.ms === null ? 'none' : `${r.ms} ms`}`).join(', ')})`
        : '') +
      `, and it logged no error. That is PgBouncer refusing to connect for \`server_login_retry\` (${BOUNCER_SETTINGS.server_login_retry ? `set to ${BOUNCER_SETTINGS.server_login_retry}` : 'default 15'} s) because the pool is marked`,
    '`last_connect_failed`, which it does when it closes a server connection still logging in (SV_LOGIN, not ready): PAUSE closes',
    'server connections, and one being opened at that moment (the pool is still refilling after the previous switch) counts as a',
    `failed login. The clients are held, not failed (query_wait_timeout is 120 s), so nothing is lost, but they wait up to ${Math.max(...stalled.map((s) => s.clientPauseMs))} ms.`,
    '',
  ];
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: finishing the current switch, then stopping');
});

const loadBefore = load();
log(
  `load before: ${loadBefore.load1} on ${loadBefore.cores} cores; ${CYCLES} cycles, ${CLIENTS} clients, ${WRITES_BETWEEN} writes between switches`,
);
const servers: EmbeddedServer[] = [];
const clients: pg.Client[] = [];
let bouncer: PgBouncer | undefined;
let writeLoad: WriteLoad | undefined;
let exitCode = 0;
try {
  servers.push(await startEmbedded({ major: MAJOR }), await startEmbedded({ major: MAJOR }));
  const urls = servers.map((s) => s.url('app'));
  for (const s of servers) {
    const a = await connect(s.url());
    await a.query('CREATE DATABASE app').finally(() => a.end());
  }
  const [blue, green] = [await connect(urls[0]!), await connect(urls[1]!)];
  clients.push(blue, green);
  const version = `PostgreSQL ${(await serverVersion(blue)).text}`;
  await blue.query(`${APP_SQL};${writeLoadTable('writes')}`);
  await blue.query(`INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 50) g;
    INSERT INTO orders (customer_id, total) SELECT 1 + g % 50, g FROM generate_series(1, 200) g`);
  // The wide schema: WIDE tables with an identity each, most sequences used (is_called), every tenth left fresh.
  for (let i = 1; i <= WIDE; i++)
    await blue.query(
      `CREATE TABLE ${wideName(i)} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text);${i % 10 ? ` INSERT INTO ${wideName(i)} (note) SELECT 'n' || g FROM generate_series(1, ${1 + (i % 7)}) g` : ''}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'sy-bench-cutover-'));
  writeFileSync(join(dir, 'switchyard.yaml'), `pair:\n  blue: ${urls[0]}\n  green: ${urls[1]}\n`);
  const pairConfig = await loadConfig(join(dir, 'switchyard.yaml'));
  const init = await pairInit(pairConfig);
  log(`pair init: ${init.tables} tables, ${init.ms} ms`);
  for (const side of [blue, green]) {
    await side.query(
      `DO $$ BEGIN CREATE ROLE app_writer LOGIN PASSWORD 'app-secret'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await side.query(`GRANT USAGE ON SCHEMA public, billing TO app_writer; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public, billing TO app_writer;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_writer`);
  }
  const asApp = new URL(urls[0]!);
  asApp.username = 'app_writer';
  asApp.password = 'app-secret';
  bouncer = await startPgBouncer(asApp.toString(), { settings: BOUNCER_SETTINGS });
  const admin = await connect(bouncer.adminUrl);
  const bouncerVersion = String(Object.values((await admin.query('SHOW VERSION')).rows[0] ?? {})[0] ?? 'unknown');
  await admin.end();
  const config: SwitchyardConfig = {
    ...pairConfig,
    router: { kind: 'pgbouncer', admin: bouncer.adminUrl, config: bouncer.iniPath, database: bouncer.database },
  };
  log(`${version}; ${bouncerVersion}`);

  writeLoad = startWriteLoad(bouncer.url, 'writes', { clients: CLIENTS });
  await writeLoad.waitForMore(WRITES_BETWEEN, 60_000);
  const runs: SwitchRun[] = [];
  let error: { cycle: number; command: SwitchCommand; message: string } | undefined;
  const sides = { blue, green };
  outer: for (let cycle = 1; cycle <= CYCLES && !interrupted; cycle++) {
    for (const command of ['cutover', 'cutback'] as const) {
      const startMs = performance.now();
      const marks: Record<string, number> = {};
      try {
        const report = await runSwitch(command, config, {
          onEvent: (e) => void (e.kind === 'step' && (marks[e.step] = performance.now())),
        });
        runs.push({ cycle, command, startMs, endMs: performance.now(), marks, report });
        log(
          `cycle ${cycle} ${command} ${report.from} -> ${report.to}: ${report.outcome}, pause ${report.pauseMs} ms (${report.steps
            .filter((s) => FENCED.includes(s.step))
            .map((s) => `${s.step} ${s.ms}`)
            .join(', ')})`,
        );
        // Identity/serial inserts on the new live side: its sequences were copied while fenced, so they must not collide.
        await sides[report.to].query(
          `INSERT INTO customers (email) VALUES ('after-${command}-${cycle}@example.com'); INSERT INTO orders (customer_id, total) VALUES (1, 1)`,
        );
        // ... and in the wide schema: a few tables, a different few each switch (fresh sequences included).
        for (let k = 0; WIDE && k < 3; k++)
          await sides[report.to].query(
            `INSERT INTO ${wideName(1 + ((cycle * 37 + k * 101 + (command === 'cutback' ? 13 : 0)) % WIDE))} (note) VALUES ('after-${command}-${cycle}')`,
          );
        await writeLoad.waitForMore(WRITES_BETWEEN, 60_000);
      } catch (e) {
        error = { cycle, command, message: (e as Error).message };
        log(`cycle ${cycle} ${command} FAILED: ${error.message}`);
        await resumeRouter(bouncer.adminUrl, bouncer.database).catch(() => undefined);
        break outer;
      }
    }
  }
  const result: WriteLoadResult = await writeLoad.stop();
  writeLoad = undefined;
  // PgBouncer's own account of trouble (failed logins, closed server connections), kept with the results.
  // The file itself: bouncer.log() keeps only its last 200 kB and appends PgBouncer's stderr (the same lines again).
  const bouncerLog = readFileSync(join(dirname(bouncer.iniPath), 'pgbouncer.log'), 'utf8');
  writeFileSync(join(dir, 'pgbouncer.log'), bouncerLog);
  const bouncerTrouble = bouncerLog
    .split('\n')
    .filter(
      (l) =>
        /WARNING|ERROR|FATAL|failed|closing because/.test(l) &&
        !/pause mode|client close request|client unexpected eof/.test(l),
    );
  log(`PgBouncer log: ${join(dir, 'pgbouncer.log')} (${bouncerTrouble.length} warning/error lines)`);
  const reconnects = reconnectDelays(bouncerLog);
  const spans = result.spans ?? [];
  const switches = runs.map((r) => clientView(r, spans));
  const outside = spans
    .filter((s) => s.committed && !runs.some((r) => s.startMs <= r.endMs && s.endMs >= r.startMs))
    .map((s) => s.endMs - s.startMs);

  const topology = await readTopology(blue, 'switchyard');
  const live = topology?.live ?? 'blue';
  const have = new Set(
    (await sides[live].query<{ k: string }>(`SELECT client || ':' || seq AS k FROM writes`)).rows.map((r) => r.k),
  );
  const lost = result.acknowledged.filter((a) => !have.has(`${a.client}:${a.seq}`));
  const consistency = await caughtUp(blue, green, 60_000);
  log(
    `${result.acknowledged.length} acknowledged, ${result.failed} failed, ${lost.length} lost on ${live}; sides equal: ${consistency.equal} (after ${consistency.waitMs} ms)`,
  );
  const loadAfter = load();

  const pause = distribution(switches.flatMap((s) => (s.pauseMs === null ? [] : [s.pauseMs])));
  const writeWait = distribution(switches.map((s) => s.writeWaitMs));
  const clientPause = distribution(switches.map((s) => s.clientPauseMs));
  const clientPauseCall = distribution(switches.map((s) => s.clientPauseCallMs));
  const writeGap = distribution(switches.map((s) => s.writeGapMs));
  const nonNull = (xs: readonly (number | null)[]) => xs.flatMap((x) => (x === null ? [] : [x]));
  const afterResume = distribution(nonNull(switches.map((s) => s.longestCommittedAfterResumeMs)));
  const firstAfterResume = distribution(nonNull(switches.map((s) => s.firstCommitAfterResumeMs)));
  const stepNames = [...new Set(switches.flatMap((s) => Object.keys(s.steps)))];
  const steps = stepNames.map((step) => ({
    step,
    inPause: FENCED.includes(step),
    ...distribution(switches.flatMap((s) => (s.steps[step] === undefined ? [] : [s.steps[step]!]))),
  }));
  const dominant = [...steps].filter((s) => s.inPause).sort((a, b) => b.p50 - a.p50);
  const worst = [...switches].sort((a, b) => (b.pauseMs ?? 0) - (a.pauseMs ?? 0))[0];
  const goals = {
    maxPause: {
      goal: `≤ ${GOAL_PAUSE_MS} ms`,
      value: pause.max,
      met: switches.length > 0 && pause.max <= GOAL_PAUSE_MS,
    },
    maxClientPause: {
      goal: `≤ ${GOAL_PAUSE_MS} ms`,
      value: writeWait.max,
      met: switches.length > 0 && writeWait.max <= GOAL_PAUSE_MS,
    },
    lost: { goal: 0, value: lost.length, met: lost.length === 0 },
    failed: { goal: 0, value: result.failed, met: result.failed === 0 },
    allSwitched: {
      goal: `${CYCLES * 2} switches`,
      value: switches.filter((s) => s.outcome === 'switched').length,
      met: !error && switches.length === CYCLES * 2 && switches.every((s) => s.outcome === 'switched'),
    },
    consistent: { goal: 'equal counts and checksums', met: consistency.equal },
    ...(WIDE
      ? {
          pauseP50: { goal: `≤ ${GOAL_WIDE.pauseP50} ms`, value: pause.p50, met: pause.p50 <= GOAL_WIDE.pauseP50 },
          writeWaitP50: {
            goal: `≤ ${GOAL_WIDE.waitP50} ms`,
            value: writeWait.p50,
            met: writeWait.p50 <= GOAL_WIDE.waitP50,
          },
          writeWaitMax: {
            goal: `≤ ${GOAL_WIDE.waitMax} ms`,
            value: writeWait.max,
            met: writeWait.max <= GOAL_WIDE.waitMax,
          },
        }
      : {}),
  };
  const busy = Math.max(loadBefore.load1, loadAfter.load1) > loadBefore.cores * 0.5;
  const yes = (b: boolean) => (b ? 'met' : '**NOT met**');
  const row = (name: string, d: Distribution) =>
    `| ${name} | ${d.n} | ${d.min} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} |`;
  const sharePct = (p50: number) => (pause.p50 ? Math.round((100 * p50) / pause.p50) : 0);

  writeResults(
    RESULTS,
    {
      server: version,
      wideTables: WIDE,
      pgbouncer: bouncerVersion,
      cycles: CYCLES,
      clients: CLIENTS,
      writesBetween: WRITES_BETWEEN,
      load: { before: loadBefore, after: loadAfter, busy },
      goals,
      error: error ?? null,
      pauseMs: pause,
      writeWaitMs: writeWait,
      clientPauseMs: clientPause,
      clientPauseCallMs: clientPauseCall,
      writeGapMs: writeGap,
      longestCommittedAfterResumeMs: afterResume,
      firstCommitAfterResumeMs: firstAfterResume,
      baselineLatencyMs: distribution(outside),
      steps,
      writes: {
        acknowledged: result.acknowledged.length,
        failed: result.failed,
        errors: result.errors,
        lost: lost.length,
        lostSample: lost.slice(0, 20),
        live,
      },
      consistency,
      pgbouncerSettings: BOUNCER_SETTINGS,
      pgbouncerLog: {
        path: join(dir, 'pgbouncer.log'),
        troubleLines: bouncerTrouble.length,
        trouble: bouncerTrouble.slice(0, 60),
        resumeToFirstServerConnectionMs: distribution(reconnects.flatMap((r) => (r.ms === null ? [] : [r.ms]))),
        reconnects,
      },
      switches,
    },
    [
      `Issue #5: ${CYCLES} cycles of \`cutover\` + \`cutback\` (${CYCLES * 2} switches) with \`runSwitch\` on a blue/green pair of embedded`,
      `${version} servers (fsync off), PgBouncer (${bouncerVersion.split('\n')[0]}, transaction pooling) in front, switched by`,
      `switchyard (PAUSE, rewrite the [databases] entry, RELOAD, RESUME)${Object.keys(BOUNCER_SETTINGS).length ? `, with extra PgBouncer settings ${JSON.stringify(BOUNCER_SETTINGS)}` : ''}. ${CLIENTS} clients write through PgBouncer the whole time`,
      '(test/support/write-load.ts: `BEGIN; INSERT ... RETURNING id; COMMIT` in a loop, no think time); between switches the bench waits for',
      `${WRITES_BETWEEN} more acknowledged writes and inserts one customer and one order on the new live side.`,
      ...(WIDE
        ? [
            '',
            `Issue #16, a wide schema: ${WIDE} more tables (\`wide_0001\` ...), each with an identity column, so ${WIDE} more sequences`,
            '(9 in 10 used, the rest never called) and a publication of ' +
              (WIDE + 4) +
              ' tables; after each switch 3 of them get a row on the new',
            'live side (their sequences were copied while fenced, so the ids must not collide).',
          ]
        : []),
      '',
      '- **switchyard pause**: `SwitchReport.pauseMs`, fence (PAUSE) to RESUME, measured by switchyard.',
      '- **client write wait**: how long a write waited because of the switch, as the client saw it: over the committed transactions',
      '  overlapping the fenced window (from the start of the fence step to the end of the resume step, timed with `onEvent`), the COMMIT',
      '  answer minus the later of the BEGIN and the start of the fence (reconnects included).',
      "- **longest overlapping transaction**: the same transactions' whole time, BEGIN to COMMIT answer, and over the whole `runSwitch` call",
      '  (gate, ledger and clean-up of the old stream included): it also counts time a transaction had already spent before the fence',
      '  began, which is not the switch\'s doing (see the table of every switch: "began before fence").',
      '- **write gap**: the longest time within the `runSwitch` call (up to the next commit) in which no client got any write acknowledged.',
      '- **lost**: writes whose COMMIT was acknowledged but that are missing on the final live side.',
      '',
      '| goal | value | status |',
      '|---|---|---|',
      `| max pause ≤ ${GOAL_PAUSE_MS} ms, as switchyard measures it (pauseMs) | ${pause.max} ms | ${yes(goals.maxPause.met)} |`,
      `| max pause ≤ ${GOAL_PAUSE_MS} ms, as the clients saw it (client write wait) | ${writeWait.max} ms | ${yes(goals.maxClientPause.met)} |`,
      `| 0 lost writes | ${lost.length} of ${result.acknowledged.length} acknowledged | ${yes(goals.lost.met)} |`,
      `| 0 failed transactions | ${result.failed}${result.failed ? ` (${JSON.stringify(result.errors)})` : ''} | ${yes(goals.failed.met)} |`,
      `| every switch completes | ${goals.allSwitched.value} of ${CYCLES * 2}${error ? ` (cycle ${error.cycle} ${error.command} failed: ${error.message.split('\n')[0]})` : ''} | ${yes(goals.allSwitched.met)} |`,
      `| both sides equal after catch-up | ${consistency.equal ? `yes, after ${consistency.waitMs} ms` : 'no'} | ${yes(consistency.equal)} |`,
      ...(WIDE
        ? [
            `| pause p50 ≤ ${GOAL_WIDE.pauseP50} ms (pauseMs) | ${pause.p50} ms | ${yes(pause.p50 <= GOAL_WIDE.pauseP50)} |`,
            `| client write wait p50 ≤ ${GOAL_WIDE.waitP50} ms | ${writeWait.p50} ms | ${yes(writeWait.p50 <= GOAL_WIDE.waitP50)} |`,
            `| client write wait max ≤ ${GOAL_WIDE.waitMax} ms | ${writeWait.max} ms | ${yes(writeWait.max <= GOAL_WIDE.waitMax)} |`,
          ]
        : []),
      '',
      '## Pauses (ms)',
      '',
      '| measure | n | min | p50 | p90 | p99 | max |',
      '|---|---|---|---|---|---|---|',
      row('switchyard pause (fence to resume)', pause),
      row('client write wait (from the fence, or a later BEGIN, to the COMMIT answer)', writeWait),
      row('longest transaction overlapping the fence (whole)', clientPause),
      row('longest transaction overlapping the whole runSwitch call', clientPauseCall),
      row('write gap (no write acknowledged)', writeGap),
      row('longest transaction: committed after the resume step', afterResume),
      row('first commit after the resume step', firstAfterResume),
      row('client latency outside switches (baseline)', distribution(outside)),
      '',
      '## Steps (ms per switch)',
      '',
      '| step | in the pause | median | p90 | max | share of the median pause |',
      '|---|---|---|---|---|---|',
      ...steps.map(
        (s) =>
          `| ${s.step} | ${s.inPause ? 'yes' : 'no'} | ${s.p50} | ${s.p90} | ${s.max} | ${s.inPause ? `${sharePct(s.p50)} %` : ''} |`,
      ),
      '',
      dominant[0]
        ? `The largest part of the pause is \`${dominant[0].step}\` (median ${dominant[0].p50} ms of a median pause of ${pause.p50} ms)` +
          (dominant[1] ? `, then \`${dominant[1].step}\` (${dominant[1].p50} ms)` : '') +
          '.'
        : '',
      worst
        ? `The longest pause, ${worst.pauseMs} ms (cycle ${worst.cycle} ${worst.command}): ${Object.entries(worst.steps)
            .filter(([k]) => FENCED.includes(k))
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`
        : '',
      '',
      ...(bouncerTrouble.length
        ? [
            'PgBouncer logged these warnings/errors (pause-mode and client-close lines left out; first 30):',
            '',
            '```',
            ...bouncerTrouble.slice(0, 30),
            '```',
            '',
          ]
        : ['PgBouncer logged no warnings or errors (other than closing server connections for PAUSE).', '']),
      ...stallNotes(switches, reconnects),
      '## Writes and consistency',
      '',
      `${result.acknowledged.length} writes acknowledged, ${result.failed} failed, ${lost.length} lost on the final live side (${live}).`,
      '',
      '| table | blue | green |',
      '|---|---|---|',
      ...TABLES.map((t) => `| ${t} | ${consistency.blue[t]} | ${consistency.green[t]} |`),
      '',
      '## Every switch',
      '',
      'Longest tx: how long before the fence began the longest transaction overlapping it began (negative: after, so PgBouncer held',
      'it), and how long after the resume step it was committed. Step columns are ms as `SwitchReport.steps` gives them (each includes recording the step on both sides).',
      '',
      `| cycle | command | from → to | switchyard pause | client write wait | longest overlapping tx | whole call | longest tx: began before fence / committed after resume | write gap | tx in the fence (failed in the call) | ${FENCED.join(' | ')} | runSwitch ms |`,
      `|---|---|---|---|---|---|---|---|---|---|${FENCED.map(() => '---|').join('')}---|`,
      ...switches.map(
        (s) =>
          `| ${s.cycle} | ${s.command} | ${s.from} → ${s.to} | ${s.pauseMs} | ${s.writeWaitMs} | ${s.clientPauseMs} | ${s.clientPauseCallMs} | ${s.longestBeganBeforeFenceMs} / ${s.longestCommittedAfterResumeMs} | ${s.writeGapMs} | ${s.overlapping} (${s.failedOverlapping}) | ${FENCED.map((k) => s.steps[k] ?? '').join(' | ')} | ${s.switchMs} |`,
      ),
      '',
      `Machine load (1-minute average) before ${loadBefore.load1}, after ${loadAfter.load1} on ${loadBefore.cores} cores` +
        (busy
          ? ': the machine was shared with other work during the run (both PostgreSQL servers, PgBouncer and the 16 clients also share these cores), so absolute times are noisy.'
          : '.'),
    ].join('\n'),
  );
  console.log(`switchyard pause ms: ${JSON.stringify(pause)}`);
  console.log(`client write wait ms: ${JSON.stringify(writeWait)}`);
  console.log(
    `longest overlapping tx ms: ${JSON.stringify(clientPause)} (whole call: ${JSON.stringify(clientPauseCall)})`,
  );
  console.log(`write gap ms:        ${JSON.stringify(writeGap)}`);
  console.log(
    `acknowledged ${result.acknowledged.length}, failed ${result.failed}, lost ${lost.length}, sides equal ${consistency.equal}`,
  );
  console.log(
    `after resume ms:     longest committed ${JSON.stringify(afterResume)}; first commit ${JSON.stringify(firstAfterResume)}`,
  );
  console.log(
    `goals: max pause ${yes(goals.maxPause.met)}, client pause ${yes(goals.maxClientPause.met)}, lost ${yes(goals.lost.met)}, failed ${yes(goals.failed.met)}, all switched ${yes(goals.allSwitched.met)}, consistent ${yes(consistency.equal)}`,
  );
  if (!Object.values(goals).every((g) => g.met)) exitCode = 1;
} catch (e) {
  log(`bench failed: ${(e as Error).stack ?? String(e)}`);
  exitCode = 1;
} finally {
  if (writeLoad && bouncer) await resumeRouter(bouncer.adminUrl, bouncer.database).catch(() => undefined);
  await writeLoad?.stop().catch(() => undefined);
  for (const c of clients) await c.end().catch(() => undefined);
  await bouncer?.stop().catch(() => undefined);
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
}
process.exit(exitCode);
