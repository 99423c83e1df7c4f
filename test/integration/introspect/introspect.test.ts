// The model introspection produces, object by object, exactly.
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import type { DatabaseSchema, Schema, Table } from '../../../src/schema/model/model.js';
import { normalizeDatabase } from '../../../src/schema/model/normalize.js';
import { freshDatabase, serverMajor } from '../../support/db.js';
import { fixtureNames, fixtureSql } from './fixtures.js';

const SHOP = `
CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'The shop';
CREATE TYPE shop.status AS ENUM ('new', 'paid');
COMMENT ON TYPE shop.status IS 'Order states';
CREATE TABLE shop.customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  CONSTRAINT customers_email_key UNIQUE (email)
);
CREATE TABLE shop.orders (
  id serial PRIMARY KEY,
  customer_id bigint NOT NULL,
  status shop.status NOT NULL DEFAULT 'new',
  total numeric(12,2) CONSTRAINT orders_total_check CHECK (total >= 0),
  deleted_at timestamptz,
  CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES shop.customers (id) ON DELETE CASCADE
);
COMMENT ON TABLE shop.orders IS 'One per checkout';
COMMENT ON COLUMN shop.orders.total IS 'Gross';
CREATE INDEX orders_live_idx ON shop.orders (customer_id, id DESC) WHERE deleted_at IS NULL;
CREATE FUNCTION shop.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_stamp BEFORE INSERT OR UPDATE ON shop.orders FOR EACH ROW
  WHEN (NEW.total IS NOT NULL) EXECUTE FUNCTION shop.stamp();
`;

const EXPECTED_SHOP: Schema = {
  kind: 'schema',
  name: 'shop',
  comment: 'The shop',
  enums: [{ kind: 'enum', name: 'status', values: ['new', 'paid'], comment: 'Order states' }],
  sequences: [
    {
      kind: 'sequence',
      name: 'orders_id_seq',
      type: 'integer',
      start: '1',
      increment: '1',
      min: '1',
      max: '2147483647',
      cache: '1',
      cycle: false,
      ownedBy: { table: 'orders', column: 'id' },
    },
  ],
  tables: [
    {
      kind: 'table',
      name: 'customers',
      columns: [
        { kind: 'column', name: 'id', type: 'bigint', nullable: false, identity: 'always' },
        { kind: 'column', name: 'email', type: 'text', nullable: false },
      ],
      primaryKey: { kind: 'primary_key', name: 'customers_pkey', columns: ['id'] },
      unique: [{ kind: 'unique', name: 'customers_email_key', columns: ['email'] }],
      indexes: [],
      foreignKeys: [],
      checks: [],
      triggers: [],
    },
    {
      kind: 'table',
      name: 'orders',
      comment: 'One per checkout',
      columns: [
        {
          kind: 'column',
          name: 'id',
          type: 'integer',
          nullable: false,
          default: "nextval('shop.orders_id_seq'::regclass)",
        },
        { kind: 'column', name: 'customer_id', type: 'bigint', nullable: false },
        { kind: 'column', name: 'status', type: 'shop.status', nullable: false, default: "'new'::shop.status" },
        { kind: 'column', name: 'total', type: 'numeric(12,2)', nullable: true, comment: 'Gross' },
        { kind: 'column', name: 'deleted_at', type: 'timestamp with time zone', nullable: true },
      ],
      primaryKey: { kind: 'primary_key', name: 'orders_pkey', columns: ['id'] },
      unique: [],
      indexes: [
        {
          kind: 'index',
          name: 'orders_live_idx',
          unique: false,
          method: 'btree',
          keys: [{ column: 'customer_id' }, { column: 'id', order: 'desc' }],
          where: '(deleted_at IS NULL)',
        },
      ],
      foreignKeys: [
        {
          kind: 'foreign_key',
          name: 'orders_customer_fkey',
          columns: ['customer_id'],
          references: { schema: 'shop', table: 'customers', columns: ['id'] },
          onDelete: 'cascade',
          onUpdate: 'no action',
          match: 'simple',
          deferrable: false,
          initiallyDeferred: false,
        },
      ],
      checks: [{ kind: 'check', name: 'orders_total_check', expression: '(total >= (0)::numeric)' }],
      triggers: [
        {
          kind: 'trigger',
          name: 'orders_stamp',
          timing: 'before',
          events: ['insert', 'update'],
          forEach: 'row',
          function: { schema: 'shop', name: 'stamp' },
          when: '(new.total IS NOT NULL)',
          enabled: 'origin',
        },
      ],
    },
  ],
  functions: [
    {
      kind: 'function',
      name: 'stamp',
      args: '',
      definition:
        'CREATE OR REPLACE FUNCTION shop.stamp()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN RETURN NEW; END $function$\n',
    },
  ],
};

