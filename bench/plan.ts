// bench/plan: diff + plan for a change touching 2,000 tables (a new column, a new index and a changed default
// on each), against apgdiff (Debian package) on the same pair of `pg_dump --schema-only` files. switchyard
// plans from the two snapshots `introspect -o x.json` wrote of the same two databases; both are timed as
// whole processes printing their result, best of 5.
// Run: npm run bench:plan   (goal: at most 0.5x apgdiff)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../dist/rehearsal/embedded.js';
import { timeCommand, writeResults } from './lib.ts';
import { buildSchema, createDatabase } from './schema-gen.ts';

const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'sy-bench-plan-'));
const server = await startEmbedded({ major: 15 });
try {
  for (const [name, change] of [
    ['before', false],
    ['after', true],
  ] as const) {
    await createDatabase(server.url(), name);
    const ms = await buildSchema(server.url(name), TABLES, change);
    console.error(`built ${name}: ${TABLES} tables in ${ms} ms`);
    const u = new URL(server.url(name));
    const dump = spawnSync(
      'pg_dump',
      ['--schema-only', '-h', '127.0.0.1', '-p', u.port, '-U', 'postgres', '-d', name, '-f', join(dir, `${name}.sql`)],
      { env: { ...process.env, PGPASSWORD: u.password }, encoding: 'utf8' },
    );
    if (dump.status !== 0) throw new Error(dump.stderr);
    // pg_dump 15.18+ writes \restrict / \unrestrict psql meta-commands (a 2025 security fix) that apgdiff 2.7
    // cannot parse; they are not schema, so they are removed before apgdiff reads the file.
    const path = join(dir, `${name}.sql`);
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => !/^\\(un)?restrict /.test(l))
        .join('\n'),
    );
    const intro = spawnSync(
      process.execPath,
      ['bin/switchyard.js', 'introspect', '--db', server.url(name), '-o', join(dir, `${name}.json`)],
      { encoding: 'utf8' },
    );
    if (intro.status !== 0) throw new Error(intro.stderr);
  }
  const apgdiff = timeCommand('apgdiff', [join(dir, 'before.sql'), join(dir, 'after.sql')]);
  const ours = timeCommand(process.execPath, [
    'bin/switchyard.js',
    '--json',
    'plan',
    '--from',
    join(dir, 'before.json'),
    '--schema',
    join(dir, 'after.json'),
    '--name',
    'bench',
    '--pg-version',
    '15',
    '--dry-run',
  ]);
  const steps = JSON.parse(
    spawnSync(
      process.execPath,
      [
        'bin/switchyard.js',
        '--json',
        'plan',
        '--from',
        join(dir, 'before.json'),
        '--schema',
        join(dir, 'after.json'),
        '--name',
        'bench',
        '--pg-version',
        '15',
        '--dry-run',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 30 },
    ).stdout,
  ).plan.releases.reduce(
    (n: number, r: { expand: unknown[]; backfill: unknown[]; contract: unknown[] }) =>
      n + r.expand.length + r.backfill.length + r.contract.length,
    0,
  );
  const apgVersion =
    spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'apgdiff'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const ratio = ours.best / apgdiff.best;
  const verdict = ratio <= 0.5 ? 'meets' : 'misses';
  console.log(
    `switchyard plan: best ${ours.best.toFixed(0)} ms (${steps} steps); apgdiff: best ${apgdiff.best.toFixed(0)} ms; ratio ${ratio.toFixed(2)}x (${verdict} the 0.5x goal)`,
  );
  writeResults(
    'plan',
    {
      tables: TABLES,
      steps,
      apgdiff: { version: apgVersion, ...apgdiff },
      switchyard: ours,
      ratio: Number(ratio.toFixed(3)),
      goal: 0.5,
      meetsGoal: ratio <= 0.5,
    },
    [
      `A change touching ${TABLES} tables (new column, new index, changed default on each); PostgreSQL 15 databases. apgdiff compares`,
      'the two `pg_dump --schema-only` files; switchyard plans from the two snapshots `introspect -o x.json` wrote of the same databases',
      `(${steps} steps with rollbacks, releases, hazards and costs). Whole processes, best of 5 after a warm-up.`,
      '',
      '| command | best ms | median ms | runs (ms) |',
      '|---|---|---|---|',
      `| \`switchyard --json plan --from before.json --schema after.json --dry-run\` | ${ours.best.toFixed(0)} | ${ours.median.toFixed(0)} | ${ours.runs.join(', ')} |`,
      `| \`apgdiff before.sql after.sql\` (${apgVersion}) | ${apgdiff.best.toFixed(0)} | ${apgdiff.median.toFixed(0)} | ${apgdiff.runs.join(', ')} |`,
      '',
      `Ratio (best / best): **${ratio.toFixed(2)}x** — goal at most 0.5x: ${verdict}.`,
    ].join('\n'),
  );
} finally {
  await server.stop();
}
