// create_trigger: in expand (SHARE ROW EXCLUSIVE on the table, briefly). A trigger is created in the default
// mode; any other mode (ENABLE ALWAYS for sync triggers, so rows applied by logical replication fire it) is a
// second statement, so a second step. A trigger redefined under the same name is swapped in one statement
// (CREATE OR REPLACE TRIGGER, which also resets the mode) on PostgreSQL 14+; older servers drop the old one in
// the step before (drop_trigger) and create this one, a short window without the trigger, in two transactions.
import type { CreateTrigger } from '../../diff/index.js';
import { createTrigger, dropTrigger, enableTrigger } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { commentSteps } from '../recipes/comments.js';
import { milestone } from '../recipes/dependents.js';
import { recreateTrigger, replacedTrigger, swapsInPlace, triggerRequirements } from '../recipes/triggers.js';

const locks = (ctx: PlanContext, schema: string, table: string): (readonly [string, string])[] =>
  ctx.newTables.has(`${schema}.${table}`) ? [] : [[schema, table]];

export const createTriggerHandler: Handler<CreateTrigger> = {
  validate: () => [],
  expand(c, ctx) {
    const tr = c.trigger;
    const on = `${ident(tr.name)} on ${qualified(c.schema, c.table)}`;
    const trigger = key.trigger(c.schema, c.table, tr.name);
    const old = replacedTrigger(ctx, c.schema, c.table, tr.name);
    const requires = triggerRequirements(ctx, 'target', c.schema, c.table, tr);
    const create = draft({
      phase: 'expand',
      action: 'create_trigger',
      description: `create trigger ${on}`,
      sql: createTrigger(c.schema, c.table, tr),
      rollback: [dropTrigger(c.schema, c.table, tr.name)],
      lock: 'SHARE ROW EXCLUSIVE',
      locks: locks(ctx, c.schema, c.table),
      creates: [trigger],
      requires,
    });
    const steps: StepDraft[] = [
      !old
        ? create
        : swapsInPlace(ctx, old, tr)
          ? {
              ...create,
              action: 'replace_trigger',
              description: `replace the definition of trigger ${on}`,
              sql: createTrigger(c.schema, c.table, tr, { orReplace: true }),
              rollback: recreateTrigger(c.schema, c.table, old, { orReplace: true }),
            }
          : { ...create, requires: [...requires, milestone.gone(trigger)] },
    ];
    // CREATE OR REPLACE keeps the old definition's comment; a created trigger has none.
    const kept = old && swapsInPlace(ctx, old, tr) ? old.comment : undefined;
    steps.push(
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'trigger', schema: c.schema, table: c.table, name: tr.name },
          what: `trigger ${on}`,
          requires: [trigger],
        },
        tr.comment,
        kept,
      ),
    );
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
