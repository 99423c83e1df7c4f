// The ledger on a real PostgreSQL: idempotent creation, invariants enforced by SQL constraints (not by the
// TypeScript that writes the rows), and the status functions round-tripping, also under a hostile schema name.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  LEDGER_VERSION,
  LedgerError,
  ensureLedger,
  markPlanApplied,
  markStepDone,
  markStepFailed,
  markRollbackFailed,
  markStepRolledBack,
  markStepRollingBack,
  markStepRunning,
  planStatus,
  recordPlan,
  saveBackfillPosition,
  saveRollbackPosition,
  stepStatuses,
  type StepRef,
} from '../../../src/executor/ledger.js';
import type { Phase, Plan, Step } from '../../../src/planner/types.js';
import { qualified } from '../../../src/db/quote.js';
import { freshDatabase } from '../../support/db.js';

const HOSTILE = 'Ledger "x"; DROP SCHEMA public; ñ';

const step = (id: string, release: number, phase: Phase) => ({ id, release, phase }) as unknown as Step;

// recordPlan reads only these fields of a plan.
function plan(name: string, checksum = 'a'.repeat(64)): Plan {
  const s = (id: string, phase: Phase) => step(id, 0, phase);
  return {
    format: 1,
    name,
    number: 4,
    checksum,
    server: { version: '17.10', versionNum: 170010 },
    releases: [
      { number: 0, expand: [s('s1', 'expand')], backfill: [s('s2', 'backfill')], contract: [s('s3', 'contract')] },
    ],
  } as unknown as Plan;
}

