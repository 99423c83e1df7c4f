// Issue #14, point 6: comments on constraints, triggers, sequences and functions. Exact SQL of set_comment on
// each, of the comment step of the change creating each, and of the rollback of the change dropping each
// (which puts the comment back); and the diff, which emits set_comment for a comment-only change.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import type { CommentTarget } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { constraintHandlers as C, objectHandlers as H } from '../../support/families.js';
import {
  app,
  check,
  col,
  context,
  db,
  fk,
  fn,
  keys,
  notNull,
  pk,
  schema,
  sequence,
  shown,
  steps,
  table,
  trigger,
  uq,
} from './objects-fixtures.js';

describe('set_comment', () => {
  it.each<{ target: CommentTarget; sql: string; back: string; lock: string; locked: string[]; requires: string[] }>([
    {
      target: { kind: 'constraint', table: 'Users', constraint: 'users_email_check' },
      sql: `COMMENT ON CONSTRAINT users_email_check ON app."Users" IS 'it''s new'`,
      back: `COMMENT ON CONSTRAINT users_email_check ON app."Users" IS 'old'`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      locked: ['app."Users"'],
      requires: [key.table('app', 'Users'), key.constraint('app', 'Users', 'users_email_check')],
    },
    {
      target: { kind: 'trigger', table: 'users', trigger: 'Touch' },
      sql: `COMMENT ON TRIGGER "Touch" ON app.users IS 'it''s new'`,
      back: `COMMENT ON TRIGGER "Touch" ON app.users IS 'old'`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      locked: ['app.users'],
      requires: [key.table('app', 'users'), key.trigger('app', 'users', 'Touch')],
    },
    {
      target: { kind: 'sequence', sequence: 'invoice_no' },
      sql: `COMMENT ON SEQUENCE app.invoice_no IS 'it''s new'`,
      back: `COMMENT ON SEQUENCE app.invoice_no IS 'old'`,
      lock: 'SHARE UPDATE EXCLUSIVE',
      locked: [],
      requires: [key.sequence('app', 'invoice_no')],
    },
    {
      target: { kind: 'function', function: 'total', args: 'a integer, b text' },
      sql: `COMMENT ON FUNCTION app.total(a integer, b text) IS 'it''s new'`,
      back: `COMMENT ON FUNCTION app.total(a integer, b text) IS 'old'`,
      lock: 'none',
      locked: [],
      requires: [key.function('app', 'total', 'a integer, b text')],
    },
  ])('on a $target.kind', ({ target, sql, back, lock, locked, requires }) => {
    const c = { kind: 'set_comment', schema: 'app', target, from: 'old', to: "it's new" } as const;
    const [d] = steps(H.set_comment, c, context(db()));
    expect(shown(d!)).toMatchObject({ phase: 'expand', sql, rollback: [back], lock, lockedTables: locked });
    expect(keys(d!).requires).toEqual(requires);
    const removed = steps(H.set_comment, { ...c, from: 'old', to: null }, context(db()));
    expect(removed[0]!.sql).toBe(sql.replace(`'it''s new'`, 'NULL'));
  });
});

describe('the diff', () => {
  const users = (extra: Parameters<typeof table>[2]) => table('users', [notNull('id'), col('email', 'text')], extra);

  it('a comment-only change on a constraint, trigger, sequence or function is a set_comment', () => {
    const source = db(
      schema('app', {
        tables: [users({ checks: [check('c', "email <> ''")], triggers: [trigger('t')] })],
        sequences: [sequence('s')],
        functions: [fn('touch')],
      }),
    );
    const target = db(
      schema('app', {
        tables: [
          users({
            checks: [check('c', "email <> ''", { comment: 'c' })],
            triggers: [trigger('t', { comment: 't', enabled: 'always' })],
          }),
        ],
        sequences: [sequence('s', { comment: 's' })],
        functions: [{ ...fn('touch'), comment: 'f' }],
      }),
    );
    expect(diff(source, target).map((c) => (c.kind === 'set_comment' ? [c.kind, c.target, c.to] : [c.kind]))).toEqual([
      ['enable_trigger'],
      ['set_comment', { kind: 'sequence', sequence: 's' }, 's'],
      ['set_comment', { kind: 'function', function: 'touch', args: '' }, 'f'],
      ['set_comment', { kind: 'constraint', table: 'users', constraint: 'c' }, 'c'],
      ['set_comment', { kind: 'trigger', table: 'users', trigger: 't' }, 't'],
    ]);
  });

  it('a primary key whose comment changes keeps its definition; one whose columns change is dropped and added', () => {
    const a = app(users({ primaryKey: pk('users_pkey', ['id']) }));
    const b = app(users({ primaryKey: { ...pk('users_pkey', ['id']), comment: 'k' } }));
    expect(diff(a, b).map((c) => c.kind)).toEqual(['set_comment']);
    const c = app(users({ primaryKey: { ...pk('users_pkey', ['id', 'email']), comment: 'k' } }));
    expect(diff(a, c).map((x) => x.kind)).toEqual(['drop_primary_key', 'add_primary_key']);
  });
});

