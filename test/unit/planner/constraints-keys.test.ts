// add_unique / add_primary_key / drop_unique / drop_primary_key: exact steps per case, and the rollbacks that
// take dependent foreign keys off before removing a key (the postmortem's 2BP01).
import { describe, expect, it } from 'vitest';
import type { AddPrimaryKey, AddUnique, DropPrimaryKey, DropUnique } from '../../../src/diff/index.js';
import { constraintHandlers as h } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import type { PlanContext } from '../../../src/planner/types.js';
import type { Table, UniqueConstraint } from '../../../src/schema/model/model.js';
import { app, col, db, fk, idx, notNull, pk, schema, table, uq } from '../diff/fixtures.js';
import { context, shape } from './constraints-support.js';

const users = table('users', [notNull('id'), notNull('email', 'text'), col('tenant')], {
  primaryKey: pk('users_pkey', ['id']),
});
const email = uq('users_email_key', ['email']);
const withEmail = (t: Table = users, u: UniqueConstraint = email): Table => ({ ...t, unique: [u] });
const addU = (unique: UniqueConstraint, s = 'app', t = 'users'): AddUnique => ({
  kind: 'add_unique',
  schema: s,
  table: t,
  unique,
});
const ordersFk = (extra = {}) =>
  table('orders', [notNull('id'), col('email', 'text')], {
    foreignKeys: [fk('orders_email_fk', ['email'], 'users', ['email'], extra)],
  });

const build = (sql: string, lockedTables: string[]) => ({
  phase: 'expand',
  releaseOffset: 0,
  sql,
  lock: 'SHARE UPDATE EXCLUSIVE',
  lockedTables,
  transactional: false,
  hazards: ['CORRECTNESS', 'INDEX_BUILD'],
});
const usingIndex = (sql: string, rollback: string[], lockedTables: string[], hazards = ['ACCESS_EXCLUSIVE_LOCK']) => ({
  phase: 'contract',
  releaseOffset: 0,
  sql,
  rollback,
  lock: 'ACCESS EXCLUSIVE',
  lockedTables,
  transactional: true,
  hazards,
});

function phases(change: AddUnique | AddPrimaryKey, ctx: PlanContext) {
  const handler = change.kind === 'add_unique' ? h.add_unique : h.add_primary_key;
  const c = change as never;
  expect(handler.backfill(c, ctx)).toEqual([]);
  return { expand: handler.expand(c, ctx).map(shape), contract: handler.contract(c, ctx).map(shape) };
}

