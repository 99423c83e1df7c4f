// create_trigger: in expand (SHARE ROW EXCLUSIVE on the table, briefly). A trigger is created in the default
// mode; any other mode (ENABLE ALWAYS for sync triggers, so rows applied by logical replication fire it) is a
// second statement, so a second step.
import type { CreateTrigger } from '../../diff/index.js';
import { createTrigger, dropTrigger, enableTrigger } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { triggerRequirements } from '../recipes/triggers.js';

const locks = (ctx: PlanContext, schema: string, table: string): (readonly [string, string])[] =>
  ctx.newTables.has(`${schema}.${table}`) ? [] : [[schema, table]];

export const createTriggerHandler: Handler<CreateTrigger> = {
  validate: () => [],
  expand(c, ctx) {
    const tr = c.trigger;
    const on = `${ident(tr.name)} on ${qualified(c.schema, c.table)}`;
    const trigger = key.trigger(c.schema, c.table, tr.name);
    const steps: StepDraft[] = [
      draft({
        phase: 'expand',
        action: 'create_trigger',
        description: `create trigger ${on}`,
        sql: createTrigger(c.schema, c.table, tr),
        rollback: [dropTrigger(c.schema, c.table, tr.name)],
        lock: 'SHARE ROW EXCLUSIVE',
        locks: locks(ctx, c.schema, c.table),
        creates: [trigger],
        requires: triggerRequirements(ctx, 'target', c.schema, c.table, tr),
      }),
    ];
    if (tr.enabled !== 'origin') {
      steps.push(
        draft({
          phase: 'expand',
          action: 'enable_trigger',
          description: `set trigger ${on} to ${tr.enabled}`,
          sql: enableTrigger(c.schema, c.table, tr.name, tr.enabled),
          rollback: [enableTrigger(c.schema, c.table, tr.name, 'origin')],
          lock: 'SHARE ROW EXCLUSIVE',
          locks: locks(ctx, c.schema, c.table),
          requires: [trigger],
        }),
      );
    }
    return steps;
  },
  backfill: none,
  contract: none,
};
