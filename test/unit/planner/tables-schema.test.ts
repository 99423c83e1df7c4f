// Exact SQL of the schema and table handlers: create/drop schema, add/drop/rename table.
import { describe, expect, it } from 'vitest';
import { key } from '../../../src/planner/keys.js';
import {
  H,
  HQ,
  check,
  col,
  db,
  enumType,
  hostile,
  notNull,
  pk,
  planOf,
  schema,
  sequence,
  shape,
  sql,
  table,
  uq,
} from './tables-fixtures.js';

const items = table(
  'Line Items',
  [
    notNull('id', 'bigint', { identity: 'always' }),
    notNull('Grand Total €', 'numeric(12,2)', { default: '0', comment: "it's money" }),
    col('mood', `${HQ}."Mood"`),
    col('ref', 'bigint', { default: `nextval('${HQ.replaceAll("'", "''")}.refs'::regclass)` }),
  ],
  {
    primaryKey: pk('Line Items_pkey', ['id']),
    unique: [uq('items_ref_key', ['ref'])],
    checks: [check('positive', '("Grand Total €" >= (0)::numeric)'), check('later', '(ref > 0)', { notValid: true })],
    comment: 'one per line',
  },
);
const withEnum = (...tables: ReturnType<typeof table>[]) =>
  db(schema(H, { enums: [enumType('Mood', ['ok'])], sequences: [sequence('refs')], tables }));

describe('create_schema / drop_schema', () => {
  it('creates the schema, then its comment; rollbacks drop them, never CASCADE', () => {
    const p = planOf('create_schema', db(), db(schema(H, { comment: 'tenant' })));
    expect(p.steps.map(shape)).toEqual(['0/expand create_schema', '0/expand comment_schema']);
    expect(p.steps.map(sql)).toEqual([
      { sql: `CREATE SCHEMA ${HQ}`, rollback: [`DROP SCHEMA ${HQ}`] },
      { sql: `COMMENT ON SCHEMA ${HQ} IS 'tenant'`, rollback: [`COMMENT ON SCHEMA ${HQ} IS NULL`] },
    ]);
    expect(p.steps[0]?.creates).toEqual([key.schema(H)]);
  });

  it('drops the schema in the next release; the rollback recreates it with its comment', () => {
    const p = planOf('drop_schema', db(schema(H, { comment: "it's old" })), db());
    expect(p.steps.map(shape)).toEqual(['1/contract drop_schema']);
    expect(p.steps.map(sql)).toEqual([
      { sql: `DROP SCHEMA ${HQ}`, rollback: [`CREATE SCHEMA ${HQ}`, `COMMENT ON SCHEMA ${HQ} IS 'it''s old'`] },
    ]);
    expect(p.steps[0]?.drops).toEqual([key.schema(H)]);
  });
});

describe('add_table', () => {
  const p = planOf('add_table', withEnum(), withEnum(items));
  const T = `${HQ}."Line Items"`;

  it('creates the table, then its NOT VALID checks and comments, each undone by its inverse', () => {
    expect(p.steps.map(shape)).toEqual([
      '0/expand create_table',
      '0/expand add_check_not_valid',
      '0/expand comment',
      '0/expand comment',
    ]);
    expect(p.steps.map(sql)).toEqual([
      {
        sql:
          `CREATE TABLE ${T} (\n` +
          '  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n' +
          '  "Grand Total €" numeric(12,2) DEFAULT 0 NOT NULL,\n' +
          `  mood ${HQ}."Mood",\n` +
          `  ref bigint DEFAULT nextval('"Tenant ""1"" ñ".refs'::regclass),\n` +
          '  CONSTRAINT "Line Items_pkey" PRIMARY KEY (id),\n' +
          '  CONSTRAINT items_ref_key UNIQUE (ref),\n' +
          '  CONSTRAINT positive CHECK (("Grand Total €" >= (0)::numeric))\n' +
          ')',
        rollback: [`DROP TABLE ${T}`],
      },
      {
        sql: `ALTER TABLE ${T} ADD CONSTRAINT later CHECK ((ref > 0)) NOT VALID`,
        rollback: [`ALTER TABLE ${T} DROP CONSTRAINT later`],
      },
      { sql: `COMMENT ON TABLE ${T} IS 'one per line'`, rollback: [`COMMENT ON TABLE ${T} IS NULL`] },
      {
        sql: `COMMENT ON COLUMN ${T}."Grand Total €" IS 'it''s money'`,
        rollback: [`COMMENT ON COLUMN ${T}."Grand Total €" IS NULL`],
      },
    ]);
  });

  it('locks nothing (the table is new) and declares what it creates and needs', () => {
    const [create] = p.steps;
    expect(create?.lock).toBe('none');
    expect(create?.hazards).toEqual([]);
    expect(create?.creates).toEqual([
      key.table(H, 'Line Items'),
      ...['id', 'Grand Total €', 'mood', 'ref'].map((c) => key.column(H, 'Line Items', c)),
      key.constraint(H, 'Line Items', 'Line Items_pkey'),
      key.index(H, 'Line Items_pkey'),
      key.constraint(H, 'Line Items', 'items_ref_key'),
      key.index(H, 'items_ref_key'),
      key.constraint(H, 'Line Items', 'positive'),
    ]);
    expect(create?.requires).toEqual([key.schema(H), key.type(H, 'Mood'), key.sequence(H, 'refs')]);
    expect(p.problems).toEqual([]);
  });
});

