// `switchyard demo`: the story on a throwaway PostgreSQL, with nothing to set up and nothing left behind.
// It builds the example application's database, introspects it, diffs it against the example target schema,
// plans the change, rehearses the plan on a second throwaway server, applies it phase by phase, rolls two
// phases back to show the way home, and applies the rest. Plans and SQL go to a temporary folder. Then the
// blue/green half (demo-pair.ts): pair, expand on the standby, cutover, cutback, cutover, contract.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config/config.js';
import { own } from '../db/cleanup.js';
import { startEmbedded, type EmbeddedServer } from '../rehearsal/embedded.js';
import { applyCommand, rollbackCommand, type ApplyResult, type RollbackResult } from './apply.js';
import { applyWithBlocker } from './demo-alert.js';
import type { DemoEvents } from './demo-events.js';
import { pairDemo, type PairDemoResult } from './demo-pair.js';
import { diffCommand, type DiffResult } from './diff.js';
import { introspectCommand } from './introspect.js';
import { planCommand } from './plan.js';
import { rehearseCommand } from './rehearse.js';
import { duration } from '../planner/show/summary.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../migrations/example/', import.meta.url));

/**
 * What `demo` showed: the plan it made, the rehearsal, whether the database reached the declared schema, and the
 * blue/green half.
 */
export interface DemoResult {
  readonly pgVersion: number;
  readonly tables: number;
  readonly sourceFingerprint: string;
  readonly diff: DiffResult;
  readonly plan: { readonly steps: number; readonly releases: number; readonly score: number };
  readonly rehearsal: { readonly passed: boolean; readonly ms: number };
  /** The live schema equals the plan's target at the end. */
  readonly reachedTarget: boolean;
  /** The blue/green half: the switches, their pauses, and the zero-loss check. */
  readonly pair?: PairDemoResult;
  readonly millis: number;
}

/** Options of `demo`: the PostgreSQL major, an AbortSignal (Ctrl-C), and whether to skip the blue/green half. */
export interface DemoOptions {
  readonly major?: number;
  /** Aborts the demo (Ctrl-C): the server is stopped and its files removed. */
  readonly signal?: AbortSignal;
  /** Skip the blue/green half. */
  readonly noPair?: boolean;
}

/**
 * `switchyard demo`: the whole story on throwaway embedded PostgreSQL servers, reported through `events`; removes
 * everything it started.
 */
export async function demo(events: DemoEvents, o: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  events.step('starting a throwaway PostgreSQL (embedded, wal_level=logical)');
  const server = await startEmbedded(o.major ? { major: o.major } : {});
  const stopOnAbort = () => void server.stop();
  o.signal?.addEventListener('abort', stopOnAbort, { once: true });
  try {
    events.detail([`PostgreSQL ${server.major} on 127.0.0.1:${server.port}`]);
    const url = await createExampleDatabase(server, events);
    const config = { ...(await loadConfig(undefined)), database: url, root: EXAMPLE_DIR, schema: 'schema.yaml' };
    events.step('introspecting the live database');
    const live = await introspectCommand(config, {});
    const tables = live.schema.schemas.reduce((n, s) => n + s.tables.length, 0);
    events.detail([
      `${live.schema.schemas.length} schemas, ${tables} tables, fingerprint ${live.fingerprint.slice(0, 19)}…`,
    ]);
    events.step('diffing against the target schema migrations/example/schema.yaml');
    const d = await diffCommand(config, {});
    events.detail(d.descriptions.map((line) => `• ${line}`));
    const work = own("the demo's plan folder", mkdtempSync(join(tmpdir(), 'switchyard-demo-')));
    let single: DemoResult;
    try {
      single = await executeChapters(
        { ...config, root: work.folder, schema: join(EXAMPLE_DIR, 'schema.yaml') },
        events,
        o,
        {
          server,
          tables,
          live,
          d,
          started,
        },
      );
    } finally {
      await work.release();
    }
    if (o.noPair || o.signal?.aborted) return single;
    const pair = await pairDemo(server, events);
    return { ...single, pair, millis: Date.now() - started };
  } finally {
    o.signal?.removeEventListener('abort', stopOnAbort);
    events.step('stopping PostgreSQL and removing its files');
    await server.stop();
  }
}

