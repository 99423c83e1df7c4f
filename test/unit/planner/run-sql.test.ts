// Raw SQL steps in a plan: the exact steps they become, their order among the generated steps, their
// hazards as lint and every show format see them, and their place in the checksum.
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { lintPlan } from '../../../src/planner/lint.js';
import { allSteps, buildPlan, PlanRefusedError } from '../../../src/planner/plan.js';
import { showPlan } from '../../../src/planner/show/index.js';
import { downSql } from '../../../src/planner/sql-files.js';
import { unmetExpectations } from '../../../src/rehearsal/expect.js';
import type { SqlStep } from '../../../src/schema/model/sql-step.js';
import { app, db, users } from '../diff/fixtures.js';

const SERVER = { version: '17.0', versionNum: 170000 };
const plain = pc.createColors(false);

const policy: SqlStep = {
  name: 'users_rls',
  phase: 'expand',
  releaseOffset: 0,
  statements: [
    {
      sql: 'ALTER TABLE app.users ENABLE ROW LEVEL SECURITY',
      rollback: ['ALTER TABLE app.users DISABLE ROW LEVEL SECURITY'],
      transactional: true,
    },
    {
      sql: "CREATE POLICY users_self ON app.users USING (email = current_setting('app.email', true))",
      rollback: ['DROP POLICY users_self ON app.users'],
      transactional: true,
    },
  ],
  creates: [],
  requires: [
    { kind: 'table', names: ['app', 'users'] },
    { kind: 'column', names: ['app', 'users', 'email'] },
  ],
  irreversible: false,
};

const plan = (sqlSteps: readonly SqlStep[], source = db(), target = app(users)) =>
  buildPlan(source, target, { name: 'rls', number: 1, server: SERVER, sqlSteps });

