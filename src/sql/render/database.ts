// Schemas, and the whole script that builds a declared schema on an empty database (round trips, shadow
// databases, rehearsal). Each phase covers every schema before the next begins, so references across schemas
// (an enum column, a foreign key, a trigger function elsewhere) always find their target.
import type { DatabaseSchema, Schema, Table } from '../../schema/model.js';
import { normalizeDatabase } from '../../schema/normalize.js';
import { ident } from '../quote.js';
import { comment } from './comments.js';
import { addCheck, addForeignKey } from './constraints.js';
import { createFunction } from './functions.js';
import { createIndex } from './indexes.js';
import { createTable } from './table.js';
import { createTrigger, enableTrigger } from './triggers.js';
import { alterSequenceOwnedBy, createEnum, createSequence } from './types.js';

export function createSchema(name: string): string {
  return `CREATE SCHEMA ${ident(name)}`;
}

/** Never CASCADE: the schema must already be empty. */
export function dropSchema(name: string): string {
  return `DROP SCHEMA ${ident(name)}`;
}

/** Every database starts with `public` (and its default comment); every other schema is created. */
const BUILT_IN = 'public';

/**
 * The complete, ordered script creating `db` on an empty database: one statement per element, without a
 * trailing semicolon (the executor sends each element as it is). The order is fixed and the model is
 * normalized first, so the same schema always gives the same script:
 * schemas and their comments, enums, sequences, functions, tables (checks inline, no foreign keys), sequence
 * OWNED BY, NOT VALID checks, indexes (not CONCURRENTLY: nothing else uses the database), foreign keys (after
 * every table and unique index, so cycles and cross-schema references work), triggers and their modes, comments.
 * An index marked `invalid` is created valid: no statement can create an invalid one.
 * SQL-language function bodies are checked at creation, so one that reads a table needs
 * `check_function_bodies = off` in the session (as pg_dump sets); plpgsql bodies are not checked.
 */
export function renderDatabase(db: DatabaseSchema): string[] {
  const schemas = normalizeDatabase(db).schemas;
  const tables = schemas.flatMap((s) => s.tables.map((t) => [s.name, t] as const));
  const perTable = (f: (schema: string, t: Table) => string[]) => tables.flatMap(([s, t]) => f(s, t));
  const perSchema = (f: (s: Schema) => string[]) => schemas.flatMap(f);
  return [
    ...schemas.filter((s) => s.name !== BUILT_IN).map((s) => createSchema(s.name)),
    // public keeps its built-in comment ("standard public schema"), which introspection reads as no comment.
    ...perSchema((s) => (s.comment !== undefined ? [comment({ kind: 'schema', schema: s.name }, s.comment)] : [])),
    ...perSchema((s) => s.enums.map((e) => createEnum(s.name, e))),
    ...perSchema((s) => s.sequences.map((q) => createSequence(s.name, q))),
    ...perSchema((s) => s.functions.map(createFunction)),
    ...perTable((s, t) => [createTable(s, t)]),
    ...perSchema((s) => s.sequences.flatMap((q) => (q.ownedBy ? [alterSequenceOwnedBy(s.name, q.name, q.ownedBy)] : []))),
    ...perTable((s, t) => t.checks.filter((c) => c.notValid).map((c) => addCheck(s, t.name, c))),
    ...perTable((s, t) => t.indexes.map((i) => createIndex(s, t.name, i))),
    ...perTable((s, t) => t.foreignKeys.map((f) => addForeignKey(s, t.name, f))),
    ...perTable((s, t) =>
      t.triggers.flatMap((tr) => [createTrigger(s, t.name, tr), ...(tr.enabled === 'origin' ? [] : [enableTrigger(s, t.name, tr.name, tr.enabled)])]),
    ),
    ...perSchema((s) => s.enums.flatMap((e) => (e.comment !== undefined ? [comment({ kind: 'type', schema: s.name, name: e.name }, e.comment)] : []))),
    ...perTable(tableComments),
  ];
}

function tableComments(schema: string, t: Table): string[] {
  const out: string[] = [];
  if (t.comment !== undefined) out.push(comment({ kind: 'table', schema, table: t.name }, t.comment));
  for (const c of t.columns) {
    if (c.comment !== undefined) out.push(comment({ kind: 'column', schema, table: t.name, column: c.name }, c.comment));
  }
  for (const i of t.indexes) if (i.comment !== undefined) out.push(comment({ kind: 'index', schema, name: i.name }, i.comment));
  return out;
}
