import { expect, it } from 'vitest';
import {
  introspect,
  inventory,
  QUERIES_PER_INTROSPECTION,
  QUERIES_PER_DEPENDENCIES,
  QUERIES_PER_INVENTORY,
  readDependencies,
} from '../../../src/introspect/index.js';
import { freshDatabase } from '../../support/db.js';
import { counting } from './fixtures.js';

/** `n` tables, each with a few columns, an index, a check and a foreign key to the previous table. */
function manyTables(n: number): string {
  const parts = ["CREATE TYPE public.kind AS ENUM ('a', 'b');"];
  for (let i = 0; i < n; i++) {
    const fk = i === 0 ? '' : `, parent_id bigint REFERENCES public.t${i - 1} (id)`;
    parts.push(
      `CREATE TABLE public.t${i} (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT '', kind public.kind, amount numeric(10,2) CHECK (amount > 0), created_at timestamptz DEFAULT now()${fk});`,
      `CREATE INDEX t${i}_name_idx ON public.t${i} (lower(name), created_at DESC);`,
    );
  }
  return parts.join('\n');
}

async function countFor(tables: number): Promise<number> {
  const db = await freshDatabase();
  await db.client.query(manyTables(tables));
  const q = counting(db.client);
  const model = await introspect(q);
  const pub = model.schemas.find((s) => s.name === 'public')!;
  expect(pub.tables).toHaveLength(tables);
  expect(pub.sequences).toHaveLength(tables);
  expect(pub.tables.every((t) => t.indexes.length === 1 && t.checks.length === 1 && t.columns.length >= 5)).toBe(true);
  // Everything here is modeled: the inventory is empty, in as many queries however many tables there are.
  const before = q.texts.length;
  expect(await inventory(q)).toEqual([]);
  expect(q.texts.length - before).toBe(QUERIES_PER_INVENTORY);
  // The dependency edges too: one query, and every table's edges (its key, check, index, foreign key, default).
  const edgesFrom = q.texts.length;
  const edges = await readDependencies(q);
  expect(q.texts.length - edgesFrom).toBe(QUERIES_PER_DEPENDENCIES);
  expect(edges.filter((e) => e.dependent.kind === 'foreign key' && e.on.kind === 'index')).toHaveLength(tables - 1);
  expect(edges.filter((e) => e.dependent.kind === 'default' && e.on.kind === 'sequence')).toHaveLength(tables);
  return before;
}

it('issues the same number of queries for 10 tables as for 500', async () => {
  const small = await countFor(10);
  const large = await countFor(500);
  expect(small).toBe(QUERIES_PER_INTROSPECTION);
  expect(large).toBe(small);
});