describe('run_sql steps', () => {
  it('become one step per statement, after the steps creating what they require, flagged USER_SQL', () => {
    const p = plan([policy]);
    const steps = allSteps(p);
    const createTable = steps.findIndex((s) => s.action === 'create_table');
    const raw = steps.filter((s) => s.change === 'run_sql');
    expect(steps.indexOf(raw[0]!)).toBeGreaterThan(createTable);
    expect(raw.map(({ creates, requires, ...s }) => s)).toEqual([
      {
        id: raw[0]!.id,
        release: 1,
        change: 'run_sql',
        phase: 'expand',
        action: 'run_sql',
        description: 'sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY',
        sql: 'ALTER TABLE app.users ENABLE ROW LEVEL SECURITY',
        rollback: ['ALTER TABLE app.users DISABLE ROW LEVEL SECURITY'],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: ['app.users'],
        transactional: true,
        hazards: ['ACCESS_EXCLUSIVE_LOCK', 'USER_SQL'],
        drops: [],
        sqlStep: 'users_rls',
        lockTimeoutMs: 2000,
        statementTimeoutMs: 30000,
      },
      {
        id: raw[1]!.id,
        release: 1,
        change: 'run_sql',
        phase: 'expand',
        action: 'run_sql',
        description:
          'sql step users_rls (statement 2 of 2): CREATE POLICY users_self ON app.users USING (email = curr...',
        sql: "CREATE POLICY users_self ON app.users USING (email = current_setting('app.email', true))",
        rollback: ['DROP POLICY users_self ON app.users'],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: ['app.users'],
        transactional: true,
        hazards: ['ACCESS_EXCLUSIVE_LOCK', 'USER_SQL'],
        drops: [],
        sqlStep: 'users_rls',
        lockTimeoutMs: 2000,
        statementTimeoutMs: 30000,
      },
    ]);
    expect(raw.map((s) => [s.creates, s.requires])).toEqual([
      [['sql:users_rls\u001f1'], ['table:app\u001fusers', 'column:app\u001fusers\u001femail']],
      [['sql:users_rls\u001f2'], ['sql:users_rls\u001f1']],
    ]);
  });

  it('is refused when it requires what the plan creates only in a later phase', () => {
    const late = {
      ...policy,
      phase: 'expand' as const,
      requires: [{ kind: 'constraint' as const, names: ['app', 'users', 'users_email_key'] }],
    };
    // The unique constraint of an existing table is added in contract (USING INDEX).
    const source = app({ ...users, unique: [] });
    expect(() => plan([late], source, app(users))).toThrow(PlanRefusedError);
    expect(() => plan([late], source, app(users))).toThrow(
      /sql step users_rls \(expand, release offset 0\) requires constraint app\.users\.users_email_key, which the plan creates later \(contract/,
    );
  });

  it('needs USER_SQL allowed explicitly, unlike expressions, and IRREVERSIBLE when it has no rollback', () => {
    const p = plan([policy]);
    const refused = lintPlan(p).findings.filter((f) => f.severity === 'error');
    expect(refused.map((f) => f.message)).toEqual([
      'USER_SQL (a raw SQL step, never allowed by default): sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY',
      'USER_SQL (a raw SQL step, never allowed by default): sql step users_rls (statement 2 of 2): CREATE POLICY users_self ON app.users USING (email = curr...',
    ]);
    expect(lintPlan(p, ['USER_SQL']).ok).toBe(true);
    const once: SqlStep = {
      ...policy,
      name: 'fix',
      statements: [{ sql: "UPDATE app.users SET name = 'x' WHERE name IS NULL", rollback: [], transactional: true }],
      irreversible: true,
    };
    const q = plan([once]);
    expect(lintPlan(q, ['USER_SQL']).findings.map((f) => f.message)).toEqual([
      "IRREVERSIBLE: sql step fix: UPDATE app.users SET name = 'x' WHERE name IS NULL",
    ]);
    expect(lintPlan(q, ['USER_SQL', 'IRREVERSIBLE']).ok).toBe(true);
    const step = allSteps(q).find((s) => s.change === 'run_sql')!;
    expect(downSql(q, 1, 'expand', [step])).toContain(
      '-- IRREVERSIBLE: declared without rollbackSql, its effect stays\n',
    );
  });

  it('is shown with its hazards in every format', () => {
    const p = plan([policy]);
    const id = allSteps(p).find((s) => s.change === 'run_sql')!.id;
    expect(showPlan(p, 'text', plain)).toContain(
      `  ${id}  sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY  [ACCESS EXCLUSIVE, ACCESS_EXCLUSIVE_LOCK, USER_SQL]`,
    );
    expect(showPlan(p, 'markdown', plain)).toContain(
      `| ${id} | sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY | ACCESS EXCLUSIVE | yes | ACCESS_EXCLUSIVE_LOCK, USER_SQL |`,
    );
    expect(showPlan(p, 'mermaid', plain)).toContain(
      `${id.replaceAll('-', '_')}["${id}: sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY [ACCESS_EXCLUSIVE_LOCK, USER_SQL]"]`,
    );
    expect(showPlan(p, 'json', plain)).toContain('"sqlStep": "users_rls"');
    expect(showPlan(p, 'sql', plain)).toContain(
      `-- ${id} run_sql: sql step users_rls (statement 1 of 2): ALTER TABLE app.users ENABLE ROW LEVEL SECURITY\n--   lock: ACCESS EXCLUSIVE; hazards: ACCESS_EXCLUSIVE_LOCK, USER_SQL\nSET lock_timeout = '2000ms';\nSET statement_timeout = '30000ms';\nALTER TABLE app.users ENABLE ROW LEVEL SECURITY;\n`,
    );
  });

  it('is part of the checksum: other SQL, another plan', () => {
    const other: SqlStep = {
      ...policy,
      statements: [
        policy.statements[0]!,
        { ...policy.statements[1]!, sql: 'CREATE POLICY users_self ON app.users USING (true)' },
      ],
    };
    expect(plan([policy]).checksum).not.toBe(plan([other]).checksum);
    expect(plan([policy]).checksum).toBe(plan([policy]).checksum);
  });

  it('runs alone when PostgreSQL refuses it in a transaction block, and in its release', () => {
    const concurrent: SqlStep = {
      ...policy,
      name: 'brin',
      phase: 'contract',
      releaseOffset: 1,
      statements: [
        {
          sql: 'CREATE INDEX CONCURRENTLY users_id_brin ON app.users USING brin (id)',
          rollback: ['DROP INDEX CONCURRENTLY app.users_id_brin'],
          transactional: false,
        },
      ],
      requires: [{ kind: 'table', names: ['app', 'users'] }],
    };
    const p = plan([concurrent], app(users), app(users));
    expect(p.releases.map((r) => [r.expand.length, r.backfill.length, r.contract.length])).toEqual([
      [0, 0, 0],
      [0, 0, 1],
    ]);
    expect(p.releases[1]!.contract[0]).toMatchObject({ id: 'r2-contract-001', transactional: false });
  });

  it('names what it creates for ordering only: the rehearsal does not look for a domain in the model', () => {
    const domain: SqlStep = {
      ...policy,
      name: 'email_domain',
      statements: [
        {
          sql: "CREATE DOMAIN app.email AS text CHECK (VALUE ~ '@')",
          rollback: ['DROP DOMAIN app.email'],
          transactional: true,
        },
      ],
      creates: [{ kind: 'type', names: ['app', 'email'] }],
      requires: [{ kind: 'schema', names: ['app'] }],
    };
    const p = plan([domain]);
    const step = allSteps(p).find((s) => s.change === 'run_sql')!;
    expect(step.creates).toEqual(['sql:email_domain\u001f1', 'type:app\u001femail']);
    expect(unmetExpectations(allSteps(p), app(users))).toEqual([]);
    expect([step.lockedTables, step.hazards]).toEqual([[], ['USER_SQL']]);
    // Through a column, the table is locked.
    const onColumn = plan([{ ...domain, requires: [{ kind: 'column', names: ['app', 'users', 'email'] }] }]);
    expect(allSteps(onColumn).find((s) => s.change === 'run_sql')!.lockedTables).toEqual(['app.users']);
  });
});
