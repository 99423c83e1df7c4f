// drop_identity: ALTER COLUMN DROP IDENTITY (its sequence goes with it). The previous application version may
// insert rows relying on generated values, so it waits for the contract phase of the next release, unless the
// target column has a default that takes over (serial-style): then the default needs the identity gone first,
// and both happen in expand. The rollback adds the identity back and restarts it after the largest value.
import type { DropIdentity } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { addIdentity, dropIdentity, restartAfterMax } from '../recipes/identity.js';
import { shadowKind } from '../recipes/shadow-plan.js';
import { lockOn } from '../recipes/tables.js';

function step(c: DropIdentity, ctx: PlanContext): StepDraft {
  const { schema, table } = c;
  const name = c.column.name;
  const early = c.column.default !== undefined;
  return draft({
    phase: early ? 'expand' : 'contract',
    releaseOffset: early ? 0 : 1,
    action: 'drop_identity',
    description:
      `stop generating values for ${qualified(schema, table)}.${ident(name)}` +
      (early ? ` (its new default ${c.column.default} takes over)` : ''),
    sql: dropIdentity(schema, table, name),
    rollback: [addIdentity(schema, table, name, c.from), restartAfterMax(schema, table, name)],
    lock: 'ACCESS EXCLUSIVE',
    locks: lockOn(ctx, schema, table),
    requires: [key.table(schema, table), key.column(schema, table, name)],
  });
}

const skip = (c: DropIdentity, ctx: PlanContext) => shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined;

export const dropIdentityHandler: Handler<DropIdentity> = {
  validate: () => [],
  expand: (c, ctx) => (skip(c, ctx) || c.column.default === undefined ? none() : [step(c, ctx)]),
  backfill: none,
  contract: (c, ctx) => (skip(c, ctx) || c.column.default !== undefined ? none() : [step(c, ctx)]),
};
