// Replication compatibility of expand phases (src/pair/compat.ts), over plans the planner makes from small schema
// changes: what may run on the standby while live replicates into it, and what is refused with which rule.
import { describe, expect, it } from 'vitest';
import { replicationProblems, type CompatRule } from '../../../src/pair/compat.js';
import { key } from '../../../src/planner/keys.js';
import { buildPlan } from '../../../src/planner/plan.js';
import type { Plan, Step } from '../../../src/planner/types.js';
import type { Column, DatabaseSchema, Table } from '../../../src/schema/model/model.js';
import { app, check, col, fk, idx, notNull, pk, table, uq } from '../planner/objects-fixtures.js';

const plan = (source: DatabaseSchema, target: DatabaseSchema): Plan =>
  buildPlan(source, target, { name: 'compat', number: 1, server: { version: '17.0', versionNum: 170000 } });
const expand = (p: Plan) => p.releases[0]!.expand;
const found = (p: Plan, steps: readonly Step[] = expand(p)) =>
  replicationProblems(p, steps).map((x) => `${x.rule} ${x.action}`);

const accountCols = [
  notNull('id', 'bigint'),
  notNull('balance', 'integer'),
  col('note', 'character varying(20)'),
  col('owner_id', 'bigint'),
];
const accounts = (extra: Partial<Table> = {}, columns: readonly Column[] = accountCols): Table =>
  table('accounts', columns, { primaryKey: pk('accounts_pkey', ['id']), ...extra });
const owners = table('owners', [notNull('id', 'bigint')], { primaryKey: pk('owners_pkey', ['id']) });
const withColumn = (c: Column) => accounts({}, [...accountCols, c]);
const replaced = (name: string, c: Column) =>
  accounts(
    {},
    accountCols.map((x) => (x.name === name ? c : x)),
  );
const source = app(accounts(), owners);

describe('replicationProblems: allowed on the standby', () => {
  it.each([
    { name: 'a nullable column', target: app(withColumn(col('tag', 'text')), owners) },
    {
      name: 'a NOT NULL column with a constant default',
      target: app(withColumn(notNull('tier', 'text', { default: "'free'::text" })), owners),
    },
    {
      name: 'a NOT NULL column with `backfill` (its fill trigger is ENABLE ALWAYS)',
      target: app(withColumn(notNull('cents', 'bigint', { backfill: 'balance * 100' })), owners),
    },
    {
      name: 'a type change by the two-column recipe',
      target: app(replaced('balance', notNull('balance', 'bigint', { down: 'balance::integer' })), owners),
    },
    {
      name: 'a column rename (a new column derived by a trigger)',
      target: app(replaced('note', col('memo', 'character varying(20)', { renamedFrom: 'note' })), owners),
    },
    {
      name: 'a foreign key NOT VALID (the apply worker does not fire foreign key triggers)',
      target: app(accounts({ foreignKeys: [fk('accounts_owner_fkey', ['owner_id'], 'owners', ['id'])] }), owners),
    },
    { name: 'a plain index', target: app(accounts({ indexes: [idx('accounts_owner', ['owner_id'])] }), owners) },
    {
      name: 'a new table referencing a replicated one',
      target: app(
        accounts(),
        owners,
        table('cards', [notNull('id', 'bigint'), col('account_id', 'bigint')], {
          primaryKey: pk('cards_pkey', ['id']),
          foreignKeys: [fk('cards_account_fkey', ['account_id'], 'accounts', ['id'])],
        }),
      ),
    },
  ])('$name', ({ target }) => {
    const p = plan(source, target);
    expect(expand(p).length).toBeGreaterThan(0);
    expect(found(p)).toEqual([]);
  });

  it('the two-column recipe has the steps it is allowed for: a sync trigger made ENABLE ALWAYS and a NOT NULL check the trigger keeps true', () => {
    const p = plan(
      source,
      app(replaced('balance', notNull('balance', 'bigint', { down: 'balance::integer' })), owners),
    );
    expect(expand(p).map((s) => s.action)).toEqual([
      'add_shadow_column',
      'create_sync_function',
      'create_sync_trigger',
      'enable_always_sync_trigger',
      'add_not_null_not_valid',
    ]);
    expect(expand(p)[3]!.sql).toBe('ALTER TABLE app.accounts ENABLE ALWAYS TRIGGER zz_sy_sync_balance');
    expect(p.releases[0]!.backfill.map((s) => s.action)).toEqual(['backfill']);
  });
});

