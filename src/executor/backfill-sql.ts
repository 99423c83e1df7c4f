// The SQL of one backfill batch. Names go through ident()/qualified(); the spec's `expression` and `where`
// are USER_SQL (planner- or user-supplied expressions over the row) and are inserted as written.
import type { BackfillSpec } from '../planner/types.js';
import { ident, qualified } from '../sql/quote.js';

/**
 * One statement, one round trip: pick the next `limit` keys after the position whatever `where` says (so
 * rows that need no update still move the position forward), update those that match `where`, and return
 * the batch size, the rows updated and the last key of the batch as text (exact across types, JSON-safe for
 * the ledger). No row comes back when the batch is empty: the walk is over.
 *
 * Parameters: $1 = limit, then the position's key values when `resume` is true.
 * Batch columns get private aliases so unqualified column names in USER_SQL stay unambiguous.
 */
export function renderBatch(spec: BackfillSpec, resume: boolean): string {
  if (spec.key.length === 0) throw new TypeError(`backfill of ${qualified(spec.schema, spec.table)} has no key columns`);
  if (spec.set.length === 0) throw new TypeError(`backfill of ${qualified(spec.schema, spec.table)} sets no columns`);
  const table = qualified(spec.schema, spec.table);
  const keys = spec.key.map(ident);
  const alias = spec.key.map((_, i) => `_switchyard_k${i}`);
  const after = resume ? `WHERE (${keys.join(', ')}) > (${keys.map((_, i) => `$${i + 2}`).join(', ')})` : '';
  const assignments = spec.set.map((s) => `${ident(s.column)} = (${s.expression})`).join(', ');
  const join = keys.map((k, i) => `${table}.${k} = _switchyard_batch.${alias[i]}`).join(' AND ');
  const where = spec.where.trim() === '' ? 'true' : spec.where;
  return [
    `WITH _switchyard_batch AS (`,
    `  SELECT ${keys.map((k, i) => `${k} AS ${alias[i]}`).join(', ')} FROM ${table} ${after}`,
    `  ORDER BY ${keys.join(', ')} LIMIT $1`,
    `), _switchyard_updated AS (`,
    `  UPDATE ${table} SET ${assignments} FROM _switchyard_batch`,
    `  WHERE ${join} AND (${where})`,
    `  RETURNING 1`,
    `)`,
    `SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,`,
    `  ${alias.map((a) => `last.${a}::text`).join(', ')}`,
    `FROM (SELECT * FROM _switchyard_batch ORDER BY ${alias.map((a) => `${a} DESC`).join(', ')} LIMIT 1) AS last`,
  ].join('\n');
}

/** Cheap row estimate from the statistics; undefined when the table was never analyzed or vacuumed. */
export const ESTIMATE_ROWS = `SELECT reltuples::float8 AS n FROM pg_catalog.pg_class WHERE oid = $1::regclass`;
