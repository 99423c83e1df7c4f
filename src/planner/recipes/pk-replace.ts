// A primary key redefined under the same name (other columns, or the same in another order), online: add_primary_key
// builds the new unique index CONCURRENTLY as `<name>__new` in expand; in the contract of the next release one
// statement (a DO block, one short transaction under ACCESS EXCLUSIVE) drops the old key and makes the new
// index the key (`ADD CONSTRAINT name PRIMARY KEY USING INDEX <name>__new`, which renames the index), so the
// table is never without a primary key. drop_primary_key plans nothing of its own for the replaced key.
//
// The new columns must be NOT NULL before the swap (USING INDEX would otherwise SET NOT NULL, a full scan
// under ACCESS EXCLUSIVE): NOT NULL in the source, or made so by another change of the plan (set_not_null,
// which finishes in the first release: the swap requires its milestone). A column nullable in the source
// and the target is refused, naming it.
//
// Foreign keys referencing the old key's columns depend on its index: they are taken off before the swap
// and put back NOT VALID on a remaining key, then validated (dependents.ts withDependents), as for a unique
// key. The swap's rollback builds the old key's index CONCURRENTLY as `<name>__old` and the new one's again
// as `<name>__new`, then swaps back in one statement (around foreign keys on the new columns).
import type { AddPrimaryKey, Change } from '../../diff/index.js';
import type { PrimaryKey } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { addPrimaryKey, createIndex, dropConstraint, dropIndex } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { PlanContext, PlanProblem, StepDraft } from '../types.js';
import { columnKeys, concurrentBuildProblems, findTable, isNewTable, keyIndex, notNullKey } from './constraints.js';
import { commentSteps, restoreComment } from './comments.js';
import {
  dependentForeignKeys,
  type KeyColumns,
  milestone,
  readdForeignKey,
  sameColumnSet,
  withDependents,
} from './dependents.js';
import { replacementNames, replacementNamesTaken } from './index-replace.js';
import { doBlock } from './shadow-steps.js';

/** The source primary key of the same name on the same existing table that the target's replaces. */
export function primaryKeyReplaced(
  ctx: PlanContext,
  schema: string,
  table: string,
  name: string,
): PrimaryKey | undefined {
  if (isNewTable(ctx, schema, table)) return undefined;
  const pk = findTable(ctx.source, schema, table)?.primaryKey;
  return pk?.name === name ? pk : undefined;
}

/** For drop_primary_key: the target has a primary key of the same name on the same table, which takes over. */
export function primaryKeyReplacing(ctx: PlanContext, schema: string, table: string, name: string): boolean {
  return (
    !isNewTable(ctx, schema, table) &&
    findTable(ctx.target, schema, table)?.primaryKey?.name === name &&
    findTable(ctx.source, schema, table)?.primaryKey?.name === name
  );
}

const describe = (c: AddPrimaryKey): string =>
  `primary key ${ident(c.primaryKey.name)} on ${qualified(c.schema, c.table)}`;

export function primaryKeyReplaceProblems(c: AddPrimaryKey, ctx: PlanContext): PlanProblem[] {
  const what = describe(c);
  const problems: PlanProblem[] = [...concurrentBuildProblems(c as Change, ctx, what)];
  const source = findTable(ctx.source, c.schema, c.table);
  const target = findTable(ctx.target, c.schema, c.table);
  for (const col of c.primaryKey.columns) {
    const before = source?.columns.find((x) => x.name === col);
    const after = target?.columns.find((x) => x.name === col);
    if (!before || (before.nullable && (after?.nullable ?? true)))
      problems.push({
        change: c,
        message: `${what} is redefined on column ${ident(col)}, which is ${before ? 'nullable' : 'new'}: making the new index the primary key would SET NOT NULL under ACCESS EXCLUSIVE with a full scan`,
        fix: before
          ? `declare ${ident(col)} NOT NULL (nullable: false) in this plan: it is made NOT NULL online in the first release, before the key takes it`
          : `add ${ident(col)} NOT NULL in a plan of its own first, then redefine the key`,
      });
  }
  for (const n of replacementNamesTaken(ctx, c.schema, c.primaryKey.name))
    problems.push({
      change: c,
      message: `${what} is redefined through the temporary name ${ident(n)}, which is taken`,
      fix: `rename ${ident(n)} in ${ident(c.schema)}`,
    });
  return problems;
}

