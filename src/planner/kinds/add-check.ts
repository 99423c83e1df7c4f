// add_check: ADD CONSTRAINT ... CHECK (...) NOT VALID in expand (a brief ACCESS EXCLUSIVE lock, no scan: new
// rows are checked from then on), VALIDATE in contract (SHARE UPDATE EXCLUSIVE: a scan that blocks no writes
// but fails on rows the old version wrote). The expression is user-written SQL: USER_SQL on both steps. On a
// table created by this plan, added valid directly (the table is empty). A check the target declares NOT
// VALID is never validated. A check redefined under the same name is added as `<name>__new` (NOT VALID, then
// validated), and once drop_check has dropped the old one in the next release it takes the name: the table
// is never without one of the two.
import type { AddCheck } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addCheck as renderAddCheck, dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import { constraintNamedInSource, findTable, isNewTable, locked, sameNameProblem } from '../recipes/constraints.js';
import { derivedName } from '../recipes/tables.js';
import { checkRequires, describeCheck, validateCheckStep } from '../recipes/checks.js';
import { commentSteps } from '../recipes/comments.js';
import { constraintNameTaken, renameToNameStep } from '../recipes/constraint-rename.js';

/** A check of the same name on the same existing table in the source, which this one replaces. */
function replaces(ctx: PlanContext, c: AddCheck): boolean {
  if (isNewTable(ctx, c.schema, c.table)) return false;
  return findTable(ctx.source, c.schema, c.table)?.checks.some((x) => x.name === c.check.name) ?? false;
}

/** The name the new definition has until the old one is dropped, free on the table in source and target. */
const temporary = (c: AddCheck): string => derivedName(c.check.name, '__new');

export const addCheckHandler: Handler<AddCheck> = {
  validate(c, ctx) {
    const problems: PlanProblem[] = [];
    if (replaces(ctx, c)) {
      const temp = temporary(c);
      if (constraintNameTaken(ctx, c.schema, c.table, temp))
        problems.push({
          change: c,
          message: `${describeCheck(c.schema, c.table, c.check)} is added under the temporary name ${ident(temp)}, which is taken`,
          fix: `rename constraint ${ident(temp)} on ${qualified(c.schema, c.table)}`,
        });
    } else if (constraintNamedInSource(ctx, c.schema, c.table, c.check.name)) {
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
    const { schema, table } = c;
    const ck = replaces(ctx, c) ? { ...c.check, name: temporary(c) } : c.check;
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
      // Under the temporary name of a replacement, the comment goes along when it takes the name.
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'constraint', schema, table, name: ck.name },
          what: describeCheck(schema, table, ck),
          requires: [key.constraint(schema, table, ck.name)],
        },
        ck.comment,
      ),
    ];
  },

  backfill: none,

  contract(c, ctx) {
    const { schema, table, check } = c;
    if (isNewTable(ctx, schema, table)) return [];
    if (!replaces(ctx, c)) return check.notValid ? [] : [validateCheckStep(schema, table, check)];
    const temp = temporary(c);
    const rename = renameToNameStep(
      schema,
      table,
      temp,
      check.name,
      'rename_check',
      describeCheck(schema, table, check),
    );
    return [...(check.notValid ? [] : [validateCheckStep(schema, table, { ...check, name: temp })]), rename];
  },
};
