import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { stepStatuses } from '../../../src/executor/ledger.js';
import { applyPhase, type PhaseEvent } from '../../../src/executor/phase.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { PHASES } from '../../../src/planner/types.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { freshDatabase } from '../../support/db.js';
import { snapshot } from '../../support/plan-runner.js';
import { planScenario } from '../../support/scenario.js';

const example = () => ({
  sql: readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'),
  yaml: readFileSync(join(EXAMPLE_DIR, 'schema.yaml'), 'utf8'),
});

describe('applyPhase', () => {
  it('applies every phase of the example plan, records each step, and a rerun skips them all', async () => {
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const { plan, target, schemas } = await planScenario(db, sql, yaml);
    const events: PhaseEvent[] = [];
    for (const r of plan.releases) {
      for (const phase of PHASES)
        await applyPhase(db.client, plan, r.number, phase, { onEvent: (e) => events.push(e) });
    }
    expect((await snapshot(db.client, schemas)).fingerprint).toBe(fingerprint(target));
    const ledger = await stepStatuses(db.client, plan.name);
    expect(ledger.length).toBeGreaterThan(20);
    expect(ledger.every((s) => s.status === 'done')).toBe(true);
    expect(events.some((e) => e.kind === 'backfill')).toBe(true);
    const again = await applyPhase(db.client, plan, 1, 'expand');
    expect(again).toMatchObject({ ran: 0, skipped: plan.releases[0]!.expand.length });
  });

  it('a concurrent index that a killed run already built is recognised, not built twice', async () => {
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const { plan } = await planScenario(db, sql, yaml);
    const build = plan.releases[0]!.expand.find((s) =>
      s.sql.startsWith('CREATE INDEX CONCURRENTLY idx_employees_rut'),
    )!;
    await db.client.query(build.sql); // the run died after this statement and before its ledger row
    const r = await applyPhase(db.client, plan, 1, 'expand');
    expect(r.ran).toBe(plan.releases[0]!.expand.length);
    const { rows } = await db.client.query(
      `SELECT count(*)::int AS n FROM pg_class WHERE relname = 'idx_employees_rut'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('an invalid index left by a failed concurrent build is dropped and built again', async () => {
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const { plan } = await planScenario(db, sql, yaml);
    const unique = plan.releases[0]!.expand.find((s) =>
      s.sql.startsWith('CREATE UNIQUE INDEX CONCURRENTLY users_email_key'),
    )!;
    // A duplicate makes the build fail and leave an INVALID index behind, as a crash would.
    await db.client.query(`UPDATE public.users SET email = 'user1@example.com' WHERE id = 2`);
    await expect(db.client.query(unique.sql)).rejects.toThrow();
    const state = await db.client.query(
      `SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.users_email_key'::regclass`,
    );
    expect(state.rows[0].indisvalid).toBe(false);
    await db.client.query(`UPDATE public.users SET email = 'user2@example.com' WHERE id = 2`);
    const events: PhaseEvent[] = [];
    await applyPhase(db.client, plan, 1, 'expand', { onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.kind === 'rebuild').map((e) => e.kind === 'rebuild' && e.index)).toEqual([
      'public.users_email_key',
    ]);
    const after = await db.client.query(
      `SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.users_email_key'::regclass`,
    );
    expect(after.rows[0].indisvalid).toBe(true);
  });

  it('retries a step that hits lock_timeout, reporting each retry, and succeeds once the lock is gone', async () => {
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const s = await planScenario(db, sql, yaml);
    const plan = buildPlan(s.source, s.target, { name: 'retry', number: 1, server: s.plan.server, lockTimeoutMs: 100 });
    const blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE public.employees IN ACCESS SHARE MODE');
    setTimeout(() => void blocker.query('COMMIT'), 700);
    const events: PhaseEvent[] = [];
    const r = await applyPhase(db.client, plan, 1, 'expand', { retryBaseMs: 50, onEvent: (e) => events.push(e) });
    expect(r.retries).toBeGreaterThan(0);
    expect(events.some((e) => e.kind === 'retry' && e.reason.includes('lock_timeout'))).toBe(true);
    expect(
      (await stepStatuses(db.client, 'retry')).filter((x) => x.phase === 'expand').every((x) => x.status === 'done'),
    ).toBe(true);
  });
});

describe('rollbackPhase', () => {
  it('undoes the applied steps in reverse, marks them rolled back, and the phase applies again cleanly', async () => {
    const { rollbackPhase } = await import('../../../src/executor/phase.js');
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const { plan, schemas } = await planScenario(db, sql, yaml);
    const before = await snapshot(db.client, schemas);
    await applyPhase(db.client, plan, 1, 'expand');
    const r = await rollbackPhase(db.client, plan, 1, 'expand');
    expect(r.ran).toBe(plan.releases[0]!.expand.length);
    expect((await snapshot(db.client, schemas)).fingerprint).toBe(before.fingerprint);
    const ledger = (await stepStatuses(db.client, plan.name)).filter((s) => s.phase === 'expand');
    expect(ledger.every((s) => s.status === 'rolled_back')).toBe(true);
    expect((await rollbackPhase(db.client, plan, 1, 'expand')).ran).toBe(0);
    expect((await applyPhase(db.client, plan, 1, 'expand')).ran).toBe(plan.releases[0]!.expand.length);
  });

  it('after a crash mid-phase, rolls back only what took effect', async () => {
    const { rollbackPhase } = await import('../../../src/executor/phase.js');
    const { markStepRunning } = await import('../../../src/executor/ledger.js');
    const db = await freshDatabase();
    const { sql, yaml } = example();
    const { plan, schemas } = await planScenario(db, sql, yaml);
    const before = await snapshot(db.client, schemas);
    const expand = plan.releases[0]!.expand;
    await applyPhase(db.client, plan, 1, 'expand');
    // Pretend the executor died while starting the last two steps again: their ledger rows say running.
    await rollbackPhase(db.client, plan, 1, 'expand');
    const firstTwo = { ...plan, releases: [{ ...plan.releases[0]!, expand: expand.slice(0, 2) }] };
    await applyPhase(db.client, firstTwo, 1, 'expand');
    for (const step of expand.slice(2, 4)) await markStepRunning(db.client, { plan: plan.name, step });
    await rollbackPhase(db.client, plan, 1, 'expand');
    expect((await snapshot(db.client, schemas)).fingerprint).toBe(before.fingerprint);
  });
});
