// Every sequence attribute, ownership included, can be altered in place by ALTER SEQUENCE.
import type { Sequence } from '../schema/model/model.js';
import { diffComment } from './comments.js';
import { byName, omit, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

export function diffSequences(emit: Emit, schema: string, from: readonly Sequence[], to: readonly Sequence[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (!f && t) emit({ kind: 'create_sequence', schema, sequence: t });
    else if (f && !t) emit({ kind: 'drop_sequence', schema, sequence: f });
    else if (f && t) {
      if (!same(omit(f, 'comment', 'grants'), omit(t, 'comment', 'grants')))
        emit({ kind: 'alter_sequence', schema, from: f, to: t });
      diffComment(emit, schema, { kind: 'sequence', sequence: t.name }, f.comment, t.comment);
    }
  }
}
