// The schema, table and column handlers' SQL on a real PostgreSQL. Each scenario builds a source database and a
// target database from SQL, diffs the two snapshots (target hints added by hand), and walks the plan: for every
// release and phase, forward, then every rollback in reverse (the catalog must be exactly as before), then
// forward again; each step's rollback is also checked alone, right after the step. At the end the database must fingerprint as the target, and planning again must find nothing.
// Steps are ordered by their keys (a small topological sort standing in for the planner), so the keys are
// tested too. Scenario hooks play the previous and the next application version between phases.
// DEBUG_SQL=1 prints every statement as it runs.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { diff, type Change, type ChangeKind } from '../../../src/diff/index.js';
import { introspect } from '../../../src/introspect/index.js';
import { orderSteps } from '../../../src/planner/graph.js';
import type { Handler, Phase, PlanContext } from '../../../src/planner/types.js';
import { tableHandlers, TABLE_KINDS, type TableKind } from '../../support/families.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { Column, DatabaseSchema, Table } from '../../../src/schema/model/model.js';
import { freshDatabase } from '../../support/db.js';

// ---------------------------------------------------------------------------------------------- harness

interface Scenario {
  readonly source: string;
  readonly target: string;
  readonly hints?: (t: DatabaseSchema) => DatabaseSchema;
  readonly kinds: readonly ChangeKind[];
  /** Called after each phase's forward run, with `release:phase` (0-based release). */
  readonly during?: (db: pg.Client, at: string) => Promise<void>;
  readonly after?: (db: pg.Client) => Promise<void>;
  /** The table keeps its NOT NULL constraint names on PostgreSQL 18 (the model does not record them). */
  readonly renamesTable?: boolean;
}

const isTableKind = (k: ChangeKind): k is TableKind => (TABLE_KINDS as readonly string[]).includes(k);

function handler(c: Change): Handler<Change> {
  if (!isTableKind(c.kind)) throw new Error(`not a table-family change: ${c.kind}`);
  return tableHandlers[c.kind] as unknown as Handler<Change>;
}

/** Everything the catalog says about the application schemas, beyond the model: views, constraint validity, index names. */
const CATALOG = `
SELECT json_build_object(
  'views', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT c.oid::regclass::text || ': ' || pg_get_viewdef(c.oid) AS x FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')) v),
  'constraints', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT conrelid::regclass::text || '.' || CASE WHEN contype = 'n' AND $1 THEN '*' ELSE conname END || ' ' || contype::text || ' ' || convalidated || ' ' ||
            pg_get_constraintdef(oid) AS x FROM pg_constraint WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)) v),
  'indexes', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT i.indexrelid::regclass::text || ' ' || i.indisvalid || ' ' || pg_get_indexdef(i.indexrelid) AS x
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) v),
  'columns', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT a.attrelid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
            a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' ' || a.attidentity::text || a.attgenerated::text || ' ' ||
            coalesce(col_description(a.attrelid, a.attnum), '-') || ' ' || coalesce(a.attcollation::regcollation::text, '-') AS x
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) v),
  'sequences', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT c.oid::regclass::text AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')) v),
  'triggers', (SELECT json_agg(x ORDER BY x COLLATE "C") FROM (SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text AS x FROM pg_trigger
            WHERE NOT tgisinternal) v)
)::text AS state`;

/** `anyNotNullName`: PostgreSQL 18 never renames NOT NULL constraints when their table is renamed. */
async function catalog(db: pg.Client, anyNotNullName = false): Promise<string> {
  return (await db.query<{ state: string }>(CATALOG, [anyNotNullName])).rows[0]?.state ?? '';
}

async function state(db: pg.Client): Promise<string> {
  const model = await introspect(db);
  return `${fingerprint(model)}\n${await catalog(db)}`;
}

