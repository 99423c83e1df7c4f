// add_check: ADD CONSTRAINT ... CHECK (...) NOT VALID in expand (a brief ACCESS EXCLUSIVE lock, no scan: new
// rows are checked from then on), VALIDATE in contract (SHARE UPDATE EXCLUSIVE: a scan that blocks no writes
// but fails on rows the old version wrote). The expression is user-written SQL: USER_SQL on both steps. On a
// table created by this plan, added valid directly (the table is empty). A check the target declares NOT
// VALID is never validated.
import type { AddCheck } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addCheck as renderAddCheck, dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanProblem } from '../types.js';
import { constraintNamedInSource, isNewTable, locked, sameNameProblem } from '../recipes/constraints.js';
import { checkRequires, describeCheck, validateCheckStep } from '../recipes/checks.js';

export const addCheckHandler: Handler<AddCheck> = {
  validate(c, ctx) {
    const problems: PlanProblem[] = [];
    if (constraintNamedInSource(ctx, c.schema, c.table, c.check.name)) {
      problems.push(
        sameNameProblem(
          c,
          describeCheck(c.schema, c.table, c.check),
          `constraint ${ident(c.check.name)} on ${qualified(c.schema, c.table)}`,
        ),
      );
    }
    return problems;
  },

  expand(c, ctx) {
    const { schema, table, check: ck } = c;
    const fresh = isNewTable(ctx, schema, table);
    return [
      draft({
        phase: 'expand',
        action: fresh ? 'add_check' : 'add_check_not_valid',
        description: fresh
          ? `add ${describeCheck(schema, table, ck)} (table created by this plan)`
          : `add ${describeCheck(schema, table, ck)} NOT VALID`,
        sql: renderAddCheck(schema, table, ck, { notValid: fresh ? ck.notValid === true : true }),
        rollback: [dropConstraint(schema, table, ck.name)],
        lock: 'ACCESS EXCLUSIVE',
        locks: locked(ctx, 'expand', [schema, table]),
        hazards: ['USER_SQL'],
        creates: [key.constraint(schema, table, ck.name)],
        requires: checkRequires(ctx, 'target', schema, table, ck),
      }),
    ];
  },

  backfill: none,

  contract(c, ctx) {
    const { schema, table, check: ck } = c;
    if (isNewTable(ctx, schema, table) || ck.notValid) return [];
    return [validateCheckStep(schema, table, ck)];
  },
};
