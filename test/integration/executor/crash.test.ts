// Crash test (DESIGN.md, "Executing a phase": killing the executor at any moment and running the same command
// again finishes the phase). A plan with every change kind is walked forward phase by phase and back, through
// the real CLI in child processes; the executor is SIGKILLed at random points of apply (expand, contract),
// backfill and rollback, and each command is rerun until it exits 0. After every command the schema must be
// the rehearsed one, the ledger must agree, and a backfill must have left no row behind.
//
// Runs the built CLI (bin/switchyard.js -> dist/): `npm run build` first. Reproduce a failure with the seed the
// test prints: SWITCHYARD_CRASH_SEED=<seed>. SWITCHYARD_CRASH_POINTS and SWITCHYARD_CRASH_ROWS change the number
// of kills and the rows in the backfilled tables; SWITCHYARD_CRASH_REPORT=<file> writes the walk's result there
// (bench/reliability.ts runs this test with 100 points that way).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../../../src/diff/index.js';
import { allSteps } from '../../../src/planner/plan.js';
import { cli } from '../../support/cli.js';
import { crashWalk, dryWalk } from '../../support/crash-harness.js';
import { freshDatabase } from '../../support/db.js';
import { allKindsProject, allKindsSourceSql, NOT_COMPOSED } from './all-kinds.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SEED = env('SWITCHYARD_CRASH_SEED', 20_261_122);
const POINTS = env('SWITCHYARD_CRASH_POINTS', 20);
const ROWS = env('SWITCHYARD_CRASH_ROWS', 100_000);
const CLI = join(import.meta.dirname, '../../../bin/switchyard.js');

describe('the executor killed at random points', () => {
  it(
    `recovers from ${POINTS} SIGKILLs over apply, backfill and rollback of a plan with every change kind (seed ${SEED})`,
    async () => {
      console.log(
        `crash test: seed ${SEED} (SWITCHYARD_CRASH_SEED), ${POINTS} kill points, ${ROWS} rows per backfilled table`,
      );
      expect(
        existsSync(join(import.meta.dirname, '../../../dist/cli/main.js')),
        'the CLI is not built: npm run build',
      ).toBe(true);
      const db = await freshDatabase();
      const project = await allKindsProject(db, await freshDatabase(), ROWS);
      const kinds = new Set(allSteps(project.plan).map((s) => s.change));
      for (const file of Object.values(NOT_COMPOSED)) expect(existsSync(file), file).toBe(true);
      expect(
        CHANGE_KINDS.filter((k) => !kinds.has(k) && !(k in NOT_COMPOSED)),
        'change kinds missing from the plan',
      ).toEqual([]);
      expect(allSteps(project.plan).some((s) => s.backfill)).toBe(true);

      // With sample rows: every phase applied, rolled back and applied again; the fingerprint after every step
      // (and every statement of a rollback run one by one) is what the walk below checks the schema against.
      const rehearsed = await cli('--config', project.config, 'rehearse', project.planFile);
      expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);

      const harness = { cli: CLI, config: project.config, planFile: project.planFile, schemas: project.schemas };
      const log = (line: string) => console.log(`  ${line}`);

      // An unkilled walk on a twin database checks the harness's expectations and measures every command.
      const twin = await freshDatabase();
      await twin.client.query(allKindsSourceSql(ROWS));
      const dry = await dryWalk(harness, twin.url, log);
      expect(dry.result.failures, 'the unkilled walk').toEqual([]);
      console.log(
        `dry walk: ${dry.result.ms} ms; ${[...dry.timings].map(([k, v]) => `${k} ${v.ms} ms (phase ${v.workMs} ms)`).join(', ')}`,
      );

      const result = await crashWalk(harness, {
        db: db.url,
        killPoints: POINTS,
        seed: SEED,
        timings: dry.timings,
        log,
      });
      console.log(
        `crash walk (seed ${SEED}): ${result.kills} kills (${Object.entries(result.killsBy)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}), ${result.recoveries} recoveries, ${result.missed} missed, ${result.lockWaits} lock waits, ${result.ms} ms`,
      );
      if (process.env.SWITCHYARD_CRASH_REPORT)
        writeFileSync(
          process.env.SWITCHYARD_CRASH_REPORT,
          JSON.stringify(
            {
              rows: ROWS,
              steps: allSteps(project.plan).length,
              dry: { ms: dry.result.ms, commands: dry.result.commands },
              ...result,
            },
            null,
            2,
          ),
        );

      expect(result.failures, `seed ${SEED}`).toEqual([]);
      expect(result.commands.map((c) => c.command)).toEqual(dry.result.commands.map((c) => c.command));
      expect(result.kills + result.missed).toBe(POINTS);
      expect(result.recoveries).toBe(result.kills);
      // Every kind of command was killed at least once (with the default 20 points: about 5 each).
      if (POINTS >= 8)
        for (const [category, n] of Object.entries(result.killsBy))
          expect(n, `kills during ${category}`).toBeGreaterThan(0);
    },
    Math.max(300_000, POINTS * 20_000),
  );
});

