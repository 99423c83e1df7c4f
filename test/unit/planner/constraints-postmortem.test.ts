// The postmortem's shape (seeds/000): a migration adding 7 unique keys and 5 foreign keys over 3 tables, one of
// them created by the migration itself. There, a foreign key ran before the table it referenced existed, and
// the rollback dropped unique indexes that foreign keys still used (2BP01). Here the drafts' keys must order
// every foreign key after its tables and keys, and every rollback must take foreign keys off a key before the key.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import { key } from '../../../src/planner/keys.js';
import type { StepDraft } from '../../../src/planner/types.js';
import type { ForeignKey } from '../../../src/schema/model/model.js';
import { app, col, fk, idx, notNull, pk, table, uq } from '../diff/fixtures.js';
import { context, draftsOf, phases, problemsOf } from './constraints-support.js';

const customers = table(
  'customers',
  [notNull('id', 'bigint'), col('email', 'text'), col('tax_id', 'text'), col('code', 'text'), col('region', 'text')],
  {
    primaryKey: pk('customers_pkey', ['id']),
  },
);
const orders = table(
  'orders',
  [
    notNull('id', 'bigint'),
    col('customer_email', 'text'),
    col('customer_tax', 'text'),
    col('product_sku', 'text'),
    col('product_code', 'text'),
    col('region', 'text'),
    col('ref', 'text'),
  ],
  {
    primaryKey: pk('orders_pkey', ['id']),
  },
);
const products = table(
  'products',
  [notNull('id', 'bigint'), col('sku', 'text'), col('code', 'text'), col('region', 'text')],
  {
    primaryKey: pk('products_pkey', ['id']),
    unique: [uq('products_code_region_key', ['code', 'region'])],
    indexes: [idx('products_sku_idx', ['sku'], { unique: true })],
  },
);
const fks: Record<string, ForeignKey> = {
  email: fk('orders_customer_email_fk', ['customer_email'], 'customers', ['email']),
  tax: fk('orders_customer_tax_fk', ['customer_tax'], 'customers', ['tax_id']),
  sku: fk('orders_product_sku_fk', ['product_sku'], 'products', ['sku']),
  code: fk('orders_product_code_fk', ['product_code', 'region'], 'products', ['code', 'region']),
  self: fk('customers_region_code_fk', ['region', 'code'], 'customers', ['code', 'region']),
};
const source = app(customers, orders);
const target = app(
  {
    ...customers,
    unique: [uq('customers_code_region_key', ['code', 'region']), uq('customers_email_key', ['email'])],
    indexes: [idx('customers_tax_idx', ['tax_id'], { unique: true })],
    foreignKeys: [fks.self!],
  },
  {
    ...orders,
    unique: [uq('orders_ref_region_key', ['ref', 'region'])],
    indexes: [idx('orders_ref_idx', ['ref'], { unique: true })],
    foreignKeys: [fks.code!, fks.email!, fks.sku!, fks.tax!],
  },
  products,
);
const changes = diff(source, target);
const ctx = context(source, target, { newTables: new Set(['app.products']) });
const runs = phases(draftsOf(changes, ctx), (k) => !k.includes('products'));
const steps = (phase: string) => runs.find((r) => r.release === 0 && r.phase === phase)!.steps;
const position = (list: StepDraft[], pred: (s: StepDraft) => boolean) => list.findIndex(pred);
const fkStep = (list: StepDraft[], f: ForeignKey) =>
  position(list, (s) => s.creates.includes(key.constraint('app', f === fks.self ? 'customers' : 'orders', f.name)));
const creating = (list: StepDraft[], k: string) => position(list, (s) => s.creates.includes(k));

