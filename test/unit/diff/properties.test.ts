// Properties of the differ over whole models: idempotence, determinism, purity, grouping, the kind list.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Change, ChangeKind } from '../../../src/diff/index.js';
import { CHANGE_FAMILY, CHANGE_KINDS, FAMILIES, diff } from '../../../src/diff/index.js';
import type { DatabaseSchema, Schema, Table } from '../../../src/schema/model/model.js';
import { structureOnly } from '../../../src/schema/model/normalize.js';
import { col, db, enumType, fn, idx, notNull, schema, shop, table, trigger } from './fixtures.js';

/** A deterministic PRNG (mulberry32), so that a failing shuffle can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Every list of named objects in a new order; columns too when `columns` (their order is data in a target). */
function shuffle(d: DatabaseSchema, seed: number, columns: boolean): DatabaseSchema {
  const rnd = random(seed);
  const tbl = (t: Table): Table => ({
    ...t,
    columns: columns ? shuffled(t.columns, rnd) : t.columns,
    unique: shuffled(t.unique, rnd),
    indexes: shuffled(t.indexes, rnd),
    foreignKeys: shuffled(t.foreignKeys, rnd),
    checks: shuffled(t.checks, rnd),
    triggers: shuffled(t.triggers, rnd),
  });
  const sch = (s: Schema): Schema => ({
    ...s,
    enums: shuffled(s.enums, rnd),
    sequences: shuffled(s.sequences, rnd),
    functions: shuffled(s.functions, rnd),
    tables: shuffled(s.tables, rnd).map(tbl),
  });
  return { ...d, schemas: shuffled(d.schemas, rnd).map(sch) };
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** shop() after a release: touches most change kinds at once. */
function shopNext(): DatabaseSchema {
  const [app, log] = shop().schemas as [Schema, Schema];
  const [users, orders] = app.tables as [Table, Table];
  const customers: Table = {
    ...users,
    name: 'customers',
    renamedFrom: 'users',
    columns: [
      ...users.columns.map((c) => (c.name === 'name' ? { ...c, name: 'full_name', renamedFrom: 'name' } : c)),
      col('phone', 'text'),
    ],
    indexes: [idx('customers_phone_idx', ['phone'])],
  };
  const nextOrders: Table = {
    ...orders,
    columns: orders.columns.map((c) =>
      c.name === 'total'
        ? { ...c, type: 'numeric(14,2)' }
        : c.name === 'code'
          ? { ...c, nullable: false, backfill: "''" }
          : c,
    ),
    foreignKeys: orders.foreignKeys.map((f) => ({ ...f, references: { ...f.references, table: 'customers' } })),
    checks: [],
    indexes: orders.indexes.map((i) => ({ ...i, where: "(status = 'new'::app.status)" })),
    triggers: [
      ...orders.triggers.map((t) => ({ ...t, enabled: 'always' as const })),
      trigger('orders_audit', { timing: 'after' }),
    ],
    comment: 'orders',
  };
  return db(
    {
      ...app,
      enums: [enumType('status', ['new', 'paid', 'shipped', 'done'], { comment: 'order state' })],
      sequences: app.sequences.map((s) => ({ ...s, cache: '20' })),
      functions: [fn('touch', '', 'BEGIN NEW.at = now(); RETURN NEW; END'), fn('audit')],
      tables: [customers, nextOrders, table('refunds', [notNull('id', 'bigint')])],
    },
    { ...log, tables: [] },
    schema('reporting', { tables: [table('daily', [col('day', 'date')])] }),
  );
}

describe('diff properties', () => {
  it('finds nothing between a model and itself', () => {
    expect(diff(shop(), shop())).toEqual([]);
    expect(diff(shopNext(), shopNext())).toEqual([]);
  });

  it('finds nothing when the target only adds hints for work already done', () => {
    const hinted = shopNext();
    expect(diff(shop(), hinted)).not.toEqual([]);
    // The live database after the plan ran has the target's structure; the YAML still carries the hints.
    expect(diff(structureOnly(hinted), hinted)).toEqual([]);
  });

  it('gives the same list whatever order the inputs list their objects in', () => {
    const expected = diff(shop(), shopNext());
    for (const seed of [1, 2, 3, 42, 1234]) {
      expect(diff(shuffle(shop(), seed, true), shuffle(shopNext(), seed + 1, false))).toStrictEqual(expected);
    }
  });

  it('neither mutates its inputs nor depends on them being mutable', () => {
    const from = deepFreeze(shop());
    const to = deepFreeze(shopNext());
    expect(() => diff(from, to)).not.toThrow();
    expect(from).toStrictEqual(shop());
  });

  it('groups changes by family in a fixed order', () => {
    for (const changes of [diff(shop(), shopNext()), diff(db(), shop()), diff(shop(), db())]) {
      const ranks = changes.map((c) => FAMILIES.indexOf(CHANGE_FAMILY[c.kind]));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    }
  });

  it('leaves optional fields absent, never undefined, and carries no rename hints', () => {
    const changes = [...diff(shop(), shopNext()), ...diff(db(), shopNext()), ...diff(shop(), db())];
    expect(JSON.parse(JSON.stringify(changes))).toStrictEqual(changes);
    expect(JSON.stringify(changes)).not.toContain('renamedFrom');
  });

  it('creates everything from nothing, and drops everything to nothing', () => {
    const kinds = (cs: Change[]): string[] => [...new Set(cs.map((c) => c.kind))].sort();
    expect(kinds(diff(db(), shop()))).toEqual([
      'add_foreign_key',
      'add_index',
      'add_table',
      'create_enum',
      'create_function',
      'create_schema',
      'create_sequence',
      'create_trigger',
    ]);
    expect(kinds(diff(shop(), db()))).toEqual([
      'drop_enum',
      'drop_foreign_key',
      'drop_function',
      'drop_index',
      'drop_schema',
      'drop_sequence',
      'drop_table',
      'drop_trigger',
    ]);
  });

  it('lists each change kind once, each with a family', () => {
    expectTypeOf<ChangeKind>().toEqualTypeOf<Change['kind']>();
    expect(new Set(CHANGE_KINDS).size).toBe(CHANGE_KINDS.length);
    expect(Object.keys(CHANGE_FAMILY).sort()).toEqual([...CHANGE_KINDS].sort());
  });
});
