// bench/introspect: `switchyard introspect` (the model and the inventory of what it does not hold) against
// `pg_dump --schema-only` of the same database, both timed as whole processes, 7 runs each in turn, on two databases:
// - synthetic: 2,000 tables (about 20 columns, 3 indexes and 1 foreign key per table); goal at most 1.0x;
// - danbooru: ../shared/corpus/danbooru-structure.sql copied into 31 schemas (2,015 tables, 12,000 indexes,
//   views, extensions: a real application's catalog); goal at most 0.75x (issue #14).
// The server is PostgreSQL 15 because the pg_dump on these machines is 15 and refuses newer servers.
// Run: npm run bench:introspect   (BENCH_TABLES, BENCH_DANBOORU_SCHEMAS change the sizes)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { startEmbedded } from '../dist/rehearsal/embedded.js';
import { type Timing, timeCommand, writeResults } from './lib.ts';
import { buildDanbooru } from './corpus-gen.ts';
import { buildSchema, createDatabase } from './schema-gen.ts';

const TABLES = Number(process.env.BENCH_TABLES ?? 2000);
const MAJOR = Number(process.env.BENCH_PG_VERSION ?? 15);
const DANBOORU_SCHEMAS = Number(process.env.BENCH_DANBOORU_SCHEMAS ?? 31);
const RUNS = 7;

interface Case {
  readonly database: string;
  readonly tables: number;
  readonly goal: number;
  readonly pgDump: Timing;
  readonly switchyard: Timing;
  /** The median of the per-pair ratios (ours / pg_dump's, run in turn). */
  readonly ratio: number;
}

const server = await startEmbedded({ major: MAJOR });
try {
  const dumpVersion = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const measure = (database: string, tables: number, goal: number): Case => {
    const url = server.url(database);
    const u = new URL(url);
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password) };
    // In turn (ours, pg_dump, ours...), so that a machine whose load drifts during the run (other jobs share
    // these 2 cores) slows both alike; the ratio of each pair is kept too.
    const ours: number[] = [];
    const dump: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(
        timeCommand(process.execPath, ['bin/switchyard.js', 'introspect', '--db', url, '-o', '/dev/null'], 1).best,
      );
      dump.push(
        timeCommand(
          'pg_dump',
          ['--schema-only', '-h', '127.0.0.1', '-p', u.port, '-U', 'postgres', '-d', database, '-f', '/dev/null'],
          1,
          env,
        ).best,
      );
    }
    const timing = (runs: number[]) => {
      const sorted = [...runs].sort((a, b) => a - b);
      return { best: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, runs: runs.map(Math.round) };
    };
    const pairs = ours.map((o, i) => o / dump[i]!).sort((a, b) => a - b);
    const ratio = pairs[Math.floor(pairs.length / 2)]!;
    const c = { database, tables, goal, pgDump: timing(dump), switchyard: timing(ours), ratio };
    console.log(
      `${database}: switchyard introspect best ${c.switchyard.best.toFixed(0)} ms; pg_dump --schema-only best ${c.pgDump.best.toFixed(0)} ms; median of paired ratios ${ratio.toFixed(2)}x, best/best ${(c.switchyard.best / c.pgDump.best).toFixed(2)}x (goal ${goal}x: ${ratio <= goal ? 'meets' : 'misses'})`,
    );
    return c;
  };

  await createDatabase(server.url(), 'bench');
  const ms = await buildSchema(server.url('bench'), TABLES);
  console.error(`built ${TABLES} tables in ${ms} ms on PostgreSQL ${MAJOR}`);
  const synthetic = measure('bench', TABLES, 1.0);

  await createDatabase(server.url(), 'danbooru');
  const built = await buildDanbooru(server.url('danbooru'), DANBOORU_SCHEMAS);
  console.error(`built danbooru in ${DANBOORU_SCHEMAS} schemas in ${built.ms} ms`);
  const danbooru = measure('danbooru', 65 * DANBOORU_SCHEMAS, 0.75);

  const json = (c: Case) => ({
    tables: c.tables,
    pgDump: c.pgDump,
    switchyard: c.switchyard,
    ratio: Number(c.ratio.toFixed(3)),
    bestOverBest: Number((c.switchyard.best / c.pgDump.best).toFixed(3)),
    goal: c.goal,
    meetsGoal: c.ratio <= c.goal,
  });
  const rows = (c: Case) => [
    `| \`switchyard introspect -o /dev/null\` | ${c.switchyard.best.toFixed(0)} | ${c.switchyard.median.toFixed(0)} | ${c.switchyard.runs.join(', ')} |`,
    `| \`pg_dump --schema-only\` | ${c.pgDump.best.toFixed(0)} | ${c.pgDump.median.toFixed(0)} | ${c.pgDump.runs.join(', ')} |`,
  ];
  const verdict = (c: Case) =>
    `Ratio, the median of the ${RUNS} pairs (ours / pg_dump's, run in turn): **${c.ratio.toFixed(2)}x** (best / best ${(c.switchyard.best / c.pgDump.best).toFixed(2)}x); goal at most ${c.goal}x: ${c.ratio <= c.goal ? 'meets' : 'misses'}.`;
  writeResults(
    'introspect',
    {
      server: `PostgreSQL ${MAJOR}`,
      pgDumpVersion: dumpVersion,
      loadAverage: loadavg()[0],
      synthetic: json(synthetic),
      danbooru: { schemas: DANBOORU_SCHEMAS, ...json(danbooru) },
    },
    [
      `PostgreSQL ${MAJOR}, ${dumpVersion}; whole processes (introspect reads the model and the inventory of what it does not hold), ${RUNS} runs each, in turn, after a warm-up of each. Load average at the end: ${(loadavg()[0] ?? 0).toFixed(1)}.`,
      '',
      `## synthetic: ${TABLES} tables (20 columns, 3 indexes, 1 foreign key each)`,
      '',
      '| command | best ms | median ms | runs (ms) |',
      '|---|---|---|---|',
      ...rows(synthetic),
      '',
      verdict(synthetic),
      '',
      `## danbooru: ../shared/corpus/danbooru-structure.sql copied into ${DANBOORU_SCHEMAS} schemas (${danbooru.tables} tables)`,
      '',
      '| command | best ms | median ms | runs (ms) |',
      '|---|---|---|---|',
      ...rows(danbooru),
      '',
      verdict(danbooru),
    ].join('\n'),
  );
} finally {
  await server.stop();
}
