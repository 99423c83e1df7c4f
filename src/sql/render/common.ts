// Pieces shared by the statement renderers: the ALTER TABLE prefix and the error for a model that cannot be
// rendered safely (the renderer inserts types and expressions verbatim, so anything else it inserts raw is checked).
import { SwitchyardError } from '../../errors.js';
import { ident, qualified } from '../quote.js';

/** A model object that cannot become SQL: a bug in whatever produced the model, or a hand-built model. */
export class InvalidModelError extends SwitchyardError {
  /** Which object, e.g. `sequence "app"."order_seq"`. */
  readonly object: string;
  constructor(object: string, problem: string) {
    super('INVALID_MODEL', `cannot render ${object}: ${problem}`, 2);
    this.name = 'InvalidModelError';
    this.object = object;
  }
}

export function alterTable(schema: string, table: string, action: string): string {
  return `ALTER TABLE ${qualified(schema, table)} ${action}`;
}

// One part of a name as PostgreSQL prints it in DDL: bare lowercase or double-quoted.
const PART = String.raw`(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")`;
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
