// The SQL of one backfill batch. Names go through ident()/qualified(); the spec's `expression` and `where`
// are USER_SQL (planner- or user-supplied expressions over the row) and are inserted as written.
import type { BackfillSpec } from '../planner/types.js';
import { ident, qualified } from '../db/quote.js';

/**
 * One statement, one round trip: find the next `limit` keys after the position whatever `where` says (so
 * rows that need no update still move the position forward), then update by key range, from the position
 * (or the batch's first key) to the batch's last key, the rows that match `where`, and return the batch
 * size, the rows updated and the last key as text (exact across types, JSON-safe for the ledger). No row
 * comes back when the batch is empty: the walk is over.
 *
 * The update is a key range, not a join with the batch's keys: the join flips to a hash join over a seq scan
 * of the whole table once batches pass a few thousand rows, while a range stays an index range scan. The
 * planner cannot know the last key (it comes from the batch), so it estimates the range from defaults: a
 * bound on both sides of one plain column gives a small estimate, one bound alone (the first batch, or a row
 * comparison, which is estimated by its leading column) a third of the table, close to where a seq scan wins.
 * Hence the first batch's lower bound, and the redundant bounds on the leading column of a composite key.
 *
 * Parameters: $1 = limit, then the position's key values when `resume` is true.
 * Batch columns get private aliases so unqualified column names in USER_SQL stay unambiguous.
 */
export function renderBatch(spec: BackfillSpec, resume: boolean): string {
  if (spec.key.length === 0)
    throw new TypeError(`backfill of ${qualified(spec.schema, spec.table)} has no key columns`);
  if (spec.set.length === 0) throw new TypeError(`backfill of ${qualified(spec.schema, spec.table)} sets no columns`);
  const table = qualified(spec.schema, spec.table);
  const keys = spec.key.map(ident);
  const row = `(${keys.join(', ')})`;
  const alias = spec.key.map((_, i) => `_switchyard_k${i}`);
  const position = keys.map((_, i) => `$${i + 2}`);
  const bound = (cte: string, columns: readonly string[]) => `(SELECT ${columns.join(', ')} FROM ${cte})`;
  const after = `${row} > (${position.join(', ')})`;
  const range = [
    resume ? after : `${row} >= ${bound('_switchyard_first', alias)}`,
    `${row} <= ${bound('_switchyard_last', alias)}`,
    ...(keys.length > 1
      ? [
          `${keys[0]} >= ${resume ? position[0] : bound('_switchyard_first', alias.slice(0, 1))}`,
          `${keys[0]} <= ${bound('_switchyard_last', alias.slice(0, 1))}`,
        ]
      : []),
  ];
  const assignments = spec.set.map((s) => `${ident(s.column)} = (${s.expression})`).join(', ');
  const where = spec.where.trim() === '' ? 'true' : spec.where;
  return [
    `WITH _switchyard_batch AS (`,
    `  SELECT ${keys.map((k, i) => `${k} AS ${alias[i]}`).join(', ')} FROM ${table}${resume ? ` WHERE ${after}` : ''}`,
    `  ORDER BY ${keys.join(', ')} LIMIT $1`,
    ...(resume
      ? []
      : [
          `), _switchyard_first AS (`,
          `  SELECT ${alias.join(', ')} FROM _switchyard_batch ORDER BY ${alias.join(', ')} LIMIT 1`,
        ]),
    `), _switchyard_last AS (`,
    `  SELECT ${alias.join(', ')} FROM _switchyard_batch ORDER BY ${alias.map((a) => `${a} DESC`).join(', ')} LIMIT 1`,
    `), _switchyard_updated AS (`,
    `  UPDATE ${table} SET ${assignments}`,
    `  WHERE ${range.join(' AND ')}`,
    `    AND (${where})`,
    `  RETURNING 1`,
    `)`,
    `SELECT (SELECT count(*) FROM _switchyard_batch)::int, (SELECT count(*) FROM _switchyard_updated)::int,`,
    `  ${alias.map((a) => `last.${a}::text`).join(', ')}`,
    `FROM _switchyard_last AS last`,
  ].join('\n');
}

/** Cheap row estimate from the statistics; undefined when the table was never analyzed or vacuumed. */
export const ESTIMATE_ROWS = `SELECT reltuples::float8 AS n FROM pg_catalog.pg_class WHERE oid = $1::regclass`;

/**
 * The rows a resumed backfill has left to walk, estimated by the planner (EXPLAIN, no row read): the keys after
 * the position, $1.. as in renderBatch's resume. A resumed run's progress counts these, not the whole table.
 */
export function renderRowsAfter(spec: BackfillSpec): string {
  const keys = spec.key.map(ident);
  const position = keys.map((_, i) => `$${i + 1}`);
  return `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${qualified(spec.schema, spec.table)} WHERE (${keys.join(', ')}) > (${position.join(', ')})`;
}
