// Sequences a column owns (serial, OWNED BY) would be dropped with it: shared by drop_table and drop_column,
// which detach them first so the sequence outlives the column as declared.
import { ident, qualified } from '../../db/quote.js';
import { alterSequenceOwnedBy } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { PlanContext, StepDraft } from '../types.js';

/** Contract steps releasing the sequences owned by these columns of a table, before the columns go. */
export function disownSequences(
  ctx: PlanContext,
  schema: string,
  table: string,
  columns: readonly string[],
): StepDraft[] {
  const owned =
    ctx.source.schemas
      .find((s) => s.name === schema)
      ?.sequences.filter((q) => q.ownedBy?.table === table && columns.includes(q.ownedBy.column)) ?? [];
  return owned.map((q) =>
    draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'disown_sequence',
      description: `release sequence ${qualified(schema, q.name)} from ${qualified(schema, table)}.${ident(q.ownedBy?.column ?? '')} so that dropping the column keeps it`,
      sql: alterSequenceOwnedBy(schema, q.name, null),
      rollback: [alterSequenceOwnedBy(schema, q.name, q.ownedBy ?? null)],
      requires: [
        key.sequence(schema, q.name),
        key.table(schema, table),
        ...(q.ownedBy ? [key.column(schema, table, q.ownedBy.column)] : []),
      ],
    }),
  );
}
