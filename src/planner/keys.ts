// Object keys for the dependency graph. A step `creates`, `requires` and `drops` such keys; the planner orders
// steps so that an object is created before anything requiring it, and dropped after everything requiring it.
import type { DatabaseSchema } from '../schema/model/model.js';
import type { ObjectKey } from './types.js';

const j = (...parts: string[]) => parts.join('\u001f');

export const key = {
  schema: (s: string): ObjectKey => `schema:${s}`,
  /** An extension (database-wide: its name is unique in the database). */
  extension: (name: string): ObjectKey => `extension:${name}`,
  type: (s: string, n: string): ObjectKey => `type:${j(s, n)}`,
  sequence: (s: string, n: string): ObjectKey => `sequence:${j(s, n)}`,
  function: (s: string, n: string, args: string): ObjectKey => `function:${j(s, n, args)}`,
  table: (s: string, t: string): ObjectKey => `table:${j(s, t)}`,
  column: (s: string, t: string, c: string): ObjectKey => `column:${j(s, t, c)}`,
  /** Indexes live in the schema's relation namespace, like tables. */
  index: (s: string, n: string): ObjectKey => `index:${j(s, n)}`,
  /** A constraint (primary key, unique, foreign key, check, exclusion) on a table, or a check of a domain. */
  constraint: (s: string, t: string, n: string): ObjectKey => `constraint:${j(s, t, n)}`,
  trigger: (s: string, t: string, n: string): ObjectKey => `trigger:${j(s, t, n)}`,
  /** A row-level security policy on a table. */
  policy: (s: string, t: string, n: string): ObjectKey => `policy:${j(s, t, n)}`,
  /** A view or a materialized view (they share the relation namespace). */
  view: (s: string, n: string): ObjectKey => `view:${j(s, n)}`,
  /** Statement k (1-based) of the raw SQL step `name` has run: orders the statements of one step. */
  sqlStatement: (name: string, k: number): ObjectKey => `sql:${j(name, String(k))}`,
};

/** A readable form of a key for messages and plan files: `table public.users`. */
export function describeKey(k: ObjectKey): string {
  const i = k.indexOf(':');
  return `${k.slice(0, i)} ${k
    .slice(i + 1)
    .split('\u001f')
    .join('.')}`;
}

/**
 * Every object key a model holds: what the planner knows how to create, drop and recreate (the dependents rule
 * trusts these) and what a phase's expectations can check (rehearsal/expect.ts).
 */
export function modelKeys(db: DatabaseSchema): Set<ObjectKey> {
  const out = new Set<ObjectKey>();
  for (const s of db.schemas) {
    out.add(key.schema(s.name));
    for (const e of s.enums) out.add(key.type(s.name, e.name));
    for (const t of [...(s.domains ?? []), ...(s.composites ?? []), ...(s.ranges ?? [])])
      out.add(key.type(s.name, t.name));
    for (const d of s.domains ?? []) for (const c of d.checks) out.add(key.constraint(s.name, d.name, c.name));
    for (const q of s.sequences) out.add(key.sequence(s.name, q.name));
    for (const f of s.functions) out.add(key.function(s.name, f.name, f.args));
    for (const t of s.tables) {
      out.add(key.table(s.name, t.name));
      for (const c of t.columns) out.add(key.column(s.name, t.name, c.name));
      for (const i of t.indexes) out.add(key.index(s.name, i.name));
      const constraints = [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique, ...t.foreignKeys, ...t.checks];
      for (const c of constraints) {
        out.add(key.constraint(s.name, t.name, c.name));
        // A primary key or unique constraint owns an index of the same name.
        if (c.kind === 'primary_key' || c.kind === 'unique') out.add(key.index(s.name, c.name));
      }
      for (const g of t.triggers) out.add(key.trigger(s.name, t.name, g.name));
      for (const x of t.exclusions ?? []) {
        out.add(key.constraint(s.name, t.name, x.name));
        out.add(key.index(s.name, x.name));
      }
      for (const p of t.policies ?? []) out.add(key.policy(s.name, t.name, p.name));
    }
    for (const v of s.views ?? []) {
      out.add(key.view(s.name, v.name));
      for (const i of v.indexes ?? []) out.add(key.index(s.name, i.name));
    }
  }
  return out;
}
