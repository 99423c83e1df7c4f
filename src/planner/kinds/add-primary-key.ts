// add_primary_key: like add_unique (unique index built CONCURRENTLY in expand, `ADD CONSTRAINT n PRIMARY KEY
// USING INDEX n` in contract, the contract rollback taking dependent foreign keys off and back on).
//
// A primary key needs its columns NOT NULL, and USING INDEX sets NOT NULL itself on a nullable column: a full
// scan under ACCESS EXCLUSIVE, and a rollback that must DROP NOT NULL again. When another change of the plan
// makes the column NOT NULL (the target has it NOT NULL: set_not_null's CHECK / VALIDATE / SET NOT NULL
// recipe, or add_column), this step requires that change's not-null milestone and comes after it, so it scans
// nothing and leaves NOT NULL alone. Only a column that stays nullable in the target (PostgreSQL would make it
// NOT NULL anyway) is set by this step: FULL_SCAN, and DROP NOT NULL in the rollback.
//
// A table that already has a primary key under another name is refused: the old key goes only one release
// later, and a table cannot have two. A primary key redefined under the same name is replaced online
// (recipes/pk-replace.ts): its index built aside in expand, swapped in with the old key's drop in one
// statement in the next release's contract.
import type { AddPrimaryKey } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addPrimaryKey as renderAddPrimaryKey, dropNotNull } from '../../sql/render/index.js';
import { none } from '../draft.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import { keyContract, keyExpand, keyProblems, type KeySpec } from '../recipes/key-add.js';
import { findTable, isNewTable, notNullKey } from '../recipes/constraints.js';
import {
  primaryKeyReplaceContract,
  primaryKeyReplaceExpand,
  primaryKeyReplaceProblems,
  primaryKeyReplaced,
} from '../recipes/pk-replace.js';

const replaced = (c: AddPrimaryKey, ctx: PlanContext) => primaryKeyReplaced(ctx, c.schema, c.table, c.primaryKey.name);

function spec(c: AddPrimaryKey, ctx: PlanContext): KeySpec {
  const pk = c.primaryKey;
  const source = findTable(ctx.source, c.schema, c.table);
  const target = findTable(ctx.target, c.schema, c.table);
  const fresh = isNewTable(ctx, c.schema, c.table);
  const nullableBefore = (col: string) =>
    (fresh ? target : source)?.columns.find((x) => x.name === col)?.nullable ?? true;
  const nullableAfter = (col: string) => target?.columns.find((x) => x.name === col)?.nullable ?? true;
  // Columns this step makes NOT NULL itself, and columns another change makes NOT NULL before it.
  const setHere = pk.columns.filter((col) => nullableBefore(col) && nullableAfter(col));
  const setElsewhere = fresh ? [] : pk.columns.filter((col) => nullableBefore(col) && !nullableAfter(col));
  return {
    schema: c.schema,
    table: c.table,
    name: pk.name,
    columns: pk.columns,
    what: `primary key ${ident(pk.name)}`,
    ...(pk.comment !== undefined ? { comment: pk.comment } : {}),
    direct: renderAddPrimaryKey(c.schema, c.table, pk),
    usingIndex: renderAddPrimaryKey(c.schema, c.table, pk, { usingIndex: pk.name }),
    afterDrop: setHere.map((col) => dropNotNull(c.schema, c.table, col)),
    contract: {
      hazards: setHere.length > 0 ? ['FULL_SCAN'] : [],
      requires: setElsewhere.map((col) => notNullKey(c.schema, c.table, col)),
      scan: setHere.length > 0,
    },
  };
}

export const addPrimaryKeyHandler: Handler<AddPrimaryKey> = {
  validate(c, ctx) {
    if (replaced(c, ctx)) return primaryKeyReplaceProblems(c, ctx);
    const problems: PlanProblem[] = [];
    const existing = findTable(ctx.source, c.schema, c.table)?.primaryKey;
    if (existing) {
      problems.push({
        change: c,
        message: `${qualified(c.schema, c.table)} already has primary key ${ident(existing.name)}, which is dropped only in the next release; a table cannot have two`,
        fix: `split it: one plan drops ${ident(existing.name)} (keep a unique constraint on its columns if foreign keys use them), a later plan adds the new primary key; or keep ${ident(existing.name)} and add the new key as a unique constraint`,
      });
    }
    return [...problems, ...keyProblems(c, ctx, spec(c, ctx))];
  },
  expand: (c, ctx) => (replaced(c, ctx) ? primaryKeyReplaceExpand(c) : keyExpand(ctx, spec(c, ctx))),
  backfill: none,
  contract(c, ctx) {
    const old = replaced(c, ctx);
    return old ? primaryKeyReplaceContract(c, ctx, old) : keyContract(ctx, spec(c, ctx));
  },
};
