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
import type { AddUnique } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { addUnique as renderAddUnique } from '../../sql/render/index.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';
import { type KeySpec, keyContract, keyExpand, keyProblems } from '../recipes/key-add.js';

function spec(c: AddUnique): KeySpec {
  const u = c.unique;
  return {
    schema: c.schema,
    table: c.table,
    name: u.name,
    columns: u.columns,
    ...(u.nullsNotDistinct ? { nullsNotDistinct: true as const } : {}),
    what: `unique constraint ${ident(u.name)}`,
    direct: renderAddUnique(c.schema, c.table, u),
    usingIndex: renderAddUnique(c.schema, c.table, u, { usingIndex: u.name }),
    afterDrop: [],
    contract: { hazards: [], requires: [], scan: false },
  };
}

export const addUniqueHandler: Handler<AddUnique> = {
  validate: (c, ctx) => keyProblems(c, ctx, spec(c)),
  expand: (c, ctx) => keyExpand(ctx, spec(c)),
  backfill: none,
  contract: (c, ctx) => keyContract(ctx, spec(c)),
};
