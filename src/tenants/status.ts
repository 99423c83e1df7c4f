// Where each tenant stands in a plan, from the ledger's per-tenant rows, and which tenants have drifted from
// the template: a tenant at a phase boundary is compared with the template's schema at that boundary, renamed
// to the tenant (tenants in the middle of a phase are reported as such, not compared).
import type { Client } from '../db/connect.js';
import { stepStatuses, type StepRecord } from '../executor/ledger.js';
import { phaseLabel, phaseStatuses, planPhases, type PhaseStatus } from '../executor/state.js';
import type { Plan } from '../planner/types.js';
import type { RehearsalReport } from '../executor/rehearsal-report.js';
import { modelAtBoundary, schemaOf, tenantDrift, type UnitDrift } from './drift.js';
import type { Registry } from '../introspect/registry.js';
import { unitPlan } from './split.js';

export interface TenantPosition {
  readonly tenant: string;
  /** `release 1 expand applied` / `not started` / `release 1 backfill failed`. */
  readonly where: string;
  /** Index (in planPhases order) of the last phase applied in full, -1 for none; undefined mid-phase. */
  readonly boundary?: number;
  readonly state: 'not started' | 'at a phase boundary' | 'in the middle of a phase' | 'failed' | 'complete';
  readonly error?: string;
}

export interface TenantsStatus {
  readonly template: string;
  readonly tenants: readonly TenantPosition[];
  /** Registry names without a schema. */
  readonly missing: readonly string[];
  /** Tenants at a phase boundary whose schema is not the template's there; undefined when not checked. */
  readonly drifted?: readonly UnitDrift[];
  /** Boundaries whose expected schema is unknown (no rehearsal report): tenants there were not compared. */
  readonly unchecked: number;
}

function position(tenant: string, statuses: readonly PhaseStatus[]): TenantPosition {
  const bad = statuses.find((s) => s.state === 'failed');
  if (bad)
    return {
      tenant,
      where: `${phaseLabel(bad)} failed`,
      state: 'failed',
      error: bad.unfinished.find((u) => u.status === 'failed')?.error ?? '',
    };
  const partial = statuses.find((s) => s.state === 'partial');
  if (partial)
    return {
      tenant,
      where: `${phaseLabel(partial)}: ${partial.done} of ${partial.steps} steps`,
      state: 'in the middle of a phase',
    };
  let last = -1;
  statuses.forEach((s, i) => {
    if (s.state === 'applied') last = i;
  });
  const nonEmpty = statuses.filter((s) => s.state !== 'empty');
  if (last === -1) return { tenant, where: 'not started', boundary: -1, state: 'not started' };
  const done = statuses[last]!;
  const complete = nonEmpty.every((s) => s.state === 'applied');
  return {
    tenant,
    where: `${phaseLabel(done)} applied`,
    boundary: last,
    state: complete ? 'complete' : 'at a phase boundary',
  };
}

export async function tenantsStatus(
  client: Client,
  plan: Plan,
  report: RehearsalReport | undefined,
  template: string,
  registry: Registry,
  ledger: string | undefined,
  o: { drift: boolean },
): Promise<TenantsStatus> {
  const units = [...(registry.templateExists ? [template] : []), ...registry.tenants];
  const records = ledger ? await stepStatuses(client, plan.name, undefined, ledger) : [];
  const by = new Map<string, StepRecord[]>();
  for (const r of records) by.set(r.tenant, [...(by.get(r.tenant) ?? []), r]);
  const tenantOnly = unitPlan(plan, template, template);
  const positions = units.map((u) => position(u, phaseStatuses(tenantOnly, by.get(u) ?? [])));
  if (!o.drift) return { template, tenants: positions, missing: registry.missing, unchecked: 0 };
  const phases = planPhases(plan);
  const groups = new Map<number, string[]>();
  for (const p of positions)
    if (p.boundary !== undefined) groups.set(p.boundary, [...(groups.get(p.boundary) ?? []), p.tenant]);
  const drifted: UnitDrift[] = [];
  let unchecked = 0;
  for (const [b, names] of groups) {
    const model =
      b === -1 ? plan.source.snapshot : modelAtBoundary(plan, report, phases[b]!.release, phases[b]!.phase, 'after');
    if (!model) {
      unchecked += names.length;
      continue;
    }
    drifted.push(...(await tenantDrift(client, schemaOf(model, template), names)));
  }
  return { template, tenants: positions, missing: registry.missing, drifted, unchecked };
}
