// Views and materialized views, by name. Compared by what can be declared (definition, options, indexes,
// comments) and, when both sides were read from a server, by their output columns: a view whose text is the
// same but whose column types changed underneath (a retyped column it reads) must be recreated too.
import type { View } from '../schema/model/model.js';
import { withoutDerived } from '../schema/model/normalize.js';
import { diffComment } from './comments.js';
import { byName, omit, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

/** What makes a view a different view: everything but comments and derived data. */
const shape = (v: View) => omit(withoutDerived(v), 'comment', 'columnComments', 'grants');

function outputChanged(f: View, t: View): boolean {
  return f.derived !== undefined && t.derived !== undefined && !same(f.derived.columns, t.derived.columns);
}

export function diffViews(emit: Emit, schema: string, from: readonly View[], to: readonly View[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (!f && t) emit({ kind: 'create_view', schema, view: t });
    else if (f && !t) emit({ kind: 'drop_view', schema, view: f });
    else if (f && t) {
      if (Boolean(f.materialized) !== Boolean(t.materialized)) {
        emit({ kind: 'drop_view', schema, view: f });
        emit({ kind: 'create_view', schema, view: t });
        continue;
      }
      // A replaced view gets its target comments with it (a column's may not exist on the other side).
      if (!same(shape(f), shape(t)) || outputChanged(f, t)) {
        emit({ kind: 'replace_view', schema, from: f, to: t });
        continue;
      }
      diffComment(
        emit,
        schema,
        { kind: 'view', view: t.name, materialized: Boolean(t.materialized) },
        f.comment,
        t.comment,
      );
      const fc = new Map((f.columnComments ?? []).map((c) => [c.name, c.comment]));
      const tc = new Map((t.columnComments ?? []).map((c) => [c.name, c.comment]));
      for (const column of [...new Set([...fc.keys(), ...tc.keys()])].sort())
        diffComment(emit, schema, { kind: 'view_column', view: t.name, column }, fc.get(column), tc.get(column));
    }
  }
}