describe('created with a comment', () => {
  const users = (extra: Parameters<typeof table>[2] = {}) =>
    table('users', [notNull('id'), col('email', 'text')], extra);
  const orders = table('orders', [notNull('id'), col('user_id')], {});
  const base = app(users({ primaryKey: pk('users_pkey', ['id']) }), orders);

  it('a check: COMMENT ON CONSTRAINT after ADD CONSTRAINT ... NOT VALID, IS NULL on rollback', () => {
    const ck = check('users_email_check', "email ~ '@'", { comment: 'an address' });
    const drafts = steps(C.add_check, { kind: 'add_check', schema: 'app', table: 'users', check: ck }, context(base));
    expect(drafts.map((d) => [d.phase, d.sql, d.rollback])).toEqual([
      [
        'expand',
        "ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK (email ~ '@') NOT VALID",
        ['ALTER TABLE app.users DROP CONSTRAINT users_email_check'],
      ],
      [
        'expand',
        "COMMENT ON CONSTRAINT users_email_check ON app.users IS 'an address'",
        ['COMMENT ON CONSTRAINT users_email_check ON app.users IS NULL'],
      ],
      [
        'contract',
        'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_check',
        [
          'ALTER TABLE app.users DROP CONSTRAINT users_email_check',
          "ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK (email ~ '@') NOT VALID",
          "COMMENT ON CONSTRAINT users_email_check ON app.users IS 'an address'",
        ],
      ],
    ]);
  });

  it('a foreign key: the comment after the NOT VALID add', () => {
    const f = { ...fk('orders_user_id_fkey', ['user_id'], 'users', ['id']), comment: 'who' };
    const drafts = C.add_foreign_key.expand(
      { kind: 'add_foreign_key', schema: 'app', table: 'orders', foreignKey: f },
      context(base),
    );
    expect(drafts.map((d) => [d.sql, d.rollback])).toEqual([
      [
        'ALTER TABLE app.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users (id) NOT VALID',
        ['ALTER TABLE app.orders DROP CONSTRAINT orders_user_id_fkey'],
      ],
      [
        "COMMENT ON CONSTRAINT orders_user_id_fkey ON app.orders IS 'who'",
        ['COMMENT ON CONSTRAINT orders_user_id_fkey ON app.orders IS NULL'],
      ],
    ]);
  });

  it('a unique constraint: the comment once USING INDEX has made it a constraint (contract)', () => {
    const u = uq('users_email_key', ['email'], { comment: 'one each' });
    const c = { kind: 'add_unique', schema: 'app', table: 'users', unique: u } as const;
    const contract = C.add_unique.contract(c, context(base));
    expect(contract.map((d) => [d.phase, d.action, d.sql])).toEqual([
      [
        'contract',
        'add_constraint_using_index',
        'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key',
      ],
      ['contract', 'comment', "COMMENT ON CONSTRAINT users_email_key ON app.users IS 'one each'"],
    ]);
    expect(contract[1]!.requires).toEqual([key.constraint('app', 'users', 'users_email_key')]);
  });

  it('a trigger, a sequence, a function', () => {
    const tr = trigger('users_touch', { comment: 'stamps' });
    const t = H.create_trigger.expand(
      { kind: 'create_trigger', schema: 'app', table: 'users', trigger: tr },
      context(base),
    );
    expect(t.map((d) => [d.sql, d.rollback])).toEqual([
      [
        'CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
        ['DROP TRIGGER users_touch ON app.users'],
      ],
      [
        "COMMENT ON TRIGGER users_touch ON app.users IS 'stamps'",
        ['COMMENT ON TRIGGER users_touch ON app.users IS NULL'],
      ],
    ]);
    const q = H.create_sequence.expand(
      { kind: 'create_sequence', schema: 'app', sequence: sequence('invoice_no', { comment: 'gapless' }) },
      context(base),
    );
    expect(q.map((d) => [d.sql, d.rollback]).slice(1)).toEqual([
      ["COMMENT ON SEQUENCE app.invoice_no IS 'gapless'", ['COMMENT ON SEQUENCE app.invoice_no IS NULL']],
    ]);
    const f = H.create_function.expand(
      { kind: 'create_function', schema: 'app', function: { ...fn('touch', 'n integer'), comment: 'sets it' } },
      context(base),
    );
    expect(f.map((d) => [d.sql, d.rollback, d.requires]).slice(1)).toEqual([
      [
        "COMMENT ON FUNCTION app.touch(n integer) IS 'sets it'",
        ['COMMENT ON FUNCTION app.touch(n integer) IS NULL'],
        [key.function('app', 'touch', 'n integer')],
      ],
    ]);
  });

  it('a trigger replaced in place (CREATE OR REPLACE keeps the old comment): the rollback puts the old one back', () => {
    const old = trigger('users_touch', { comment: 'old', events: ['insert'] });
    const next = trigger('users_touch', { comment: 'new' });
    const ctx = context(app(users({ triggers: [old] })), app(users({ triggers: [next] })));
    const t = H.create_trigger.expand({ kind: 'create_trigger', schema: 'app', table: 'users', trigger: next }, ctx);
    expect(t.map((d) => [d.action, d.sql, d.rollback])).toEqual([
      [
        'replace_trigger',
        'CREATE OR REPLACE TRIGGER users_touch BEFORE INSERT OR UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
        [
          'CREATE OR REPLACE TRIGGER users_touch BEFORE INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
          "COMMENT ON TRIGGER users_touch ON app.users IS 'old'",
        ],
      ],
      [
        'comment',
        "COMMENT ON TRIGGER users_touch ON app.users IS 'new'",
        ["COMMENT ON TRIGGER users_touch ON app.users IS 'old'"],
      ],
    ]);
  });
});

