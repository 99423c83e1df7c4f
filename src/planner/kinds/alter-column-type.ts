// alter_column_type. Binary-coercible (varchar(n) to text, numeric precision up...): ALTER COLUMN TYPE in place
// in expand, a brief ACCESS EXCLUSIVE without rewrite; its rollback changes the type back, which can fail on
// values that no longer fit (CORRECTNESS) when the way back is not binary-coercible too.
// Otherwise the runbook's five steps (DESIGN: `c__new` plus a two-way trigger, `up` defaulting to a cast and
// `down` required; batches; next release swap the names; the release after, drop the old column), built by
// recipes/shadow-steps.ts. When the column is also renamed, rename_column's recipe already gives it the target type.
import type { AlterColumnType } from '../../diff/index.js';
import { isBinaryCoercible } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { alterColumnType } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { shadowKind, shadowPlan, type ShadowPlan } from '../recipes/shadow-plan.js';
import { doBlock, shadowBackfill, shadowContract, shadowExpand } from '../recipes/shadow-steps.js';
import { aroundPolicies, aroundPolicyKeys, policiesAroundColumns, undoAroundPolicies } from '../recipes/policies.js';
import { aroundViewKeys, aroundViews, columnChanged, undoAroundViews, viewsAroundColumns } from '../recipes/views.js';
import { shadowProblems } from '../recipes/shadow-validate.js';
import { lockOn, sourceColumn, typeKeys } from '../recipes/tables.js';
import { typeWithCollation } from '../recipes/column-type.js';

function plan(c: AlterColumnType, ctx: PlanContext): ShadowPlan | undefined {
  if (c.binaryCoercible || shadowKind(ctx, c.schema, c.table, c.column.name) !== 'type') return undefined;
  const hints = {
    ...(c.using !== undefined ? { up: c.using } : {}),
    ...(c.down !== undefined ? { down: c.down } : {}),
  };
  return shadowPlan(ctx, 'type', c.schema, c.table, c.column.name, hints);
}

function inPlace(c: AlterColumnType, ctx: PlanContext): StepDraft[] {
  const name = c.column.name;
  const back = isBinaryCoercible(c.to, c.from);
  // PostgreSQL refuses to retype a column a view reads: those views are dropped and built again around it.
  const views = viewsAroundColumns(ctx, c.schema, c.table, [sourceColumn(ctx, c.schema, c.table, name)?.name ?? name]);
  const viewKeys = aroundViewKeys(views);
  // ...and so are the policies reading it (PostgreSQL refuses to retype a column a policy reads).
  const policies = policiesAroundColumns(ctx, c.schema, c.table, [
    sourceColumn(ctx, c.schema, c.table, name)?.name ?? name,
  ]);
  const policyKeys = aroundPolicyKeys(policies);
  const forward = alterColumnType(c.schema, c.table, name, typeWithCollation(c.to, c.column.collation, name));
  const backward = alterColumnType(c.schema, c.table, name, typeWithCollation(c.from, c.previous.collation, name));
  return [
    draft({
      phase: 'expand',
      action: 'alter_column_type',
      description:
        `change ${qualified(c.schema, c.table)}.${ident(name)} from ${c.from} to ${c.to} in place (binary-coercible: no rewrite)` +
        (back ? '' : `; the rollback back to ${c.from} rewrites the table and fails on values that do not fit`) +
        (views.drop.length
          ? `; the ${views.drop.length} view(s) reading it are dropped and built again around it`
          : '') +
        (policies.drop.length
          ? `; the ${policies.drop.length} polic(ies) reading it are dropped and created again around it`
          : ''),
      sql: doBlock(aroundPolicies(policies, aroundViews(views, [forward]))),
      rollback: [doBlock(undoAroundPolicies(policies, undoAroundViews(views, [backward])))],
      lock: 'ACCESS EXCLUSIVE',
      locks: lockOn(ctx, c.schema, c.table),
      hazards: back ? [] : ['CORRECTNESS'],
      alters: [key.column(c.schema, c.table, name)],
      requires: [key.table(c.schema, c.table), key.column(c.schema, c.table, name), ...typeKeys(ctx, c.to)],
      creates: [...viewKeys.creates, ...policyKeys.creates, columnChanged(c.schema, c.table, name)],
      drops: [...viewKeys.drops, ...policyKeys.drops],
    }),
  ];
}

/** Nothing to do here when rename_column carries the type change. */
const renamed = (c: AlterColumnType, ctx: PlanContext) =>
  shadowKind(ctx, c.schema, c.table, c.column.name) === 'rename';

export const alterColumnTypeHandler: Handler<AlterColumnType> = {
  validate(c, ctx) {
    const p = plan(c, ctx);
    return p ? shadowProblems(c, ctx, p) : [];
  },
  expand(c, ctx) {
    if (renamed(c, ctx)) return none();
    const p = plan(c, ctx);
    return p ? shadowExpand(ctx, p) : inPlace(c, ctx);
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
