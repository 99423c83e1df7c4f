// Pieces shared by the enum, sequence, function, trigger and comment handlers: lookups in the snapshots, and
// the search for a qualified name inside SQL text that PostgreSQL printed with an empty search_path (so every
// user type and table in a signature, default or check appears as `schema.name`).
import { findSchema as lookupSchema, findTable as lookupTable } from '../../schema/model/lookup.js';
import type { Change } from '../../diff/index.js';
import type { DatabaseSchema, Function, Schema, Table } from '../../schema/model/model.js';
import { MAX_IDENTIFIER_BYTES, identifierBytes, qualified } from '../../db/quote.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanProblem } from '../types.js';

export function findSchema(db: DatabaseSchema, schema: string): Schema | undefined {
  return lookupSchema(db, schema);
}

export function findTable(db: DatabaseSchema, schema: string, table: string): Table | undefined {
  return lookupTable(db, schema, table);
}

export function findFunction(db: DatabaseSchema, schema: string, name: string, args: string): Function | undefined {
  return findSchema(db, schema)?.functions.find((f) => f.name === name && f.args === args);
}

/** Every table of a snapshot with its schema name. */
export function allTables(db: DatabaseSchema): { readonly schema: string; readonly table: Table }[] {
  return db.schemas.flatMap((s) => s.tables.map((table) => ({ schema: s.name, table })));
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// A printed name goes on with an identifier character, a quote, or a dot; `app.st` must not match `app.st2`.
function tokenPattern(schema: string, name: string, flags: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_$".])${escape(qualified(schema, name))}(?![A-Za-z0-9_$"])`, flags);
}

/** Whether printed SQL names `schema.name` as a whole token (never inside a longer name). */
export function mentions(text: string | undefined, schema: string, name: string): boolean {
  return text !== undefined && tokenPattern(schema, name, '').test(text);
}

/**
 * The text with every mention of type `schema.from` turned into `schema.to`. Used for defaults and checks that
 * must be re-added while the replacement type still has its temporary name; a string literal spelling the
 * qualified name itself would be changed too, which printed expressions practically never contain.
 */
export function renameMentions(text: string, schema: string, from: string, to: string): string {
  return text.replace(tokenPattern(schema, from, 'g'), () => qualified(schema, to));
}

/** The ` RETURNS ...` line of a definition as pg_get_functiondef prints it. */
export function returnsClause(definition: string): string | undefined {
  return /^ RETURNS (.*)$/m.exec(definition)?.[1]?.trim();
}

// `CREATE OR REPLACE FUNCTION name` as pg_get_functiondef prints it: the function's own name is no dependency.
const NAME_PART = String.raw`(?:"(?:[^"]|"")*"|[^\s."(]+)`;
const HEADER_HEAD = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+${NAME_PART}(?:\.${NAME_PART})?`,
  'i',
);

/** The text PostgreSQL resolves when it creates the function whatever its language: arguments and RETURNS line. */
export function signatureText(f: Function): string {
  const header = f.definition.trimStart().split('\n', 1)[0] ?? '';
  return `${header.replace(HEADER_HEAD, '')}\n${returnsClause(f.definition) ?? ''}`;
}

/** Only SQL-language bodies are parsed when the function is created (plpgsql bodies are checked at run time). */
export function bodyIsParsed(f: Function): boolean {
  return /^ LANGUAGE sql$/m.test(f.definition);
}

/**
 * Keys of the enums and tables of `db` that a function needs at creation: those named in its signature, and
 * for an SQL-language function those named anywhere in it. A table in a signature is its row type.
 */
export function functionRequirements(f: Function, db: DatabaseSchema): ObjectKey[] {
  // Dollar-quote delimiters are not part of the body: `FROM app.items$function$` names app.items.
  const text = (bodyIsParsed(f) ? f.definition.trimStart().replace(HEADER_HEAD, '') : signatureText(f)).replace(
    /\$[A-Za-z_0-9]*\$/g,
    ' ',
  );
  const out: ObjectKey[] = [];
  for (const s of db.schemas) {
    for (const e of s.enums) if (mentions(text, s.name, e.name)) out.push(key.type(s.name, e.name));
    for (const t of s.tables) if (mentions(text, s.name, t.name)) out.push(key.table(s.name, t.name));
  }
  return out;
}

/**
 * A temporary name for a type in `schema` must fit in 63 bytes (PostgreSQL would truncate it silently) and must
 * not be taken by a type, or by a table or sequence (whose row types share the type namespace).
 */
export function temporaryNameProblems(
  change: Change,
  dbs: readonly DatabaseSchema[],
  schema: string,
  name: string,
  what: string,
): PlanProblem[] {
  if (identifierBytes(name) > MAX_IDENTIFIER_BYTES) {
    return [
      {
        change,
        message: `${what} needs the temporary type name ${qualified(schema, name)}, which is longer than ${MAX_IDENTIFIER_BYTES} bytes`,
        fix: 'shorten the enum name',
      },
    ];
  }
  const taken = dbs.some((db) => {
    const s = findSchema(db, schema);
    return s !== undefined && [...s.enums, ...s.tables, ...s.sequences].some((o) => o.name === name);
  });
  if (!taken) return [];
  return [
    {
      change,
      message: `${what} needs the temporary type name ${qualified(schema, name)}, which is taken`,
      fix: `rename ${qualified(schema, name)}`,
    },
  ];
}
