// drop_default: ALTER COLUMN DROP DEFAULT in expand (brief ACCESS EXCLUSIVE, catalog only), where the differ
// puts it: before an identity, a generation or an in-place type change of the same column, which a default
// would block. Rows the previous application version inserts without the column get NULL from then on; on a
// NOT NULL column that fails, which BREAKS_OLD_APP says (unless an identity takes over). The rollback sets
// the default back. A column rebuilt by rename_column / alter_column_type is left to that recipe.
import type { DropDefault } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { dropDefault, setDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { shadowKind } from '../recipes/shadow-plan.js';
import { expressionNeeds, lockOn } from '../recipes/tables.js';

export const dropDefaultHandler: Handler<DropDefault> = {
  validate: () => [],
  expand(c, ctx) {
    const name = c.column.name;
    if (shadowKind(ctx, c.schema, c.table, name) !== undefined) return none();
    const breaks = !c.column.nullable && c.column.identity === undefined && c.column.generated === undefined;
    return [
      draft({
        phase: 'expand',
        action: 'drop_default',
        description:
          `drop the default ${c.from} of ${qualified(c.schema, c.table)}.${ident(name)}` +
          (breaks ? ": inserts that leave the column out (the previous application version's) fail from then on" : ''),
        sql: dropDefault(c.schema, c.table, name),
        rollback: [setDefault(c.schema, c.table, name, c.from)],
        lock: 'ACCESS EXCLUSIVE',
        locks: lockOn(ctx, c.schema, c.table),
        hazards: breaks ? ['BREAKS_OLD_APP'] : [],
        // The default may be what keeps a sequence or function in use: those are dropped after it.
        requires: [key.table(c.schema, c.table), key.column(c.schema, c.table, name), ...expressionNeeds(ctx, c.from)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
