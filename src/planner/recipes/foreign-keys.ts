// Foreign keys, shared by add_foreign_key, drop_foreign_key and validate_foreign_key: what a foreign key
// requires (both tables, the columns on both sides, every key PostgreSQL could pick), how it is named in
// descriptions, and its VALIDATE step.
import type { DatabaseSchema, ForeignKey } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { validateConstraint } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { columnKeys } from './constraints.js';
import { candidateKeyObjects, readdAfterDrop } from './dependents.js';

/** Tables, columns on both sides, and the referenced keys of `db` (with their constraints on request). */
export function foreignKeyRequires(
  db: DatabaseSchema,
  schema: string,
  table: string,
  fk: ForeignKey,
  constraints: boolean,
): ObjectKey[] {
  const r = fk.references;
  return [
    key.table(schema, table),
    key.table(r.schema, r.table),
    ...columnKeys(schema, table, fk.columns),
    ...columnKeys(r.schema, r.table, r.columns),
    ...candidateKeyObjects(db, r, { constraints }),
  ];
}

export const describeForeignKey = (schema: string, table: string, fk: ForeignKey): string =>
  `foreign key ${ident(fk.name)} on ${qualified(schema, table)} referencing ${qualified(fk.references.schema, fk.references.table)}`;

/** VALIDATE a NOT VALID foreign key: a scan that blocks no writes; its rollback returns it to NOT VALID. */
export function validateForeignKeyStep(ctx: PlanContext, schema: string, table: string, fk: ForeignKey): StepDraft {
  return draft({
    phase: 'contract',
    action: 'validate_foreign_key',
    description: `validate ${describeForeignKey(schema, table, fk)}`,
    sql: validateConstraint(schema, table, fk.name),
    rollback: readdAfterDrop(schema, table, fk),
    lock: 'SHARE UPDATE EXCLUSIVE',
    locks: [[schema, table]],
    hazards: ['FULL_SCAN', 'CORRECTNESS'],
    requires: [key.constraint(schema, table, fk.name), ...foreignKeyRequires(ctx.target, schema, table, fk, true)],
    costTable: { schema, table, work: 'scan' },
  });
}
