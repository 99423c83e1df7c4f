// bench/validate: `switchyard validate` on declared files of about 1, 5 and 10 MB (6,500, 32,500 and 65,000
// tables in one schema, bench/validate-gen.ts), timed as whole processes with their peak memory (GNU time's
// maximum resident set size). Issue #13 found validate quadratic in the number of tables: the time per MB
// must stay flat as the file grows. The largest file is also validated with a problem in every table (the
// salvage and reporting paths). Best and median of 3 runs after a warm-up.
// Run: npm run bench:validate   (goal: the 10 MB file in under 10 s)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, writeResults } from './lib.ts';
import { writeDeclared } from './validate-gen.ts';

const SIZES = (process.env.BENCH_TABLES ?? '6500,32500,65000').split(',').map(Number);
const RUNS = 3;
const GOAL_MS = 10_000;
const TIME = '/usr/bin/time';

interface Run {
  readonly ms: number;
  /** Peak resident set size in MiB, and user + system CPU ms (less disturbed by a busy machine), from GNU time. */
  readonly peakMiB: number | undefined;
  readonly cpuMs: number | undefined;
}

/** One `switchyard validate` process: wall time, and peak RSS as GNU time reports it (`%M`, KiB). */
function validateOnce(path: string, problems: number): Run {
  const command = [process.execPath, 'bin/switchyard.js', 'validate', path];
  const timed = existsSync(TIME);
  const t0 = process.hrtime.bigint();
  const r = timed
    ? spawnSync(TIME, ['-f', 'peak-kib %M cpu-s %U %S', ...command], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const expected =
    problems === 0
      ? r.status === 0 && r.stdout.startsWith('valid')
      : r.status === 2 && r.stdout.startsWith(`${problems} problems`);
  if (!expected)
    throw new Error(
      `validate ${path}: exit ${r.status}, expected ${problems} problems: ${r.stdout.slice(0, 500)}${r.stderr}`,
    );
  const used = /peak-kib (\d+) cpu-s ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!used) return { ms, peakMiB: undefined, cpuMs: undefined };
  return {
    ms,
    peakMiB: Math.round(Number(used[1]) / 1024),
    cpuMs: Math.round((Number(used[2]) + Number(used[3])) * 1000),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sy-bench-validate-'));
const largest = Math.max(...SIZES);
const files = [...SIZES.map((tables) => ({ tables, problems: 0 })), { tables: largest, problems: largest }].map(
  ({ tables, problems }) => {
    const path = join(dir, `${tables}${problems ? '-problems' : ''}.yaml`);
    return { tables, problems, path, bytes: writeDeclared(path, tables, problems > 0) };
  },
);
validateOnce(files[0]!.path, 0); // warm-up: Node's compile cache
const loadBefore = load();
const results = files.map(({ tables, problems, path, bytes }) => {
  const runs = Array.from({ length: RUNS }, () => validateOnce(path, problems));
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const mb = bytes / 1e6;
  const peaks = runs.flatMap((r) => (r.peakMiB === undefined ? [] : [r.peakMiB]));
  const cpu = runs.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
  const row = {
    tables,
    problems,
    mb: Number(mb.toFixed(2)),
    bestMs: Math.round(ms[0]!),
    medianMs: Math.round(ms[Math.floor(ms.length / 2)]!),
    msPerMb: Math.round(ms[0]! / mb),
    bestCpuMs: cpu.length ? Math.min(...cpu) : undefined,
    peakMiB: peaks.length ? Math.max(...peaks) : undefined,
    runsMs: runs.map((r) => Math.round(r.ms)),
  };
  console.log(
    `${tables} tables, ${problems} problems, ${row.mb} MB: best ${row.bestMs} ms, median ${row.medianMs} ms, ${row.msPerMb} ms/MB, CPU ${row.bestCpuMs ?? '?'} ms, peak ${row.peakMiB ?? '?'} MiB`,
  );
  return row;
});
const biggest = results.filter((r) => r.problems === 0).at(-1)!;
const meetsGoal = biggest.bestMs < GOAL_MS;
const verdict = meetsGoal ? 'meets' : 'misses';
console.log(`${biggest.mb} MB in ${biggest.bestMs} ms: ${verdict} the goal of ${GOAL_MS / 1000} s`);

/** Measured by hand before the fix (commit c04ec72), on the same machine and 10.8 MB file, with GNU time. */
const before = {
  commit: 'c04ec72',
  tables: 65_000,
  mb: 10.83,
  ms: 59_990,
  peakMiB: 1445,
  note: 'keysInOrder scanned from the root for every table',
};
writeResults(
  'validate',
  { goalMs: GOAL_MS, meetsGoal, load: { before: loadBefore, after: load() }, results, before },
  [
    'Whole `switchyard validate FILE` processes on generated files: one schema of N tables (two columns and a primary key; every tenth',
    `also an index and a foreign key), \`bench/validate-gen.ts\`. Best and median of ${RUNS} runs after a warm-up; peak RSS from GNU time.`,
    `Load average before / after: ${loadBefore.load1} / ${load().load1} on ${loadBefore.cores} cores: other work shares the machine, so wall`,
    'times vary between runs; CPU (user + system, best run) is less disturbed by it.',
    '',
    '| tables | problems | MB | best ms | median ms | ms per MB | CPU ms | peak MiB | runs (ms) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.tables} | ${r.problems} | ${r.mb} | ${r.bestMs} | ${r.medianMs} | ${r.msPerMb} | ${r.bestCpuMs ?? '?'} | ${r.peakMiB ?? '?'} | ${r.runsMs.join(', ')} |`,
    ),
    '',
    `Before the fix (${before.commit}, ${before.note}): ${before.tables} tables, ${before.mb} MB in ${before.ms} ms, peak ${before.peakMiB} MiB.`,
    '',
    `The valid ${biggest.mb} MB file in **${biggest.bestMs} ms** (best) — goal under ${GOAL_MS / 1000} s: ${verdict}.`,
  ].join('\n'),
);
