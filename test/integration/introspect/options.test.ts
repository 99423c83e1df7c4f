// Which schemas introspection reads, the session settings it pins and restores, and the small helpers
// beside it (server version, table sizes).
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDED, introspect, serverVersion, tableStats } from '../../../src/introspect/index.js';
import type { DatabaseSchema, Table } from '../../../src/schema/model/model.js';
import { freshDatabase, serverMajor } from '../../support/db.js';
import { fixtureSql } from './fixtures.js';

function table(model: DatabaseSchema, schema: string, name: string): Table {
  const t = model.schemas.find((s) => s.name === schema)?.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${schema}.${name}`);
  return t;
}

describe('introspect options', () => {
  it('leaves out system schemas and, by default, the switchyard ledger schema', async () => {
    const db = await freshDatabase();
    await db.client.query(
      'CREATE SCHEMA switchyard; CREATE TABLE switchyard.plans (id int); CREATE SCHEMA app; CREATE TEMP TABLE tmp (a int)',
    );
    expect(DEFAULT_EXCLUDED).toEqual(['switchyard']);
    const model = await introspect(db.client);
    expect(model.schemas.map((s) => s.name)).toEqual(['app', 'public']);
  });

  it('includes and excludes schemas by name', async () => {
    const db = await freshDatabase();
    await db.client.query(
      'CREATE SCHEMA switchyard; CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (x int); CREATE TABLE b.t (x int)',
    );
    const names = async (options: Parameters<typeof introspect>[1]) =>
      (await introspect(db.client, options)).schemas.map((s) => s.name);
    expect(await names({ includeSchemas: ['b'] })).toEqual(['b']);
    expect(await names({ includeSchemas: ['a', 'switchyard', 'pg_catalog', 'missing'] })).toEqual(['a', 'switchyard']);
    expect(await names({ excludeSchemas: ['a'] })).toEqual(['b', 'public', 'switchyard']);
    expect(await names({ includeSchemas: ['a', 'b'], excludeSchemas: ['a'] })).toEqual(['b']);
    expect(await names({ includeSchemas: [] })).toEqual([]);
  });

  it('skips objects that belong to an extension', async () => {
    const db = await freshDatabase();
    const { rows } = await db.client.query<{ name: string }>(
      `SELECT name FROM pg_available_extensions WHERE name IN ('pg_trgm', 'hstore', 'citext') ORDER BY name`,
    );
    if (rows.length === 0) return; // none of them in this server build: nothing to check
    for (const r of rows) await db.client.query(`CREATE EXTENSION ${r.name}`);
    await db.client.query(
      'CREATE SCHEMA ext; CREATE TABLE public.docs (body text); CREATE FUNCTION public.mine() RETURNS int LANGUAGE sql AS $$SELECT 1$$',
    );
    if (rows.some((r) => r.name === 'pg_trgm'))
      await db.client.query('CREATE INDEX docs_trgm ON public.docs USING gin (body public.gin_trgm_ops)');
    const model = await introspect(db.client);
    const pub = model.schemas.find((s) => s.name === 'public')!;
    expect(pub.functions.map((f) => f.name)).toEqual(['mine']);
    expect(pub.enums).toEqual([]);
    expect(pub.tables.map((t) => t.name)).toEqual(['docs']);
    if (rows.some((r) => r.name === 'pg_trgm')) {
      expect(table(model, 'public', 'docs').indexes[0]?.keys).toStrictEqual([
        { column: 'body', opclass: 'public.gin_trgm_ops' },
      ]);
    }
  });
});

describe('session settings', () => {
  it('gives the same text whatever the search_path and styles, and puts them back', async () => {
    const db = await freshDatabase();
    await db.client.query(fixtureSql('03_sequences_defaults.sql') + fixtureSql('04_enums.sql'));
    const plain = await introspect(db.client);
    await db.client.query(
      `SET search_path = catalog, public; SET DateStyle = 'German, DMY'; SET TimeZone = 'Asia/Tokyo'; SET extra_float_digits = 3`,
    );
    const odd = await introspect(db.client);
    expect(odd).toStrictEqual(plain);
    const { rows } = await db.client.query(
      `SELECT current_setting('search_path') AS sp, current_setting('DateStyle') AS ds, current_setting('TimeZone') AS tz, current_setting('extra_float_digits') AS efd`,
    );
    expect(rows[0]).toEqual({ sp: 'catalog, public', ds: 'German, DMY', tz: 'Asia/Tokyo', efd: '3' });
  });

  it('works inside a transaction, and its settings leave with a rollback', async () => {
    const db = await freshDatabase();
    await db.client.query('BEGIN; CREATE TABLE uncommitted (a int)');
    const model = await introspect(db.client);
    expect(model.schemas[0]?.tables.map((t) => t.name)).toEqual(['uncommitted']);
    await db.client.query('ROLLBACK');
    const { rows } = await db.client.query(`SELECT current_setting('search_path') AS sp`);
    expect(rows[0].sp).toBe('"$user", public');
  });
});

describe('serverVersion and tableStats', () => {
  it('reports the server version', async () => {
    const db = await freshDatabase();
    const v = await serverVersion(db.client);
    expect(v.major).toBe(serverMajor());
    expect(v.num).toBeGreaterThanOrEqual(v.major * 10000);
    expect(v.text.startsWith(String(v.major))).toBe(true);
  });

  it('reports rows and bytes per table', async () => {
    const db = await freshDatabase();
    await db.client.query(
      'CREATE SCHEMA switchyard; CREATE TABLE switchyard.x (a int); CREATE TABLE big (a int); CREATE TABLE "Empty" (a int)',
    );
    await db.client.query('INSERT INTO big SELECT generate_series(1, 10000); ANALYZE big');
    const stats = await tableStats(db.client);
    expect(stats.map((s) => [s.schema, s.table])).toEqual([
      ['public', 'Empty'],
      ['public', 'big'],
    ]);
    expect(stats[0]).toEqual({ schema: 'public', table: 'Empty', rows: 0, bytes: 0 });
    expect(stats[1]!.rows).toBe(10000);
    expect(stats[1]!.bytes).toBeGreaterThan(8192 * 10);
  });
});
