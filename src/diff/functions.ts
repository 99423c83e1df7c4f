// Functions are identified by name and identity argument types (overloads are different functions; parameter
// names are not part of the identity, so a renamed parameter is a replace_function, as in PostgreSQL) and
// compared by their complete definition text, as pg_get_functiondef prints it.
import type { Function } from '../schema/model/model.js';
import { diffComment } from './comments.js';
import { pairByKey } from './list.js';
import type { Emit } from './order.js';

// Type names of more than one word, as format_type prints them; any other argument with a space has a name.
const MULTI_WORD_TYPES = new Set([
  'double precision',
  'character varying',
  'bit varying',
  'time without time zone',
  'time with time zone',
  'timestamp without time zone',
  'timestamp with time zone',
]);
const MODES = /^(?:IN|INOUT|VARIADIC|OUT)\s+/i;
const WORD = String.raw`(?:"(?:[^"]|"")*"|[^\s"]+)`;

/** Top-level comma-separated parts (quoted identifiers may hold commas). */
function splitArgs(args: string): string[] {
  return args === '' ? [] : (args.match(/(?:"(?:[^"]|"")*"|[^,"])+/g) ?? []).map((a) => a.trim());
}

/** `pg_get_function_identity_arguments` text without the parameter names: `a text, b int[]` -> `text, int[]`. */
export function identityTypes(args: string): string {
  return splitArgs(args)
    .map((arg) => {
      const mode = MODES.exec(arg)?.[0] ?? '';
      const rest = arg.slice(mode.length);
      const type = rest.replace(/(?:\[\])+$/, '');
      if (MULTI_WORD_TYPES.has(type) || !new RegExp(String.raw`^${WORD}\s`).test(rest)) return mode + rest;
      return mode + rest.replace(new RegExp(String.raw`^${WORD}\s+`), '');
    })
    .join(', ');
}

// NUL appears in no identifier, so the key is unambiguous and sorts by name, then arguments, like normalize.ts.
const signature = (f: Function): string => `${f.name}\0${identityTypes(f.args)}`;

export function diffFunctions(emit: Emit, schema: string, from: readonly Function[], to: readonly Function[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, signature)) {
    if (!f && t) emit({ kind: 'create_function', schema, function: t });
    else if (f && !t) emit({ kind: 'drop_function', schema, function: f });
    else if (f && t) {
      if (f.definition !== t.definition) emit({ kind: 'replace_function', schema, from: f, to: t });
      // A replace_function that drops and creates the function puts the target's comment back itself.
      diffComment(emit, schema, { kind: 'function', function: t.name, args: t.args }, f.comment, t.comment);
    }
  }
}