describe('replicationProblems: a check redefined under the same name (issue #14, point 5)', () => {
  it('the rename of the new definition to the name is no rename of a replicated table or column', () => {
    const s = app(accounts({ checks: [check('balance_positive', '(balance >= 0)')] }), owners);
    const t = app(accounts({ checks: [check('balance_positive', '(balance > 0)')] }), owners);
    const p = plan(s, t);
    const contract = p.releases.find((r) => r.number === 2)!.contract;
    expect(contract.map((x) => x.action)).toEqual(['drop_check', 'rename_check']);
    expect(found(p, contract)).toEqual([]);
  });
});

describe('replicationProblems: refused, naming the step', () => {
  it.each<{ name: string; target: DatabaseSchema; expected: string[] }>([
    {
      name: 'a table rename',
      target: app(
        accounts({}, accountCols),
        table('people', owners.columns, { primaryKey: pk('owners_pkey', ['id']), renamedFrom: 'owners' }),
      ),
      expected: ['rename rename_table'],
    },
    {
      name: 'a type change in place (binary-coercible)',
      target: app(replaced('note', col('note', 'text')), owners),
      expected: ['type-in-place alter_column_type'],
    },
    {
      name: 'a check, even NOT VALID',
      target: app(accounts({ checks: [check('balance_positive', '(balance >= 0)')] }), owners),
      expected: ['constraint add_check_not_valid'],
    },
    {
      name: 'SET NOT NULL on a column the old application may leave NULL',
      target: app(replaced('note', notNull('note', 'character varying(20)')), owners),
      expected: ['constraint add_not_null_not_valid'],
    },
    {
      name: 'a NOT NULL column with a volatile default (replicated updates of rows not yet filled keep NULL)',
      target: app(withColumn(notNull('token', 'double precision', { default: 'random()' })), owners),
      expected: ['constraint add_not_null_not_valid'],
    },
    {
      name: 'a unique constraint',
      target: app(accounts({ unique: [uq('accounts_owner_key', ['owner_id'])] }), owners),
      expected: ['unique create_unique_index_concurrently'],
    },
    {
      name: 'a unique index',
      target: app(accounts({ indexes: [idx('accounts_owner', ['owner_id'], { unique: true })] }), owners),
      expected: ['unique create_index_concurrently'],
    },
  ])('$name', ({ target, expected }) => {
    const p = plan(source, target);
    const problems = replicationProblems(p, expand(p));
    expect(problems.map((x) => `${x.rule} ${x.action}`)).toEqual(expected);
    for (const x of problems) {
      expect(expand(p).map((s) => s.id)).toContain(x.step);
      expect(x.fix.length).toBeGreaterThan(10);
    }
  });

  // Steps the planner does not make, as a hand edit (re-sealed) would leave them.
  const retype = plan(
    source,
    app(replaced('balance', notNull('balance', 'bigint', { down: 'balance::integer' })), owners),
  );
  const edit = (action: string, change: (s: Step) => Step) =>
    expand(retype).map((s) => (s.action === action ? change(s) : s));
  it.each<{ name: string; steps: Step[]; rule: CompatRule }>([
    {
      name: 'a NOT NULL column without a default',
      steps: edit('add_shadow_column', (s) => ({ ...s, sql: `${s.sql} NOT NULL` })),
      rule: 'not-null-column',
    },
    {
      name: 'a drop of a replicated column',
      steps: edit('add_shadow_column', (s) => ({
        ...s,
        sql: 'ALTER TABLE app.accounts DROP COLUMN note',
        drops: [key.column('app', 'accounts', 'note')],
      })),
      rule: 'drop',
    },
    {
      name: 'a sync trigger left ENABLE (origin only)',
      steps: expand(retype).filter((s) => s.action !== 'enable_always_sync_trigger'),
      rule: 'sync-trigger',
    },
  ])('hand-edited: $name', ({ steps, rule }) => {
    expect(replicationProblems(retype, steps).map((x) => x.rule)).toEqual([rule]);
  });

  it('says which step, what breaks and the fix', () => {
    const p = plan(source, app(replaced('note', col('note', 'text')), owners));
    const [problem] = replicationProblems(p, expand(p));
    expect(problem).toMatchObject({ step: 'r1-expand-001', action: 'alter_column_type', rule: 'type-in-place' });
    expect(problem!.message).toContain('app.accounts');
    expect(problem!.fix).toContain('two-column recipe');
  });
});
