// Object keys for the dependency graph. A step `creates`, `requires` and `drops` such keys; the planner orders
// steps so that an object is created before anything requiring it, and dropped after everything requiring it.
import type { ObjectKey } from './types.js';

const j = (...parts: string[]) => parts.join('\u001f');

export const key = {
  schema: (s: string): ObjectKey => `schema:${s}`,
  type: (s: string, n: string): ObjectKey => `type:${j(s, n)}`,
  sequence: (s: string, n: string): ObjectKey => `sequence:${j(s, n)}`,
  function: (s: string, n: string, args: string): ObjectKey => `function:${j(s, n, args)}`,
  table: (s: string, t: string): ObjectKey => `table:${j(s, t)}`,
  column: (s: string, t: string, c: string): ObjectKey => `column:${j(s, t, c)}`,
  /** Indexes live in the schema's relation namespace, like tables. */
  index: (s: string, n: string): ObjectKey => `index:${j(s, n)}`,
  /** A constraint (primary key, unique, foreign key, check) on a table. */
  constraint: (s: string, t: string, n: string): ObjectKey => `constraint:${j(s, t, n)}`,
  trigger: (s: string, t: string, n: string): ObjectKey => `trigger:${j(s, t, n)}`,
  /** A view or a materialized view (they share the relation namespace; one key form for both). */
  view: (s: string, n: string): ObjectKey => `view:${j(s, n)}`,
};

/** A readable form of a key for messages and plan files: `table public.users`. */
export function describeKey(k: ObjectKey): string {
  const i = k.indexOf(':');
  return `${k.slice(0, i)} ${k
    .slice(i + 1)
    .split('\u001f')
    .join('.')}`;
}
