// An index cannot be altered in place (beyond its comment): a changed definition, or an invalid index left by
// a failed concurrent build, is a drop and a rebuild under the same name.
import type { Index } from '../schema/model/model.js';
import { diffComment } from './comments.js';
import { byName, omit, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

export function diffIndexes(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly Index[],
  to: readonly Index[],
): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (f && t && same(omit(f, 'comment'), omit(t, 'comment'))) {
      diffComment(emit, schema, { kind: 'index', table, index: t.name }, f.comment, t.comment);
      continue;
    }
    if (f) emit({ kind: 'drop_index', schema, table, index: f });
    if (t) emit({ kind: 'add_index', schema, table, index: t });
  }
}
