// Whether a column default is volatile. ADD COLUMN with a non-volatile default (a constant, now(), a cast)
// stores the value once in the catalog and rewrites nothing (PostgreSQL 11+); a volatile default (random(),
// nextval(), clock_timestamp()...) is evaluated per existing row, which rewrites the table under ACCESS
// EXCLUSIVE. A wrong "non-volatile" costs a rewrite, so unknown calls of functions defined in the snapshots
// are judged by their definition, and the built-ins below are listed from pg_proc (provolatile = 'v').
// Functions neither listed nor defined in a snapshot (other extensions) are assumed non-volatile: most
// built-ins are immutable or stable, and listing them all would not make extensions known either.
import type { DatabaseSchema } from '../../schema/model/model.js';

/**
 * Volatile built-ins (and popular extension functions) that make sense in a default. now(), statement_timestamp(),
 * transaction_timestamp(), CURRENT_TIMESTAMP, txid_current() and current_setting() are STABLE: one value per
 * statement, so an ADD COLUMN stores it once.
 */
export const VOLATILE_FUNCTIONS: readonly string[] = [
  'array_sample',
  'array_shuffle',
  'clock_timestamp',
  'currval',
  'gen_random_bytes', // pgcrypto
  'gen_random_uuid',
  'gen_salt', // pgcrypto
  'lastval',
  'nextval',
  'random',
  'random_normal',
  'set_config',
  'setseed',
  'setval',
  'timeofday',
  'uuid_generate_v1', // uuid-ossp (v3 and v5 are immutable)
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
];

const VOLATILE = new Set(VOLATILE_FUNCTIONS);

/** Names of functions called in an expression (`name(` or `schema.name(`, quoted or not), lower-cased when unquoted. */
export function calledFunctions(expression: string): string[] {
  const names: string[] = [];
  // Skip string literals: 'random()' in a default is text, not a call.
  const code = expression.replace(/'(?:[^']|'')*'/g, "''");
  for (const m of code.matchAll(/("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\(/g)) {
    const raw = m[1] as string;
    names.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw.toLowerCase());
  }
  return names;
}

/** pg_get_functiondef prints IMMUTABLE or STABLE on a line of its own; VOLATILE is the default and not printed. */
function definedVolatile(definition: string): boolean {
  const header = definition.split(/\bAS\s+\$/i)[0] ?? definition;
  return !/\b(IMMUTABLE|STABLE)\b/i.test(header);
}

/** True when the expression calls a volatile function: a listed built-in, or a snapshot function not declared IMMUTABLE/STABLE. */
export function isVolatile(expression: string, ...dbs: readonly DatabaseSchema[]): boolean {
  for (const name of calledFunctions(expression)) {
    if (VOLATILE.has(name)) return true;
    for (const db of dbs) {
      for (const s of db.schemas) {
        if (s.functions.some((f) => f.name === name && definedVolatile(f.definition))) return true;
      }
    }
  }
  return false;
}
