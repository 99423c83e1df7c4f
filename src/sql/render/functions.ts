// Functions. The model stores the complete statement as pg_get_functiondef prints it, so creating one is
// passing it through; only its shape is checked, and a trailing semicolon is removed (statements carry none).
import type { Function } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';

export function createFunction(f: Function): string {
  const sql = f.definition.trim().replace(/;$/, '').trimEnd();
  if (!/^CREATE\s+(OR\s+REPLACE\s+)?FUNCTION\s/i.test(sql)) {
    throw new InvalidModelError(
      `function ${ident(f.name)}(${f.args})`,
      'its definition is not a CREATE [OR REPLACE] FUNCTION statement',
    );
  }
  return sql;
}

/** `args` are the identity arguments as pg_get_function_identity_arguments prints them ('' for none). */
export function dropFunction(schema: string, name: string, args: string): string {
  return `DROP FUNCTION ${qualified(schema, name)}(${args})`;
}
