// set_row_security: ENABLE / DISABLE and FORCE / NO FORCE ROW LEVEL SECURITY, one ALTER TABLE (ACCESS EXCLUSIVE,
// briefly). On a table of both sides, in expand, after the table's new policies (enabling before them would hide
// every row from the running application) and before none is dropped (policies are dropped a release later).
// On a dropped table, turned off in the contract of the next release before the table goes, so that rolling
// the drop back restores it; on a new table, set once it and its policies exist.
import type { RowSecurity, SetRowSecurity } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { findTable, lockOn, sourceTable } from '../recipes/tables.js';

/** The ALTER TABLE turning `from` into `to` (only the flags that differ). */
export function rowSecurityStatement(schema: string, table: string, from: RowSecurity, to: RowSecurity): string {
  const actions = [
    ...(from.enabled !== to.enabled ? [`${to.enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`] : []),
    ...(from.forced !== to.forced ? [`${to.forced ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`] : []),
  ];
  return alterTable(schema, table, actions.join(', '));
}

const words = (r: RowSecurity) => `${r.enabled ? 'enabled' : 'disabled'}${r.forced ? ', forced' : ''}`;

function step(c: SetRowSecurity, ctx: PlanContext, dropped: boolean): StepDraft {
  // The policies this plan creates (the ones already there exist before any step).
  const existing = new Set((sourceTable(ctx, c.schema, c.table)?.policies ?? []).map((p) => p.name));
  const policies = dropped
    ? []
    : (findTable(ctx.target, c.schema, c.table)?.policies ?? []).filter((p) => !existing.has(p.name));
  return draft({
    phase: dropped ? 'contract' : 'expand',
    releaseOffset: dropped ? 1 : 0,
    action: 'set_row_security',
    description: `row level security on ${qualified(c.schema, c.table)}: ${words(c.from)} -> ${words(c.to)}`,
    sql: rowSecurityStatement(c.schema, c.table, c.from, c.to),
    rollback: [rowSecurityStatement(c.schema, c.table, c.to, c.from)],
    lock: 'ACCESS EXCLUSIVE',
    locks: dropped ? [[c.schema, c.table]] : lockOn(ctx, c.schema, c.table),
    requires: [key.table(c.schema, c.table), ...policies.map((p) => key.policy(c.schema, c.table, p.name))],
  });
}

const isDropped = (c: SetRowSecurity, ctx: PlanContext) => findTable(ctx.target, c.schema, c.table) === undefined;

export const setRowSecurityHandler: Handler<SetRowSecurity> = {
  validate: () => [],
  expand: (c, ctx) => (isDropped(c, ctx) ? [] : [step(c, ctx, false)]),
  backfill: none,
  contract: (c, ctx) => (isDropped(c, ctx) ? [step(c, ctx, true)] : []),
};
