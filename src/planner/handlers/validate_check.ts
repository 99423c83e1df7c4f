// validate_check: a check NOT VALID in the source, valid in the target. VALIDATE in contract (SHARE UPDATE
// EXCLUSIVE: a scan that blocks no writes); PostgreSQL cannot unvalidate, so the rollback drops it and re-adds
// it NOT VALID, which is exactly the state before.
import type { ValidateCheck } from '../../diff/index.js';
import { validateConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { describeCheck, unvalidateCheck } from './add_check.js';

export const validateCheck: Handler<ValidateCheck> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const { schema, table, check: ck } = c;
    return [
      draft({
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
      }),
    ];
  },
};
