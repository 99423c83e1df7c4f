// `apply --dry-run` and `rollback --dry-run` of a plan with tenants: exactly the SQL the fan-out would send,
// shared steps once and each selected tenant's steps under its own schema-qualified names, leaving out what the
// ledger records as done (apply) or never done (rollback). Nothing is written, no lock is taken.
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget } from '../db/connect.js';
import { ledgerExists, stepStatuses, tookEffect } from '../executor/ledger.js';
import type { PhaseRef } from '../executor/run.js';
import { rollbackScript, stepScript, type DryRunPhases } from '../executor/script.js';
import { phaseLabel } from '../executor/state.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import {
  contractWarning,
  pairMode,
  placeApply,
  placeRollback,
  readPairLedgers,
  type Placement,
} from '../pair/phases.js';
import type { Plan } from '../planner/types.js';
import { readRegistry } from '../introspect/registry.js';
import { parseTenantsFlag, selectTenants, type Shard } from './registry.js';
import { segments, unitPlan } from './split.js';
import { DEFAULT_CONCURRENCY, someNames, type TenantFlags } from './run.js';

export interface TenantDryRunInput extends Omit<TenantFlags, 'shard'> {
  readonly plan: Plan;
  readonly path: string;
  readonly template: string;
  readonly registry: string;
  readonly selection: PhaseRef;
  readonly shard: Shard | undefined;
  readonly db?: string | undefined;
}

/** `refusals`: why the real run would refuse (SQL as reviewed, rehearsal, hazards), already worded. */
export async function dryRunTenants(
  config: SwitchyardConfig,
  o: TenantDryRunInput,
  verb: 'apply' | 'rollback',
  refusals: readonly string[],
): Promise<DryRunPhases & { readonly pair?: Pick<Placement, 'side' | 'role'> }> {
  const { plan, path, selection: sel, shard } = o;
  const t = { template: o.template, registry: o.registry };
  const notices: string[] = [...refusals];
  const steps = plan.releases.find((r) => r.number === sel.release)![sel.phase];
  let url = o.db;
  let pair: Pick<Placement, 'side' | 'role'> | undefined;
  if (pairMode(config, o.db)) {
    const ledgers = await readPairLedgers(config, plan.name, `switchyard ${verb} ${plan.name} --dry-run`, {
      streaming: false,
    });
    const place = verb === 'apply' ? placeApply(ledgers, sel.phase) : placeRollback(plan, ledgers, sel);
    url = place.url;
    pair = { side: place.side, role: place.role };
    if (verb === 'apply' && sel.phase === 'contract')
      notices.push(`${contractWarning(sel, place.side)}; apply needs --yes`);
    if (verb === 'apply' && sel.phase === 'expand') {
      const problems = replicationProblems(plan, steps);
      if (problems.length)
        notices.push(
          `apply would refuse: ${new NotReplicationCompatibleError(path, phaseLabel(sel), problems).message}`,
        );
    }
  }
  const target = resolveTarget(url, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    const registry = await readRegistry(client, t);
    const units = selectTenants(registry, t.template, parseTenantsFlag(o.tenants), shard);
    const records = (await ledgerExists(client, config.ledgerSchema))
      ? await stepStatuses(client, plan.name, undefined, config.ledgerSchema)
      : [];
    const of = (unit: string) => new Map(records.filter((r) => r.tenant === unit).map((r) => [r.stepId, r]));
    const segs = segments(plan, sel.release, sel.phase, t.template);
    const out: { id: string; tenant?: string; sql: string[] }[] = [];
    const script = (unit: string, ids: ReadonlySet<string>) => {
      const rec = of(unit);
      const unitSteps = unitPlan(plan, t.template, unit)
        .releases.find((r) => r.number === sel.release)!
        [sel.phase].filter((s) => ids.has(s.id));
      const tenant = unit === '' ? {} : { tenant: unit };
      if (verb === 'apply') {
        for (const s of unitSteps)
          if (rec.get(s.id)?.status !== 'done') out.push({ id: s.id, ...tenant, sql: stepScript(s) });
      } else {
        for (const s of [...unitSteps].reverse())
          if (tookEffect(rec.get(s.id))) out.push({ id: s.id, ...tenant, sql: rollbackScript(s, rec.get(s.id)) });
      }
    };
    for (const seg of verb === 'apply' ? segs : [...segs].reverse()) {
      const ids = new Set(seg.steps.map((s) => s.id));
      if (seg.kind === 'shared') script('', ids);
      else for (const unit of units) script(unit, ids);
    }
    notices.push(
      `${units.length} tenant(s) selected${shard ? ` (shard ${shard.index}/${shard.count})` : ''}; each runs on its own connection, ${o.concurrency ?? DEFAULT_CONCURRENCY} at a time, after a drift check against the template` +
        (registry.missing.length
          ? `; the registry lists ${registry.missing.length} tenant(s) with no schema: ${someNames(registry.missing)}`
          : ''),
    );
    return {
      plan: plan.name,
      database: describeTarget(target),
      ...(pair ? { pair } : {}),
      phases: [{ ...sel, steps: out }],
      notices,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
