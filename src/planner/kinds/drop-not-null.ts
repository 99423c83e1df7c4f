// drop_not_null: ALTER COLUMN DROP NOT NULL in contract, after the deploy (the reference's lint rule 10: the
// previous application version may read the column assuming it is never NULL). Brief ACCESS EXCLUSIVE, catalog
// only. The rollback is a plain SET NOT NULL: it scans the table under ACCESS EXCLUSIVE, and fails if a NULL
// was written since; a rollback is one simple statement rather than the expand/contract dance.
// A column rebuilt by rename_column / alter_column_type gets its nullability from that recipe.
import type { DropNotNull } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { dropNotNull, setNotNull } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { shadowKind } from '../recipes/shadow-plan.js';
import { lockOn } from '../recipes/tables.js';

export const dropNotNullHandler: Handler<DropNotNull> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const name = c.column.name;
    if (shadowKind(ctx, c.schema, c.table, name) !== undefined) return none();
    return [
      draft({
        phase: 'contract',
        action: 'drop_not_null',
        description: `allow NULL in ${qualified(c.schema, c.table)}.${ident(name)} (the rollback's SET NOT NULL scans the table under ACCESS EXCLUSIVE and fails if a NULL was written since)`,
        sql: dropNotNull(c.schema, c.table, name),
        rollback: [setNotNull(c.schema, c.table, name)],
        lock: 'ACCESS EXCLUSIVE',
        locks: lockOn(ctx, c.schema, c.table),
        requires: [key.table(c.schema, c.table), key.column(c.schema, c.table, name)],
      }),
    ];
  },
};
