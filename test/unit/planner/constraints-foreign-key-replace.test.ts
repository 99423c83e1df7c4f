// add_foreign_key of a foreign key redefined under the same name (issue #14, point 5: refused before): added
// NOT VALID as <name>__new, validated, then given the name once drop_foreign_key has dropped the old one in
// the next release. Rolling back the rename gives the new one its temporary name again; the drop's rollback
// re-adds the old definition under the name, NOT VALID then validated.
import { describe, expect, it } from 'vitest';
import type { AddForeignKey, DropForeignKey } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { col, db, fk, notNull, pk, schema, table } from '../diff/fixtures.js';
import { constraintHandlers as h } from '../../support/families.js';
import { context } from './constraints-support.js';

const customers = table('customers', [notNull('id'), notNull('email', 'text')], {
  primaryKey: pk('customers_pkey', ['id']),
});
const accounts = table('accounts', [notNull('id')], { primaryKey: pk('accounts_pkey', ['id']) });
const orders = (fks: ReturnType<typeof fk>[]) =>
  table('orders', [notNull('id'), col('customer_id', 'bigint'), col('account_id', 'bigint')], { foreignKeys: fks });
const app = (fks: ReturnType<typeof fk>[]) => db(schema('app', { tables: [customers, accounts, orders(fks)] }));

const old = fk('orders_owner_fkey', ['customer_id'], 'customers', ['id']);
const next = fk('orders_owner_fkey', ['account_id'], 'accounts', ['id'], { onDelete: 'cascade' });
const add: AddForeignKey = { kind: 'add_foreign_key', schema: 'app', table: 'orders', foreignKey: next };
const drop: DropForeignKey = { kind: 'drop_foreign_key', schema: 'app', table: 'orders', foreignKey: old };
const ctx = context(app([old]), app([next]));
const steps = (c: AddForeignKey | DropForeignKey) => {
  const hd = c.kind === 'add_foreign_key' ? h.add_foreign_key : h.drop_foreign_key;
  return [...hd.expand(c as never, ctx), ...hd.contract(c as never, ctx)];
};

describe('a foreign key redefined under the same name', () => {
  it('added NOT VALID as <name>__new, validated, then renamed after the old one is dropped', () => {
    expect(h.add_foreign_key.validate(add, ctx)).toEqual([]);
    const all = [...steps(add), ...steps(drop)];
    expect(all.map((d) => [d.releaseOffset, d.phase, d.action, d.lock, d.sql, d.rollback])).toEqual([
      [
        0,
        'expand',
        'add_foreign_key_not_valid',
        'SHARE ROW EXCLUSIVE',
        'ALTER TABLE app.orders ADD CONSTRAINT orders_owner_fkey__new FOREIGN KEY (account_id) REFERENCES app.accounts (id) ON DELETE CASCADE NOT VALID',
        ['ALTER TABLE app.orders DROP CONSTRAINT orders_owner_fkey__new'],
      ],
      [
        0,
        'contract',
        'validate_foreign_key',
        'SHARE UPDATE EXCLUSIVE',
        'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_owner_fkey__new',
        [
          'ALTER TABLE app.orders DROP CONSTRAINT orders_owner_fkey__new',
          'ALTER TABLE app.orders ADD CONSTRAINT orders_owner_fkey__new FOREIGN KEY (account_id) REFERENCES app.accounts (id) ON DELETE CASCADE NOT VALID',
        ],
      ],
      [
        1,
        'contract',
        'rename_foreign_key',
        'ACCESS EXCLUSIVE',
        'ALTER TABLE app.orders RENAME CONSTRAINT orders_owner_fkey__new TO orders_owner_fkey',
        ['ALTER TABLE app.orders RENAME CONSTRAINT orders_owner_fkey TO orders_owner_fkey__new'],
      ],
      [
        1,
        'contract',
        'drop_foreign_key',
        'ACCESS EXCLUSIVE',
        'ALTER TABLE app.orders DROP CONSTRAINT orders_owner_fkey',
        [
          'ALTER TABLE app.orders ADD CONSTRAINT orders_owner_fkey FOREIGN KEY (customer_id) REFERENCES app.customers (id) NOT VALID',
          'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_owner_fkey',
        ],
      ],
    ]);
    // The rename waits for the drop of the old definition, and leaves the temporary name.
    const gone = milestone.gone(key.constraint('app', 'orders', 'orders_owner_fkey'));
    expect(steps(add)[2]!.requires).toContain(gone);
    expect(steps(add)[2]!.drops).toEqual([key.constraint('app', 'orders', 'orders_owner_fkey__new')]);
    expect(steps(add)[2]!.creates).toEqual([key.constraint('app', 'orders', 'orders_owner_fkey')]);
    expect(steps(drop)[0]!.creates).toContain(gone);
  });

  it('declared NOT VALID: added as <name>__new and renamed, never validated', () => {
    const nv = { ...next, notValid: true as const };
    const c = context(app([old]), app([nv]));
    const a: AddForeignKey = { ...add, foreignKey: nv };
    const drafts = [...h.add_foreign_key.expand(a, c), ...h.add_foreign_key.contract(a, c)];
    expect(drafts.map((d) => d.action)).toEqual(['add_foreign_key_not_valid', 'rename_foreign_key']);
  });

  it('refused when the temporary name is taken', () => {
    const taken = fk('orders_owner_fkey__new', ['customer_id'], 'customers', ['id']);
    const problems = h.add_foreign_key.validate(add, context(app([old, taken]), app([next, taken])));
    expect(problems.map((p) => p.message)).toEqual([
      'foreign key orders_owner_fkey on app.orders referencing app.accounts is added under the temporary name orders_owner_fkey__new, which is taken',
    ]);
  });

  it('still refused when the name belongs to a constraint of another kind', () => {
    const withCheck = db(
      schema('app', {
        tables: [
          customers,
          accounts,
          { ...orders([]), checks: [{ kind: 'check', name: 'orders_owner_fkey', expression: '(id > 0)' }] },
        ],
      }),
    );
    const problems = h.add_foreign_key.validate(add, context(withCheck, app([next])));
    expect(problems.map((p) => p.message)).toEqual([
      'foreign key orders_owner_fkey on app.orders referencing app.accounts cannot be created while constraint orders_owner_fkey on app.orders exists: the old definition is dropped only in the next release, so the new one needs its own name',
    ]);
  });
});
