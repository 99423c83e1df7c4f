// set_default: ALTER COLUMN SET DEFAULT in expand (brief ACCESS EXCLUSIVE, catalog only: existing rows keep
// their values, rows inserted from then on get the new default). The rollback restores the previous default,
// or drops it when there was none. A column rebuilt by rename_column / alter_column_type gets its target
// default from that recipe (at the switch), so nothing happens here.
import type { SetDefault } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { dropDefault, setDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { shadowKind } from '../recipes/shadow-plan.js';
import { expressionNeeds, lockOn } from '../recipes/tables.js';

export const setDefaultHandler: Handler<SetDefault> = {
  validate: () => [],
  expand(c, ctx) {
    const name = c.column.name;
    if (shadowKind(ctx, c.schema, c.table, name) !== undefined) return none();
    return [
      draft({
        phase: 'expand',
        action: 'set_default',
        description: `set the default of ${qualified(c.schema, c.table)}.${ident(name)} to ${c.to}${c.from !== undefined ? ` (was ${c.from})` : ''}`,
        sql: setDefault(c.schema, c.table, name, c.to),
        rollback: [
          c.from !== undefined ? setDefault(c.schema, c.table, name, c.from) : dropDefault(c.schema, c.table, name),
        ],
        lock: 'ACCESS EXCLUSIVE',
        locks: lockOn(ctx, c.schema, c.table),
        requires: [key.table(c.schema, c.table), key.column(c.schema, c.table, name), ...expressionNeeds(ctx, c.to)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
