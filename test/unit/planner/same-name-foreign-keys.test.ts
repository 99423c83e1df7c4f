// A unique key redefined under the same name while a foreign key uses it (issue #14, point 5; the postmortem
// in shared/seeds: a rollback that could not drop a unique index foreign keys depended on). Dropping the new
// definition again goes around the foreign keys, which may have picked it; the old one's drop a release later
// puts them back on the new one under its temporary name, before it takes the name.
import { describe, expect, it } from 'vitest';
import type { AddIndex, AddUnique, DropUnique } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { db, col, fk, idx, notNull, schema, table, uq } from '../diff/fixtures.js';
import { constraintHandlers as h } from '../../support/families.js';
import { context } from './constraints-support.js';

const orders = table('orders', [notNull('id'), col('customer_email', 'text')], {
  foreignKeys: [fk('orders_customer_email_fkey', ['customer_email'], 'customers', ['email'])],
});
const customers = (extra: Parameters<typeof table>[2]) =>
  table('customers', [notNull('id'), notNull('email', 'text'), col('name', 'text')], extra);
const app = (...tables: Parameters<typeof table>[2][]) => db(schema('app', { tables: [customers(tables[0]), orders] }));

describe('a unique constraint a foreign key uses, redefined under the same name', () => {
  const old = uq('customers_email_key', ['email']);
  const next = uq('customers_email_key', ['email'], { nullsNotDistinct: true });
  const ctx = context(app({ unique: [old] }), app({ unique: [next] }));
  const add: AddUnique = { kind: 'add_unique', schema: 'app', table: 'customers', unique: next };
  const drop: DropUnique = { kind: 'drop_unique', schema: 'app', table: 'customers', unique: old };

  it('the build is rolled back around the foreign key', () => {
    const [build] = h.add_unique.expand(add, ctx);
    expect(build!.rollback).toEqual([
      'ALTER TABLE app.orders DROP CONSTRAINT orders_customer_email_fkey',
      'DROP INDEX CONCURRENTLY app.customers_email_key__new',
      'ALTER TABLE app.orders ADD CONSTRAINT orders_customer_email_fkey FOREIGN KEY (customer_email) REFERENCES app.customers (email) NOT VALID',
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_email_fkey',
    ]);
  });

  it('the next release: foreign key off, old key dropped, foreign key back on, then the rename, in that order', () => {
    const steps = orderSteps(
      [...h.drop_unique.contract(drop, ctx), ...h.add_unique.contract(add, ctx)].filter((s) => s.releaseOffset === 1),
    );
    expect(steps.map((s) => [s.action, s.sql])).toEqual([
      ['detach_foreign_key', 'ALTER TABLE app.orders DROP CONSTRAINT orders_customer_email_fkey'],
      ['drop_constraint', 'ALTER TABLE app.customers DROP CONSTRAINT customers_email_key'],
      [
        'reattach_foreign_key',
        'ALTER TABLE app.orders ADD CONSTRAINT orders_customer_email_fkey FOREIGN KEY (customer_email) REFERENCES app.customers (email) NOT VALID',
      ],
      ['validate_foreign_key', 'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_email_fkey'],
      [
        'rename_constraint',
        'ALTER TABLE app.customers RENAME CONSTRAINT customers_email_key__new TO customers_email_key',
      ],
    ]);
    const rename = steps[4]!;
    expect(rename.requires).toContain(milestone.gone(key.index('app', 'customers_email_key')));
    expect(rename.drops).toEqual([
      key.constraint('app', 'customers', 'customers_email_key__new'),
      key.index('app', 'customers_email_key__new'),
    ]);
    // The foreign key does not wait for the name the new key takes only after the drop (a cycle before).
    expect(steps[2]!.requires).not.toContain(key.constraint('app', 'customers', 'customers_email_key'));
  });
});

describe('a unique index a foreign key uses, redefined under the same name', () => {
  const old = idx('customers_email_idx', ['email'], { unique: true });
  const next = idx('customers_email_idx', ['email'], { unique: true, include: ['name'] });
  const ctx = context(app({ indexes: [old] }), app({ indexes: [next] }));
  const add: AddIndex = { kind: 'add_index', schema: 'app', table: 'customers', index: next };

  it('the build is rolled back around the foreign key; the rename leaves the temporary name', () => {
    const [build, rename] = h.add_index.expand(add, ctx);
    expect([build!.sql, ...build!.rollback]).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY customers_email_idx__new ON app.customers USING btree (email) INCLUDE (name)',
      'ALTER TABLE app.orders DROP CONSTRAINT orders_customer_email_fkey',
      'DROP INDEX CONCURRENTLY app.customers_email_idx__new',
      'ALTER TABLE app.orders ADD CONSTRAINT orders_customer_email_fkey FOREIGN KEY (customer_email) REFERENCES app.customers (email) NOT VALID',
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_email_fkey',
    ]);
    expect([rename!.action, ...rename!.rollback]).toEqual([
      'swap_index_names',
      'ALTER INDEX app.customers_email_idx RENAME TO customers_email_idx__new',
      'ALTER INDEX app.customers_email_idx__old RENAME TO customers_email_idx',
    ]);
    expect(rename!.drops).toEqual([key.index('app', 'customers_email_idx__new')]);
  });

  it('a plain (not unique) index is rolled back by its drop alone', () => {
    const plain = idx('customers_email_idx', ['email'], { include: ['name'] });
    const c = context(app({ indexes: [idx('customers_email_idx', ['email'])] }), app({ indexes: [plain] }));
    const [build] = h.add_index.expand({ ...add, index: plain }, c);
    expect(build!.rollback).toEqual(['DROP INDEX CONCURRENTLY app.customers_email_idx__new']);
  });
});
