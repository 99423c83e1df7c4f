// rename_column, the expand/contract way (DESIGN: add the new column and a two-way sync trigger, `up` / `down`
// defaulting to the identity; copy in batches; next release: drop the trigger and the old column). A plain
// RENAME would break the previous application version and logical replication at once. The recipe is
// recipes/shadow-steps.ts with the new column under its final name; a type change of the same column rides along
// (the new column gets the target type, and `down` is then required), as do its new default and nullability.
import type { RenameColumn } from '../../diff/index.js';
import { none } from '../draft.js';
import type { Handler, PlanContext } from '../types.js';
import { shadowPlan, type ShadowPlan } from '../recipes/shadow-plan.js';
import { shadowBackfill, shadowContract, shadowExpand } from '../recipes/shadow-steps.js';
import { shadowProblems } from '../recipes/shadow-validate.js';

function plan(c: RenameColumn, ctx: PlanContext): ShadowPlan | undefined {
  const hints = {
    ...(c.column.up !== undefined ? { up: c.column.up } : {}),
    ...(c.column.down !== undefined ? { down: c.column.down } : {}),
  };
  return shadowPlan(ctx, 'rename', c.schema, c.table, c.to, hints);
}

export const renameColumnHandler: Handler<RenameColumn> = {
  validate(c, ctx) {
    const p = plan(c, ctx);
    return p ? shadowProblems(c, ctx, p) : [];
  },
  expand(c, ctx) {
    const p = plan(c, ctx);
    return p ? shadowExpand(ctx, p) : none();
  },
  backfill(c, ctx) {
    const p = plan(c, ctx);
    return p ? shadowBackfill(ctx, p) : none();
  },
  contract(c, ctx) {
    const p = plan(c, ctx);
    return p ? shadowContract(ctx, p) : none();
  },
};
