// Making a column NOT NULL without a long ACCESS EXCLUSIVE scan, shared by add_column, set_not_null,
// rename_column and alter_column_type.
//
// Before PostgreSQL 18: expand adds `CHECK (c IS NOT NULL) NOT VALID` (brief lock, no scan; new rows are
// checked from then on); contract validates it (SHARE UPDATE EXCLUSIVE: reads and writes go on), then SET NOT
// NULL, which skips its own scan because a valid check proves it (12+), then drops the check.
// PostgreSQL 18: `ADD CONSTRAINT n NOT NULL c NOT VALID`, then VALIDATE CONSTRAINT n: the validated constraint
// is the column's NOT NULL itself. Its name is PostgreSQL's default `<table>_<column>_not_null`, so the result
// is exactly what a plain `c ... NOT NULL` column would have. The check of older servers takes the same name.
import { makeObjectName } from '../../schema/model/names.js';
import { ident, qualified } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import { addCheck, dropConstraint, dropNotNull, setNotNull, validateConstraint } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { backfillKey, lockOn, sourceTable } from './tables.js';
import { backfillStatement } from '../backfill-statement.js';

/** PostgreSQL 18 can add a NOT NULL constraint NOT VALID and validate it later. */
export const hasNotNullNotValid = (ctx: PlanContext): boolean => ctx.serverVersionNum >= 180000;

export function notNullName(table: string, column: string): string {
  return makeObjectName(table, column, 'not_null');
}

/** Ordering-only key: created by the step validating constraint k, required by SET NOT NULL. */
export const validated = (k: ObjectKey): ObjectKey => `validated:${k}`;

function addNotValid(ctx: PlanContext, schema: string, table: string, column: string): string {
  const name = notNullName(table, column);
  if (hasNotNullNotValid(ctx))
    return alterTable(schema, table, `ADD CONSTRAINT ${ident(name)} NOT NULL ${ident(column)} NOT VALID`);
  return addCheck(
    schema,
    table,
    { kind: 'check', name, expression: `${ident(column)} IS NOT NULL` },
    { notValid: true },
  );
}

/** Expand: new and updated rows must have a value from now on; existing rows are not scanned. */
export function addNotNullNotValid(ctx: PlanContext, schema: string, table: string, column: string): StepDraft {
  const name = notNullName(table, column);
  const what = hasNotNullNotValid(ctx) ? 'NOT NULL constraint' : 'check (IS NOT NULL)';
  return draft({
    phase: 'expand',
    action: 'add_not_null_not_valid',
    description: `add ${what} ${ident(name)} NOT VALID on ${qualified(schema, table)}.${ident(column)}: new rows are checked, existing rows are not scanned`,
    sql: addNotValid(ctx, schema, table, column),
    rollback: [dropConstraint(schema, table, name)],
    lock: 'ACCESS EXCLUSIVE',
    locks: lockOn(ctx, schema, table),
    creates: [key.constraint(schema, table, name)],
    requires: [key.table(schema, table), key.column(schema, table, column)],
  });
}

/** Contract (release of the change): validate, and before 18 turn the valid check into the column's NOT NULL. */
export function enforceNotNull(ctx: PlanContext, schema: string, table: string, column: string): StepDraft[] {
  const name = notNullName(table, column);
  const constraint = key.constraint(schema, table, name);
  const on = `${qualified(schema, table)}.${ident(column)}`;
  const locks = lockOn(ctx, schema, table);
  const validate = draft({
    phase: 'contract',
    action: 'validate_not_null',
    description: `validate ${ident(name)}: scans ${on} for NULLs without blocking reads or writes (fails if one is left)`,
    sql: validateConstraint(schema, table, name),
    rollback: [dropConstraint(schema, table, name), addNotValid(ctx, schema, table, column)],
    lock: 'SHARE UPDATE EXCLUSIVE',
    locks,
    hazards: ['FULL_SCAN', 'CORRECTNESS'],
    creates: [validated(constraint)],
    requires: [constraint],
    costTable: { schema, table, work: 'scan' },
  });
  if (hasNotNullNotValid(ctx)) return [validate];
  const check = { kind: 'check', name, expression: `${ident(column)} IS NOT NULL` } as const;
  return [
    validate,
    draft({
      phase: 'contract',
      action: 'set_not_null',
      description: `set ${on} NOT NULL: the valid check ${ident(name)} spares the scan (brief ACCESS EXCLUSIVE)`,
      sql: setNotNull(schema, table, column),
      rollback: [dropNotNull(schema, table, column)],
      lock: 'ACCESS EXCLUSIVE',
      locks,
      requires: [constraint, validated(constraint), key.column(schema, table, column)],
    }),
    draft({
      phase: 'contract',
      action: 'drop_not_null_check',
      description: `drop the check ${ident(name)}, now redundant with the column's NOT NULL`,
      sql: dropConstraint(schema, table, name),
      rollback: [addCheck(schema, table, check, { notValid: true }), validateConstraint(schema, table, name)],
      lock: 'ACCESS EXCLUSIVE',
      locks,
      drops: [constraint],
    }),
  ];
}

/**
 * Backfill: `SET c = expression WHERE c IS NULL` in keyset batches on the table's key. Idempotent and resumable;
 * nothing to roll back (the rows keep their values, the schema is unchanged).
 */
export function fillNullsStep(
  ctx: PlanContext,
  schema: string,
  table: string,
  column: string,
  expression: string,
  o: { readonly userSql: boolean },
): StepDraft {
  const where = `${ident(column)} IS NULL`;
  const spec = {
    schema,
    table,
    key: backfillKey(sourceTable(ctx, schema, table)) ?? [],
    set: [{ column, expression }],
    where,
  };
  return draft({
    phase: 'backfill',
    action: 'backfill',
    description: `fill NULLs of ${qualified(schema, table)}.${ident(column)} with ${expression}, in batches`,
    sql: backfillStatement(spec),
    lock: 'ROW EXCLUSIVE',
    locks: lockOn(ctx, schema, table),
    hazards: o.userSql ? ['USER_SQL'] : [],
    requires: [key.column(schema, table, column)],
    backfill: spec,
    costTable: { schema, table, work: 'backfill' },
  });
}
