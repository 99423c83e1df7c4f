// Pieces shared by the statement renderers: the ALTER TABLE prefix and object names. A model that cannot be
// rendered safely (types and expressions go in verbatim, anything else inserted raw is checked) raises
// InvalidModelError from errors.ts, which the YAML writer (schema/) raises too.
import { ident, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';

export function alterTable(schema: string, table: string, action: string): string {
  return `ALTER TABLE ${qualified(schema, table)} ${action}`;
}

// One part of a name as PostgreSQL prints it in DDL: bare lowercase or double-quoted.
const PART = `(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")`;
const PRINTED_NAME = new RegExp(String.raw`^${PART}(?:\.${PART})?$`);

/**
 * A collation or operator class name. The model spells these as PostgreSQL prints them in DDL (`"C"`,
 * `app.my_ops`), while a hand-written schema may hold a bare name (`C`). A value with a quote or a dot is
 * printed SQL and is used as is once checked to be nothing but a (qualified) name; anything else is a bare
 * name and goes through ident(). Both spellings of the same collation therefore render the same SQL.
 */
export function objectName(value: string, object: string): string {
  if (!/[".]/.test(value)) return ident(value);
  if (PRINTED_NAME.test(value)) return value;
  throw new InvalidModelError(object, `${JSON.stringify(value)} is neither a bare name nor a quoted SQL name`);
}
