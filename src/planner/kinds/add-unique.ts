// add_unique: the unique index is built CONCURRENTLY in expand under the constraint's name, and the constraint
// takes it over in contract (`ADD CONSTRAINT n UNIQUE USING INDEX n`: a brief ACCESS EXCLUSIVE lock, no scan).
// Building in expand means duplicates written from then on are refused, which the previous version must not
// do; the constraint itself waits for the contract phase.
//
// The rollback of the contract step is the postmortem's case: once foreign keys use the key (the ones this
// plan adds in expand, and any existing ones on the same columns), DROP CONSTRAINT fails with 2BP01. So the
// rollback drops every dependent foreign key, drops the constraint, rebuilds the bare index (the state after
// expand) and re-adds each foreign key exactly as it was at that point (see recipes/dependents.ts). The rollback of
// the expand step is a plain DROP INDEX CONCURRENTLY: the foreign key steps of expand require the index, so
// the planner's reverse order has already rolled them back.
//
// An existing unique index of the same name and definition is adopted instead of rebuilt (no expand step;
// drop_index leaves it alone). On a table created by this plan, ADD CONSTRAINT directly (the table is empty).
// A unique constraint redefined under the same name is built and attached as `<name>__new`, and takes the name
// in the next release's contract, once drop_unique has dropped the old one (RENAME CONSTRAINT renames its index).
import type { AddUnique } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addUnique as renderAddUnique } from '../../sql/render/index.js';
import { alterTable } from '../../sql/render/common.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { findTable, isNewTable } from '../recipes/constraints.js';
import { milestone } from '../recipes/dependents.js';
import { derivedName } from '../recipes/tables.js';
import { type KeySpec, keyContract, keyExpand, keyProblems } from '../recipes/key-add.js';

/** A unique constraint of the same name on the same existing table in the source, which this one replaces. */
function replaces(ctx: PlanContext, c: AddUnique): boolean {
  if (isNewTable(ctx, c.schema, c.table)) return false;
  return findTable(ctx.source, c.schema, c.table)?.unique.some((x) => x.name === c.unique.name) ?? false;
}

function spec(c: AddUnique, ctx: PlanContext): KeySpec {
  const replacing = replaces(ctx, c);
  const u = replacing ? { ...c.unique, name: derivedName(c.unique.name, '__new') } : c.unique;
  return {
    ...(replacing ? { replaces: true as const } : {}),
    schema: c.schema,
    table: c.table,
    name: u.name,
    columns: u.columns,
    ...(u.nullsNotDistinct ? { nullsNotDistinct: true as const } : {}),
    what: `unique constraint ${ident(u.name)}`,
    ...(u.comment !== undefined ? { comment: u.comment } : {}),
    direct: renderAddUnique(c.schema, c.table, u),
    usingIndex: renderAddUnique(c.schema, c.table, u, { usingIndex: u.name }),
    afterDrop: [],
    contract: { hazards: [], requires: [], scan: false },
  };
}

/** The new definition takes the name after the old one is dropped (drop_unique's gone milestone). */
function rename(c: AddUnique, ctx: PlanContext): StepDraft[] {
  if (!replaces(ctx, c)) return [];
  const { schema, table, unique: u } = c;
  const temp = derivedName(u.name, '__new');
  const to = (from: string, name: string) =>
    alterTable(schema, table, `RENAME CONSTRAINT ${ident(from)} TO ${ident(name)}`);
  return [
    draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'rename_constraint',
      description: `give the new definition of unique constraint ${ident(u.name)} on ${qualified(schema, table)} its name`,
      sql: to(temp, u.name),
      rollback: [to(u.name, temp)],
      lock: 'ACCESS EXCLUSIVE',
      locks: [[schema, table]],
      creates: [key.constraint(schema, table, u.name), key.index(schema, u.name)],
      // The new definition leaves its temporary name: the phase's expectations (rehearsal) must not look for it.
      drops: [key.constraint(schema, table, temp), key.index(schema, temp)],
      requires: [
        key.constraint(schema, table, temp),
        milestone.gone(key.constraint(schema, table, u.name)),
        milestone.gone(key.index(schema, u.name)),
      ],
    }),
  ];
}

export const addUniqueHandler: Handler<AddUnique> = {
  validate: (c, ctx) => keyProblems(c, ctx, spec(c, ctx)),
  expand: (c, ctx) => keyExpand(ctx, spec(c, ctx)),
  backfill: none,
  contract: (c, ctx) => [...keyContract(ctx, spec(c, ctx)), ...rename(c, ctx)],
};
