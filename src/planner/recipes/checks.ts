// Check constraints, shared by add_check, drop_check and validate_check: what a check requires, how it is
// named in descriptions, and its VALIDATE step (whose rollback drops and re-adds it NOT VALID).
import { restoreComment } from './comments.js';
import type { Check } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { addCheck as renderAddCheck, dropConstraint, validateConstraint } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { columnKeys, findTable, mentionedColumns } from './constraints.js';

/** The table and the columns the expression may mention, in the source (for a drop) or the target. */
export function checkRequires(
  ctx: PlanContext,
  side: 'source' | 'target',
  schema: string,
  table: string,
  ck: Check,
): ObjectKey[] {
  return [
    key.table(schema, table),
    ...columnKeys(schema, table, mentionedColumns(findTable(ctx[side], schema, table), ck.expression)),
  ];
}

export const describeCheck = (schema: string, table: string, ck: Check): string =>
  `check ${ident(ck.name)} on ${qualified(schema, table)}`;

/** Undoing a VALIDATE: PostgreSQL cannot unvalidate, so drop and re-add NOT VALID, with its comment. */
export const unvalidateCheck = (schema: string, table: string, ck: Check): string[] => [
  dropConstraint(schema, table, ck.name),
  renderAddCheck(schema, table, ck, { notValid: true }),
  ...restoreComment({ kind: 'constraint', schema, table, name: ck.name }, ck.comment),
];

/** VALIDATE a NOT VALID check: a scan that blocks no writes; its rollback returns it to NOT VALID. */
export function validateCheckStep(schema: string, table: string, ck: Check): StepDraft {
  return draft({
    phase: 'contract',
    action: 'validate_check',
    description: `validate ${describeCheck(schema, table, ck)}`,
    sql: validateConstraint(schema, table, ck.name),
    rollback: unvalidateCheck(schema, table, ck),
    lock: 'SHARE UPDATE EXCLUSIVE',
    locks: [[schema, table]],
    hazards: ['FULL_SCAN', 'CORRECTNESS', 'USER_SQL'],
    requires: [key.constraint(schema, table, ck.name)],
    costTable: { schema, table, work: 'scan' },
  });
}
