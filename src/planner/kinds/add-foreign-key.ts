// add_foreign_key: ADD CONSTRAINT ... NOT VALID in expand (SHARE ROW EXCLUSIVE on both tables, no scan: new
// rows are checked from then on), VALIDATE CONSTRAINT in contract (SHARE UPDATE EXCLUSIVE on the table, ROW
// SHARE on the referenced one: a scan that blocks no writes, but fails on rows the old version wrote).
//
// The step requires both tables, the columns on both sides and every key of the referenced table that
// PostgreSQL could pick (recipes/dependents.ts): a foreign key can never again be created before what it references,
// which was the postmortem's first failure. The VALIDATE step also requires the keys' constraints, so it comes
// after a unique constraint's USING INDEX step and its rollback comes first.
//
// A foreign key on a table created by this plan is added valid directly in expand: its table is empty, so
// validation reads nothing (still its own step, ordered after both tables and the key). A foreign key the
// target declares NOT VALID is never validated.
//
// A foreign key redefined under the same name (other columns, referenced table, actions, match...) is added
// NOT VALID as `<name>__new` in expand, validated in contract, and once drop_foreign_key has dropped the old
// one in the next release it takes the name (RENAME CONSTRAINT: ACCESS EXCLUSIVE on the table alone, no
// scan): the table is never without one of the two. Rolling the rename back gives the new one its temporary
// name again; the drop's rollback then re-adds the old definition under the name (NOT VALID, then VALIDATE).
import type { AddForeignKey } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { addForeignKey as renderAddForeignKey, dropConstraint } from '../../sql/render/index.js';
import { commentSteps } from '../recipes/comments.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import { constraintNamedInSource, findTable, isNewTable, locked, sameNameProblem } from '../recipes/constraints.js';
import { candidateKeys } from '../recipes/dependents.js';
import { constraintNameTaken, renameToNameStep } from '../recipes/constraint-rename.js';
import { derivedName } from '../recipes/tables.js';
import { describeForeignKey, foreignKeyRequires, validateForeignKeyStep } from '../recipes/foreign-keys.js';

/** A foreign key of the same name on the same existing table in the source, which this one replaces. */
function replaces(ctx: PlanContext, c: AddForeignKey): boolean {
  if (isNewTable(ctx, c.schema, c.table)) return false;
  return findTable(ctx.source, c.schema, c.table)?.foreignKeys.some((x) => x.name === c.foreignKey.name) ?? false;
}

/** The name the new definition has until the old one is dropped, free on the table in source and target. */
const temporary = (c: AddForeignKey): string => derivedName(c.foreignKey.name, '__new');

export const addForeignKeyHandler: Handler<AddForeignKey> = {
  validate(c, ctx) {
    const fk = c.foreignKey;
    const what = describeForeignKey(c.schema, c.table, fk);
    const problems: PlanProblem[] = [];
    if (replaces(ctx, c)) {
      const temp = temporary(c);
      if (constraintNameTaken(ctx, c.schema, c.table, temp))
        problems.push({
          change: c,
          message: `${what} is added under the temporary name ${ident(temp)}, which is taken`,
          fix: `rename constraint ${ident(temp)} on ${qualified(c.schema, c.table)}`,
        });
    } else if (constraintNamedInSource(ctx, c.schema, c.table, fk.name))
      problems.push(sameNameProblem(c, what, `constraint ${ident(fk.name)} on ${qualified(c.schema, c.table)}`));
    if (candidateKeys(ctx.target, fk.references).length === 0) {
      problems.push({
        change: c,
        message: `${what}: the target has no primary key, unique constraint or unique index on (${fk.references.columns.map(ident).join(', ')})`,
        fix: `add a unique key on those columns of ${qualified(fk.references.schema, fk.references.table)}, or reference its primary key`,
      });
    }
    return problems;
  },

  expand(c, ctx) {
    const { schema, table } = c;
    const fk = replaces(ctx, c) ? { ...c.foreignKey, name: temporary(c) } : c.foreignKey;
    const fresh = isNewTable(ctx, schema, table);
    const what = describeForeignKey(schema, table, fk);
    return [
      draft({
        phase: 'expand',
        action: fresh ? 'add_foreign_key' : 'add_foreign_key_not_valid',
        description: fresh ? `add ${what} (table created by this plan: nothing to validate)` : `add ${what} NOT VALID`,
        sql: renderAddForeignKey(schema, table, fk, { notValid: fresh ? fk.notValid === true : true }),
        rollback: [dropConstraint(schema, table, fk.name)],
        lock: 'SHARE ROW EXCLUSIVE',
        locks: locked(ctx, 'expand', [schema, table], [fk.references.schema, fk.references.table]),
        creates: [key.constraint(schema, table, fk.name)],
        requires: foreignKeyRequires(ctx.target, schema, table, fk, false),
      }),
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'constraint', schema, table, name: fk.name },
          what,
          requires: [key.constraint(schema, table, fk.name)],
        },
        fk.comment,
      ),
    ];
  },

  backfill: none,

  contract(c, ctx) {
    const { schema, table, foreignKey: fk } = c;
    if (isNewTable(ctx, schema, table)) return [];
    if (!replaces(ctx, c)) return fk.notValid ? [] : [validateForeignKeyStep(ctx, schema, table, fk)];
    const temp = temporary(c);
    const rename = renameToNameStep(
      schema,
      table,
      temp,
      fk.name,
      'rename_foreign_key',
      describeForeignKey(schema, table, fk),
    );
    return [...(fk.notValid ? [] : [validateForeignKeyStep(ctx, schema, table, { ...fk, name: temp })]), rename];
  },
};
