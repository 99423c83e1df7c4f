// add_index: CREATE INDEX CONCURRENTLY in expand (SHARE UPDATE EXCLUSIVE: reads and writes go on), rolled back
// by DROP INDEX CONCURRENTLY. Never IF NOT EXISTS: a failed concurrent build leaves an invalid index under the
// name, which the executor checks (pg_index.indisvalid) and rebuilds, instead of skipping it. On a table
// created by this plan the table is still empty and unused, so a plain transactional CREATE INDEX.
import type { AddIndex } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { createIndex, dropIndex } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import {
  concurrentBuildProblems,
  isNewTable,
  locked,
  nullsNotDistinctProblems,
  relationNamedInSource,
  sameNameProblem,
} from '../recipes/constraints.js';
import { milestone } from '../recipes/dependents.js';
import { indexColumnKeys, indexCommentSteps } from '../recipes/indexes.js';

/** An invalid index of the same name on the same table in the source: dropped in expand (drop_index), so this rebuilds it. */
function rebuildsInvalid(ctx: PlanContext, c: AddIndex): boolean {
  const taken = relationNamedInSource(ctx, c.schema, c.index.name);
  return taken?.table === c.table && taken.index?.invalid === true;
}

export const addIndexHandler: Handler<AddIndex> = {
  validate(c, ctx) {
    const what = `index ${qualified(c.schema, c.index.name)}`;
    const problems: PlanProblem[] = [...nullsNotDistinctProblems(c, ctx, what, c.index.nullsNotDistinct)];
    if (!isNewTable(ctx, c.schema, c.table)) problems.push(...concurrentBuildProblems(c, ctx, what));
    const taken = relationNamedInSource(ctx, c.schema, c.index.name);
    if (taken && !rebuildsInvalid(ctx, c)) problems.push(sameNameProblem(c, what, taken.what));
    return problems;
  },

  expand(c, ctx) {
    const { schema, table, index: ix } = c;
    const where = `index ${qualified(schema, ix.name)} on ${qualified(schema, table)}`;
    const requires = [
      key.table(schema, table),
      ...indexColumnKeys(ctx, 'target', schema, table, ix),
      ...(rebuildsInvalid(ctx, c) ? [milestone.gone(key.index(schema, ix.name))] : []),
    ];
    const creates = [key.index(schema, ix.name)];
    const correctness = ix.unique ? (['CORRECTNESS'] as const) : [];
    const build = isNewTable(ctx, schema, table)
      ? draft({
          phase: 'expand',
          action: 'create_index',
          description: `create ${where} (table created by this plan: no CONCURRENTLY needed)`,
          sql: createIndex(schema, table, ix),
          rollback: [dropIndex(schema, ix.name)],
          creates,
          requires,
        })
      : draft({
          phase: 'expand',
          action: 'create_index_concurrently',
          description: `build ${where} concurrently`,
          sql: createIndex(schema, table, ix, { concurrently: true }),
          rollback: [dropIndex(schema, ix.name, { concurrently: true })],
          lock: 'SHARE UPDATE EXCLUSIVE',
          locks: locked(ctx, 'expand', [schema, table]),
          transactional: false,
          hazards: ['INDEX_BUILD', ...correctness],
          creates,
          requires,
          costTable: { schema, table, work: 'index' },
        });
    return [build, ...indexCommentSteps(schema, ix)];
  },

  backfill: none,
  contract: none,
};
