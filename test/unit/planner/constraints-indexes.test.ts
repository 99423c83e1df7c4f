// add_index / drop_index: exact steps (SQL, rollback, lock, transactionality, hazards, release) per case.
import { describe, expect, it } from 'vitest';
import type { AddIndex, DropIndex } from '../../../src/diff/index.js';
import { constraintHandlers as h } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import type { PlanContext } from '../../../src/planner/types.js';
import type { Index } from '../../../src/schema/model/model.js';
import { app, col, db, fk, idx, notNull, pk, schema, table, uq } from '../diff/fixtures.js';
import { context, shape } from './constraints-support.js';

const keys = (d: { creates: unknown; requires: unknown; drops: unknown }) => ({
  creates: d.creates,
  requires: d.requires,
  drops: d.drops,
});

const users = table('users', [notNull('id'), col('name', 'text'), col('email', 'text')], {
  primaryKey: pk('users_pkey', ['id']),
});
const H = 'My "App"';
const items = table('Order Items', [notNull('id'), col('Qté', 'integer'), col('note', 'text')]);
const hostile = db(schema(H, { tables: [items] }));
const plain = idx('users_name_idx', ['name']);

const add = (index: Index, s = 'app', t = 'users'): AddIndex => ({ kind: 'add_index', schema: s, table: t, index });
const drop = (index: Index, s = 'app', t = 'users'): DropIndex => ({ kind: 'drop_index', schema: s, table: t, index });
const expand = (c: AddIndex | DropIndex, ctx: PlanContext) =>
  (c.kind === 'add_index' ? h.add_index.expand(c, ctx) : h.drop_index.expand(c, ctx)).map(shape);
const contract = (c: AddIndex | DropIndex, ctx: PlanContext) =>
  (c.kind === 'add_index' ? h.add_index.contract(c, ctx) : h.drop_index.contract(c, ctx)).map(shape);

const concurrent = { phase: 'expand', releaseOffset: 0, lock: 'SHARE UPDATE EXCLUSIVE', transactional: false } as const;
const hostileIndex: Index = {
  kind: 'index',
  name: 'Qté "idx"',
  unique: false,
  method: 'btree',
  keys: [{ column: 'Qté', order: 'desc', nulls: 'last' }, { expression: 'lower(note)' }],
  include: ['id'],
  where: '("Qté" > 0)',
  comment: "it's ñ",
};

