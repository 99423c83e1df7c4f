// Functions are identified by name and identity arguments (overloads are different functions) and compared
// by their complete definition text, as pg_get_functiondef prints it.
import type { Function } from '../schema/model/model.js';
import { pairByKey } from './list.js';
import type { Emit } from './order.js';

// NUL appears in no identifier, so the key is unambiguous and sorts by name, then arguments, like normalize.ts.
const signature = (f: Function): string => `${f.name}\0${f.args}`;

export function diffFunctions(emit: Emit, schema: string, from: readonly Function[], to: readonly Function[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, signature)) {
    if (!f && t) emit({ kind: 'create_function', schema, function: t });
    else if (f && !t) emit({ kind: 'drop_function', schema, function: f });
    else if (f && t && f.definition !== t.definition) emit({ kind: 'replace_function', schema, from: f, to: t });
  }
}
