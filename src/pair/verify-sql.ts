// The SQL `pair verify` reads with: chunk boundaries in primary-key order, one checksum per chunk (row count
// and the sum of a 64-bit hash of each row's text: order does not matter, so no sort), and the per-row hashes of
// a chunk that differs, to name its keys. Every identifier goes through quote.ts; key values travel as
// parameters (their text, cast back to the column's type), never inside the SQL.
import { ident, qualified } from '../db/quote.js';

/** What verify reads of one table: its name, its key (columns and types), the columns both sides have. */
export interface VerifyTable {
  readonly schema: string;
  readonly name: string;
  /** Primary key columns in order, with their types; empty without a key. */
  readonly key: readonly { readonly name: string; readonly type: string }[];
  /** The columns compared: on both sides, in live's order. */
  readonly columns: readonly string[];
}

/** One chunk: key values (text) it starts at (inclusive) and ends before; null is open. */
export interface ChunkRange {
  readonly from: readonly string[] | null;
  readonly to: readonly string[] | null;
}

/** The text every row is hashed as: its compared columns as one record, printed by the server. */
export function rowText(t: VerifyTable): string {
  return `ROW(${t.columns.map(ident).join(', ')})::text`;
}

const keyList = (t: VerifyTable) => t.key.map((k) => ident(k.name)).join(', ');

/** `(k1, k2) >= ($1::t1, $2::t2) AND (k1, k2) < (...)`, and the parameters it takes. */
export function rangeWhere(t: VerifyTable, r: ChunkRange): { where: string; params: string[] } {
  const params: string[] = [];
  const tuple = (values: readonly string[]) =>
    `(${values
      .map((v, i) => {
        params.push(v);
        return `$${params.length}::${t.key[i]!.type}`;
      })
      .join(', ')})`;
  const parts: string[] = [];
  if (r.from) parts.push(`(${keyList(t)}) >= ${tuple(r.from)}`);
  if (r.to) parts.push(`(${keyList(t)}) < ${tuple(r.to)}`);
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * The first key of every chunk but the first: row numbers in key order, every `chunkRows`-th kept. One pass
 * over the primary key index (or over a sample of the table's blocks).
 */
export function boundariesSql(t: VerifyTable, sampled = false): string {
  const cols = t.key.map((k, i) => `${ident(k.name)}::text AS k${i}`).join(', ');
  // With --sample, the keys of a block sample ($2 percent): chunks of about the same size, read in O(sample).
  const from = `${qualified(t.schema, t.name)}${sampled ? ' TABLESAMPLE SYSTEM ($2)' : ''}`;
  return `SELECT ${cols} FROM (SELECT ${keyList(t)}, row_number() OVER (ORDER BY ${keyList(t)}) AS rn FROM ${from}) s WHERE rn > 1 AND rn % $1 = 1 ORDER BY rn`;
}

/** Rows and checksum of one chunk (or of the whole table without a key). */
export function chunkSql(t: VerifyTable, r: ChunkRange): { sql: string; params: string[] } {
  const { where, params } = rangeWhere(t, r);
  return {
    sql: `SELECT count(*)::text AS n, coalesce(sum(hashtextextended(${rowText(t)}, 0)), 0)::text AS h FROM ${qualified(t.schema, t.name)}${where}`,
    params,
  };
}

/** Each row of a chunk: its key (text of each column) and its hash. */
export function rowsSql(t: VerifyTable, r: ChunkRange): { sql: string; params: string[] } {
  const { where, params } = rangeWhere(t, r);
  const keys = t.key.map((k, i) => `${ident(k.name)}::text AS k${i}`).join(', ');
  return {
    sql: `SELECT ${keys}, hashtextextended(${rowText(t)}, 0)::text AS h FROM ${qualified(t.schema, t.name)}${where}`,
    params,
  };
}

/** A table without a key: each distinct row text and how many times it occurs (to name rows that differ). */
export function multisetSql(t: VerifyTable): string {
  return `SELECT ${rowText(t)} AS r, count(*)::int AS n FROM ${qualified(t.schema, t.name)} GROUP BY 1`;
}

/**
 * Settings the row text depends on, the same on both sides for the transaction: dates, times, intervals,
 * floats and bytea print alike whatever each server's defaults are.
 */
export const READ_SETTINGS = [
  `SET LOCAL DateStyle TO 'ISO, YMD'`,
  `SET LOCAL IntervalStyle TO 'postgres'`,
  `SET LOCAL TimeZone TO 'UTC'`,
  `SET LOCAL extra_float_digits TO 1`,
  `SET LOCAL bytea_output TO 'hex'`,
].join('; ');
