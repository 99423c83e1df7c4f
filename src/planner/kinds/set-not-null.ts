// set_not_null (DESIGN): expand adds the NOT NULL as a NOT VALID constraint (18+) or `CHECK (c IS NOT NULL) NOT
// VALID`, so new NULLs are refused at once without a scan; with a `backfill` hint the backfill phase fills the
// existing NULLs in batches; contract validates without blocking writes and, before 18, turns the valid check
// into SET NOT NULL and drops it (see not-null.ts). From expand on, writes of NULL fail: the previous
// application version must not write NULLs into this column. The backfill cannot be rolled back (NULLs are
// not restored), and needs nothing to be: the schema is the same either way.
// A column rebuilt by rename_column / alter_column_type gets its NOT NULL from that recipe.
import type { SetNotNull } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { none } from '../draft.js';
import type { Handler, PlanProblem } from '../types.js';
import { addNotNullNotValid, enforceNotNull, fillNullsStep } from '../recipes/not-null.js';
import { backfilled, refreshAfterBackfill } from '../recipes/views.js';
import { shadowKind } from '../recipes/shadow-plan.js';
import { backfillKey, sourceTable } from '../recipes/tables.js';

export const setNotNullHandler: Handler<SetNotNull> = {
  validate(c, ctx) {
    const problems: PlanProblem[] = [];
    const name = c.column.name;
    const what = `${qualified(c.schema, c.table)}.${ident(name)}`;
    if (shadowKind(ctx, c.schema, c.table, name) !== undefined) {
      if (c.backfill !== undefined) {
        problems.push({
          change: c,
          message: `\`backfill\` on ${what} is not applied while the column is renamed or retyped`,
          fix: 'set NOT NULL (with its backfill) in one plan and rename or retype in another',
        });
      }
      return problems;
    }
    if (c.backfill !== undefined && !backfillKey(sourceTable(ctx, c.schema, c.table))) {
      problems.push({
        change: c,
        message: `filling NULLs of ${what} in batches needs a primary key or a unique NOT NULL key on ${qualified(c.schema, c.table)}`,
        fix: 'add a primary key to the table in an earlier plan',
      });
    }
    return problems;
  },
  expand(c, ctx) {
    if (shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined) return none();
    return [addNotNullNotValid(ctx, c.schema, c.table, c.column.name)];
  },
  backfill(c, ctx) {
    if (c.backfill === undefined || shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined) return none();
    const fill = fillNullsStep(ctx, c.schema, c.table, c.column.name, c.backfill, { userSql: true });
    // Materialized views reading the column are refreshed after it (CONCURRENTLY where a unique index allows).
    return [
      { ...fill, creates: [...fill.creates, backfilled(c.schema, c.table, c.column.name)] },
      ...refreshAfterBackfill(ctx, c.schema, c.table, [c.column.name]),
    ];
  },
  contract(c, ctx) {
    if (shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined) return none();
    return enforceNotNull(ctx, c.schema, c.table, c.column.name);
  },
};
