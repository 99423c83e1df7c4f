// What the family refuses to plan, with the fix it gives.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/diff/index.js';
import type { PlanContext } from '../../../src/planner/types.js';
import type { Table } from '../../../src/schema/model/model.js';
import { app, check, col, fk, idx, notNull, pk, table, uq } from '../diff/fixtures.js';
import { context, problemsOf } from './constraints-support.js';

const users = table('users', [notNull('id'), col('email', 'text')], { primaryKey: pk('users_pkey', ['id']) });
const withUnique: Table = { ...users, unique: [uq('users_email_key', ['email'])] };
const addIndex: Change = { kind: 'add_index', schema: 'app', table: 'users', index: idx('users_email_idx', ['email']) };
const addUnique: Change = {
  kind: 'add_unique',
  schema: 'app',
  table: 'users',
  unique: uq('users_email_key', ['email']),
};
const addPk: Change = {
  kind: 'add_primary_key',
  schema: 'app',
  table: 'users',
  primaryKey: pk('users_pkey2', ['email']),
};
const dropUnique: Change = {
  kind: 'drop_unique',
  schema: 'app',
  table: 'users',
  unique: uq('users_email_key', ['email']),
};
const fixes = (changes: Change[], ctx: PlanContext) => problemsOf(changes, ctx).map((p) => p.fix);

describe('CONCURRENTLY on PostgreSQL 14.0 to 14.3', () => {
  it.each<[number, number]>([
    [140000, 1],
    [140003, 1],
    [140004, 0],
    [139999, 0],
    [170004, 0],
  ])('server %i: %i problem(s) per change that builds an index concurrently (forward or in its rollback)', (v, n) => {
    const source = app({ ...withUnique, indexes: [idx('users_name_idx', ['email'])] });
    const ctx = context(source, app(users), { serverVersionNum: v });
    const drops: Change[] = [
      dropUnique,
      { kind: 'drop_index', schema: 'app', table: 'users', index: idx('users_name_idx', ['email']) },
    ];
    for (const c of [addIndex, ...drops]) {
      const problems = problemsOf(
        [c],
        c.kind === 'add_index' ? context(app(users), app(users), { serverVersionNum: v }) : ctx,
      );
      expect(problems).toHaveLength(n);
      if (n) expect(problems[0]!.fix).toBe('upgrade to 14.4+');
    }
    expect(problemsOf([addUnique], context(app(users), app(withUnique), { serverVersionNum: v }))).toHaveLength(n);
  });

  it('not on a table created by this plan (plain CREATE INDEX)', () => {
    expect(
      problemsOf(
        [addIndex, addUnique],
        context(app(), app(withUnique), { serverVersionNum: 140001, newTables: new Set(['app.users']) }),
      ),
    ).toEqual([]);
  });
});

describe('refusals', () => {
  it('NULLS NOT DISTINCT before PostgreSQL 15', () => {
    const c: Change = {
      kind: 'add_unique',
      schema: 'app',
      table: 'users',
      unique: uq('u', ['email'], { nullsNotDistinct: true }),
    };
    expect(fixes([c], context(app(users), app(users), { serverVersionNum: 140010 }))).toEqual([
      'upgrade to PostgreSQL 15+, or drop `nullsNotDistinct`',
    ]);
    expect(fixes([c], context(app(users), app(users), { serverVersionNum: 150000 }))).toEqual([]);
    expect(
      fixes([c], context(app(), app(users), { serverVersionNum: 140010, newTables: new Set(['app.users']) })),
    ).toHaveLength(1);
  });

  it('a new definition under a name the source still uses until the next release', () => {
    const fixNewName = 'give the new definition a new name (the old one is dropped after a release of bake time)';
    const source = app({
      ...withUnique,
      indexes: [idx('users_email_idx', ['email'], { where: '(id > 0)' })],
      checks: [check('users_check', '(id > 0)')],
      foreignKeys: [fk('users_fk', ['id'], 'users', ['id'])],
    });
    const changes: Change[] = [
      addIndex,
      { kind: 'add_unique', schema: 'app', table: 'users', unique: uq('users_email_idx', ['email']) },
      { kind: 'add_check', schema: 'app', table: 'users', check: check('users_check', '(id > 1)') },
      {
        kind: 'add_foreign_key',
        schema: 'app',
        table: 'users',
        foreignKey: fk('users_fk', ['id'], 'users', ['id'], { onDelete: 'cascade' }),
      },
    ];
    // The index, the check and the foreign key are not among them: each is built aside and takes the name
    // (issue #14). A unique constraint under an index's name is.
    expect(fixes(changes, context(source, source))).toEqual([fixNewName]);
  });

  it('but not an invalid index being rebuilt, nor a unique index a constraint adopts as it is', () => {
    const source = app({
      ...users,
      indexes: [
        idx('users_email_idx', ['email'], { invalid: true }),
        idx('users_email_key', ['email'], { unique: true }),
      ],
    });
    expect(problemsOf([addIndex, addUnique], context(source, app(withUnique)))).toEqual([]);
  });

  it('a second primary key while the old one lives until the next release', () => {
    const [problem] = problemsOf([addPk], context(app(users), app(users)));
    expect(problem!.message).toBe(
      'app.users already has primary key users_pkey, which is dropped only in the next release; a table cannot have two',
    );
  });

  it('a foreign key without a key to reference in the target', () => {
    const orders = table('orders', [col('email', 'text')]);
    const c: Change = {
      kind: 'add_foreign_key',
      schema: 'app',
      table: 'orders',
      foreignKey: fk('orders_fk', ['email'], 'users', ['email']),
    };
    expect(fixes([c], context(app(users, orders), app(users, orders)))).toEqual([
      'add a unique key on those columns of app.users, or reference its primary key',
    ]);
  });

  it('dropping the only key foreign keys of the target still reference', () => {
    const orders = table('orders', [col('email', 'text')], {
      foreignKeys: [fk('orders_fk', ['email'], 'users', ['email'])],
    });
    const [problem] = problemsOf([dropUnique], context(app(withUnique, orders), app(users, orders)));
    expect(problem!.message).toBe(
      'dropping unique constraint users_email_key on app.users leaves foreign key(s) orders_fk on app.orders of the target without a unique key on (email)',
    );
  });
});
