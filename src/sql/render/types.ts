// Enum types and sequences (identity sequences belong to their column and are not rendered here).
import type { Enum, Sequence } from '../../schema/model/model.js';
import { ident, literal, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';

export function createEnum(schema: string, e: Enum): string {
  return `CREATE TYPE ${qualified(schema, e.name)} AS ENUM (${e.values.map(literal).join(', ')})`;
}

/**
 * A new value goes at the end unless placed before or after an existing one. The value cannot be used in
 * the transaction that adds it (and before PostgreSQL 12 the statement cannot run in one at all).
 */
export type EnumValuePosition = { readonly before: string } | { readonly after: string };

export function addEnumValue(schema: string, name: string, value: string, position?: EnumValuePosition): string {
  const where =
    position === undefined
      ? ''
      : 'before' in position
        ? ` BEFORE ${literal(position.before)}`
        : ` AFTER ${literal(position.after)}`;
  return `ALTER TYPE ${qualified(schema, name)} ADD VALUE ${literal(value)}${where}`;
}

/** Never CASCADE: columns of the type are dropped or converted first. */
export function dropType(schema: string, name: string): string {
  return `DROP TYPE ${qualified(schema, name)}`;
}

// The numeric fields are strings (they can exceed 2^53) inserted as SQL numbers, so they must be integers.
function integer(value: string, field: string, schema: string, name: string): string {
  if (!/^-?[0-9]+$/.test(value)) {
    throw new InvalidModelError(
      `sequence ${qualified(schema, name)}`,
      `${field} ${JSON.stringify(value)} is not an integer`,
    );
  }
  return value;
}

/** Every option spelled out, so the sequence does not depend on the server's defaults. OWNED BY comes later. */
export function createSequence(schema: string, s: Sequence): string {
  const n = (value: string, field: string) => integer(value, field, schema, s.name);
  return (
    `CREATE SEQUENCE ${qualified(schema, s.name)} AS ${s.type}` +
    ` INCREMENT BY ${n(s.increment, 'increment')} MINVALUE ${n(s.min, 'min')} MAXVALUE ${n(s.max, 'max')}` +
    ` START WITH ${n(s.start, 'start')} CACHE ${n(s.cache, 'cache')} ${s.cycle ? 'CYCLE' : 'NO CYCLE'}`
  );
}

/**
 * `OWNED BY table.column` (the table must be in the sequence's schema), or `OWNED BY NONE` for null. A separate
 * statement because the column is created after the sequence that its default reads.
 */
export function alterSequenceOwnedBy(
  schema: string,
  name: string,
  owner: { table: string; column: string } | null,
): string {
  const target = owner === null ? 'NONE' : `${qualified(schema, owner.table)}.${ident(owner.column)}`;
  return `ALTER SEQUENCE ${qualified(schema, name)} OWNED BY ${target}`;
}

/** Never CASCADE: defaults that read the sequence are dropped first. */
export function dropSequence(schema: string, name: string): string {
  return `DROP SEQUENCE ${qualified(schema, name)}`;
}