function table(model: DatabaseSchema, schema: string, name: string): Table {
  const t = model.schemas.find((s) => s.name === schema)?.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${schema}.${name}`);
  return t;
}

/** Every value of the model, to check that optional fields are absent rather than undefined or null. */
function leaves(value: unknown, path = '$'): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
}

describe('introspect', () => {
  it('reads a small schema exactly', async () => {
    const db = await freshDatabase();
    await db.client.query(SHOP);
    const model = await introspect(db.client, { includeSchemas: ['shop'] });
    expect(model).toStrictEqual({ schemas: [EXPECTED_SHOP] });
  });

  it.each(fixtureNames())('reads fixture %s into a normalized model with no undefined or null values', async (name) => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql(name));
    const model = await introspect(db.client);
    expect(model).toStrictEqual(normalizeDatabase(model));
    expect(leaves(model).filter(([, v]) => v === undefined || v === null)).toEqual([]);
    expect(model.schemas.map((s) => s.name)).toContain('public');
  });

  it('maps identity, generated and serial columns', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('02_identity_generated.sql'));
    const model = await introspect(db.client);
    expect(table(model, 'public', 'accounts')).toStrictEqual({
      kind: 'table',
      name: 'accounts',
      columns: [
        { kind: 'column', name: 'id', type: 'bigint', nullable: false, identity: 'always' },
        { kind: 'column', name: 'legacy_id', type: 'integer', nullable: false, identity: 'by default' },
        { kind: 'column', name: 'email', type: 'text', nullable: false },
        { kind: 'column', name: 'email_lower', type: 'text', nullable: true, generated: 'lower(email)' },
        { kind: 'column', name: 'balance_cents', type: 'bigint', nullable: false, default: '0' },
        {
          kind: 'column',
          name: 'balance',
          type: 'numeric(14,2)',
          nullable: true,
          generated: '((balance_cents)::numeric / (100)::numeric)',
        },
      ],
      primaryKey: { kind: 'primary_key', name: 'accounts_pkey', columns: ['id'] },
      unique: [],
      indexes: [],
      foreignKeys: [],
      checks: [],
      triggers: [],
    });
    // Identity sequences belong to their column; serial sequences are listed and owned.
    const seqs = model.schemas.find((s) => s.name === 'public')!.sequences;
    expect(seqs.map((s) => [s.name, s.type, s.ownedBy?.column])).toEqual([
      ['tickets_big_seq', 'bigint', 'big'],
      ['tickets_id_seq', 'integer', 'id'],
      ['tickets_small_seq', 'smallint', 'small'],
    ]);
  });

  it('maps index keys: order, nulls, expressions, opclass, collation, include, predicate', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('07_indexes_btree.sql') + fixtureSql('08_indexes_methods.sql'));
    const model = await introspect(db.client);
    const idx = (t: string, n: string) => table(model, 'public', t).indexes.find((i) => i.name === n);
    expect(idx('events', 'events_created_desc_idx')?.keys).toStrictEqual([
      { column: 'created_at', order: 'desc', nulls: 'last' },
    ]);
    expect(idx('events', 'events_score_desc_idx')?.keys).toStrictEqual([{ column: 'score', order: 'desc' }]);
    expect(idx('events', 'events_score_nulls_first_idx')?.keys).toStrictEqual([{ column: 'score', nulls: 'first' }]);
    expect(idx('events', 'events_kind_len_idx')?.keys).toStrictEqual([
      { expression: '(length(kind) + 1)' },
      { column: 'kind' },
    ]);
    expect(idx('events', 'events_account_include_idx')).toStrictEqual({
      kind: 'index',
      name: 'events_account_include_idx',
      unique: false,
      method: 'btree',
      keys: [{ column: 'account_id' }],
      include: ['kind', 'score'],
    });
    expect(idx('events', 'events_payload_type_idx')).toStrictEqual({
      kind: 'index',
      name: 'events_payload_type_idx',
      unique: false,
      method: 'btree',
      keys: [{ expression: "(payload ->> 'type'::text)" }],
      where: "(payload ? 'type'::text)",
    });
    expect(idx('events', 'events_score_nnd_uidx')).toMatchObject({ unique: true, nullsNotDistinct: true });
    expect(idx('documents', 'documents_body_gin')?.keys).toStrictEqual([{ column: 'body' }]);
    expect(idx('documents', 'documents_body_path_gin')?.keys).toStrictEqual([
      { column: 'body', opclass: 'jsonb_path_ops' },
    ]);
    expect(idx('documents', 'documents_code_pattern')?.keys).toStrictEqual([
      { column: 'code', order: 'desc', opclass: 'varchar_pattern_ops' },
    ]);
    expect(idx('documents', 'documents_slug_c')?.keys).toStrictEqual([{ column: 'slug', collation: '"C"' }]);
    // The column is COLLATE "C" already: the key inherits it and does not repeat it.
    expect(idx('documents', 'documents_title_default_coll')?.keys).toStrictEqual([{ column: 'title' }]);
    expect(idx('documents', 'documents_title_posix')?.keys).toStrictEqual([{ column: 'title', collation: '"POSIX"' }]);
    expect(idx('documents', 'documents_lower_slug_c')?.keys).toStrictEqual([
      { expression: 'lower(slug)', opclass: 'text_pattern_ops', collation: '"C"' },
    ]);
    expect(['brin', 'gin', 'gist', 'hash']).toEqual(
      [...new Set(table(model, 'public', 'documents').indexes.map((i) => i.method))]
        .filter((m) => m !== 'btree')
        .sort(),
    );
  });

  it('maps foreign keys with match, deferral and NOT VALID, and checks with NOT VALID and NO INHERIT', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('09_fk_actions.sql'));
    const model = await introspect(db.client);
    expect(
      table(model, 'public', 'children').foreignKeys.find((f) => f.name === 'children_pair_full_fkey'),
    ).toStrictEqual({
      kind: 'foreign_key',
      name: 'children_pair_full_fkey',
      columns: ['pa', 'pb'],
      references: { schema: 'public', table: 'parents', columns: ['a', 'b'] },
      onDelete: 'cascade',
      onUpdate: 'no action',
      match: 'full',
      deferrable: false,
      initiallyDeferred: false,
    });
    const db2 = await freshDatabase();
    await db2.client.query(fixtureSql('10_deferrable_not_valid.sql'));
    const m2 = await introspect(db2.client);
    expect(table(m2, 'public', 'orders').foreignKeys).toStrictEqual([
      {
        kind: 'foreign_key',
        name: 'orders_customer_fkey',
        columns: ['customer_id'],
        references: { schema: 'public', table: 'customers', columns: ['id'] },
        onDelete: 'no action',
        onUpdate: 'no action',
        match: 'simple',
        deferrable: true,
        initiallyDeferred: false,
        notValid: true,
      },
    ]);
    expect(table(m2, 'public', 'order_lines').checks).toStrictEqual([
      {
        kind: 'check',
        name: 'order_lines_line_check',
        expression: '((line >= 1) AND (line <= 1000))',
        notValid: true,
        noInherit: true,
      },
      { kind: 'check', name: 'order_lines_quantity_check', expression: '(quantity > 0)', noInherit: true },
    ]);
  });

  it('reads names that need quoting, and trigger conditions containing WHEN (', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('13_quoted_names.sql'));
    const model = await introspect(db.client);
    const t = table(model, 'Tenant One', 'User Accounts');
    expect(t.triggers).toStrictEqual([
      {
        kind: 'trigger',
        name: 'Touch "it" WHEN (',
        timing: 'before',
        events: ['insert', 'update'],
        forEach: 'row',
        function: { schema: 'Tenant One', name: "Touch; it's" },
        when: `(new."it's" IS DISTINCT FROM 'WHEN (x)'::text)`,
        enabled: 'origin',
      },
    ]);
    expect(t.columns.find((c) => c.name === 'Status')).toStrictEqual({
      kind: 'column',
      name: 'Status',
      type: '"Tenant One"."Status ""quoted"""',
      nullable: true,
      default: `'on;'::"Tenant One"."Status ""quoted"""`,
    });
    expect(t.columns.find((c) => c.name === '日本')?.collation).toBe('"C"');
    expect(table(model, 'ñandú', 'Año').comment).toBe(`Ñ ü 日本; it's "quoted"`);
  });

  it('lists empty schemas with their comment, tables without columns, and skips dropped columns', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('15_empty.sql'));
    const model = await introspect(db.client);
    expect(model.schemas.find((s) => s.name === 'nothing_here')).toStrictEqual({
      kind: 'schema',
      name: 'nothing_here',
      comment: 'Intentionally empty',
      enums: [],
      sequences: [],
      tables: [],
      functions: [],
    });
    expect(table(model, 'public', 'no_columns').columns).toEqual([]);
    expect(table(model, 'bare', 'shrunk').columns.map((c) => c.name)).toEqual(['a', 'c', 'd']);
  });

  it('prints check expressions exactly as pg_get_constraintdef does inside CHECK (...)', async () => {
    const db = await freshDatabase();
    for (const f of ['10_deferrable_not_valid.sql', '13_quoted_names.sql', '16_checks.sql'])
      await db.client.query(fixtureSql(f));
    const model = await introspect(db.client);
    const { rows } = await db.client
      .query<{ schema: string; table: string; name: string; def: string }>(
        `SET search_path = ''; SELECT n.nspname AS schema, c.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid, false) AS def
       FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'c'`,
      )
      .then(
        (r) =>
          (r as unknown as Array<{ rows: Array<{ schema: string; table: string; name: string; def: string }> }>)[1]!,
      );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      const check = table(model, r.schema, r.table).checks.find((c) => c.name === r.name);
      const suffixes = [check?.noInherit ? ' NO INHERIT' : '', check?.notValid ? ' NOT VALID' : ''].join('');
      // The model trims the whitespace PostgreSQL prints around a CASE; the text is otherwise identical.
      const squeeze = (t: string) => t.replace(/\(\s+/g, '(').replace(/\s+\)/g, ')');
      expect(squeeze(`CHECK (${check?.expression})${suffixes}`)).toBe(squeeze(r.def));
    }
  });

  it('on PostgreSQL 18, reads a virtual generated column as a plain column and ignores NOT NULL constraint rows', async () => {
    if (serverMajor() < 18) return; // virtual generated columns and contype 'n' are new in 18
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE v (a integer NOT NULL, b integer GENERATED ALWAYS AS (a * 2) VIRTUAL)');
    const model = await introspect(db.client);
    expect(table(model, 'public', 'v').columns).toStrictEqual([
      { kind: 'column', name: 'a', type: 'integer', nullable: false },
      { kind: 'column', name: 'b', type: 'integer', nullable: true },
    ]);
    expect(table(model, 'public', 'v').checks).toEqual([]);
  });

  it('marks an index left invalid by a failed concurrent build', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE t (a integer); INSERT INTO t VALUES (1), (1)');
    await expect(db.client.query('CREATE UNIQUE INDEX CONCURRENTLY t_a_key ON t (a)')).rejects.toThrow(
      /could not create unique index/,
    );
    const model = await introspect(db.client);
    expect(table(model, 'public', 't').indexes).toStrictEqual([
      { kind: 'index', name: 't_a_key', unique: true, method: 'btree', keys: [{ column: 'a' }], invalid: true },
    ]);
  });
});
