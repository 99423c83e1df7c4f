// add_index: CREATE INDEX CONCURRENTLY in expand (SHARE UPDATE EXCLUSIVE: reads and writes go on), rolled back
// by DROP INDEX CONCURRENTLY. Never IF NOT EXISTS: a failed concurrent build leaves an invalid index under the
// name, which the executor checks (pg_index.indisvalid) and rebuilds, instead of skipping it. On a table
// created by this plan the table is still empty and unused, so a plain transactional CREATE INDEX. An index
// redefined under the same name is built under a temporary name and then takes the name (recipes/index-replace.ts).
import type { AddIndex } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { createIndex, dropIndex, replicaIdentity } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem, StepDraft } from '../types.js';
import {
  concurrentBuildProblems,
  isNewTable,
  locked,
  nullsNotDistinctProblems,
  relationNamedInSource,
  sameNameProblem,
} from '../recipes/constraints.js';
import { aroundDependents, milestone } from '../recipes/dependents.js';
import { doBlock } from '../recipes/shadow-steps.js';
import { indexColumnKeys, indexCommentSteps } from '../recipes/indexes.js';
import {
  indexReplaced,
  renameIndex,
  replacementNames,
  replacementNamesTaken,
  replicaIdentityFollows,
} from '../recipes/index-replace.js';

/** An invalid index of the same name on the same table in the source: dropped in expand (drop_index), so this rebuilds it. */
function rebuildsInvalid(ctx: PlanContext, c: AddIndex): boolean {
  const taken = relationNamedInSource(ctx, c.schema, c.index.name);
  return taken?.table === c.table && taken.index?.invalid === true;
}

/**
 * Dropping the new definition again. A unique index on plain columns may have been picked by foreign keys
 * re-added while it existed (rolling back the next release's drop of the old one re-adds them, and PostgreSQL
 * takes the first matching index by OID, which is this one): they are taken off around the drop and put back
 * on the old definition (the postmortem in shared/seeds: a rollback that cannot drop a unique index foreign
 * keys depend on).
 */
function buildRollback(ctx: PlanContext, c: AddIndex, temp: string): string[] {
  const drop = [dropIndex(c.schema, temp, { concurrently: true })];
  const columns = c.index.keys.map((k) => k.column);
  if (!c.index.unique || c.index.where !== undefined || !columns.every((x) => x !== undefined)) return drop;
  return aroundDependents(ctx, { schema: c.schema, table: c.table, columns: columns as string[] }, drop);
}

/** The new definition built concurrently under its temporary name, then given the name the old one left. */
function replacement(c: AddIndex, ctx: PlanContext): StepDraft[] {
  const { schema, table, index: ix } = c;
  const { temp, retired } = replacementNames(ix.name);
  const where = `index ${qualified(schema, ix.name)} on ${qualified(schema, table)}`;
  const built = { ...ix, name: temp };
  // The replica identity stays with the old index through its rename: put it on the new one in the same
  // transaction (a table whose identity index is gone replicates no update or delete).
  const identity = replicaIdentityFollows(ctx, schema, table, ix.name)
    ? [replicaIdentity(schema, table, { index: ix.name })]
    : [];
  return [
    draft({
      phase: 'expand',
      action: 'create_index_concurrently',
      description: `build the new definition of ${where} concurrently, as ${qualified(schema, temp)}`,
      sql: createIndex(schema, table, built, { concurrently: true }),
      rollback: buildRollback(ctx, c, temp),
      lock: 'SHARE UPDATE EXCLUSIVE',
      locks: locked(ctx, 'expand', [schema, table]),
      transactional: false,
      hazards: ['INDEX_BUILD', ...(ix.unique ? (['CORRECTNESS'] as const) : [])],
      creates: [key.index(schema, temp)],
      requires: [key.table(schema, table), ...indexColumnKeys(ctx, 'target', schema, table, ix)],
      costTable: { schema, table, work: 'index' },
    }),
    // Both renames in one statement (a DO block, one transaction): no moment without an index of the name.
    draft({
      phase: 'expand',
      action: 'swap_index_names',
      description: `in one transaction: rename the old definition of ${where} to ${qualified(schema, retired)}, and the new one to ${ident(ix.name)}`,
      sql: doBlock([renameIndex(schema, ix.name, retired), renameIndex(schema, temp, ix.name), ...identity]),
      rollback: [renameIndex(schema, ix.name, temp), renameIndex(schema, retired, ix.name), ...identity],
      lock: identity.length ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE',
      locks: locked(ctx, 'expand', [schema, table]),
      creates: [key.index(schema, ix.name), key.index(schema, retired)],
      // The new definition leaves its temporary name: the phase's expectations (rehearsal) must not look for it.
      drops: [key.index(schema, temp)],
      requires: [key.table(schema, table), key.index(schema, temp)],
    }),
    ...indexCommentSteps(schema, ix),
  ];
}

export const addIndexHandler: Handler<AddIndex> = {
  validate(c, ctx) {
    const what = `index ${qualified(c.schema, c.index.name)}`;
    const problems: PlanProblem[] = [...nullsNotDistinctProblems(c, ctx, what, c.index.nullsNotDistinct)];
    if (!isNewTable(ctx, c.schema, c.table)) problems.push(...concurrentBuildProblems(c, ctx, what));
    const taken = relationNamedInSource(ctx, c.schema, c.index.name);
    if (!taken || rebuildsInvalid(ctx, c)) return problems;
    if (!indexReplaced(ctx, c.schema, c.table, c.index.name))
      return [...problems, sameNameProblem(c, what, taken.what)];
    return [
      ...problems,
      ...replacementNamesTaken(ctx, c.schema, c.index.name).map((n) => ({
        change: c,
        message: `${what} is rebuilt under the temporary name ${qualified(c.schema, n)}, which is taken`,
        fix: `rename ${qualified(c.schema, n)}`,
      })),
    ];
  },

  expand(c, ctx) {
    if (indexReplaced(ctx, c.schema, c.table, c.index.name)) return replacement(c, ctx);
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