describe('add_index', () => {
  it.each<[string, AddIndex, PlanContext, object[]]>([
    [
      'CONCURRENTLY on an existing table, rolled back by DROP INDEX CONCURRENTLY',
      add(plain),
      context(app(users), app(users)),
      [
        {
          ...concurrent,
          sql: 'CREATE INDEX CONCURRENTLY users_name_idx ON app.users USING btree (name)',
          rollback: ['DROP INDEX CONCURRENTLY app.users_name_idx'],
          lockedTables: ['app.users'],
          hazards: ['INDEX_BUILD'],
        },
      ],
    ],
    [
      'a unique index can fail on duplicates: CORRECTNESS',
      add(idx('users_email_idx', ['email'], { unique: true, nullsNotDistinct: true })),
      context(app(users), app(users)),
      [
        {
          ...concurrent,
          sql: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON app.users USING btree (email) NULLS NOT DISTINCT',
          rollback: ['DROP INDEX CONCURRENTLY app.users_email_idx'],
          lockedTables: ['app.users'],
          hazards: ['CORRECTNESS', 'INDEX_BUILD'],
        },
      ],
    ],
    [
      'hostile names, key options, expression, INCLUDE, predicate, and the comment as a step of its own',
      add(hostileIndex, H, 'Order Items'),
      context(hostile, hostile),
      [
        {
          ...concurrent,
          sql: 'CREATE INDEX CONCURRENTLY "Qté ""idx""" ON "My ""App"""."Order Items" USING btree ("Qté" DESC NULLS LAST, (lower(note))) INCLUDE (id) WHERE ("Qté" > 0)',
          rollback: ['DROP INDEX CONCURRENTLY "My ""App"""."Qté ""idx"""'],
          lockedTables: ['"My ""App"""."Order Items"'],
          hazards: ['INDEX_BUILD'],
        },
        {
          phase: 'expand',
          releaseOffset: 0,
          sql: `COMMENT ON INDEX "My ""App"""."Qté ""idx""" IS 'it''s ñ'`,
          rollback: ['COMMENT ON INDEX "My ""App"""."Qté ""idx""" IS NULL'],
          lock: 'none',
          lockedTables: [],
          transactional: true,
          hazards: [],
        },
      ],
    ],
    [
      'on a table created by this plan: plain CREATE INDEX in the transaction, nothing locked',
      add(plain),
      context(db(), app(users), { newTables: new Set(['app.users']) }),
      [
        {
          phase: 'expand',
          releaseOffset: 0,
          sql: 'CREATE INDEX users_name_idx ON app.users USING btree (name)',
          rollback: ['DROP INDEX app.users_name_idx'],
          lock: 'none',
          lockedTables: [],
          transactional: true,
          hazards: [],
        },
      ],
    ],
  ])('%s', (_, change, ctx, steps) => {
    expect(expand(change, ctx)).toEqual(steps);
    expect(h.add_index.backfill(change, ctx)).toEqual([]);
    expect(contract(change, ctx)).toEqual([]);
  });

  it('creates the index; requires the table, its key and INCLUDE columns, and the columns its expressions mention', () => {
    const [build, comment] = h.add_index.expand(add(hostileIndex, H, 'Order Items'), context(hostile, hostile));
    expect(build!.creates).toEqual([key.index(H, 'Qté "idx"')]);
    expect(build!.requires).toEqual([
      key.table(H, 'Order Items'),
      key.column(H, 'Order Items', 'Qté'),
      key.column(H, 'Order Items', 'id'),
      key.column(H, 'Order Items', 'note'),
    ]);
    expect(build!.costTable).toEqual({ schema: H, table: 'Order Items', work: 'index' });
    expect(comment!.requires).toEqual([key.index(H, 'Qté "idx"')]);
  });

  it('rebuilding an index left invalid: after the drop of the invalid one (its gone milestone)', () => {
    const source = app({ ...users, indexes: [{ ...plain, invalid: true }] });
    const [build] = h.add_index.expand(add(plain), context(source, app({ ...users, indexes: [plain] })));
    expect(build!.requires).toContain(`gone:${key.index('app', 'users_name_idx')}`);
  });
});

