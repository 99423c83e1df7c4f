// PostgreSQL can only add values to an enum (ALTER TYPE ... ADD VALUE, placed BEFORE or AFTER a neighbour).
// When the source's values, in order, are a subsequence of the target's, the difference is a list of
// additions; anything else (a value removed, values reordered) is a recreate_enum for the planner to handle.
import type { Enum } from '../schema/model/model.js';
import type { AddEnumValue } from './changes.js';
import { diffComment } from './comments.js';
import { byName, pairByKey } from './list.js';
import type { Emit } from './order.js';

export function diffEnums(emit: Emit, schema: string, from: readonly Enum[], to: readonly Enum[]): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (!f && t) emit({ kind: 'create_enum', schema, enum: t });
    else if (f && !t) emit({ kind: 'drop_enum', schema, enum: f });
    else if (f && t) {
      if (isSubsequence(f.values, t.values)) for (const add of addedValues(schema, f, t)) emit(add);
      else emit({ kind: 'recreate_enum', schema, from: f, to: t });
      diffComment(emit, schema, { kind: 'enum', enum: t.name }, f.comment, t.comment);
    }
  }
}

function isSubsequence(sub: readonly string[], seq: readonly string[]): boolean {
  let i = 0;
  for (const v of seq) if (v === sub[i]) i += 1;
  return i === sub.length;
}

/** In target order, so that each value's `after` neighbour exists when it is added. */
function addedValues(schema: string, f: Enum, t: Enum): AddEnumValue[] {
  const existing = new Set(f.values);
  const out: AddEnumValue[] = [];
  t.values.forEach((value, i) => {
    if (existing.has(value)) return;
    const after = t.values[i - 1];
    const before = t.values.slice(i + 1).find((v) => existing.has(v));
    const neighbour = after !== undefined ? { after } : before !== undefined ? { before } : {};
    out.push({ kind: 'add_enum_value', schema, enum: t, value, ...neighbour });
  });
  return out;
}
