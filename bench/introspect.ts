// bench/introspect: introspecting a 2,000-table database (about 20 columns, 3 indexes and 1 foreign key per
// table) against `pg_dump --schema-only` of the same database. Both are timed as whole processes, best of 5.
// The server is PostgreSQL 15 because the pg_dump on these machines is 15 and refuses newer servers.
// Run: npm run bench:introspect   (goal: introspection at most 1.0x pg_dump)
import { spawnSync } from 'node:child_process';
import { startEmbedded } from '../dist/rehearsal/embedded.js';
import { timeCommand, writeResults } from './lib.ts';
import { buildSchema, createDatabase } from './schema-gen.ts';

const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const MAJOR = Number(process.env.BENCH_PG_VERSION ?? 15);

const server = await startEmbedded({ major: MAJOR });
try {
  await createDatabase(server.url(), 'bench');
  const url = server.url('bench');
  const ms = await buildSchema(url, TABLES);
  console.error(`built ${TABLES} tables in ${ms} ms on PostgreSQL ${MAJOR}`);

  const env = { ...process.env, PGPASSWORD: new URL(url).password };
  const u = new URL(url);
  const pgDump = timeCommand(
    'pg_dump',
    ['--schema-only', '-h', '127.0.0.1', '-p', u.port, '-U', 'postgres', '-d', 'bench', '-f', '/dev/null'],
    5,
    env,
  );
  const ours = timeCommand(process.execPath, ['bin/switchyard.js', 'introspect', '--db', url, '-o', '/dev/null'], 5);
  const dumpVersion = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const ratio = ours.best / pgDump.best;
  const verdict = ratio <= 1.0 ? 'meets' : 'misses';
  console.log(
    `switchyard introspect: best ${ours.best.toFixed(0)} ms; pg_dump --schema-only: best ${pgDump.best.toFixed(0)} ms; ratio ${ratio.toFixed(2)}x (${verdict} the 1.0x goal)`,
  );
  writeResults(
    'introspect',
    {
      tables: TABLES,
      server: `PostgreSQL ${MAJOR}`,
      pgDump: { version: dumpVersion, ...pgDump },
      switchyard: ours,
      ratio: Number(ratio.toFixed(3)),
      goal: 1.0,
      meetsGoal: ratio <= 1.0,
    },
    [
      `${TABLES} tables (20 columns, 3 indexes, 1 foreign key each) on PostgreSQL ${MAJOR}; whole processes, best of 5 after a warm-up.`,
      '',
      '| command | best ms | median ms | runs (ms) |',
      '|---|---|---|---|',
      `| \`switchyard introspect -o /dev/null\` | ${ours.best.toFixed(0)} | ${ours.median.toFixed(0)} | ${ours.runs.join(', ')} |`,
      `| \`pg_dump --schema-only\` (${dumpVersion}) | ${pgDump.best.toFixed(0)} | ${pgDump.median.toFixed(0)} | ${pgDump.runs.join(', ')} |`,
      '',
      `Ratio (best / best): **${ratio.toFixed(2)}x** — goal at most 1.0x: ${verdict}.`,
    ].join('\n'),
  );
} finally {
  await server.stop();
}
