// enable_trigger: only the mode changes (ENABLE [ALWAYS | REPLICA] / DISABLE TRIGGER), in place, in expand;
// the rollback sets the previous mode. SHARE ROW EXCLUSIVE on the table, briefly.
import type { EnableTrigger } from '../../diff/index.js';
import { enableTrigger } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const enableTriggerHandler: Handler<EnableTrigger> = {
  validate: () => [],
  expand(c, ctx) {
    const name = c.trigger.name;
    return [
      draft({
        phase: 'expand',
        action: 'enable_trigger',
        description: `set trigger ${ident(name)} on ${qualified(c.schema, c.table)} from ${c.from} to ${c.to}`,
        sql: enableTrigger(c.schema, c.table, name, c.to),
        rollback: [enableTrigger(c.schema, c.table, name, c.from)],
        lock: 'SHARE ROW EXCLUSIVE',
        locks: ctx.newTables.has(`${c.schema}.${c.table}`) ? [] : [[c.schema, c.table]],
        requires: [key.table(c.schema, c.table), key.trigger(c.schema, c.table, name)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