/** Expand: the new key's unique index under its temporary name. */
export function primaryKeyReplaceExpand(c: AddPrimaryKey): StepDraft[] {
  const { schema, table, primaryKey: pk } = c;
  const { temp } = replacementNames(pk.name);
  return [
    draft({
      phase: 'expand',
      action: 'create_unique_index_concurrently',
      description: `build the unique index of the new definition of ${describe(c)} concurrently, as ${ident(temp)}`,
      sql: createIndex(schema, table, keyIndex(temp, pk.columns), { concurrently: true }),
      // No foreign key depends on it here: one the plan adds on these columns is added later in this phase
      // (it requires the key's index), so it is rolled back first; a source one keeps the index it had.
      rollback: [dropIndex(schema, temp, { concurrently: true })],
      lock: 'SHARE UPDATE EXCLUSIVE',
      locks: [[schema, table]],
      transactional: false,
      hazards: ['INDEX_BUILD', 'CORRECTNESS'],
      // Also the key's index name: a foreign key this plan adds on the new columns requires the target's key
      // (by name, which the old key holds until the swap), and must come after the index it will use.
      creates: [key.index(schema, temp), key.index(schema, pk.name)],
      requires: [key.table(schema, table), ...columnKeys(schema, table, pk.columns)],
      costTable: { schema, table, work: 'index' },
    }),
  ];
}

/**
 * Rollback statements around `inner` in the next release's contract, for foreign keys on the new key's
 * columns: as they stand once the first release is done (the target's validated unless declared NOT VALID),
 * taken off and put back the same.
 */
function aroundSecondRelease(ctx: PlanContext, ref: KeyColumns, inner: readonly string[]): string[] {
  const deps = dependentForeignKeys(ctx, ref).flatMap((d) => {
    const fk = d.target ?? d.source;
    return fk ? [{ schema: d.schema, table: d.table, fk }] : [];
  });
  return [
    ...deps.map((d) => dropConstraint(d.schema, d.table, d.fk.name)),
    ...inner,
    ...deps.flatMap((d) => readdForeignKey(d.schema, d.table, d.fk, d.fk.notValid !== true)),
  ];
}

/** Contract of the next release: the old key dropped and the new index made the key, in one statement. */
export function primaryKeyReplaceContract(c: AddPrimaryKey, ctx: PlanContext, old: PrimaryKey): StepDraft[] {
  const { schema, table, primaryKey: pk } = c;
  const { temp, retired } = replacementNames(pk.name);
  const source = findTable(ctx.source, schema, table);
  const madeNotNull = pk.columns.filter((col) => source?.columns.find((x) => x.name === col)?.nullable ?? false);
  const swapBack = [
    doBlock([dropConstraint(schema, table, pk.name), addPrimaryKey(schema, table, old, { usingIndex: retired })]),
  ];
  const swap = draft({
    phase: 'contract',
    releaseOffset: 1,
    action: 'swap_primary_key',
    description: `drop the old definition of ${describe(c)} and make index ${ident(temp)} the key, in one transaction`,
    sql: doBlock([dropConstraint(schema, table, pk.name), addPrimaryKey(schema, table, pk, { usingIndex: temp })]),
    rollback: [
      createIndex(schema, table, keyIndex(retired, old.columns), { concurrently: true }),
      createIndex(schema, table, keyIndex(temp, pk.columns), { concurrently: true }),
      // Foreign keys on the new columns depend on the key now: around the swap back. On the same columns in
      // another order, they are off already (withDependents' steps, later in the phase, were rolled back first).
      ...(sameColumnSet(old.columns, pk.columns)
        ? swapBack
        : aroundSecondRelease(ctx, { schema, table, columns: pk.columns }, swapBack)),
      ...restoreComment({ kind: 'constraint', schema, table, name: pk.name }, old.comment),
    ],
    lock: 'ACCESS EXCLUSIVE',
    locks: [[schema, table]],
    // A table whose replica identity is DEFAULT is replicated by its primary key: the key's columns change
    // here, and a subscriber (pair mode) must have the same key before it receives updates and deletes.
    hazards: ['INDEX_DROPPED', 'NOT_REPLICATION_SAFE'],
    creates: [key.constraint(schema, table, pk.name), key.index(schema, pk.name)],
    drops: [key.constraint(schema, table, pk.name), key.index(schema, pk.name), key.index(schema, temp)],
    requires: [
      key.table(schema, table),
      key.index(schema, temp),
      ...columnKeys(schema, table, pk.columns),
      ...madeNotNull.map((col) => notNullKey(schema, table, col)),
      // It drops and creates the key in one: what needs the old key comes before it (foreign keys taken off),
      // what needs the new one requires these milestones, which it creates (dependents.ts dropping).
      milestone.gone(key.constraint(schema, table, pk.name)),
      milestone.gone(key.index(schema, pk.name)),
    ],
  });
  return [
    ...withDependents(
      ctx,
      { schema, table, columns: old.columns },
      `primary key ${ident(old.name)} on ${qualified(schema, table)}`,
      swap,
    ),
    ...commentSteps(
      {
        phase: 'contract',
        releaseOffset: 1,
        target: { kind: 'constraint', schema, table, name: pk.name },
        what: describe(c),
        requires: [milestone.gone(key.constraint(schema, table, pk.name))],
      },
      pk.comment,
    ),
  ];
}
