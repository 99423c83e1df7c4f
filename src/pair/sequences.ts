// Sequences are not replicated: at a switch, with writes fenced, every sequence of the application schemas
// (identity, owned by a column, or used by a plain DEFAULT nextval) is copied from the old live side to the
// new one, last_value and is_called exactly, never a MAX(id). One statement to read, one to write.
import type { Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import { qualified } from '../db/quote.js';

export interface SequenceValue {
  /** Quoted, qualified name. */
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/** Every sequence of `schemas` on `db` with its state. */
export async function readSequences(db: Client, schemas: readonly string[]): Promise<SequenceValue[]> {
  try {
    const { rows: names } = await db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname = ANY($1::text[]) ORDER BY 1, 2`,
      [schemas],
    );
    if (!names.length) return [];
    const parts = names.map(
      (s, i) => `SELECT ${i} AS i, last_value::text AS v, is_called AS c FROM ${qualified(s.schema, s.name)}`,
    );
    const { rows } = await db.query<{ i: number; v: string; c: boolean }>(parts.join(' UNION ALL '));
    return rows
      .sort((a, b) => a.i - b.i)
      .map((r) => ({ name: qualified(names[r.i]!.schema, names[r.i]!.name), lastValue: r.v, isCalled: r.c }));
  } catch (e) {
    throw databaseError('reading the sequences', e);
  }
}

/**
 * Sets each sequence on `db` to the given state. A sequence missing on `db` is an error: the new side would
 * hand out values the old one already did.
 */
export async function writeSequences(db: Client, values: readonly SequenceValue[]): Promise<number> {
  if (!values.length) return 0;
  try {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(setval(x::regclass, v, c))::int AS n FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS t(x, v, c)`,
      [values.map((v) => v.name), values.map((v) => v.lastValue), values.map((v) => v.isCalled)],
    );
    return rows[0]?.n ?? 0;
  } catch (e) {
    throw databaseError('copying the sequences to the new live side', e);
  }
}
