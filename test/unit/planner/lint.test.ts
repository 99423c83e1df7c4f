// lint's structural rules on plans the planner makes, and on hand-edited steps: what must be flagged still is,
// and a foreign key's own ON DELETE CASCADE or a constraint on a table the plan creates is not.
import { describe, expect, it } from 'vitest';
import { lintPlan } from '../../../src/planner/lint.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { HAZARDS, type Plan, type Step } from '../../../src/planner/types.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { app, col, fk, notNull, pk, table } from './objects-fixtures.js';

const plan = (source: DatabaseSchema, target: DatabaseSchema): Plan =>
  buildPlan(source, target, { name: 'lint', number: 1, server: { version: '17.0', versionNum: 170000 } });
const rules = (p: Plan) =>
  lintPlan(p, [...HAZARDS])
    .findings.filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.step}`);

const customers = table('customers', [notNull('id', 'bigint')], { primaryKey: pk('customers_pkey', ['id']) });
const orders = (...fks: ReturnType<typeof fk>[]) =>
  table('orders', [notNull('id', 'bigint'), col('customer_id', 'bigint')], {
    primaryKey: pk('orders_pkey', ['id']),
    foreignKeys: fks,
  });
const cascading = fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id'], {
  onDelete: 'cascade',
  onUpdate: 'cascade',
});

/** A plan with `edit` applied to the step of `action`. */
function edited(p: Plan, action: string, edit: (s: Step) => Step): Plan {
  const fix = (s: Step) => (s.action === action ? edit(s) : s);
  return {
    ...p,
    releases: p.releases.map((r) => ({
      ...r,
      expand: r.expand.map(fix),
      backfill: r.backfill.map(fix),
      contract: r.contract.map(fix),
    })),
  };
}
const stepOf = (p: Plan, action: string) =>
  p.releases.flatMap((r) => [...r.expand, ...r.backfill, ...r.contract]).find((s) => s.action === action)!;

describe('no-cascade', () => {
  it('does not fire on a foreign key declared ON DELETE / ON UPDATE CASCADE: added, validated, dropped', () => {
    const add = plan(app(customers, orders()), app(customers, orders(cascading)));
    expect(stepOf(add, 'add_foreign_key_not_valid').sql).toContain('ON UPDATE CASCADE ON DELETE CASCADE');
    expect(stepOf(add, 'validate_foreign_key').rollback.join('\n')).toContain('ON DELETE CASCADE');
    expect(rules(add)).toEqual([]);
    const drop = plan(app(customers, orders(cascading)), app(customers, orders()));
    expect(stepOf(drop, 'drop_foreign_key').rollback.join('\n')).toContain('ON DELETE CASCADE');
    expect(rules(drop)).toEqual([]);
  });

  it.each([
    {
      name: 'DROP ... CASCADE in the SQL',
      edit: (s: Step) => ({ ...s, sql: s.sql.replace(/DROP CONSTRAINT (\S+)$/, 'DROP CONSTRAINT $1 CASCADE') }),
    },
    {
      name: 'DROP ... CASCADE in a rollback',
      edit: (s: Step) => ({ ...s, rollback: [...s.rollback, 'DROP TABLE app.customers CASCADE'] }),
    },
    {
      name: 'a FK action next to a DROP ... CASCADE',
      edit: (s: Step) => ({ ...s, sql: `${s.sql}; DROP TABLE app.audit CASCADE` }),
    },
  ])('still fires on $name', ({ edit }) => {
    const p = edited(plan(app(customers, orders(cascading)), app(customers, orders())), 'drop_foreign_key', edit);
    expect(rules(p)).toEqual([`no-cascade ${stepOf(p, 'drop_foreign_key').id}`]);
  });

  it('ignores the word in a string literal or a quoted identifier', () => {
    const plain = fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id']);
    const p = edited(
      plan(app(customers, orders()), app(customers, orders(plain))),
      'add_foreign_key_not_valid',
      (s) => ({ ...s, rollback: [...s.rollback, `COMMENT ON TABLE app."cascade" IS 'no CASCADE here'`] }),
    );
    expect(rules(p)).toEqual([]);
  });
});

describe('not-valid', () => {
  it('does not fire on a foreign key added valid from a table the plan creates', () => {
    const p = plan(
      app(customers),
      app(customers, orders(fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id']))),
    );
    const add = stepOf(p, 'add_foreign_key');
    expect(add.sql).not.toContain('NOT VALID');
    expect(add.lockedTables).toEqual(['app.customers']); // the referenced, existing table
    expect(rules(p)).toEqual([]);
  });

  it('still fires on a foreign key added without NOT VALID on an existing table', () => {
    const p = edited(
      plan(
        app(customers, orders()),
        app(customers, orders(fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id']))),
      ),
      'add_foreign_key_not_valid',
      (s) => ({
        ...s,
        sql: s.sql.replace(/ NOT VALID$/, ''),
      }),
    );
    expect(stepOf(p, 'add_foreign_key_not_valid').sql).not.toContain('NOT VALID');
    expect(rules(p)).toEqual([`not-valid ${stepOf(p, 'add_foreign_key_not_valid').id}`]);
  });

  it('still fires on an existing table referencing a table the plan creates', () => {
    const source = app(orders());
    const p = edited(
      plan(source, app(customers, orders(fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id'])))),
      'add_foreign_key_not_valid',
      (s) => ({
        ...s,
        sql: s.sql.replace(/ NOT VALID$/, ''),
      }),
    );
    expect(rules(p)).toEqual([`not-valid ${stepOf(p, 'add_foreign_key_not_valid').id}`]);
  });
});

describe('non-transactional', () => {
  const base = () =>
    plan(
      app(customers, orders()),
      app(customers, orders(fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id']))),
    );
  it('fires on a transactional step that runs CONCURRENTLY', () => {
    const p = edited(base(), 'add_foreign_key_not_valid', (s) => ({
      ...s,
      sql: `REINDEX INDEX CONCURRENTLY app.orders_pkey; ${s.sql}`,
    }));
    expect(rules(p)).toEqual([`non-transactional ${stepOf(p, 'add_foreign_key_not_valid').id}`]);
  });
  it('ignores the word in a comment text, a quoted identifier or an SQL comment', () => {
    const p = edited(base(), 'add_foreign_key_not_valid', (s) => ({
      ...s,
      sql: `COMMENT ON INDEX app."CONCURRENTLY" IS 'for REFRESH CONCURRENTLY'; -- CONCURRENTLY\n${s.sql}`,
    }));
    expect(rules(p)).toEqual([]);
  });
});
