// drop_trigger: a removal (sync triggers among them), in the contract of the next release; before the drop of
// its function or table (it requires both). The rollback recreates it in its mode.
import type { DropTrigger } from '../../diff/index.js';
import { dropTrigger } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { recreateTrigger, triggerRequirements } from '../recipes/triggers.js';

export const dropTriggerHandler: Handler<DropTrigger> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const tr = c.trigger;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_trigger',
        description: `drop trigger ${ident(tr.name)} on ${qualified(c.schema, c.table)}`,
        sql: dropTrigger(c.schema, c.table, tr.name),
        rollback: recreateTrigger(c.schema, c.table, tr),
        lock: 'ACCESS EXCLUSIVE',
        locks: [[c.schema, c.table]],
        requires: triggerRequirements(ctx, 'source', c.schema, c.table, tr),
        drops: [key.trigger(c.schema, c.table, tr.name)],
      }),
    ];
  },
};