describe('drop_index', () => {
  const withPlain = app({ ...users, indexes: [{ ...plain, comment: 'by name' }] });
  it.each<[string, DropIndex, PlanContext, object[], object[]]>([
    [
      'contract of the next release, CONCURRENTLY; the rollback rebuilds it from the source definition, comment included',
      drop({ ...plain, comment: 'by name' }),
      context(withPlain, app(users)),
      [],
      [
        {
          phase: 'contract',
          releaseOffset: 1,
          sql: 'DROP INDEX CONCURRENTLY app.users_name_idx',
          rollback: [
            'CREATE INDEX CONCURRENTLY users_name_idx ON app.users USING btree (name)',
            "COMMENT ON INDEX app.users_name_idx IS 'by name'",
          ],
          lock: 'SHARE UPDATE EXCLUSIVE',
          lockedTables: ['app.users'],
          transactional: false,
          hazards: ['INDEX_DROPPED'],
        },
      ],
    ],
    [
      'hostile names',
      drop({ ...hostileIndex, comment: undefined } as Index, H, 'Order Items'),
      context(hostile, hostile),
      [],
      [
        {
          phase: 'contract',
          releaseOffset: 1,
          sql: 'DROP INDEX CONCURRENTLY "My ""App"""."Qté ""idx"""',
          rollback: [
            'CREATE INDEX CONCURRENTLY "Qté ""idx""" ON "My ""App"""."Order Items" USING btree ("Qté" DESC NULLS LAST, (lower(note))) INCLUDE (id) WHERE ("Qté" > 0)',
          ],
          lock: 'SHARE UPDATE EXCLUSIVE',
          lockedTables: ['"My ""App"""."Order Items"'],
          transactional: false,
          hazards: ['INDEX_DROPPED'],
        },
      ],
    ],
    [
      'an invalid index (failed concurrent build) serves no query: dropped in expand, rebuilt valid on rollback',
      drop({ ...plain, invalid: true }),
      context(app({ ...users, indexes: [{ ...plain, invalid: true }] }), app(users)),
      [
        {
          phase: 'expand',
          releaseOffset: 0,
          sql: 'DROP INDEX CONCURRENTLY app.users_name_idx',
          rollback: ['CREATE INDEX CONCURRENTLY users_name_idx ON app.users USING btree (name)'],
          lock: 'SHARE UPDATE EXCLUSIVE',
          lockedTables: ['app.users'],
          transactional: false,
          hazards: [],
        },
      ],
      [],
    ],
    [
      'an index a new unique constraint adopts (USING INDEX) is not dropped',
      drop(idx('users_email_key', ['email'], { unique: true })),
      context(
        app({ ...users, indexes: [idx('users_email_key', ['email'], { unique: true })] }),
        app({ ...users, unique: [uq('users_email_key', ['email'])] }),
      ),
      [],
      [],
    ],
  ])('%s', (_, change, ctx, expandSteps, contractSteps) => {
    expect(expand(change, ctx)).toEqual(expandSteps);
    expect(h.drop_index.backfill(change, ctx)).toEqual([]);
    expect(contract(change, ctx)).toEqual(contractSteps);
  });

  it('a unique index foreign keys of the target may still use: take them off, drop, put them back on the remaining key, validate', () => {
    const u = idx('users_email_idx', ['email'], { unique: true });
    const orders = table('orders', [notNull('id'), col('email', 'text')], {
      foreignKeys: [fk('orders_email_fk', ['email'], 'users', ['email'], { onDelete: 'cascade' })],
    });
    const target = app({ ...users, unique: [uq('users_email_key', ['email'])] }, orders);
    const steps = h.drop_index.contract(drop(u), context(app({ ...users, indexes: [u] }, orders), target));
    const add =
      'ALTER TABLE app.orders ADD CONSTRAINT orders_email_fk FOREIGN KEY (email) REFERENCES app.users (email) ON DELETE CASCADE NOT VALID';
    expect(steps.map(shape)).toEqual([
      {
        phase: 'contract',
        releaseOffset: 1,
        sql: 'ALTER TABLE app.orders DROP CONSTRAINT orders_email_fk',
        rollback: [add, 'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_email_fk'],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: ['app.orders', 'app.users'],
        transactional: true,
        hazards: ['ACCESS_EXCLUSIVE_LOCK'],
      },
      {
        phase: 'contract',
        releaseOffset: 1,
        sql: 'DROP INDEX CONCURRENTLY app.users_email_idx',
        rollback: ['CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON app.users USING btree (email)'],
        lock: 'SHARE UPDATE EXCLUSIVE',
        lockedTables: ['app.users'],
        transactional: false,
        hazards: ['INDEX_DROPPED'],
      },
      {
        phase: 'contract',
        releaseOffset: 1,
        sql: add,
        rollback: ['ALTER TABLE app.orders DROP CONSTRAINT orders_email_fk'],
        lock: 'SHARE ROW EXCLUSIVE',
        lockedTables: ['app.orders', 'app.users'],
        transactional: true,
        hazards: [],
      },
      {
        phase: 'contract',
        releaseOffset: 1,
        sql: 'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_email_fk',
        rollback: ['ALTER TABLE app.orders DROP CONSTRAINT orders_email_fk', add],
        lock: 'SHARE UPDATE EXCLUSIVE',
        lockedTables: ['app.orders'],
        transactional: true,
        hazards: ['CORRECTNESS', 'FULL_SCAN'],
      },
    ]);
    const [detach, dropStep, reattach, validate] = steps;
    const gone = `gone:${key.index('app', 'users_email_idx')}`;
    expect(detach!.requires).toEqual([
      key.constraint('app', 'orders', 'orders_email_fk'),
      key.index('app', 'users_email_idx'),
    ]);
    expect(dropStep!.drops).toEqual([key.index('app', 'users_email_idx')]);
    expect(dropStep!.creates).toEqual([gone]);
    expect(reattach!.requires).toEqual([
      gone,
      key.index('app', 'users_email_key'),
      key.constraint('app', 'users', 'users_email_key'),
    ]);
    expect(validate!.requires).toEqual(reattach!.creates);
  });
});

