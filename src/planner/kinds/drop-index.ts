// drop_index: DROP INDEX CONCURRENTLY in the contract phase of the next release (queries of the previous
// version may rely on it), rolled back by rebuilding it concurrently from the source definition. A unique index
// that foreign keys of the target may still use is dropped around them (recipes/dependents.ts). Two special cases:
// an index left invalid by a failed concurrent build serves no query, so it goes in expand, before its rebuild
// (add_index of the same name); an index that a new constraint adopts (ADD CONSTRAINT ... USING INDEX, see
// add_unique) is not dropped at all. An index redefined under the same name is renamed away by add_index's swap
// in expand, so that the new definition can take the name, and dropped under that name a release later
// (recipes/index-replace.ts).
import type { DropIndex } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { createIndex, dropIndex as renderDropIndex } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { indexCommentSteps, indexColumnKeys } from '../recipes/indexes.js';
import { adoptable, concurrentBuildProblems, findTable, locked } from '../recipes/constraints.js';
import { indexReplacing, replacementNames } from '../recipes/index-replace.js';
import { dropping, milestone, orphanedDependents, withDependents, type KeyColumns } from '../recipes/dependents.js';

/** The target constraint of the same name on the same table takes this index over (ADD CONSTRAINT ... USING INDEX). */
function adopted(ctx: PlanContext, c: DropIndex): boolean {
  const t = findTable(ctx.target, c.schema, c.table);
  const owner = t?.primaryKey?.name === c.index.name ? t.primaryKey : t?.unique.find((u) => u.name === c.index.name);
  if (!owner) return false;
  return adoptable(c.index, owner.columns, owner.kind === 'unique' && owner.nullsNotDistinct === true);
}

/** The columns of a unique index that a foreign key could use, if it is one. */
function keyColumns(c: DropIndex): KeyColumns | undefined {
  const ix = c.index;
  if (!ix.unique || ix.where !== undefined || ix.keys.some((k) => k.column === undefined)) return undefined;
  return { schema: c.schema, table: c.table, columns: ix.keys.map((k) => k.column as string) };
}

export const dropIndexHandler: Handler<DropIndex> = {
  validate(c, ctx) {
    if (adopted(ctx, c) || c.index.invalid) return [];
    const ref = keyColumns(c);
    const what = `index ${qualified(c.schema, c.index.name)}`;
    return [
      ...concurrentBuildProblems(c, ctx, `rolling back the drop of ${what}`),
      ...(ref ? orphanedDependents(c, ctx, ref, what) : []),
    ];
  },

  expand(c, ctx) {
    // A replaced index is renamed away by add_index's swap, in the same statement as the new one takes its name.
    if (!adopted(ctx, c) && indexReplacing(ctx, c.schema, c.table, c.index)) return [];
    if (!c.index.invalid || adopted(ctx, c)) return [];
    // The index is replaced within the phase (add_index rebuilds it after this step's `gone` milestone), so
    // key.index is not listed in `drops`: steps requiring the rebuilt index must not be ordered before this one.
    return [
      draft({
        phase: 'expand',
        action: 'drop_invalid_index',
        description: `drop invalid index ${qualified(c.schema, c.index.name)}, left by a failed concurrent build`,
        sql: renderDropIndex(c.schema, c.index.name, { concurrently: true }),
        // No statement creates an invalid index: the rollback builds it valid (what a rehearsal, which renders
        // the snapshot, started from). A unique one whose duplicates remain fails again and leaves the same
        // invalid index behind, which is the state before.
        rollback: [createIndex(c.schema, c.table, c.index, { concurrently: true })],
        lock: 'SHARE UPDATE EXCLUSIVE',
        locks: locked(ctx, 'expand', [c.schema, c.table]),
        transactional: false,
        creates: [milestone.gone(key.index(c.schema, c.index.name))],
        requires: [key.table(c.schema, c.table)],
      }),
    ];
  },

  backfill: none,

  contract(c, ctx) {
    if (c.index.invalid || adopted(ctx, c)) return [];
    const { schema, table } = c;
    // A replaced index is dropped under the name it was renamed to in expand.
    const ix = indexReplacing(ctx, schema, table, c.index)
      ? { ...c.index, name: replacementNames(c.index.name).retired }
      : c.index;
    const what = `index ${qualified(schema, ix.name)}`;
    const drop: StepDraft = draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'drop_index_concurrently',
      description: `drop ${what} on ${qualified(schema, table)} concurrently`,
      sql: renderDropIndex(schema, ix.name, { concurrently: true }),
      rollback: [
        createIndex(schema, table, ix, { concurrently: true }),
        ...indexCommentSteps(schema, ix).map((s) => s.sql),
      ],
      lock: 'SHARE UPDATE EXCLUSIVE',
      locks: [[schema, table]],
      transactional: false,
      hazards: ['INDEX_DROPPED'],
      drops: [key.index(schema, ix.name)],
      requires: [key.table(schema, table), ...indexColumnKeys(ctx, 'source', schema, table, ix)],
    });
    const ref = keyColumns(c);
    return ref ? withDependents(ctx, ref, what, drop) : [dropping(drop)];
  },
};
