// drop_trigger: a removal (sync triggers among them), in the contract of the next release; before the drop of
// its function or table (it requires both). The rollback recreates it in its mode. A trigger redefined under
// the same name cannot wait for the next release: create_trigger replaces it in place on PostgreSQL 14+, and
// older servers drop it in expand, just before its new definition is created.
import type { DropTrigger } from '../../diff/index.js';
import { dropTrigger } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { milestone } from '../recipes/dependents.js';
import { recreateTrigger, replacingTrigger, swapsInPlace, triggerRequirements } from '../recipes/triggers.js';

type When = 'later' | 'before its replacement' | 'never';

function when(c: DropTrigger, ctx: PlanContext): When {
  const replacing = replacingTrigger(ctx, c.schema, c.table, c.trigger.name);
  if (!replacing) return 'later';
  return swapsInPlace(ctx, c.trigger, replacing) ? 'never' : 'before its replacement';
}

function drop(c: DropTrigger, ctx: PlanContext): StepDraft {
  const tr = c.trigger;
  return draft({
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
  });
}

export const dropTriggerHandler: Handler<DropTrigger> = {
  validate: () => [],
  expand(c, ctx) {
    if (when(c, ctx) !== 'before its replacement') return [];
    // The trigger is replaced within the phase, so its key is not in `drops` (like drop_invalid_index).
    const trigger = key.trigger(c.schema, c.table, c.trigger.name);
    return [{ ...drop(c, ctx), phase: 'expand', releaseOffset: 0, drops: [], creates: [milestone.gone(trigger)] }];
  },
  backfill: none,
  contract: (c, ctx) => (when(c, ctx) === 'later' ? [drop(c, ctx)] : []),
};
