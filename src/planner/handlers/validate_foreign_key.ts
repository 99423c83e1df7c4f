// validate_foreign_key: a foreign key NOT VALID in the source, valid in the target. VALIDATE in contract
// (SHARE UPDATE EXCLUSIVE: a scan that blocks no writes), after every key it could use, including a unique
// constraint this plan adds (so that constraint's rollback sees it NOT VALID again). PostgreSQL cannot
// unvalidate, so the rollback drops it and re-adds it NOT VALID, which is exactly the state before.
import type { ValidateForeignKey } from '../../diff/index.js';
import { validateConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { describeForeignKey, foreignKeyRequires } from './add_foreign_key.js';
import { readdAfterDrop } from './dependents.js';

export const validateForeignKey: Handler<ValidateForeignKey> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, table, foreignKey: fk } = c;
    return [
      draft({
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
      }),
    ];
  },
};
