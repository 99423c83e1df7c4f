// Sequences are not replicated: at a switch, with writes fenced, every sequence of the application schemas
// (identity, owned by a column, or used by a plain DEFAULT nextval) is copied from the old live side to the
// new one, last_value and is_called exactly, never a MAX(id). One statement to read, one to write, whatever the
// number of sequences.
import type { Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import { qualified } from '../db/quote.js';

export interface SequenceValue {
  /** Quoted, qualified name. */
  readonly name: string;
  readonly lastValue: string;
  readonly isCalled: boolean;
}

/**
 * Every sequence of `schemas` on `db` with its state, in one statement whatever their number (it runs while
 * writes are fenced). `pg_sequence_last_value` reads a called sequence without planning a query per sequence;
 * it is null for one never called (or set with is_called false), whose last_value is then read with a query of
 * its own inside the statement (`query_to_xml`), so the state is copied exactly, never guessed from the start.
 */
export async function readSequences(db: Client, schemas: readonly string[]): Promise<SequenceValue[]> {
  try {
    const { rows } = await db.query<{ schema: string; name: string; v: string; c: boolean }>(
      `SELECT schema, name, coalesce(called::text, (xpath('/row/last_value/text()', fresh))[1]::text) AS v,
              coalesce(called IS NOT NULL, (xpath('/row/is_called/text()', fresh))[1]::text = 'true') AS c
         FROM (SELECT n.nspname AS schema, c.relname AS name, l.called,
                      CASE WHEN l.called IS NULL THEN query_to_xml(format('SELECT last_value, is_called FROM %I.%I', n.nspname, c.relname), false, true, '') END AS fresh
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL (SELECT pg_sequence_last_value(c.oid) AS called) l
                WHERE c.relkind = 'S' AND n.nspname = ANY($1::text[])) s
        ORDER BY 1, 2`,
      [schemas],
    );
    return rows.map((r) => ({ name: qualified(r.schema, r.name), lastValue: r.v, isCalled: r.c }));
  } catch (e) {
    throw databaseError('reading the sequences', e);
  }
}

/**
 * Brings each sequence on `db` to the given state, in one statement: a called sequence already in that state is
 * left alone (a setval writes WAL, and most were copied before the fence), one to be left uncalled is always set
 * (its last_value cannot be compared without a query of its own). Returns how many were set. A sequence missing
 * on `db` is an error: the new side would hand out values the old one already did.
 */
export async function writeSequences(db: Client, values: readonly SequenceValue[]): Promise<number> {
  if (!values.length) return 0;
  try {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(setval(x::regclass, v, c))::int AS n FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS t(x, v, c)
        WHERE NOT c OR pg_sequence_last_value(x::regclass) IS DISTINCT FROM v`,
      [values.map((v) => v.name), values.map((v) => v.lastValue), values.map((v) => v.isCalled)],
    );
    return rows[0]?.n ?? 0;
  } catch (e) {
    throw databaseError('copying the sequences to the new live side', e);
  }
}