describe('drop_table', () => {
  const serial = table('Line Items', [
    notNull('n', 'integer', { default: `nextval('${HQ.replaceAll("'", "''")}."Line Items_n_seq"'::regclass)` }),
  ]);
  const owned = (tables: ReturnType<typeof table>[]) =>
    db(
      schema(H, {
        sequences: tables.length
          ? [sequence('Line Items_n_seq', { ownedBy: { table: 'Line Items', column: 'n' } })]
          : [],
        tables,
      }),
    );

  it('drops in the next release; the rollback recreates it empty, exactly as it was', () => {
    const p = planOf('drop_table', withEnum(items), withEnum());
    expect(p.steps.map(shape)).toEqual(['1/contract drop_table [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,DELETES_DATA']);
    const [drop] = p.steps;
    expect(drop?.sql).toBe(`DROP TABLE ${HQ}."Line Items"`);
    expect(drop?.rollback.slice(1)).toEqual([
      `ALTER TABLE ${HQ}."Line Items" ADD CONSTRAINT later CHECK ((ref > 0)) NOT VALID`,
      `COMMENT ON TABLE ${HQ}."Line Items" IS 'one per line'`,
      `COMMENT ON COLUMN ${HQ}."Line Items"."Grand Total €" IS 'it''s money'`,
    ]);
    expect(drop?.rollback[0]).toMatch(/^CREATE TABLE /);
    expect(drop?.description).toContain('restore rows from a backup');
    expect(drop?.drops).toContain(key.index(H, 'items_ref_key'));
    expect(drop?.requires).toEqual([key.schema(H), key.type(H, 'Mood'), key.sequence(H, 'refs')]);
  });

  it('first releases a sequence the table owns, so that drop_sequence still finds it', () => {
    const p = planOf('drop_table', owned([serial]), owned([]));
    expect(p.steps.map(shape)).toEqual([
      '1/contract disown_sequence',
      '1/contract drop_table [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,DELETES_DATA',
    ]);
    expect(sql(p.steps[0]!)).toEqual({
      sql: `ALTER SEQUENCE ${HQ}."Line Items_n_seq" OWNED BY NONE`,
      rollback: [`ALTER SEQUENCE ${HQ}."Line Items_n_seq" OWNED BY ${HQ}."Line Items".n`],
    });
    expect(p.steps[0]?.requires).toContain(key.table(H, 'Line Items'));
  });
});

describe('rename_table', () => {
  const orders = table('Orders', [notNull('id', 'bigint'), col('Note é', 'text')], {
    primaryKey: pk('Orders_pkey', ['id']),
  });
  const renamed = { ...orders, name: 'Purchases', renamedFrom: 'Orders' };

  it('renames in expand and keeps the old name as a view until the next release', () => {
    const p = planOf('rename_table', hostile(orders), hostile(renamed));
    expect(p.problems).toEqual([]);
    expect(p.steps.map(shape)).toEqual([
      '0/expand rename_table [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,NOT_REPLICATION_SAFE',
      '0/expand create_compatibility_view [ACCESS SHARE]',
      '1/contract drop_compatibility_view',
    ]);
    const view = [
      'DO $sy$',
      'DECLARE',
      '  g record;',
      'BEGIN',
      `  CREATE VIEW ${HQ}."Orders" WITH (security_invoker = true) AS SELECT id, "Note é" FROM ${HQ}."Purchases";`,
      '  FOR g IN',
      "    SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, a.is_grantable",
      '    FROM pg_class t CROSS JOIN LATERAL aclexplode(t.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee',
      `    WHERE t.oid = '${HQ}."Purchases"'::regclass AND a.grantee <> t.relowner`,
      '  LOOP',
      `    EXECUTE format('GRANT %s ON ${HQ}."Orders" TO %s%s', g.privilege_type, g.grantee,`,
      "      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);",
      '  END LOOP;',
      'END',
      '$sy$',
    ].join('\n');
    expect(p.steps.map(sql)).toEqual([
      {
        sql: `ALTER TABLE ${HQ}."Orders" RENAME TO "Purchases"`,
        rollback: [`ALTER TABLE ${HQ}."Purchases" RENAME TO "Orders"`],
      },
      { sql: view, rollback: [`DROP VIEW ${HQ}."Orders"`] },
      { sql: `DROP VIEW ${HQ}."Orders"`, rollback: [view] },
    ]);
    expect(p.steps[0]?.creates).toEqual([
      key.table(H, 'Purchases'),
      key.column(H, 'Purchases', 'id'),
      key.column(H, 'Purchases', 'Note é'),
      key.constraint(H, 'Purchases', 'Orders_pkey'),
    ]);
    // Dropping one of its columns must wait for the view.
    expect(p.steps[2]?.requires).toContain(key.column(H, 'Purchases', 'Note é'));
  });

  it.each([
    [
      'a new sequence takes the old name',
      db(schema(H, { sequences: [sequence('Orders')], tables: [renamed] })),
      /takes the old name/,
    ],
    [
      'a column changes type in place',
      hostile({ ...renamed, columns: [notNull('id', 'bigint'), col('Note é', 'character varying')] }),
      /in place/,
    ],
    [
      'a column changes collation',
      hostile({ ...renamed, columns: [notNull('id', 'bigint'), col('Note é', 'text', { collation: '"C"' })] }),
      /in place/,
    ],
  ])('refuses when %s', (_what, target, message) => {
    const p = planOf(
      'rename_table',
      hostile({ ...orders, columns: [notNull('id', 'bigint'), col('Note é', 'text')] }),
      target,
    );
    expect(p.problems.map((x) => x.message)).toEqual([expect.stringMatching(message)]);
    expect(p.problems[0]?.fix).toMatch(/plan/);
  });

  it('accepts a type change done with a new column (renames do not disturb the view)', () => {
    const target = hostile({
      ...renamed,
      columns: [notNull('id', 'bigint'), col('Note é', 'integer', { down: '"Note é"::text' })],
    });
    expect(planOf('rename_table', hostile(orders), target).problems).toEqual([]);
  });
});
