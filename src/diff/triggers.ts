// Triggers are compared on every field. Only the enabled mode has an in-place form (ALTER TABLE ... ENABLE
// [ALWAYS|REPLICA] / DISABLE TRIGGER); any other difference is a drop and a create under the same name.
import type { Trigger } from '../schema/model/model.js';
import { diffComment } from './comments.js';
import { byName, omit, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

export function diffTriggers(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly Trigger[],
  to: readonly Trigger[],
): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (f && t && same(omit(f, 'enabled', 'comment'), omit(t, 'enabled', 'comment'))) {
      if (f.enabled !== t.enabled)
        emit({ kind: 'enable_trigger', schema, table, trigger: t, from: f.enabled, to: t.enabled });
      diffComment(emit, schema, { kind: 'trigger', table, trigger: t.name }, f.comment, t.comment);
      continue;
    }
    if (f) emit({ kind: 'drop_trigger', schema, table, trigger: f });
    if (t) emit({ kind: 'create_trigger', schema, table, trigger: t });
  }
}