async function run(db: pg.Client, sql: string, what: string): Promise<void> {
  if (process.env.DEBUG_SQL) console.log(`-- ${what}\n${sql}`);
  try {
    await db.query(sql);
  } catch (e) {
    throw new Error(`${what} failed: ${(e as Error).message}\n${sql}`);
  }
}

async function versionNum(db: pg.Client): Promise<number> {
  const v = Number((await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v);
  if (!Number.isInteger(v) || v < 100000) throw new Error(`unexpected server_version_num ${v}`);
  return v;
}

/** The kinds the scenarios of this file walked; the last test checks every kind of the family was. */
const walked = new Set<ChangeKind>();

async function walk(s: Scenario): Promise<void> {
  for (const k of s.kinds) walked.add(k);
  const { client: db } = await freshDatabase();
  const { client: tdb } = await freshDatabase();
  await run(db, s.source, 'source');
  await run(tdb, s.target, 'target');
  const source = await introspect(db);
  const declared = await introspect(tdb);
  const target = s.hints ? s.hints(declared) : declared;
  const changes = diff(source, target);
  expect(changes.map((c) => c.kind)).toEqual(s.kinds);
  const ctx: PlanContext = {
    source,
    target,
    serverVersionNum: await versionNum(db),
    newTables: new Set(changes.flatMap((c) => (c.kind === 'add_table' ? [`${c.schema}.${c.table}`] : []))),
  };
  expect(changes.flatMap((c) => handler(c).validate(c, ctx))).toEqual([]);
  const drafts = changes.flatMap((c) =>
    (['expand', 'backfill', 'contract'] as Phase[]).flatMap((p) => handler(c)[p](c, ctx)),
  );
  const releases = Math.max(0, ...drafts.map((d) => d.releaseOffset));
  for (let r = 0; r <= releases; r++) {
    for (const phase of ['expand', 'backfill', 'contract'] as Phase[]) {
      const steps = orderSteps(drafts.filter((d) => d.releaseOffset === r && d.phase === phase));
      if (steps.length === 0) continue;
      const at = `${r}:${phase}`;
      const before = await state(db);
      // Each step undone by its own rollback, then the whole phase undone in reverse.
      for (const st of steps) {
        const here = await state(db);
        await run(db, st.sql, `${at} ${st.action}`);
        for (const sql of st.rollback) await run(db, sql, `${at} rollback of ${st.action} (alone)`);
        expect(await state(db), `rollback of ${at} ${st.action} alone`).toBe(here);
        await run(db, st.sql, `${at} ${st.action}`);
      }
      for (const st of [...steps].reverse())
        for (const sql of st.rollback) await run(db, sql, `${at} rollback of ${st.action}`);
      expect(await state(db), `rollback of ${at}`).toBe(before);
      for (const st of steps) await run(db, st.sql, `${at} ${st.action} (again)`);
      await s.during?.(db, at);
    }
  }
  expect(fingerprint(await introspect(db))).toBe(fingerprint(declared));
  // Beyond the model: constraint names and validity (PostgreSQL 18's NOT NULL constraints), index names, views.
  expect(await catalog(db, s.renamesTable)).toBe(await catalog(tdb, s.renamesTable));
  expect(diff(await introspect(db), declared).map((c) => c.kind)).toEqual([]);
  await s.after?.(db);
}

// ------------------------------------------------------------------------------------------- fixtures

const S = '"Tenant ""1"" ñ"'; // hostile schema, as SQL
const SN = 'Tenant "1" ñ';

function patchTable(db: DatabaseSchema, schema: string, table: string, f: (t: Table) => Table): DatabaseSchema {
  return {
    ...db,
    schemas: db.schemas.map((s) =>
      s.name !== schema ? s : { ...s, tables: s.tables.map((t) => (t.name === table ? f(t) : t)) },
    ),
  };
}

function patchColumn(
  db: DatabaseSchema,
  schema: string,
  table: string,
  column: string,
  patch: Partial<Column>,
): DatabaseSchema {
  return patchTable(db, schema, table, (t) => ({
    ...t,
    columns: t.columns.map((c) => (c.name === column ? { ...c, ...patch } : c)),
  }));
}

async function rows<T = Record<string, unknown>>(db: pg.Client, sql: string): Promise<T[]> {
  return (await db.query(sql)).rows as T[];
}

const base = `CREATE SCHEMA ${S};
CREATE TABLE ${S}."Orders" (id bigint PRIMARY KEY, "Note é" text, amount integer);
INSERT INTO ${S}."Orders" SELECT g, 'n' || g, g * 10 FROM generate_series(1, 50) g;`;

describe('tables-sql', () => {
  it('create_schema with a comment', () =>
    walk({
      source: '',
      target: `CREATE SCHEMA ${S}; COMMENT ON SCHEMA ${S} IS 'it''s new'`,
      kinds: ['create_schema'],
    }));

  it('drop_schema', () =>
    walk({ source: `CREATE SCHEMA ${S}; COMMENT ON SCHEMA ${S} IS 'old'`, target: '', kinds: ['drop_schema'] }));

  it('add_table with keys, checks, identity, generated, enum and comments', () =>
    walk({
      source: `CREATE SCHEMA ${S}; CREATE TYPE ${S}."Mood" AS ENUM ('ok', 'bad')`,
      target: `CREATE SCHEMA ${S}; CREATE TYPE ${S}."Mood" AS ENUM ('ok', 'bad');
        CREATE TABLE ${S}."Line Items" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sku text NOT NULL UNIQUE,
          qty integer NOT NULL DEFAULT 1 CHECK (qty > 0), mood ${S}."Mood" DEFAULT 'ok', twice integer GENERATED ALWAYS AS (qty * 2) STORED);
        ALTER TABLE ${S}."Line Items" ADD CONSTRAINT later CHECK (sku <> '') NOT VALID;
        COMMENT ON TABLE ${S}."Line Items" IS 'items'; COMMENT ON COLUMN ${S}."Line Items".sku IS 'stock unit'`,
      kinds: ['add_table'],
      after: async (db) => {
        await db.query(`INSERT INTO ${S}."Line Items" (sku) VALUES ('a')`);
        expect(await rows(db, `SELECT twice, mood FROM ${S}."Line Items"`)).toEqual([{ twice: 2, mood: 'ok' }]);
      },
    }));

  it('drop_table recreates it empty on rollback', () =>
    walk({
      source: `${base}; ALTER TABLE ${S}."Orders" ADD CONSTRAINT pos CHECK (amount > 0) NOT VALID, ADD UNIQUE ("Note é"); COMMENT ON TABLE ${S}."Orders" IS 'o'`,
      target: `CREATE SCHEMA ${S}`,
      kinds: ['drop_table'],
    }));

  it('rename_table keeps the old name working through a view', () =>
    walk({
      source: base,
      target: `CREATE SCHEMA ${S}; CREATE TABLE ${S}."Purchases" (id bigint CONSTRAINT "Orders_pkey" PRIMARY KEY, "Note é" text, amount integer)`,
      hints: (t) => patchTable(t, SN, 'Purchases', (x) => ({ ...x, renamedFrom: 'Orders' })),
      kinds: ['rename_table'],
      renamesTable: true,
      during: async (db, at) => {
        if (at !== '0:expand') return;
        await db.query(`INSERT INTO ${S}."Orders" (id, amount) VALUES (1000, 5)`);
        expect(await rows(db, `SELECT amount FROM ${S}."Purchases" WHERE id = 1000`)).toEqual([{ amount: 5 }]);
        await db.query(`UPDATE ${S}."Orders" SET amount = 6 WHERE id = 1000`);
        expect(await rows(db, `SELECT count(*)::int AS n FROM ${S}."Orders"`)).toEqual([{ n: 51 }]);
      },
    }));

  describe('add_column', () => {
    const O = `${S}."Orders"`;
    it('nullable, in one step', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN "Extra" text; COMMENT ON COLUMN ${O}."Extra" IS 'x'`,
        kinds: ['add_column'],
      }));

    it('NOT NULL with a constant default, in one step', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN status text NOT NULL DEFAULT 'new'`,
        kinds: ['add_column'],
        after: async (db) => expect(await rows(db, `SELECT DISTINCT status FROM ${O}`)).toEqual([{ status: 'new' }]),
      }));

    it('NOT NULL with backfill: old-version inserts are filled by a trigger until the next release', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN cents bigint NOT NULL DEFAULT 0; ALTER TABLE ${O} ALTER COLUMN cents DROP DEFAULT`,
        hints: (t) => patchColumn(t, SN, 'Orders', 'cents', { backfill: 'amount * 100' }),
        kinds: ['add_column'],
        during: async (db, at) => {
          if (at === '0:expand') {
            await db.query(`INSERT INTO ${O} (id, amount) VALUES (1001, 7)`);
            expect(await rows(db, `SELECT cents FROM ${O} WHERE id = 1001`)).toEqual([{ cents: '700' }]);
            await expect(
              db.query(`INSERT INTO ${O} (id, amount, cents) VALUES (1002, 1, NULL)`),
            ).resolves.toBeDefined();
          }
          if (at === '0:backfill')
            expect(
              await rows(db, `SELECT count(*)::int AS n FROM ${O} WHERE cents IS DISTINCT FROM amount * 100`),
            ).toEqual([{ n: 0 }]);
        },
      }));

    it('with a volatile default: nullable, SET DEFAULT, backfill, then NOT NULL', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()`,
        kinds: ['add_column'],
        after: async (db) =>
          expect(await rows(db, `SELECT count(DISTINCT token)::int AS n FROM ${O}`)).toEqual([{ n: 50 }]),
      }));

    it('with a default and a backfill: the backfill fills existing rows, the default new ones', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN kind text NOT NULL DEFAULT 'new'`,
        hints: (t) =>
          patchColumn(t, SN, 'Orders', 'kind', { backfill: "CASE WHEN amount > 250 THEN 'big' ELSE 'small' END" }),
        kinds: ['add_column'],
        after: async (db) =>
          expect(await rows(db, `SELECT kind, count(*)::int AS n FROM ${O} GROUP BY 1 ORDER BY 1`)).toEqual([
            { kind: 'big', n: 25 },
            { kind: 'small', n: 25 },
          ]),
      }));

    it('identity (a rewrite)', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN seq integer GENERATED BY DEFAULT AS IDENTITY`,
        kinds: ['add_column'],
      }));

    it('generated (a rewrite)', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN dbl integer GENERATED ALWAYS AS (amount * 2) STORED`,
        kinds: ['add_column'],
      }));
  });

  describe('drop_column', () => {
    const O = `${S}."Orders"`;
    it('nullable, with a comment', () =>
      walk({
        source: `${base}; COMMENT ON COLUMN ${O}."Note é" IS 'gone'`,
        target: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, amount integer)`,
        kinds: ['drop_column'],
      }));

    it('NOT NULL with a constant default comes back NOT NULL', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN status text NOT NULL DEFAULT 'new'`,
        target: base,
        kinds: ['drop_column'],
      }));

    it('NOT NULL without default comes back NOT NULL on an empty table', () =>
      walk({
        source: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, must text NOT NULL)`,
        target: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY)`,
        kinds: ['drop_column'],
      }));
  });

  describe('rename_column', () => {
    const O = `${S}."Orders"`;
    const source = `${base}; UPDATE ${O} SET "Note é" = NULL WHERE id = 1;
      ALTER TABLE ${O} ALTER COLUMN amount SET NOT NULL, ALTER COLUMN amount SET DEFAULT 0, ADD CONSTRAINT amount_pos CHECK (amount >= 0);
      CREATE INDEX "Amount idx" ON ${O} (amount) WHERE amount > 5; CREATE UNIQUE INDEX note_amount ON ${O} ("Note é", amount);
      COMMENT ON COLUMN ${O}.amount IS 'in cents'; COMMENT ON INDEX ${S}."Amount idx" IS 'partial'`;
    const target = source
      .replaceAll('amount', '"Total Ç"')
      .replaceAll('"Total Ç"_pos', 'amount_pos')
      .replace('note_"Total Ç"', 'note_amount');

    it('keeps both names in sync, moves indexes and checks, then drops the old column', () =>
      walk({
        source,
        target,
        hints: (t) => patchColumn(t, SN, 'Orders', 'Total Ç', { renamedFrom: 'amount' }),
        kinds: ['rename_column'],
        during: async (db, at) => {
          if (at === '0:expand') {
            // The previous version writes the old name, the next one the new name.
            await db.query(`INSERT INTO ${O} (id, amount) VALUES (1001, 7)`);
            await db.query(`INSERT INTO ${O} (id, "Total Ç") VALUES (1002, 8)`);
            await db.query(`INSERT INTO ${O} (id) VALUES (1003)`);
            expect(await rows(db, `SELECT id, amount, "Total Ç" AS t FROM ${O} WHERE id > 1000 ORDER BY id`)).toEqual([
              { id: '1001', amount: 7, t: 7 },
              { id: '1002', amount: 8, t: 8 },
              { id: '1003', amount: 0, t: 0 },
            ]);
            await db.query(`UPDATE ${O} SET amount = 70 WHERE id = 1001`);
            await db.query(`UPDATE ${O} SET "Total Ç" = 80 WHERE id = 1002`);
            expect(
              await rows(db, `SELECT amount, "Total Ç" AS t FROM ${O} WHERE id IN (1001, 1002) ORDER BY id`),
            ).toEqual([
              { amount: 70, t: 70 },
              { amount: 80, t: 80 },
            ]);
          }
          if (at === '0:backfill')
            expect(
              await rows(db, `SELECT count(*)::int AS n FROM ${O} WHERE "Total Ç" IS DISTINCT FROM amount`),
            ).toEqual([{ n: 0 }]);
          if (at === '0:contract')
            await expect(db.query(`INSERT INTO ${O} (id, amount) VALUES (1004, -1)`)).rejects.toThrow(/check/);
        },
        after: async (db) => {
          await db.query(`INSERT INTO ${O} (id) VALUES (1005)`);
          expect(await rows(db, `SELECT "Total Ç" AS t FROM ${O} WHERE id = 1005`)).toEqual([{ t: 0 }]);
        },
      }));

    it('with a type change and `down`', () =>
      walk({
        source: base,
        target: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, "Note é" text, total numeric(12,2))`,
        hints: (t) =>
          patchColumn(t, SN, 'Orders', 'total', {
            renamedFrom: 'amount',
            up: 'amount / 100.0',
            down: '(total * 100)::integer',
          }),
        kinds: ['rename_column', 'alter_column_type'],
        during: async (db, at) => {
          if (at !== '0:backfill') return;
          expect(await rows(db, `SELECT amount, total FROM ${O} WHERE id = 3`)).toEqual([
            { amount: 30, total: '0.30' },
          ]);
          await db.query(`UPDATE ${O} SET total = 1.5 WHERE id = 3`);
          expect(await rows(db, `SELECT amount, total FROM ${O} WHERE id = 3`)).toEqual([
            { amount: 150, total: '1.50' },
          ]);
        },
      }));
  });

  describe('alter_column_type', () => {
    const O = `${S}."Orders"`;
    it('binary-coercible, in place', () =>
      walk({
        source: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, code varchar(20) COLLATE "C"); INSERT INTO ${O} VALUES (1, 'abc')`,
        target: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, code text COLLATE "C")`,
        kinds: ['alter_column_type'],
      }));

    it('integer to bigint with the five steps, an index, a check, NOT NULL and a default', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET NOT NULL, ALTER COLUMN amount SET DEFAULT 1, ADD CONSTRAINT pos CHECK (amount > 0);
          CREATE INDEX amount_idx ON ${O} (amount)`,
        target: `${base.replace('amount integer', 'amount bigint')}; ALTER TABLE ${O} ALTER COLUMN amount SET NOT NULL, ALTER COLUMN amount SET DEFAULT 2,
          ADD CONSTRAINT pos CHECK (amount > 0); CREATE INDEX amount_idx ON ${O} (amount)`,
        hints: (t) => patchColumn(t, SN, 'Orders', 'amount', { down: 'amount::integer' }),
        kinds: ['alter_column_type', 'set_default'],
        during: async (db, at) => {
          if (at === '0:expand') {
            await db.query(`INSERT INTO ${O} (id) VALUES (1001)`);
            expect(await rows(db, `SELECT amount, amount__new FROM ${O} WHERE id = 1001`)).toEqual([
              { amount: 1, amount__new: '1' },
            ]);
          }
          if (at === '1:contract') {
            await db.query(`INSERT INTO ${O} (id) VALUES (1002)`);
            expect(await rows(db, `SELECT amount, amount__old FROM ${O} WHERE id = 1002`)).toEqual([
              { amount: '2', amount__old: null },
            ]);
          }
        },
      }));

    it('text to numeric with `up` and `down`', () =>
      walk({
        source: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, price text); INSERT INTO ${O} VALUES (1, '1.5'), (2, NULL)`,
        target: `CREATE SCHEMA ${S}; CREATE TABLE ${O} (id bigint PRIMARY KEY, price numeric(12,2))`,
        hints: (t) => patchColumn(t, SN, 'Orders', 'price', { up: 'price::numeric(12,2)', down: 'price::text' }),
        kinds: ['alter_column_type'],
        after: async (db) =>
          expect(await rows(db, `SELECT price FROM ${O} ORDER BY id`)).toEqual([{ price: '1.50' }, { price: null }]),
      }));
  });

  it('alter_collation rebuilds the indexes in place', () =>
    walk({
      source: `${base}; CREATE INDEX note_idx ON ${S}."Orders" ("Note é")`,
      target: `${base.replace('"Note é" text', '"Note é" text COLLATE "C"')}; CREATE INDEX note_idx ON ${S}."Orders" ("Note é")`,
      kinds: ['alter_collation'],
    }));

  describe('alter_generated', () => {
    const O = `${S}."Orders"`;
    const gen = (e: string) =>
      `${base}; ALTER TABLE ${O} ADD COLUMN dbl integer GENERATED ALWAYS AS (${e}) STORED; COMMENT ON COLUMN ${O}.dbl IS 'derived'`;
    it('changes the expression', () =>
      walk({ source: gen('amount * 2'), target: gen('amount * 3'), kinds: ['alter_generated'] }));
    it('makes it a plain column', () =>
      walk({
        source: gen('amount * 2'),
        target: `${base}; ALTER TABLE ${O} ADD COLUMN dbl integer; COMMENT ON COLUMN ${O}.dbl IS 'derived'`,
        kinds: ['alter_generated'],
      }));
    it('makes a plain column generated', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN dbl integer; COMMENT ON COLUMN ${O}.dbl IS 'derived'`,
        target: gen('amount * 2'),
        kinds: ['alter_generated'],
      }));
  });

  describe('defaults', () => {
    const O = `${S}."Orders"`;
    it('set_default, changing one', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET DEFAULT 1`,
        target: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET DEFAULT (40 + 2)`,
        kinds: ['set_default'],
      }));
    it('set_default, a new one', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ALTER COLUMN "Note é" SET DEFAULT 'x'`,
        kinds: ['set_default'],
      }));
    it('drop_default', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET DEFAULT 1`,
        target: base,
        kinds: ['drop_default'],
      }));
  });

  describe('identity', () => {
    const O = `${S}."Orders"`;
    it('set_identity starts after the existing values, ALWAYS after the deploy', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN n integer; UPDATE ${O} SET n = id; ALTER TABLE ${O} ALTER COLUMN n SET NOT NULL`,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY`,
        kinds: ['set_identity'],
        during: async (db, at) => {
          if (at !== '0:expand') return;
          await db.query(`INSERT INTO ${O} (id) VALUES (1001)`);
          expect(await rows(db, `SELECT n FROM ${O} WHERE id = 1001`)).toEqual([{ n: 51 }]);
        },
      }));
    it('set_identity from ALWAYS to BY DEFAULT', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY`,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN n integer GENERATED BY DEFAULT AS IDENTITY`,
        kinds: ['set_identity'],
      }));
    it('drop_identity, one release later', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY`,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN n integer NOT NULL DEFAULT 0; ALTER TABLE ${O} ALTER n DROP DEFAULT`,
        kinds: ['drop_identity'],
      }));
    it('drop_identity for a default', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY`,
        target: `${base}; ALTER TABLE ${O} ADD COLUMN n integer NOT NULL DEFAULT 0`,
        kinds: ['drop_identity', 'set_default'],
      }));
  });

  describe('nullability', () => {
    const O = `${S}."Orders"`;
    it('set_not_null with a backfill', () =>
      walk({
        source: `${base}; UPDATE ${O} SET "Note é" = NULL WHERE id < 10`,
        target: `${base}; ALTER TABLE ${O} ALTER COLUMN "Note é" SET NOT NULL`,
        hints: (t) => patchColumn(t, SN, 'Orders', 'Note é', { backfill: "'none'" }),
        kinds: ['set_not_null'],
        during: async (db, at) => {
          if (at === '0:expand')
            await expect(db.query(`INSERT INTO ${O} (id) VALUES (1001)`)).rejects.toThrow(/violates/);
        },
      }));
    it('set_not_null without a backfill', () =>
      walk({
        source: base,
        target: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET NOT NULL`,
        kinds: ['set_not_null'],
      }));
    it('drop_not_null', () =>
      walk({
        source: `${base}; ALTER TABLE ${O} ALTER COLUMN amount SET NOT NULL`,
        target: base,
        kinds: ['drop_not_null'],
      }));
  });

  describe('together', () => {
    const purchases = (cols: string) =>
      `CREATE SCHEMA ${S}; CREATE TABLE ${S}."Purchases" (id bigint CONSTRAINT "Orders_pkey" PRIMARY KEY, ${cols})`;
    const renamed = (t: DatabaseSchema) => patchTable(t, SN, 'Purchases', (x) => ({ ...x, renamedFrom: 'Orders' }));

    it('rename_table with a column added and one dropped: the view goes before the column', () =>
      walk({
        source: base,
        target: purchases('amount integer, extra text'),
        hints: renamed,
        kinds: ['rename_table', 'add_column', 'drop_column'],
        renamesTable: true,
      }));

    it('rename_table with a type change by swap, while the view exists', () =>
      walk({
        source: base,
        target: purchases('"Note é" text, amount bigint'),
        hints: (t) => patchColumn(renamed(t), SN, 'Purchases', 'amount', { down: 'amount::integer' }),
        kinds: ['rename_table', 'alter_column_type'],
        renamesTable: true,
        during: async (db, at) => {
          if (at !== '0:backfill') return;
          await db.query(`INSERT INTO ${S}."Orders" (id, amount) VALUES (1001, 3)`);
          expect(await rows(db, `SELECT amount__new FROM ${S}."Purchases" WHERE id = 1001`)).toEqual([
            { amount__new: '3' },
          ]);
        },
      }));
  });

  // Last in the file (vitest runs a file's tests in order): a kind added to the family without a scenario fails.
  it('walked a scenario for every kind of the family', () => {
    expect(TABLE_KINDS.filter((k) => !walked.has(k))).toEqual([]);
  });
});
