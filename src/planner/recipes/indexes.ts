// Indexes, shared by add_index and drop_index: the columns an index requires and the steps that restore its
// comment (CREATE INDEX never carries one).
import type { Index } from '../../schema/model/model.js';
import { qualified } from '../../db/quote.js';
import { comment } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { columnKeys, findTable, mentionedColumns } from './constraints.js';

/** Columns an index reads: its key columns, INCLUDE columns, and those its expressions and predicate mention. */
export function indexColumnKeys(
  ctx: PlanContext,
  side: 'source' | 'target',
  schema: string,
  table: string,
  ix: Index,
): ObjectKey[] {
  const t = findTable(ctx[side], schema, table);
  const plain = ix.keys.flatMap((k) => (k.column !== undefined ? [k.column] : []));
  const mentioned = mentionedColumns(t, ...ix.keys.map((k) => k.expression), ix.where);
  return columnKeys(schema, table, [...plain, ...(ix.include ?? []), ...mentioned]);
}

/** COMMENT ON INDEX, as a step of its own (one statement per step). */
export function indexCommentSteps(schema: string, ix: Index): StepDraft[] {
  if (ix.comment === undefined) return [];
  const target = { kind: 'index', schema, name: ix.name } as const;
  return [
    draft({
      phase: 'expand',
      action: 'comment_index',
      description: `comment on index ${qualified(schema, ix.name)}`,
      sql: comment(target, ix.comment),
      rollback: [comment(target, null)],
      requires: [key.index(schema, ix.name)],
    }),
  ];
}
