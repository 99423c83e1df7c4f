// set_domain_not_null: DROP NOT NULL relaxes, so it runs in expand (no scan, no table lock). SET NOT NULL checks
// every column of the domain: it scans each table holding one under a SHARE lock (writes wait for the scan) and
// fails on a NULL the old version wrote, so it runs in contract with those hazards named. Either is undone by
// the other.
import type { SetDomainNotNull } from '../../diff/index.js';
import { setDomainNotNull } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { describeDomain, domainScanLock, tablesOfType } from '../recipes/user-types.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';

function step(c: SetDomainNotNull, ctx: PlanContext): StepDraft {
  const what = describeDomain(c.schema, c.domain.name);
  if (!c.notNull)
    return draft({
      phase: 'expand',
      action: 'drop_domain_not_null',
      description: `drop not null on ${what}`,
      sql: setDomainNotNull(c.schema, c.domain.name, false),
      rollback: [setDomainNotNull(c.schema, c.domain.name, true)],
      requires: [key.type(c.schema, c.domain.name)],
    });
  const tables = tablesOfType(ctx.source, c.schema, c.domain.name);
  return draft({
    phase: 'contract',
    action: 'set_domain_not_null',
    description: `set not null on ${what} (scans ${tables.length} table(s) with columns of it)`,
    sql: setDomainNotNull(c.schema, c.domain.name, true),
    rollback: [setDomainNotNull(c.schema, c.domain.name, false)],
    lock: domainScanLock(ctx, false),
    locks: tables,
    hazards: ['FULL_SCAN', 'CORRECTNESS'],
    requires: [key.type(c.schema, c.domain.name)],
  });
}

export const setDomainNotNullHandler: Handler<SetDomainNotNull> = {
  validate: () => [],
  expand: (c, ctx) => (c.notNull ? [] : [step(c, ctx)]),
  backfill: none,
  contract: (c, ctx) => (c.notNull ? [step(c, ctx)] : []),
};