describe('dropped with a comment: the rollback recreates the object, then its comment', () => {
  const ck = check('users_email_check', "email ~ '@'", { comment: 'an address' });
  const users = table('users', [notNull('id'), col('email', 'text')], {
    primaryKey: pk('users_pkey', ['id']),
    checks: [ck],
    triggers: [trigger('users_touch', { comment: 'stamps' })],
  });
  const ctx = context(app(users), app(users));

  it.each([
    [
      'a check',
      () => C.drop_check.contract({ kind: 'drop_check', schema: 'app', table: 'users', check: ck }, ctx),
      [
        "ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK (email ~ '@') NOT VALID",
        'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_check',
        "COMMENT ON CONSTRAINT users_email_check ON app.users IS 'an address'",
      ],
    ],
    [
      'a foreign key',
      () =>
        C.drop_foreign_key.contract(
          {
            kind: 'drop_foreign_key',
            schema: 'app',
            table: 'users',
            foreignKey: { ...fk('users_boss_fkey', ['id'], 'users', ['id']), comment: 'boss' },
          },
          ctx,
        ),
      [
        'ALTER TABLE app.users ADD CONSTRAINT users_boss_fkey FOREIGN KEY (id) REFERENCES app.users (id) NOT VALID',
        'ALTER TABLE app.users VALIDATE CONSTRAINT users_boss_fkey',
        "COMMENT ON CONSTRAINT users_boss_fkey ON app.users IS 'boss'",
      ],
    ],
    [
      'a unique constraint',
      () =>
        C.drop_unique.contract(
          {
            kind: 'drop_unique',
            schema: 'app',
            table: 'users',
            unique: uq('users_email_key', ['email'], { comment: 'one' }),
          },
          ctx,
        ),
      [
        'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)',
        'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key',
        "COMMENT ON CONSTRAINT users_email_key ON app.users IS 'one'",
      ],
    ],
    [
      'a trigger',
      () =>
        H.drop_trigger.contract(
          { kind: 'drop_trigger', schema: 'app', table: 'users', trigger: users.triggers[0]! },
          context(app(users), app({ ...users, triggers: [] })),
        ),
      [
        'CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
        "COMMENT ON TRIGGER users_touch ON app.users IS 'stamps'",
      ],
    ],
    [
      'a sequence',
      () =>
        H.drop_sequence.contract(
          { kind: 'drop_sequence', schema: 'app', sequence: sequence('invoice_no', { comment: 'gapless' }) },
          ctx,
        ),
      [
        'CREATE SEQUENCE app.invoice_no AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE',
        "COMMENT ON SEQUENCE app.invoice_no IS 'gapless'",
      ],
    ],
    [
      'a function',
      () =>
        H.drop_function.contract(
          { kind: 'drop_function', schema: 'app', function: { ...fn('touch'), comment: 'sets it' } },
          ctx,
        ),
      [fn('touch').definition.trimEnd(), "COMMENT ON FUNCTION app.touch() IS 'sets it'"],
    ],
  ])('%s', (_, drafts, rollback) => {
    const all = drafts();
    expect(all.at(-1)!.rollback).toEqual(rollback);
  });
});