async function executeChapters(
  config: Awaited<ReturnType<typeof loadConfig>>,
  events: DemoEvents,
  o: DemoOptions,
  ctx: { server: EmbeddedServer; tables: number; live: { fingerprint: string }; d: DiffResult; started: number },
): Promise<DemoResult> {
  const aborted = () => {
    if (o.signal?.aborted) throw new Error('interrupted');
  };
  events.step('planning: expand -> backfill -> contract, every step with its rollback');
  const planned = await planCommand(config, { name: 'example' });
  const plan = planned.plan;
  const planFile = planned.written!.planFile;
  events.detail([
    `${planned.steps} steps in ${plan.score.releases} release(s); complexity ${plan.score.score}; window at least ${plan.score.recommendedWindowSeconds} s`,
    ...plan.releases.map(
      (r) =>
        `release ${r.number}: ${r.expand.length} expand, ${r.backfill.length} backfill, ${r.contract.length} contract`,
    ),
  ]);
  aborted();
  events.step('rehearsing on a second throwaway PostgreSQL: each step applied, rolled back and applied again');
  const rehearsed = await rehearseCommand(config, { plan: planFile, pgVersion: ctx.server.major });
  const r = rehearsed.report;
  events.detail(
    r.passed
      ? [
          `passed in ${duration(r.ms)} on ${r.server}: ${r.phases.reduce((n, p) => n + p.steps.length, 0)} steps, every rollback restored the schema exactly`,
        ]
      : [`FAILED${r.failure?.step ? ` at ${r.failure.step}` : ''}: ${r.failure?.message ?? ''}`],
  );
  if (!r.passed) throw new Error(`the rehearsal of the example plan failed: ${r.failure?.message ?? ''}`);
  aborted();
  const describe = (a: ApplyResult) =>
    a.phases.map(
      (p) =>
        `${p.phase} (release ${p.release}): ${p.ran} steps in ${p.ms} ms${p.retries ? `, ${p.retries} lock retries` : ''}${p.drift.checked ? '; no drift (checked first)' : ''}`,
    );
  const first = plan.releases[0]!;
  events.step(
    'applying release 1: expand (watched, while a "nightly report" holds a lock on public.users), then backfill',
  );
  const applied: string[] = [];
  const watched = await applyWithBlocker(config, planFile, first.number);
  applied.push(...watched.alerts, ...describe(watched.result));
  for (const phase of ['backfill'] as const) {
    if (first[phase].length === 0) continue;
    applied.push(
      ...describe((await applyCommand(config, { plan: planFile, release: first.number, phase })) as ApplyResult),
    );
  }
  events.detail(applied);
  aborted();
  events.step('an incident: rolling back backfill and expand');
  const undone: string[] = [];
  for (const phase of ['backfill', 'expand'] as const) {
    if (first[phase].length === 0) continue;
    const b = (await rollbackCommand(config, { plan: planFile, release: first.number, phase })) as RollbackResult;
    undone.push(`${b.phase} (release ${b.release}): ${b.ran} steps undone in ${b.ms} ms`);
  }
  const back = await introspectCommand(config, {});
  undone.push(
    back.fingerprint === ctx.live.fingerprint
      ? 'the schema is exactly what it was before the plan'
      : 'the schema differs from before the plan!',
  );
  events.detail(undone);
  aborted();
  events.step('applying every phase (--all), contract included (it drops a column: DELETES_DATA allowed here)');
  const all = (await applyCommand(config, {
    plan: planFile,
    all: true,
    allowHazard: ['DELETES_DATA', 'BREAKS_OLD_APP'],
  })) as ApplyResult;
  const end = await introspectCommand(config, {});
  const reachedTarget = end.fingerprint === plan.target.fingerprint;
  events.detail([
    ...describe(all),
    reachedTarget ? 'the live schema now equals the declared target' : 'the live schema does not equal the target!',
  ]);
  return {
    pgVersion: ctx.server.major,
    tables: ctx.tables,
    sourceFingerprint: ctx.live.fingerprint,
    diff: ctx.d,
    plan: { steps: planned.steps, releases: plan.score.releases, score: plan.score.score },
    rehearsal: { passed: r.passed, ms: r.ms },
    reachedTarget,
    millis: Date.now() - ctx.started,
  };
}

async function createExampleDatabase(server: EmbeddedServer, events: DemoEvents): Promise<string> {
  events.step('creating the example application database from migrations/example/source.sql');
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE app');
  await admin.end();
  const app = new pg.Client({ connectionString: server.url('app') });
  await app.connect();
  try {
    await app.query(await readFile(`${EXAMPLE_DIR}source.sql`, 'utf8'));
    const { rows } = await app.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM public.users) + (SELECT count(*) FROM public.employees) AS n',
    );
    events.detail([`database "app": 2 application schemas, ${rows[0]?.n ?? 0} rows`]);
  } finally {
    await app.end();
  }
  return server.url('app');
}