describe('add_unique', () => {
  it.each<[string, AddUnique, PlanContext, { expand: object[]; contract: object[] }]>([
    [
      'unique index CONCURRENTLY in expand, USING INDEX in contract; rollbacks: back to the bare index, then no index',
      addU(email),
      context(app(users), app(withEmail())),
      {
        expand: [
          {
            ...build('CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)', [
              'app.users',
            ]),
            rollback: ['DROP INDEX CONCURRENTLY app.users_email_key'],
          },
        ],
        contract: [
          usingIndex(
            'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key',
            [
              'ALTER TABLE app.users DROP CONSTRAINT users_email_key',
              'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)',
            ],
            ['app.users'],
          ),
        ],
      },
    ],
    [
      'NULLS NOT DISTINCT goes on the index; the deferral on the constraint; hostile names',
      addU(
        uq('Users "E-mail" ñ', ['É-mail', 'tenant'], {
          nullsNotDistinct: true,
          deferrable: true,
          initiallyDeferred: true,
        }),
        'My "App"',
        'Users',
      ),
      context(db(schema('My "App"', { tables: [table('Users', [col('É-mail', 'text'), col('tenant')])] })), db()),
      {
        expand: [
          {
            ...build(
              'CREATE UNIQUE INDEX CONCURRENTLY "Users ""E-mail"" ñ" ON "My ""App"""."Users" USING btree ("É-mail", tenant) NULLS NOT DISTINCT',
              ['"My ""App"""."Users"'],
            ),
            rollback: ['DROP INDEX CONCURRENTLY "My ""App"""."Users ""E-mail"" ñ"'],
          },
        ],
        contract: [
          usingIndex(
            'ALTER TABLE "My ""App"""."Users" ADD CONSTRAINT "Users ""E-mail"" ñ" UNIQUE USING INDEX "Users ""E-mail"" ñ" DEFERRABLE INITIALLY DEFERRED',
            [
              'ALTER TABLE "My ""App"""."Users" DROP CONSTRAINT "Users ""E-mail"" ñ"',
              'CREATE UNIQUE INDEX CONCURRENTLY "Users ""E-mail"" ñ" ON "My ""App"""."Users" USING btree ("É-mail", tenant) NULLS NOT DISTINCT',
            ],
            ['"My ""App"""."Users"'],
          ),
        ],
      },
    ],
    [
      'on a table created by this plan: ADD CONSTRAINT directly in expand',
      addU(email),
      context(db(), app(withEmail()), { newTables: new Set(['app.users']) }),
      {
        expand: [
          {
            phase: 'expand',
            releaseOffset: 0,
            sql: 'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email)',
            rollback: ['ALTER TABLE app.users DROP CONSTRAINT users_email_key'],
            lock: 'none',
            lockedTables: [],
            transactional: true,
            hazards: [],
          },
        ],
        contract: [],
      },
    ],
    [
      'adopting an existing unique index of the same name and definition: no build, and the rollback rebuilds it as it was',
      addU(email),
      context(
        app({ ...users, indexes: [idx('users_email_key', ['email'], { unique: true, comment: 'kept' })] }),
        app(withEmail()),
      ),
      {
        expand: [],
        contract: [
          usingIndex(
            'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key',
            [
              'ALTER TABLE app.users DROP CONSTRAINT users_email_key',
              'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)',
              "COMMENT ON INDEX app.users_email_key IS 'kept'",
            ],
            ['app.users'],
          ),
        ],
      },
    ],
  ])('%s', (_, change, ctx, expected) => {
    expect(phases(change, ctx)).toEqual(expected);
  });

  it('the rollback of USING INDEX drops every dependent foreign key first and re-adds each as it was at that point', () => {
    // orders_email_fk exists (valid) in the source; invoices_email_fk is added by this plan (NOT VALID until the
    // contract phase validates it, after this step); kids_email_fk is on a table this plan creates (added valid).
    const invoices = table('invoices', [col('email', 'text')], {
      foreignKeys: [fk('invoices_email_fk', ['email'], 'users', ['email'])],
    });
    const kids = table('kids', [col('email', 'text')], {
      foreignKeys: [fk('kids_email_fk', ['email'], 'users', ['email'])],
    });
    const source = app({ ...users, indexes: [idx('users_email_idx', ['email'], { unique: true })] }, ordersFk(), {
      ...invoices,
      foreignKeys: [],
    });
    const target = app(
      { ...withEmail(), indexes: [idx('users_email_idx', ['email'], { unique: true })] },
      ordersFk(),
      invoices,
      kids,
    );
    const [step] = h.add_unique.contract(addU(email), context(source, target, { newTables: new Set(['app.kids']) }));
    const readd = (t: string, n: string) =>
      `ALTER TABLE app.${t} ADD CONSTRAINT ${n} FOREIGN KEY (email) REFERENCES app.users (email) NOT VALID`;
    expect(step!.rollback).toEqual([
      'ALTER TABLE app.invoices DROP CONSTRAINT invoices_email_fk',
      'ALTER TABLE app.kids DROP CONSTRAINT kids_email_fk',
      'ALTER TABLE app.orders DROP CONSTRAINT orders_email_fk',
      'ALTER TABLE app.users DROP CONSTRAINT users_email_key',
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)',
      readd('invoices', 'invoices_email_fk'),
      readd('kids', 'kids_email_fk'),
      'ALTER TABLE app.kids VALIDATE CONSTRAINT kids_email_fk',
      readd('orders', 'orders_email_fk'),
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_email_fk',
    ]);
  });

  it('keys: the index in expand, the constraint in contract (which needs the index)', () => {
    const ctx = context(app(users), app(withEmail()));
    const [b] = h.add_unique.expand(addU(email), ctx);
    const [c] = h.add_unique.contract(addU(email), ctx);
    expect(b!.creates).toEqual([key.index('app', 'users_email_key')]);
    expect(b!.requires).toEqual([key.table('app', 'users'), key.column('app', 'users', 'email')]);
    expect(c!.creates).toEqual([key.constraint('app', 'users', 'users_email_key')]);
    expect(c!.requires).toEqual([
      key.table('app', 'users'),
      key.index('app', 'users_email_key'),
      key.column('app', 'users', 'email'),
    ]);
  });
});

