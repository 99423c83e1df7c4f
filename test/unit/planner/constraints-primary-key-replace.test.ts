// add_primary_key of a primary key redefined under the same name (issue #14, point 5: refused before, "a
// table cannot have two"): the new unique index built CONCURRENTLY as <name>__new in expand; in the next
// release's contract one statement drops the old key and makes that index the key; foreign keys on the old
// columns go around it. drop_primary_key plans nothing for the replaced key.
import { describe, expect, it } from 'vitest';
import type { AddPrimaryKey, DropPrimaryKey } from '../../../src/diff/index.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { col, db, fk, notNull, pk, schema, table, uq } from '../diff/fixtures.js';
import { constraintHandlers as h } from '../../support/families.js';
import { context } from './constraints-support.js';

const customers = (
  key: ReturnType<typeof pk>,
  extra: Parameters<typeof table>[2] = {},
  email = notNull('email', 'text'),
) => table('customers', [notNull('id', 'bigint'), email], { primaryKey: key, ...extra });
const orders = table('orders', [notNull('id'), notNull('customer_id', 'bigint')], {
  foreignKeys: [fk('orders_customer_id_fkey', ['customer_id'], 'customers', ['id'])],
});
const old = pk('customers_pkey', ['id']);
const next = pk('customers_pkey', ['email', 'id']);
const add: AddPrimaryKey = { kind: 'add_primary_key', schema: 'app', table: 'customers', primaryKey: next };
const drop: DropPrimaryKey = { kind: 'drop_primary_key', schema: 'app', table: 'customers', primaryKey: old };

describe('a primary key redefined under the same name', () => {
  it('built aside as <name>__new, swapped in one statement in the next release', () => {
    const ctx = context(
      db(schema('app', { tables: [customers(old)] })),
      db(schema('app', { tables: [customers(next)] })),
    );
    expect(h.add_primary_key.validate(add, ctx)).toEqual([]);
    expect(h.drop_primary_key.validate(drop, ctx)).toEqual([]);
    expect(h.drop_primary_key.contract(drop, ctx)).toEqual([]);
    const all = [...h.add_primary_key.expand(add, ctx), ...h.add_primary_key.contract(add, ctx)];
    expect(all.map((d) => [d.releaseOffset, d.phase, d.action, d.lock, d.hazards, d.sql, d.rollback])).toEqual([
      [
        0,
        'expand',
        'create_unique_index_concurrently',
        'SHARE UPDATE EXCLUSIVE',
        ['CORRECTNESS', 'INDEX_BUILD'],
        'CREATE UNIQUE INDEX CONCURRENTLY customers_pkey__new ON app.customers USING btree (email, id)',
        ['DROP INDEX CONCURRENTLY app.customers_pkey__new'],
      ],
      [
        1,
        'contract',
        'swap_primary_key',
        'ACCESS EXCLUSIVE',
        ['ACCESS_EXCLUSIVE_LOCK', 'INDEX_DROPPED', 'NOT_REPLICATION_SAFE'],
        `DO $sy$
BEGIN
  ALTER TABLE app.customers DROP CONSTRAINT customers_pkey;
  ALTER TABLE app.customers ADD CONSTRAINT customers_pkey PRIMARY KEY USING INDEX customers_pkey__new;
END
$sy$`,
        [
          'CREATE UNIQUE INDEX CONCURRENTLY customers_pkey__old ON app.customers USING btree (id)',
          'CREATE UNIQUE INDEX CONCURRENTLY customers_pkey__new ON app.customers USING btree (email, id)',
          `DO $sy$
BEGIN
  ALTER TABLE app.customers DROP CONSTRAINT customers_pkey;
  ALTER TABLE app.customers ADD CONSTRAINT customers_pkey PRIMARY KEY USING INDEX customers_pkey__old;
END
$sy$`,
        ],
      ],
    ]);
    // The rehearsal must not look for the temporary index after the swap.
    expect(all[1]!.drops).toContain('index:app\u001fcustomers_pkey__new');
  });

  it('a foreign key on the old column is taken off before the swap and put back on the unique key kept there', () => {
    const s = db(schema('app', { tables: [customers(old), orders] }));
    const t = db(schema('app', { tables: [customers(next, { unique: [uq('customers_id_key', ['id'])] }), orders] }));
    const ctx = context(s, t);
    const steps = orderSteps(h.add_primary_key.contract(add, ctx));
    expect(steps.map((d) => [d.action, d.sql])).toEqual([
      ['detach_foreign_key', 'ALTER TABLE app.orders DROP CONSTRAINT orders_customer_id_fkey'],
      ['swap_primary_key', expect.stringContaining('PRIMARY KEY USING INDEX customers_pkey__new')],
      [
        'reattach_foreign_key',
        'ALTER TABLE app.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES app.customers (id) NOT VALID',
      ],
      ['validate_foreign_key', 'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_id_fkey'],
    ]);
  });

  it('refused, naming them, when foreign keys on the old columns keep no key in the target', () => {
    const s = db(schema('app', { tables: [customers(old), orders] }));
    const t = db(schema('app', { tables: [customers(next), orders] }));
    expect(h.drop_primary_key.validate(drop, context(s, t)).map((p) => p.message)).toEqual([
      'dropping primary key customers_pkey on app.customers leaves foreign key(s) orders_customer_id_fkey on app.orders of the target without a unique key on (id)',
    ]);
  });

  it('refused on a column nullable in the source and the target, naming it', () => {
    const nullable = col('email', 'text');
    const ctx = context(
      db(schema('app', { tables: [customers(old, {}, nullable)] })),
      db(schema('app', { tables: [customers(next, {}, nullable)] })),
    );
    expect(h.add_primary_key.validate(add, ctx).map((p) => [p.message, p.fix])).toEqual([
      [
        'primary key customers_pkey on app.customers is redefined on column email, which is nullable: making the new index the primary key would SET NOT NULL under ACCESS EXCLUSIVE with a full scan',
        'declare email NOT NULL (nullable: false) in this plan: it is made NOT NULL online in the first release, before the key takes it',
      ],
    ]);
  });

  it('a column the plan makes NOT NULL: the swap waits for its milestone', () => {
    const ctx = context(
      db(schema('app', { tables: [customers(old, {}, col('email', 'text'))] })),
      db(schema('app', { tables: [customers(next)] })),
    );
    expect(h.add_primary_key.validate(add, ctx)).toEqual([]);
    const swap = h.add_primary_key.contract(add, ctx).find((d) => d.action === 'swap_primary_key')!;
    expect(swap.requires).toContain('not_null:app\u001fcustomers\u001femail');
  });

  it('another name for the new primary key is still refused (the old one lives until the next release)', () => {
    const renamed = pk('customers_email_pkey', ['email']);
    const ctx = context(
      db(schema('app', { tables: [customers(old)] })),
      db(schema('app', { tables: [customers(renamed)] })),
    );
    const problems = h.add_primary_key.validate({ ...add, primaryKey: renamed }, ctx);
    expect(problems.map((p) => p.message)).toEqual([
      'app.customers already has primary key customers_pkey, which is dropped only in the next release; a table cannot have two',
    ]);
  });
});