// Issue #14: refused before; now online as pg-schema-diff does it, every step with its rollback.
describe('an index redefined under the same name', () => {
  const old = idx('users_name_idx', ['name']);
  const next = idx('users_name_idx', ['name', 'email'], { where: '(id > 0)' });
  const ctx = context(app({ ...users, indexes: [old] }), app({ ...users, indexes: [next] }));

  it('add_index builds it as <name>__new concurrently, then swaps the names in one statement', () => {
    expect(h.add_index.validate(add(next), ctx)).toEqual([]);
    const steps = h.add_index.expand(add(next), ctx);
    expect(steps.map((d) => [d.action, d.sql, d.rollback, d.transactional])).toEqual([
      [
        'create_index_concurrently',
        'CREATE INDEX CONCURRENTLY users_name_idx__new ON app.users USING btree (name, email) WHERE (id > 0)',
        ['DROP INDEX CONCURRENTLY app.users_name_idx__new'],
        false,
      ],
      [
        'swap_index_names',
        [
          'DO $sy$',
          'BEGIN',
          '  ALTER INDEX app.users_name_idx RENAME TO users_name_idx__old;',
          '  ALTER INDEX app.users_name_idx__new RENAME TO users_name_idx;',
          'END',
          '$sy$',
        ].join('\n'),
        [
          'ALTER INDEX app.users_name_idx RENAME TO users_name_idx__new',
          'ALTER INDEX app.users_name_idx__old RENAME TO users_name_idx',
        ],
        true,
      ],
    ]);
    expect(keys(steps[1]!)).toEqual({
      creates: [key.index('app', 'users_name_idx'), key.index('app', 'users_name_idx__old')],
      requires: [key.table('app', 'users'), key.index('app', 'users_name_idx__new')],
      drops: [key.index('app', 'users_name_idx__new')],
    });
  });

  it('drop_index leaves the rename to the swap, and drops the old one a release later under its new name', () => {
    expect(h.drop_index.expand(drop(old), ctx)).toEqual([]);
    expect(h.drop_index.contract(drop(old), ctx).map((d) => [d.releaseOffset, d.sql, d.rollback])).toEqual([
      [
        1,
        'DROP INDEX CONCURRENTLY app.users_name_idx__old',
        ['CREATE INDEX CONCURRENTLY users_name_idx__old ON app.users USING btree (name)'],
      ],
    ]);
  });

  it('refused when a temporary name is taken', () => {
    const taken = context(
      app({ ...users, indexes: [old, idx('users_name_idx__old', ['email'])] }),
      app({ ...users, indexes: [next, idx('users_name_idx__old', ['email'])] }),
    );
    expect(h.add_index.validate(add(next), taken).map((p) => p.message)).toEqual([
      'index app.users_name_idx is rebuilt under the temporary name app.users_name_idx__old, which is taken',
    ]);
  });
});
