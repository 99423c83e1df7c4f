// Adding a key (unique or primary): validate, build the index CONCURRENTLY in expand and attach it with
// USING INDEX in contract, or add it directly on a table this plan creates. add_unique and add_primary_key
// describe their key as a KeySpec and share these steps.
import type { AddPrimaryKey, AddUnique } from '../../diff/index.js';
import type { Index } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { comment, createIndex, dropConstraint, dropIndex } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { Hazard, ObjectKey, PlanContext, PlanProblem, StepDraft } from '../types.js';
import {
  adoptedIndex,
  columnKeys,
  concurrentBuildProblems,
  isNewTable,
  keyIndex,
  nullsNotDistinctProblems,
  relationNamedInSource,
  sameNameProblem,
} from './constraints.js';
import { commentSteps } from './comments.js';
import { aroundDependents } from './dependents.js';

/** What add_unique and add_primary_key have in common: a named key on columns, turned into SQL two ways. */
export interface KeySpec {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly nullsNotDistinct?: true;
  /** `unique constraint "n"` / `primary key "n"`, for descriptions. */
  readonly what: string;
  /** ADD CONSTRAINT with the column list, for a table created by this plan. */
  readonly direct: string;
  /** ADD CONSTRAINT ... USING INDEX n. */
  readonly usingIndex: string;
  /**
   * The key replaces one of the same columns under a temporary name: foreign keys re-added while both
   * existed may have picked this one's index, so dropping it again goes around them.
   */
  readonly replaces?: true;
  /** The constraint's comment, set once the constraint exists. */
  readonly comment?: string;
  /** Rollback statements to run right after DROP CONSTRAINT (a primary key's implied SET NOT NULL). */
  readonly afterDrop: readonly string[];
  /** Extra facts of the USING INDEX step. */
  readonly contract: {
    readonly hazards: readonly Hazard[];
    readonly requires: readonly ObjectKey[];
    readonly scan: boolean;
  };
}

function adopted(ctx: PlanContext, k: KeySpec): Index | undefined {
  return adoptedIndex(ctx, k.schema, k.table, k.name, k.columns, k.nullsNotDistinct === true);
}

export function keyProblems(c: AddUnique | AddPrimaryKey, ctx: PlanContext, k: KeySpec): PlanProblem[] {
  const problems = nullsNotDistinctProblems(c, ctx, k.what, k.nullsNotDistinct);
  if (!isNewTable(ctx, k.schema, k.table)) problems.push(...concurrentBuildProblems(c, ctx, k.what));
  const taken = relationNamedInSource(ctx, k.schema, k.name);
  if (taken && !adopted(ctx, k)) problems.push(sameNameProblem(c, k.what, taken.what));
  return problems;
}

export function keyExpand(ctx: PlanContext, k: KeySpec): StepDraft[] {
  const requires = [key.table(k.schema, k.table), ...columnKeys(k.schema, k.table, k.columns)];
  const on = onTable(k);
  if (isNewTable(ctx, k.schema, k.table)) {
    return [
      draft({
        phase: 'expand',
        action: 'add_constraint',
        description: `add ${on} (table created by this plan)`,
        sql: k.direct,
        rollback: [dropConstraint(k.schema, k.table, k.name), ...k.afterDrop],
        creates: [key.index(k.schema, k.name), key.constraint(k.schema, k.table, k.name)],
        requires,
      }),
      ...keyComment(k, 'expand'),
    ];
  }
  if (adopted(ctx, k)) return [];
  return [
    draft({
      phase: 'expand',
      action: 'create_unique_index_concurrently',
      description: `build the unique index of ${on} concurrently`,
      sql: createIndex(k.schema, k.table, keyIndex(k.name, k.columns, k.nullsNotDistinct), { concurrently: true }),
      rollback: k.replaces
        ? aroundDependents(ctx, k, [dropIndex(k.schema, k.name, { concurrently: true })])
        : [dropIndex(k.schema, k.name, { concurrently: true })],
      lock: 'SHARE UPDATE EXCLUSIVE',
      locks: [[k.schema, k.table]],
      transactional: false,
      hazards: ['INDEX_BUILD', 'CORRECTNESS'],
      creates: [key.index(k.schema, k.name)],
      requires,
      costTable: { schema: k.schema, table: k.table, work: 'index' },
    }),
  ];
}

export function keyContract(ctx: PlanContext, k: KeySpec): StepDraft[] {
  if (isNewTable(ctx, k.schema, k.table)) return [];
  const source = adopted(ctx, k);
  // Back to the state before this step: the bare index as expand built it, or as it existed (adopted).
  const index = source ?? keyIndex(k.name, k.columns, k.nullsNotDistinct);
  const rebuild = [
    dropConstraint(k.schema, k.table, k.name),
    ...k.afterDrop,
    createIndex(k.schema, k.table, index, { concurrently: true }),
    ...(source?.comment !== undefined
      ? [comment({ kind: 'index', schema: k.schema, name: k.name }, source.comment)]
      : []),
  ];
  return [
    draft({
      phase: 'contract',
      action: 'add_constraint_using_index',
      description: `make index ${ident(k.name)} the ${onTable(k)}`,
      sql: k.usingIndex,
      rollback: aroundDependents(ctx, k, rebuild),
      lock: 'ACCESS EXCLUSIVE',
      locks: [[k.schema, k.table]],
      hazards: k.contract.hazards,
      creates: [key.constraint(k.schema, k.table, k.name)],
      requires: [
        key.table(k.schema, k.table),
        key.index(k.schema, k.name),
        ...columnKeys(k.schema, k.table, k.columns),
        ...k.contract.requires,
      ],
      ...(k.contract.scan ? { costTable: { schema: k.schema, table: k.table, work: 'scan' as const } } : {}),
    }),
    ...keyComment(k, 'contract'),
  ];
}

/** The comment on the constraint, once it exists (under a replacement's temporary name, it goes along when renamed). */
const keyComment = (k: KeySpec, phase: 'expand' | 'contract'): StepDraft[] =>
  commentSteps(
    {
      phase,
      target: { kind: 'constraint', schema: k.schema, table: k.table, name: k.name },
      what: onTable(k),
      requires: [key.constraint(k.schema, k.table, k.name)],
    },
    k.comment,
  );

const onTable = (k: KeySpec): string => `${k.what} on ${qualified(k.schema, k.table)}`;