describe('add_primary_key', () => {
  const accounts = (nullable: boolean) =>
    table('accounts', [col('id', 'bigint', { nullable }), col('region', 'text', { nullable: false })]);
  const addPk = (): AddPrimaryKey => ({
    kind: 'add_primary_key',
    schema: 'app',
    table: 'accounts',
    primaryKey: pk('accounts_pkey', ['id', 'region']),
  });
  const withPk = (t: Table): Table => ({ ...t, primaryKey: pk('accounts_pkey', ['id', 'region']) });
  const expandStep = {
    ...build('CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey ON app.accounts USING btree (id, region)', [
      'app.accounts',
    ]),
    rollback: ['DROP INDEX CONCURRENTLY app.accounts_pkey'],
  };
  const sql = 'ALTER TABLE app.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_pkey';

  it.each<[string, PlanContext, { expand: object[]; contract: object[] }]>([
    [
      'columns already NOT NULL',
      context(app(accounts(false)), app(withPk(accounts(false)))),
      {
        expand: [expandStep],
        contract: [
          usingIndex(sql, ['ALTER TABLE app.accounts DROP CONSTRAINT accounts_pkey', expandStep.sql], ['app.accounts']),
        ],
      },
    ],
    [
      'a column another change makes NOT NULL: no scan here (ordered after it), NOT NULL left alone',
      context(app(accounts(true)), app(withPk(accounts(false)))),
      {
        expand: [expandStep],
        contract: [
          usingIndex(sql, ['ALTER TABLE app.accounts DROP CONSTRAINT accounts_pkey', expandStep.sql], ['app.accounts']),
        ],
      },
    ],
    [
      'a column nothing else makes NOT NULL: USING INDEX sets it (FULL_SCAN), the rollback drops it again',
      context(app(accounts(true)), app(withPk(accounts(true)))),
      {
        expand: [expandStep],
        contract: [
          usingIndex(
            sql,
            [
              'ALTER TABLE app.accounts DROP CONSTRAINT accounts_pkey',
              'ALTER TABLE app.accounts ALTER COLUMN id DROP NOT NULL',
              expandStep.sql,
            ],
            ['app.accounts'],
            ['ACCESS_EXCLUSIVE_LOCK', 'FULL_SCAN'],
          ),
        ],
      },
    ],
    [
      'on a table created by this plan: ADD CONSTRAINT PRIMARY KEY directly',
      context(db(), app(withPk(accounts(false))), { newTables: new Set(['app.accounts']) }),
      {
        expand: [
          {
            phase: 'expand',
            releaseOffset: 0,
            sql: 'ALTER TABLE app.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id, region)',
            rollback: ['ALTER TABLE app.accounts DROP CONSTRAINT accounts_pkey'],
            lock: 'none',
            lockedTables: [],
            transactional: true,
            hazards: [],
          },
        ],
        contract: [],
      },
    ],
  ])('%s', (_, ctx, expected) => {
    expect(phases(addPk(), ctx)).toEqual(expected);
  });

  it('requires the not-null milestone of a column another change makes NOT NULL, and costs a scan only when it sets one itself', () => {
    const [after] = h.add_primary_key.contract(addPk(), context(app(accounts(true)), app(withPk(accounts(false)))));
    expect(after!.requires).toContain(`not_null:app\u001faccounts\u001fid`);
    expect(after!.costTable).toBeUndefined();
    const [itself] = h.add_primary_key.contract(addPk(), context(app(accounts(true)), app(withPk(accounts(true)))));
    expect(itself!.requires.some((k) => k.startsWith('not_null:'))).toBe(false);
    expect(itself!.costTable).toEqual({ schema: 'app', table: 'accounts', work: 'scan' });
  });
});