async function catalog(db: pg.Client, schema: string) {
  const { rows } = await db.query(
    `SELECT c.relname, c.relkind, array(SELECT conname || ':' || pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.conrelid = c.oid ORDER BY 1) AS cons
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
    [schema],
  );
  return rows;
}

async function sqlstate(p: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; constraint?: string };
    return { code: err.code, constraint: err.constraint };
  }
  throw new Error('expected the statement to fail');
}

describe('ensureLedger', () => {
  it('is idempotent: a second run changes nothing', async () => {
    const { client } = await freshDatabase();
    expect(await ensureLedger(client)).toBe(LEDGER_VERSION);
    const before = await catalog(client, 'switchyard');
    expect(before.map((r) => r.relname)).toEqual(expect.arrayContaining(['ledger_version', 'plans', 'steps']));
    expect(await ensureLedger(client)).toBe(LEDGER_VERSION);
    expect(await catalog(client, 'switchyard')).toEqual(before);
    const v = await client.query('SELECT version FROM switchyard.ledger_version ORDER BY version');
    expect(v.rows).toEqual(Array.from({ length: LEDGER_VERSION }, (_, i) => ({ version: i + 1 })));
  });

  it('refuses a ledger newer than this switchyard', async () => {
    const { client } = await freshDatabase();
    await ensureLedger(client);
    await client.query('INSERT INTO switchyard.ledger_version (version) VALUES ($1)', [LEDGER_VERSION + 1]);
    await expect(ensureLedger(client)).rejects.toBeInstanceOf(LedgerError);
  });

  it('runs concurrently from two sessions without a catalog race', async () => {
    const db = await freshDatabase();
    const other = await db.connect();
    await Promise.all([ensureLedger(db.client), ensureLedger(other)]);
    expect((await db.client.query('SELECT count(*)::int AS n FROM switchyard.ledger_version')).rows[0].n).toBe(
      LEDGER_VERSION,
    );
  });
});

describe('ledger constraints', () => {
  const cols =
    'plan, step_id, release, phase, tenant, status, started_at, finished_at, error, attempts, rollback_position';
  const t0 = '2026-01-01T00:00:00Z';
  const t1 = '2026-01-01T00:00:01Z';
  // Each row breaks exactly one invariant.
  it.each([
    ['bad phase', ['p', 's', 0, 'migrate', '', 'pending', null, null, null, 0, null], '23514', 'steps_phase_check'],
    ['bad status', ['p', 's', 0, 'expand', '', 'skipped', null, null, null, 0, null], '23514', 'steps_status_check'],
    [
      'finished before started',
      ['p', 's', 0, 'expand', '', 'done', t1, t0, null, 1, null],
      '23514',
      'steps_finished_after_started',
    ],
    [
      'finished without started',
      ['p', 's', 0, 'expand', '', 'failed', null, t0, 'boom', 1, null],
      '23514',
      'steps_finished_after_started',
    ],
    [
      'done without finished_at',
      ['p', 's', 0, 'expand', '', 'done', t0, null, null, 1, null],
      '23514',
      'steps_done_has_finished_at',
    ],
    [
      'running without started_at',
      ['p', 's', 0, 'expand', '', 'running', null, null, null, 1, null],
      '23514',
      'steps_running_has_started_at',
    ],
    [
      'running but finished',
      ['p', 's', 0, 'expand', '', 'running', t0, t1, null, 1, null],
      '23514',
      'steps_running_has_started_at',
    ],
    [
      'error when not failed',
      ['p', 's', 0, 'expand', '', 'done', t0, t1, 'boom', 1, null],
      '23514',
      'steps_error_only_when_failed_or_rolling_back',
    ],
    [
      'failed without error',
      ['p', 's', 0, 'expand', '', 'failed', t0, t1, null, 1, null],
      '23514',
      'steps_failed_has_error',
    ],
    [
      'rolling_back without a position',
      ['p', 's', 0, 'expand', '', 'rolling_back', t0, t1, null, 1, null],
      '23514',
      'steps_rollback_position_only_when_rolling_back',
    ],
    [
      'a rollback position when done',
      ['p', 's', 0, 'expand', '', 'done', t0, t1, null, 1, 2],
      '23514',
      'steps_rollback_position_only_when_rolling_back',
    ],
    [
      'a negative rollback position',
      ['p', 's', 0, 'expand', '', 'rolling_back', t0, t1, null, 1, -1],
      '23514',
      'steps_rollback_position_check',
    ],
    [
      'negative attempts',
      ['p', 's', 0, 'expand', '', 'pending', null, null, null, -1, null],
      '23514',
      'steps_attempts_check',
    ],
    [
      'negative release',
      ['p', 's', -1, 'expand', '', 'pending', null, null, null, 0, null],
      '23514',
      'steps_release_check',
    ],
    ['NULL tenant', ['p', 's', 0, 'expand', null, 'pending', null, null, null, 0, null], '23502', undefined],
    ['unknown plan', ['nope', 's', 0, 'expand', '', 'pending', null, null, null, 0, null], '23503', 'steps_plan_fkey'],
    [
      'duplicate (plan, step, tenant)',
      ['p', 'dup', 0, 'expand', '', 'pending', null, null, null, 0, null],
      '23505',
      'steps_plan_step_tenant_key',
    ],
  ])('rejects a step row with %s', async (_name, row, code, constraint) => {
    const { client } = await freshDatabase();
    await ensureLedger(client);
    await client.query(`INSERT INTO switchyard.plans (name, number, checksum, planned_for) VALUES ('p', 1, 'c', '17')`);
    await client.query(`INSERT INTO switchyard.steps (plan, step_id, release, phase) VALUES ('p', 'dup', 0, 'expand')`);
    const err = await sqlstate(
      client.query(`INSERT INTO switchyard.steps (${cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, row),
    );
    expect(err.code).toBe(code);
    if (constraint) expect(err.constraint).toBe(constraint);
  });

  it.each([
    ['duplicate name', `('p', 1, 'c', '17')`, '23505', 'plans_pkey'],
    ['applied_at without execution_time_ms', `('q', 1, 'c', '17', now(), NULL)`, '23514', 'plans_applied_has_time'],
    ['negative execution_time_ms', `('q', 1, 'c', '17', now(), -5)`, '23514', 'plans_execution_time_ms_check'],
    ['missing checksum', `('q', 1, NULL, '17')`, '23502', undefined],
  ])('rejects a plan row with %s', async (_name, values, code, constraint) => {
    const { client } = await freshDatabase();
    await ensureLedger(client);
    await client.query(`INSERT INTO switchyard.plans (name, number, checksum, planned_for) VALUES ('p', 1, 'c', '17')`);
    const columns =
      values.split(',').length > 4
        ? 'name, number, checksum, planned_for, applied_at, execution_time_ms'
        : 'name, number, checksum, planned_for';
    const err = await sqlstate(client.query(`INSERT INTO switchyard.plans (${columns}) VALUES ${values}`));
    expect(err.code).toBe(code);
    if (constraint) expect(err.constraint).toBe(constraint);
  });
});

