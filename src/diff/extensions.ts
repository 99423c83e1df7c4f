// Extensions, when the declared file manages them: one created for each declared and not installed, one dropped
// for each installed and not declared (plpgsql, in every database, is never read), and an alter_extension for
// a pinned version other than the installed one, or another schema. Without `extensions:` in the declared
// file, nothing: a file written before the model held extensions must not drop the database's. (With the
// source's extensions unknown, diff() does not call this.)
import type { DeclaredExtension } from '../schema/model/model.js';
import { byName, pairByKey } from './list.js';
import type { Emit } from './order.js';

export function diffExtensions(
  emit: Emit,
  from: readonly DeclaredExtension[],
  to: readonly DeclaredExtension[] | undefined,
): void {
  if (to === undefined) return;
  for (const { to: t, from: f } of pairByKey(from, to, byName)) {
    if (t && !f) emit({ kind: 'create_extension', schema: t.schema, extension: t });
    else if (f && !t) emit({ kind: 'drop_extension', schema: f.schema, extension: { ...f, version: f.version ?? '' } });
    else if (f && t && (f.schema !== t.schema || (t.version !== undefined && t.version !== f.version)))
      emit({ kind: 'alter_extension', schema: t.schema, from: f, to: t });
  }
}
