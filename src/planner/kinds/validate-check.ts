// validate_check: a check NOT VALID in the source, valid in the target. VALIDATE in contract (SHARE UPDATE
// EXCLUSIVE: a scan that blocks no writes); PostgreSQL cannot unvalidate, so the rollback drops it and re-adds
// it NOT VALID, which is exactly the state before.
import type { ValidateCheck } from '../../diff/index.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';
import { validateCheckStep } from '../recipes/checks.js';

export const validateCheckHandler: Handler<ValidateCheck> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const { schema, table, check: ck } = c;
    return [validateCheckStep(schema, table, ck)];
  },
};