describe('drop_unique / drop_primary_key', () => {
  const dropU = (unique: UniqueConstraint): DropUnique => ({
    kind: 'drop_unique',
    schema: 'app',
    table: 'users',
    unique,
  });
  const dropPk = (): DropPrimaryKey => ({
    kind: 'drop_primary_key',
    schema: 'app',
    table: 'users',
    primaryKey: pk('users_pkey', ['id']),
  });
  const dropStep = (sql: string, rollback: string[], hazards: string[]) => ({
    phase: 'contract',
    releaseOffset: 1,
    sql,
    rollback,
    lock: 'ACCESS EXCLUSIVE',
    lockedTables: ['app.users'],
    transactional: true,
    hazards,
  });

  it.each<[string, DropUnique | DropPrimaryKey, PlanContext, object[]]>([
    [
      'unique: next release; rebuilt CONCURRENTLY and re-attached USING INDEX on rollback',
      dropU(email),
      context(app(withEmail()), app(users)),
      [
        dropStep(
          'ALTER TABLE app.users DROP CONSTRAINT users_email_key',
          [
            'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON app.users USING btree (email)',
            'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key',
          ],
          ['ACCESS_EXCLUSIVE_LOCK', 'INDEX_DROPPED'],
        ),
      ],
    ],
    [
      'unique with every option',
      dropU(uq('Users "E" ñ', ['email', 'tenant'], { nullsNotDistinct: true, deferrable: true })),
      context(
        app(withEmail(users, uq('Users "E" ñ', ['email', 'tenant'], { nullsNotDistinct: true, deferrable: true }))),
        app(users),
      ),
      [
        dropStep(
          'ALTER TABLE app.users DROP CONSTRAINT "Users ""E"" ñ"',
          [
            'CREATE UNIQUE INDEX CONCURRENTLY "Users ""E"" ñ" ON app.users USING btree (email, tenant) NULLS NOT DISTINCT',
            'ALTER TABLE app.users ADD CONSTRAINT "Users ""E"" ñ" UNIQUE USING INDEX "Users ""E"" ñ" DEFERRABLE',
          ],
          ['ACCESS_EXCLUSIVE_LOCK', 'INDEX_DROPPED'],
        ),
      ],
    ],
    [
      'primary key: also NOT_REPLICATION_SAFE (the default replica identity goes)',
      dropPk(),
      context(app(users), app({ ...users, primaryKey: undefined } as Table)),
      [
        dropStep(
          'ALTER TABLE app.users DROP CONSTRAINT users_pkey',
          [
            'CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON app.users USING btree (id)',
            'ALTER TABLE app.users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey',
          ],
          ['ACCESS_EXCLUSIVE_LOCK', 'INDEX_DROPPED', 'NOT_REPLICATION_SAFE'],
        ),
      ],
    ],
  ])('%s', (_, change, ctx, contract) => {
    const handler = change.kind === 'drop_unique' ? h.drop_unique : h.drop_primary_key;
    expect(handler.expand(change as never, ctx)).toEqual([]);
    expect(handler.backfill(change as never, ctx)).toEqual([]);
    expect(handler.contract(change as never, ctx).map(shape)).toEqual(contract);
  });

  it('drops both keys and leaves gone milestones; a surviving foreign key is re-pointed around the drop', () => {
    const source = app(withEmail(), ordersFk());
    const target = app({ ...users, indexes: [idx('users_email_idx', ['email'], { unique: true })] }, ordersFk());
    const steps = h.drop_unique.contract(dropU(email), context(source, target));
    expect(steps.map((s) => s.action)).toEqual([
      'detach_foreign_key',
      'drop_constraint',
      'reattach_foreign_key',
      'validate_foreign_key',
    ]);
    const drop = steps[1]!;
    expect(drop.drops).toEqual([
      key.constraint('app', 'users', 'users_email_key'),
      key.index('app', 'users_email_key'),
    ]);
    expect(drop.creates).toEqual(drop.drops.map((k) => `gone:${k}`));
    // The detach rollback puts the foreign key back as the target has it (here valid).
    expect(steps[0]!.rollback).toEqual([
      'ALTER TABLE app.orders ADD CONSTRAINT orders_email_fk FOREIGN KEY (email) REFERENCES app.users (email) NOT VALID',
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_email_fk',
    ]);
  });

  it('a foreign key the target declares NOT VALID is re-attached NOT VALID and not validated', () => {
    const fks = ordersFk({ notValid: true });
    const steps = h.drop_unique.contract(
      dropU(email),
      context(app(withEmail(), fks), app({ ...users, indexes: [idx('u', ['email'], { unique: true })] }, fks)),
    );
    expect(steps.map((s) => s.action)).toEqual(['detach_foreign_key', 'drop_constraint', 'reattach_foreign_key']);
    expect(steps[0]!.rollback).toEqual([
      'ALTER TABLE app.orders ADD CONSTRAINT orders_email_fk FOREIGN KEY (email) REFERENCES app.users (email) NOT VALID',
    ]);
  });
});
