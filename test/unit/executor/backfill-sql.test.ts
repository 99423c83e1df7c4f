import { describe, expect, it } from 'vitest';
import { renderBatch, renderRowsAfter } from '../../../src/executor/backfill-sql.js';
import type { BackfillSpec } from '../../../src/planner/types.js';

const items: BackfillSpec = {
  schema: 'public',
  table: 'items',
  key: ['id'],
  set: [{ column: 'price__new', expression: 'price::bigint' }],
  where: 'price__new IS DISTINCT FROM (price::bigint)',
};

const lines: BackfillSpec = {
  schema: 'Sales',
  table: 'Order Lines',
  key: ['tenant id', 'order'],
  set: [
    { column: 'Total', expression: 'qty * "tenant id"' },
    { column: 'touched', expression: 'touched + 1' },
  ],
  where: '"Total" IS NULL',
};

describe('renderBatch', () => {
  it.each<[string, BackfillSpec, boolean, string]>([
    [
      'single key, first batch: bounded by the batch first and last keys',
      items,
      false,
      `WITH _switchyard_batch AS (
  SELECT id AS _switchyard_k0 FROM public.items
  ORDER BY id LIMIT $1
), _switchyard_first AS (
  SELECT _switchyard_k0 FROM _switchyard_batch ORDER BY _switchyard_k0 LIMIT 1
), _switchyard_last AS (
  SELECT _switchyard_k0 FROM _switchyard_batch ORDER BY _switchyard_k0 DESC LIMIT 1
), _switchyard_updated AS (
  UPDATE public.items SET price__new = (price::bigint)
  WHERE (id) >= (SELECT _switchyard_k0 FROM _switchyard_first) AND (id) <= (SELECT _switchyard_k0 FROM _switchyard_last)
    AND (price__new IS DISTINCT FROM (price::bigint))
  RETURNING 1
)
SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,
  last._switchyard_k0::text
FROM _switchyard_last AS last`,
    ],
    [
      'single key, resumed: after the position, up to the batch last key',
      items,
      true,
      `WITH _switchyard_batch AS (
  SELECT id AS _switchyard_k0 FROM public.items WHERE (id) > ($2)
  ORDER BY id LIMIT $1
), _switchyard_last AS (
  SELECT _switchyard_k0 FROM _switchyard_batch ORDER BY _switchyard_k0 DESC LIMIT 1
), _switchyard_updated AS (
  UPDATE public.items SET price__new = (price::bigint)
  WHERE (id) > ($2) AND (id) <= (SELECT _switchyard_k0 FROM _switchyard_last)
    AND (price__new IS DISTINCT FROM (price::bigint))
  RETURNING 1
)
SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,
  last._switchyard_k0::text
FROM _switchyard_last AS last`,
    ],
    [
      'composite key with quoted names, first batch: row comparisons plus bounds on the leading column',
      lines,
      false,
      `WITH _switchyard_batch AS (
  SELECT "tenant id" AS _switchyard_k0, "order" AS _switchyard_k1 FROM "Sales"."Order Lines"
  ORDER BY "tenant id", "order" LIMIT $1
), _switchyard_first AS (
  SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_batch ORDER BY _switchyard_k0, _switchyard_k1 LIMIT 1
), _switchyard_last AS (
  SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_batch ORDER BY _switchyard_k0 DESC, _switchyard_k1 DESC LIMIT 1
), _switchyard_updated AS (
  UPDATE "Sales"."Order Lines" SET "Total" = (qty * "tenant id"), touched = (touched + 1)
  WHERE ("tenant id", "order") >= (SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_first) AND ("tenant id", "order") <= (SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_last) AND "tenant id" >= (SELECT _switchyard_k0 FROM _switchyard_first) AND "tenant id" <= (SELECT _switchyard_k0 FROM _switchyard_last)
    AND ("Total" IS NULL)
  RETURNING 1
)
SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,
  last._switchyard_k0::text, last._switchyard_k1::text
FROM _switchyard_last AS last`,
    ],
    [
      'composite key with quoted names, resumed',
      lines,
      true,
      `WITH _switchyard_batch AS (
  SELECT "tenant id" AS _switchyard_k0, "order" AS _switchyard_k1 FROM "Sales"."Order Lines" WHERE ("tenant id", "order") > ($2, $3)
  ORDER BY "tenant id", "order" LIMIT $1
), _switchyard_last AS (
  SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_batch ORDER BY _switchyard_k0 DESC, _switchyard_k1 DESC LIMIT 1
), _switchyard_updated AS (
  UPDATE "Sales"."Order Lines" SET "Total" = (qty * "tenant id"), touched = (touched + 1)
  WHERE ("tenant id", "order") > ($2, $3) AND ("tenant id", "order") <= (SELECT _switchyard_k0, _switchyard_k1 FROM _switchyard_last) AND "tenant id" >= $2 AND "tenant id" <= (SELECT _switchyard_k0 FROM _switchyard_last)
    AND ("Total" IS NULL)
  RETURNING 1
)
SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,
  last._switchyard_k0::text, last._switchyard_k1::text
FROM _switchyard_last AS last`,
    ],
  ])('%s', (_, spec, resume, sql) => {
    expect(renderBatch(spec, resume)).toBe(sql);
  });

  it('updates every walked row when where is empty', () => {
    expect(renderBatch({ ...items, where: '  ' }, true)).toContain('\n    AND (true)\n');
  });

  it('never joins the batch keys back to the table', () => {
    for (const spec of [items, lines])
      for (const resume of [false, true])
        expect(renderBatch(spec, resume)).not.toMatch(/\bFROM _switchyard_batch\b[^\n]*\bWHERE\b|UPDATE [^\n]* FROM /);
  });

  it.each<[string, BackfillSpec, string]>([
    ['no key columns', { ...items, key: [] }, 'backfill of public.items has no key columns'],
    ['no assignments', { ...items, set: [] }, 'backfill of public.items sets no columns'],
  ])('refuses a spec with %s', (_, spec, message) => {
    expect(() => renderBatch(spec, false)).toThrow(new TypeError(message));
  });
});

describe('renderRowsAfter', () => {
  it('asks the planner for the rows after the position, quoting every name', () => {
    expect(renderRowsAfter(items)).toBe('EXPLAIN (FORMAT JSON) SELECT 1 FROM public.items WHERE (id) > ($1)');
    expect(renderRowsAfter(lines)).toBe(
      'EXPLAIN (FORMAT JSON) SELECT 1 FROM "Sales"."Order Lines" WHERE ("tenant id", "order") > ($1, $2)',
    );
  });
});