describe('the postmortem migration', () => {
  it('has the shape: 7 unique keys, 5 foreign keys, 3 tables (one new), and nothing refused', () => {
    expect(changes.map((c) => c.kind).sort()).toEqual([
      ...Array(5).fill('add_foreign_key'),
      ...Array(3).fill('add_index'),
      'add_table',
      ...Array(3).fill('add_unique'),
    ]);
    expect(problemsOf(changes, ctx)).toEqual([]);
    expect(runs.map((r) => `${r.release + 1} ${r.phase}`)).toEqual(['1 expand', '1 contract']);
  });

  it.each([
    ['email', 'customers_email_key'],
    ['tax', 'customers_tax_idx'],
    ['sku', 'products_sku_idx'],
    ['code', 'products_code_region_key'],
    ['self', 'customers_code_region_key'],
  ])('expand: foreign key %s comes after the tables and its key %s', (name, keyName) => {
    const expand = steps('expand');
    const f = fks[name]!;
    const at = fkStep(expand, f);
    expect(at).toBeGreaterThan(-1);
    expect(expand[at]!.requires).toContain(key.index('app', keyName));
    expect(at).toBeGreaterThan(creating(expand, key.index('app', keyName)));
    if (f.references.table === 'products') expect(at).toBeGreaterThan(creating(expand, key.table('app', 'products')));
  });

  it('expand: the foreign keys into the new table run after CREATE TABLE and its index (the postmortem failure)', () => {
    const expand = steps('expand');
    const table = creating(expand, key.table('app', 'products'));
    for (const f of [fks.sku!, fks.code!]) expect(fkStep(expand, f)).toBeGreaterThan(table);
    // Rolled back in reverse: each foreign key goes before the table and the index it references.
    const reversed = [...expand].reverse();
    expect(fkStep(reversed, fks.sku!)).toBeLessThan(creating(reversed, key.index('app', 'products_sku_idx')));
    expect(fkStep(reversed, fks.code!)).toBeLessThan(creating(reversed, key.table('app', 'products')));
  });

  it('contract: each foreign key is validated after the USING INDEX step of its key, so the key is rolled back after it', () => {
    const contract = steps('contract');
    const validate = (f: ForeignKey) =>
      position(contract, (s) => s.action === 'validate_foreign_key' && s.sql.includes(f.name));
    expect(validate(fks.email!)).toBeGreaterThan(
      creating(contract, key.constraint('app', 'customers', 'customers_email_key')),
    );
    expect(validate(fks.self!)).toBeGreaterThan(
      creating(contract, key.constraint('app', 'customers', 'customers_code_region_key')),
    );
    expect(contract.filter((s) => s.action === 'validate_foreign_key')).toHaveLength(5);
  });

  it.each([
    ['customers_email_key', 'customers', [fks.email!]],
    ['customers_code_region_key', 'customers', [fks.self!]],
    ['orders_ref_region_key', 'orders', []],
  ])(
    'contract: the rollback of USING INDEX %s drops its foreign keys first and re-adds them NOT VALID last',
    (name, tbl, dependents) => {
      const step = steps('contract').find((s) => s.creates.includes(key.constraint('app', tbl, name)))!;
      const dropKey = step.rollback.findIndex((r) => r.endsWith(`DROP CONSTRAINT ${name}`));
      expect(step.rollback.slice(dropKey)).toEqual([
        `ALTER TABLE app.${tbl} DROP CONSTRAINT ${name}`,
        expect.stringMatching(new RegExp(`^CREATE UNIQUE INDEX CONCURRENTLY ${name} ON app\\.${tbl}`)),
        ...dependents.map((f) =>
          expect.stringMatching(
            new RegExp(`^ALTER TABLE app\\.\\w+ ADD CONSTRAINT ${f.name} FOREIGN KEY .* NOT VALID$`),
          ),
        ),
      ]);
      expect(step.rollback.slice(0, dropKey)).toEqual(
        dependents.map((f) => expect.stringMatching(new RegExp(`DROP CONSTRAINT ${f.name}$`))),
      );
    },
  );

  it('rolling back every phase in reverse never removes a key while a foreign key still needs it', () => {
    for (const run of [...runs].reverse()) {
      const alive = new Set(run.steps.flatMap((s) => s.creates));
      for (const s of [...run.steps].reverse()) {
        for (const k of s.creates) alive.delete(k);
        const stillNeeding = run.steps.filter(
          (o) => o !== s && o.creates.some((c) => alive.has(c)) && o.requires.some((r) => s.creates.includes(r)),
        );
        expect(
          stillNeeding.map((o) => o.action),
          `rolling back ${s.action}`,
        ).toEqual([]);
      }
    }
  });
});
