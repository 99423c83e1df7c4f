// Cross-checks of the pieces introspection decodes itself (index keys, options and predicates) against
// PostgreSQL's own printing of the whole index: rendering the model back must give pg_get_indexdef's text.
import { expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import type { Index } from '../../../src/schema/model/model.js';
import { ident, identList, qualified } from '../../../src/db/quote.js';
import { freshDatabase } from '../../support/db.js';
import { fixtureNames, fixtureSql } from './fixtures.js';

interface Printed {
  schema: string;
  table: string;
  name: string;
  def: string;
  keys: string[];
}

function render(schema: string, table: string, index: Index, printedKeys: readonly string[]): string {
  const keys = index.keys.map((k, i) => {
    const printed = printedKeys[i];
    // pg_get_indexdef wraps an expression in parentheses unless it looks like a function call.
    const head =
      k.column !== undefined ? ident(k.column) : printed === k.expression ? k.expression : `(${k.expression})`;
    return [
      head,
      k.collation ? `COLLATE ${k.collation}` : '',
      k.opclass ?? '',
      k.order === 'desc' ? 'DESC' : '',
      k.nulls ? `NULLS ${k.nulls.toUpperCase()}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  });
  return [
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ident(index.name)} ON ${qualified(schema, table)} USING ${index.method} (${keys.join(', ')})`,
    index.include ? ` INCLUDE (${identList(index.include)})` : '',
    index.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '',
    index.where ? ` WHERE ${index.where}` : '',
  ].join('');
}

it.each(fixtureNames())('index definitions of %s render back to pg_get_indexdef', async (name) => {
  const db = await freshDatabase();
  await db.client.query(fixtureSql(name));
  const model = await introspect(db.client);
  await db.client.query(`SET search_path = ''`);
  const { rows } = await db.client.query<Printed>(`
    SELECT n.nspname AS schema, t.relname AS table, c.relname AS name, pg_get_indexdef(i.indexrelid, 0, false) AS def,
      ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, false) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS keys
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`);
  let compared = 0;
  for (const r of rows) {
    const index = model.schemas
      .find((s) => s.name === r.schema)
      ?.tables.find((t) => t.name === r.table)
      ?.indexes.find((i) => i.name === r.name);
    if (!index) continue; // owned by a constraint
    // Partitioning is not in the model: an index on a partitioned table is printed `ON ONLY`.
    // The model trims the whitespace PostgreSQL prints around a CASE; the text is otherwise identical.
    const squeeze = (t: string) => t.replace(/\(\s+/g, '(').replace(/\s+\)/g, ')');
    expect(squeeze(render(r.schema, r.table, index, r.keys)), r.name).toBe(squeeze(r.def.replace(' ON ONLY ', ' ON ')));
    index.keys.forEach((k, i) => {
      if (k.expression !== undefined)
        expect([k.expression, `(${k.expression})`].map(squeeze)).toContain(squeeze(r.keys[i]!));
    });
    compared++;
  }
  const total = model.schemas.flatMap((s) => s.tables).reduce((n, t) => n + t.indexes.length, 0);
  expect(compared).toBe(total);
});