// Kills at the exact points random kills rarely hit, reproduced deterministically: the killed run is simulated
// by rolling back the later steps of the phase with the library (what the killed run had finished), then doing
// by hand what it committed of one step's rollback and what its ledger recorded (rolling_back, statements done).
describe('a rollback killed inside a step whose rollback cannot commit with its ledger row', () => {
  interface Killed {
    /** Statements of the victim's rollback the killed run got through. */
    readonly ran: (rollback: readonly string[]) => readonly string[];
    /** How many of them its ledger row records as done (a CONCURRENTLY one finishes before it is recorded). */
    readonly recorded: number;
    /** Then, what else the kill left behind. */
    readonly after?: (db: import('pg').Client, victim: import('../../../src/planner/types.js').Step) => Promise<void>;
  }

  async function killedInside(action: string, killed: Killed) {
    const db = await freshDatabase();
    const project = await allKindsProject(db, await freshDatabase(), 1000);
    const run = (...argv: string[]) => cli('--config', project.config, ...argv);
    const rehearsed = await run('rehearse', project.planFile);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
    expect((await run('apply', project.planFile, '--all')).code).toBe(0);
    const { rollbackPhase } = await import('../../../src/executor/phase.js');
    const { prepareSession } = await import('../../../src/rehearsal/shadow.js');
    const release = [...project.plan.releases].reverse().find((r) => r.contract.some((s) => s.action === action))!;
    for (const later of project.plan.releases.filter((r) => r.number > release.number).reverse()) {
      expect(
        (await run('rollback', project.planFile, '--release', String(later.number), '--phase', 'contract')).code,
      ).toBe(0);
    }
    const steps = release.contract;
    const victim = steps.find((s) => s.action === action)!;
    await prepareSession(db.client);
    await rollbackPhase(db.client, project.plan, release.number, 'contract', {
      only: new Set(steps.slice(steps.indexOf(victim) + 1).map((s) => s.id)),
    });
    for (const sql of killed.ran(victim.rollback)) await db.client.query(sql);
    await db.client.query(
      `UPDATE switchyard.steps SET status = 'rolling_back', rollback_position = $2 WHERE step_id = $1`,
      [victim.id, killed.recorded],
    );
    await killed.after?.(db.client, victim);
    const dry = await run(
      'rollback',
      project.planFile,
      '--release',
      String(release.number),
      '--phase',
      'contract',
      '--dry-run',
    );
    expect(dry.code, dry.stderr).toBe(0);
    // The dry run shows what the rerun will do: the statements not yet recorded as done, and no others.
    if (killed.recorded > 0)
      expect(dry.stdout).toContain(`${killed.recorded} of the ${victim.rollback.length} rollback statements were done`);
    expect(dry.stdout).toContain(victim.rollback[killed.recorded]!);
    for (const sql of victim.rollback.slice(0, killed.recorded)) expect(dry.stdout).not.toContain(sql);
    const rerun = await run('rollback', project.planFile, '--release', String(release.number), '--phase', 'contract');
    expect(rerun.code, rerun.stderr).toBe(0);
    // The whole plan rolls back to the source from there, and applies again.
    for (const r of project.plan.releases.filter((x) => x.number <= release.number).reverse()) {
      for (const phase of ['contract', 'backfill', 'expand'] as const) {
        const back = await run('rollback', project.planFile, '--release', String(r.number), '--phase', phase);
        expect(back.code, back.stderr).toBe(0);
      }
    }
    const { introspect } = await import('../../../src/introspect/index.js');
    const { fingerprint } = await import('../../../src/schema/model/fingerprint.js');
    const { planSchemas } = await import('../../../src/executor/drift.js');
    expect(fingerprint(await introspect(db.client, { includeSchemas: planSchemas(project.plan) }))).toBe(
      project.plan.source.fingerprint,
    );
    const again = await run('apply', project.planFile, '--all');
    expect(again.code, again.stderr).toBe(0);
    return { rerun, victim };
  }

  // add_constraint_using_index: rollback = [ALTER TABLE ... DROP CONSTRAINT k, CREATE UNIQUE INDEX CONCURRENTLY k ...].
  // Killed after the DROP CONSTRAINT committed (with its ledger count): the schema is neither before nor after
  // the step. The rehearsal recorded that state, so the rerun checks it exactly and finishes from the index build.
  it("killed between the two statements of a unique constraint's rollback, the rerun finishes it", async () => {
    const { rerun } = await killedInside('add_constraint_using_index', {
      ran: (rollback) => rollback.slice(0, 1),
      recorded: 1,
    });
    expect(rerun.stderr).not.toMatch(/drift not checked/);
  }, 180_000);

  // drop_index_concurrently (a non-transactional step): rollback = [CREATE INDEX CONCURRENTLY ...]. Killed after the
  // build finished (a killed client's backend may complete the statement) and before its count was recorded: the
  // rerun finds the index built and valid in the catalog and does not build it twice.
  it('killed after a concurrent rollback statement and before its ledger count, the rerun finishes it', async () => {
    await killedInside('drop_index_concurrently', { ran: (rollback) => rollback, recorded: 0 });
  }, 180_000);

  // The same, killed during the build: the server cancels the statement (client_connection_check_interval) and
  // leaves the index invalid. The drift check knows that state; the rerun drops the index and builds it again.
  it('killed during a concurrent index build of a rollback, the rerun rebuilds the invalid index', async () => {
    const { rerun } = await killedInside('drop_index_concurrently', {
      ran: (rollback) => rollback,
      recorded: 0,
      after: async (client, victim) => {
        const { concurrentIndex } = await import('../../../src/executor/statement.js');
        const ix = concurrentIndex(victim.rollback[0]!)!;
        await client.query(
          `UPDATE pg_index SET indisvalid = false WHERE indexrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)`,
          [ix.schema, ix.name],
        );
      },
    });
    expect(rerun.stderr + rerun.stdout).toMatch(/invalid/);
  }, 180_000);
});