async function roundTrip(db: pg.Client, schema: string) {
  await ensureLedger(db, schema);
  await ensureLedger(db, schema);
  const p = plan('0004_add "orders"; \'x\'');
  await recordPlan(db, p, ['', 'tenant_a'], schema);
  await recordPlan(db, p, ['', 'tenant_a'], schema); // idempotent
  await expect(recordPlan(db, plan(p.name, 'b'.repeat(64)), [''], schema)).rejects.toBeInstanceOf(LedgerError);

  const ref = (id: string, phase: Phase, tenant = ''): StepRef => ({ plan: p.name, step: step(id, 0, phase), tenant });
  let st = await stepStatuses(db, p.name, '', schema);
  expect(st.map((s) => [s.stepId, s.phase, s.status])).toEqual([
    ['s1', 'expand', 'pending'],
    ['s2', 'backfill', 'pending'],
    ['s3', 'contract', 'pending'],
  ]);

  // Done inside the caller's transaction: a rollback of that transaction undoes it.
  await markStepRunning(db, ref('s1', 'expand'), schema);
  await db.query('BEGIN');
  await markStepDone(db, ref('s1', 'expand'), schema);
  await db.query('ROLLBACK');
  expect((await stepStatuses(db, p.name, '', schema))[0]!.status).toBe('running');
  await db.query('BEGIN');
  await markStepDone(db, ref('s1', 'expand'), schema);
  await db.query('COMMIT');
  await expect(markStepRunning(db, ref('s1', 'expand'), schema)).rejects.toBeInstanceOf(LedgerError);

  await markStepRunning(db, ref('s2', 'backfill'), schema);
  await saveBackfillPosition(db, ref('s2', 'backfill'), { id: [42], note: 'it\'s "quoted"' }, schema);
  await markStepFailed(db, ref('s2', 'backfill'), 'canceling statement due to lock timeout', schema);
  await expect(saveBackfillPosition(db, ref('s2', 'backfill'), { id: [43] }, schema)).rejects.toBeInstanceOf(
    LedgerError,
  );
  await markStepRunning(db, ref('s2', 'backfill'), schema); // a retry
  // The position survives a failure and a restart: the retry resumes from it.
  expect((await stepStatuses(db, p.name, '', schema))[1]!.backfillPosition).toEqual({
    id: [42],
    note: 'it\'s "quoted"',
  });
  await markStepRolledBack(db, ref('s2', 'backfill'), schema);
  await expect(markStepDone(db, ref('s3', 'contract'), schema)).rejects.toThrow(
    /expected status running, but it is pending/,
  );

  // A tenant recordPlan did not know about gets its row on first start.
  await markStepRunning(db, ref('s1', 'expand', 'tenant_new'), schema);

  st = await stepStatuses(db, p.name, '', schema);
  expect(st.map((s) => [s.stepId, s.status, s.attempts, s.error])).toEqual([
    ['s1', 'done', 1, null],
    ['s2', 'rolled_back', 2, null],
    ['s3', 'pending', 0, null],
  ]);
  // ...but not a rollback: applying the step again must walk the whole table.
  expect(st[1]!.backfillPosition).toBeNull();
  expect(st[0]!.finishedAt!.getTime()).toBeGreaterThanOrEqual(st[0]!.startedAt!.getTime());
  expect(
    (await stepStatuses(db, p.name, 'tenant_a', schema)).every(
      (s) => s.status === 'pending' && s.tenant === 'tenant_a',
    ),
  ).toBe(true);
  expect(await stepStatuses(db, p.name, undefined, schema)).toHaveLength(7);

  let ps = await planStatus(db, p.name, schema);
  expect(ps).toMatchObject({
    name: p.name,
    number: 4,
    checksum: p.checksum,
    appliedAt: null,
    executionTimeMs: null,
    plannedFor: '17.10',
  });
  expect(ps!.steps).toEqual({ pending: 4, running: 1, done: 1, failed: 0, rolling_back: 0, rolled_back: 1 });
  await markPlanApplied(db, p.name, 1234.4, schema);
  ps = await planStatus(db, p.name, schema);
  expect(ps!.appliedAt).toBeInstanceOf(Date);
  expect(ps!.executionTimeMs).toBe(1234);
  expect(await planStatus(db, 'never', schema)).toBeUndefined();
}

