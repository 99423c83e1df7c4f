// Reliability: the crash test (test/integration/executor/crash.test.ts) with 100 kill points instead of 20.
// A plan with every change kind is applied phase by phase and rolled back, through the CLI in child processes;
// the executor is SIGKILLed at random points of apply (expand, contract), backfill and rollback, and every
// command is rerun until it exits 0, then the schema and the ledger are checked. Records the kills, the
// recoveries, every failure (the command, the kill delay before it, what went wrong) and the time.
//
// The walk needs the test suite's PostgreSQL server and the all-kinds fixture (built from the per-kind scenarios
// with src/ on a live database), so this runs the test file through vitest with SWITCHYARD_CRASH_POINTS and reads
// the result it writes to SWITCHYARD_CRASH_REPORT. Environment: SWITCHYARD_CRASH_SEED (default: time-based, printed),
// SWITCHYARD_CRASH_POINTS (default 100), SWITCHYARD_CRASH_ROWS (default 100000).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Failure, WalkResult } from '../test/support/crash-harness.ts';
import { load, writeResults } from './lib.ts';

interface Report extends WalkResult {
  readonly rows: number;
  readonly steps: number;
  readonly dry: { readonly ms: number; readonly commands: WalkResult['commands'] };
}

const root = join(import.meta.dirname, '..');
const points = Number(process.env.SWITCHYARD_CRASH_POINTS ?? 100);
const seed = Number(process.env.SWITCHYARD_CRASH_SEED ?? Date.now() % 1_000_000_000);
const reportFile = join(mkdtempSync(join(tmpdir(), 'sy-reliability-')), 'walk.json');
console.log(`reliability: ${points} kill points, seed ${seed}`);

const before = load();
const started = Date.now();
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration', 'test/integration/executor/crash.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      SWITCHYARD_CRASH_POINTS: String(points),
      SWITCHYARD_CRASH_SEED: String(seed),
      SWITCHYARD_CRASH_REPORT: reportFile,
    },
  },
);
const wallMs = Date.now() - started;

let r: Report;
try {
  r = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
} catch {
  console.error(`the crash test exited ${run.status} without writing its result: see its output above`);
  process.exit(1);
}

const dryOf = (command: string) => {
  const d = r.dry.commands.find((x) => x.command === command);
  return d ? `${d.lastMs} ms (${d.lastWorkMs} ms)` : '';
};
const failureRow = (f: Failure) =>
  `| ${f.command} | ${f.afterKillAtMs ?? ''} | ${f.what.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`;
const markdown = [
  `${r.kills} SIGKILLs at random points of \`switchyard apply\` / \`rollback\` of a plan with every change kind (${r.steps} steps, ${r.rows} rows in each backfilled table), seed ${r.seed}.`,
  '',
  '| kill points | kills | expand | backfill | contract | rollback | recovered | missed | lock waits | failures | walk | wall |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  `| ${r.killPoints} | ${r.kills} | ${r.killsBy.expand} | ${r.killsBy.backfill} | ${r.killsBy.contract} | ${r.killsBy.rollback} | ${r.recoveries} | ${r.missed} | ${r.lockWaits} | ${r.failures.length} | ${(r.ms / 1000).toFixed(1)} s | ${(wallMs / 1000).toFixed(1)} s |`,
  '',
  '"Recovered": the command was run again until it exited 0, and then the schema fingerprint was the rehearsed one, the ledger showed exactly the phases applied so far with no running or failed step, and no backfilled row was left behind. "Lock waits": reruns refused because the killed executor\'s session still held the executor lock. "Walk": the killed walk; "wall" includes building the fixture, the rehearsal and an unkilled walk that measures each command.',
  '',
  '| command | unkilled (phase part) | killed walk | kills: ms after start, c = during the start-up checks |',
  '|---|---|---|---|',
  ...r.commands.map(
    (c) =>
      `| ${c.command} | ${dryOf(c.command)} | ${c.ms} ms | ${c.kills.map((k) => `${k.atMs}${k.during === 'checks' ? 'c' : ''}`).join(', ')} |`,
  ),
  '',
  r.failures.length
    ? [
        '| failed command | after a kill at (ms) | what went wrong |',
        '|---|---|---|',
        ...r.failures.map(failureRow),
      ].join('\n')
    : 'No failures.',
  '',
  `Load before: ${before.load1} on ${before.cores} cores.`,
].join('\n');
writeResults(
  'reliability',
  {
    seed: r.seed,
    killPoints: r.killPoints,
    kills: r.kills,
    killsBy: r.killsBy,
    recoveries: r.recoveries,
    missed: r.missed,
    lockWaits: r.lockWaits,
    failures: r.failures,
    walkMs: r.ms,
    wallMs,
    steps: r.steps,
    rows: r.rows,
    commands: r.commands,
    dry: r.dry,
  },
  markdown,
);
console.log(markdown);
process.exit(r.failures.length === 0 && r.kills > 0 ? 0 : 1);
