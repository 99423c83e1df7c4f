// validate_foreign_key: a foreign key NOT VALID in the source, valid in the target. VALIDATE in contract
// (SHARE UPDATE EXCLUSIVE: a scan that blocks no writes), after every key it could use, including a unique
// constraint this plan adds (so that constraint's rollback sees it NOT VALID again). PostgreSQL cannot
// unvalidate, so the rollback drops it and re-adds it NOT VALID, which is exactly the state before.
import type { ValidateForeignKey } from '../../diff/index.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';
import { validateForeignKeyStep } from '../recipes/foreign-keys.js';

export const validateForeignKeyHandler: Handler<ValidateForeignKey> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, table, foreignKey: fk } = c;
    return [validateForeignKeyStep(ctx, schema, table, fk)];
  },
};