describe('ledger status functions', () => {
  it('round-trip in the default schema', async () => {
    const { client } = await freshDatabase();
    await roundTrip(client, 'switchyard');
  });

  it('round-trip in a schema whose name has quotes, a semicolon and non-ASCII', async () => {
    const { client } = await freshDatabase();
    await roundTrip(client, HOSTILE);
    const n = await client.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname IN ($1, $2)', [
      HOSTILE,
      'public',
    ]);
    expect(n.rows[0].n).toBe(2);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${qualified(HOSTILE, 'steps')}`)).rows[0].n).toBe(7);
  });
});

describe('a rollback run statement by statement', () => {
  it('records how far it got, refuses to restart the step meanwhile, and ends rolled back', async () => {
    const { client } = await freshDatabase();
    await ensureLedger(client);
    const p = plan('0004_stepwise');
    await recordPlan(client, p);
    const ref: StepRef = { plan: p.name, step: step('s3', 0, 'contract') };
    await markStepRunning(client, ref);
    await markStepDone(client, ref);
    await markStepRollingBack(client, ref);
    await saveRollbackPosition(client, ref, 1);
    await markRollbackFailed(client, ref, 'lock timeout');
    let row = (await stepStatuses(client, p.name, ''))[2]!;
    expect([row.status, row.rollbackPosition, row.error]).toEqual(['rolling_back', 1, 'lock timeout']);
    // Applying the step again on a half-undone schema would fail half-way: the rollback must finish first.
    await expect(markStepRunning(client, ref)).rejects.toThrow(
      /its rollback was interrupted: finish it with `switchyard rollback` first/,
    );
    await saveRollbackPosition(client, ref, 2);
    await markStepRolledBack(client, ref);
    row = (await stepStatuses(client, p.name, ''))[2]!;
    expect([row.status, row.rollbackPosition, row.error]).toEqual(['rolled_back', null, null]);
    await expect(saveRollbackPosition(client, ref, 3)).rejects.toThrow(
      /expected status rolling_back, but it is rolled_back/,
    );
  });

  it('upgrades a version 1 ledger in place, keeping its rows', async () => {
    const { client } = await freshDatabase();
    await ensureLedger(client);
    await recordPlan(client, plan('0004_old'));
    // What a version 1 ledger looked like: no rolling_back status, no rollback_position.
    await client.query(`ALTER TABLE switchyard.steps DROP CONSTRAINT steps_rollback_position_only_when_rolling_back, DROP COLUMN rollback_position,
      DROP CONSTRAINT steps_status_check, ADD CONSTRAINT steps_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'rolled_back')),
      DROP CONSTRAINT steps_failed_has_error, DROP CONSTRAINT steps_error_only_when_failed_or_rolling_back,
      ADD CONSTRAINT steps_error_only_when_failed CHECK ((error IS NOT NULL) = (status = 'failed'))`);
    await client.query('DROP INDEX switchyard.steps_plan_tenant_idx');
    await client.query('ALTER TABLE switchyard.steps DROP COLUMN sql_step');
    await client.query('DROP TABLE switchyard.verifications');
    await client.query('DELETE FROM switchyard.ledger_version WHERE version > 1');
    expect(await ensureLedger(client)).toBe(LEDGER_VERSION);
    expect((await stepStatuses(client, '0004_old', '')).map((r) => [r.stepId, r.status, r.rollbackPosition])).toEqual([
      ['s1', 'pending', null],
      ['s2', 'pending', null],
      ['s3', 'pending', null],
    ]);
    const { rows } = await client.query('SELECT version FROM switchyard.ledger_version ORDER BY 1');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
    // 5: pair verify's results (the cutover gate reads the last one).
    expect((await client.query(`SELECT to_regclass('switchyard.verifications')::text AS t`)).rows[0].t).toBe(
      'switchyard.verifications',
    );
    // 4: the raw SQL step a row runs a statement of (none for the old rows).
    const sqlStep = await client.query('SELECT step_id, sql_step FROM switchyard.steps ORDER BY step_id');
    expect(sqlStep.rows).toEqual([
      { step_id: 's1', sql_step: null },
      { step_id: 's2', sql_step: null },
      { step_id: 's3', sql_step: null },
    ]);
    // 3: one tenant's rows are read through an index on (plan, tenant).
    const ix = await client.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'switchyard' AND indexname = 'steps_plan_tenant_idx'`,
    );
    expect(ix.rows[0].indexdef).toBe(
      'CREATE INDEX steps_plan_tenant_idx ON switchyard.steps USING btree (plan, tenant)',
    );
  });
});
