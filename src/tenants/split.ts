// A tenant plan is made once, for the template schema, and run per tenant. Its steps fall in two kinds: the
// template's (anything naming an object of the template schema), run once per tenant with the tenant's
// schema-qualified names, and shared ones (`central`...), run once. Within a phase, the dependency order is
// kept by cutting the phase into runs of one kind: shared steps before the template's that follow them,
// each tenant's steps before the shared ones after them.
import { SwitchyardError } from '../errors.js';
import { allSteps } from '../planner/plan.js';
import { PHASES, type Phase, type Plan, type Release, type Step } from '../planner/types.js';
import { ident } from '../db/quote.js';
import { bodyMentions, retargetRefusal, retargetStep, schemaOfKey, touchesSchema } from './rename.js';

export interface Segment {
  readonly kind: 'shared' | 'tenant';
  readonly steps: readonly Step[];
}

export class TenantPlanError extends SwitchyardError {
  constructor(message: string) {
    super('TENANT_PLAN', message, 2);
  }
}

/** The template schema and registry a plan was made with; undefined for a plan without tenants. */
export function planTenants(plan: Plan): { readonly template: string; readonly registry: string } | undefined {
  return plan.target.snapshot.tenants;
}

/**
 * Refuses what cannot run per tenant: a step that changes objects of the template and of a shared schema at
 * once (it would run once per tenant on the shared object), and a template function body naming the template
 * schema (every tenant's copy would use the template's tables).
 */
export function checkTenantPlan(plan: Plan, template: string): void {
  const problems: string[] = [];
  for (const s of allSteps(plan)) {
    if (!touchesSchema(s, template)) continue;
    const other = [...s.creates, ...s.drops]
      .map(schemaOfKey)
      .filter((x): x is string => x !== undefined && x !== template);
    if (other.length)
      problems.push(
        `step ${s.id} (${s.description}) changes the template ${ident(template)} and the shared schema ${ident(other[0]!)} at once`,
      );
    // Refused before anything runs: found mid-run, a shared step could already have run.
    const refusal = retargetRefusal(s, template);
    if (refusal)
      problems.push(`step ${s.id} (${s.description}) cannot be retargeted to each tenant: ${refusal.message}`);
    if ([s.sql, ...s.rollback].some((q) => bodyMentions(q, template))) {
      problems.push(
        `step ${s.id} (${s.description}) has a function body that names the template schema ${ident(template)}: every tenant's copy would read the template's tables; write the names unqualified (the function's search_path) or pass the schema in`,
      );
    }
  }
  if (problems.length)
    throw new TenantPlanError(`plan ${plan.name} cannot run per tenant:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

/** The steps of one phase cut into runs of shared and template steps, in plan order. */
export function segments(plan: Plan, release: number, phase: Phase, template: string): Segment[] {
  const steps = plan.releases.find((r) => r.number === release)?.[phase] ?? [];
  const out: { kind: Segment['kind']; steps: Step[] }[] = [];
  for (const s of steps) {
    const kind = touchesSchema(s, template) ? 'tenant' : 'shared';
    const last = out[out.length - 1];
    if (last?.kind === kind) last.steps.push(s);
    else out.push({ kind, steps: [s] });
  }
  return out;
}

export function isTenantStep(step: Step, template: string): boolean {
  return touchesSchema(step, template);
}

/**
 * The plan as one unit sees it, with the same name, checksum and step ids (the ledger keys): for a tenant,
 * only the template's steps, retargeted to its schema; for the shared unit (''), only the shared steps.
 */
export function unitPlan(plan: Plan, template: string, unit: string): Plan {
  const keep = (s: Step) => (unit === '' ? !touchesSchema(s, template) : touchesSchema(s, template));
  const map = (s: Step) => (unit === '' || unit === template ? s : retargetStep(s, template, unit));
  const releases: Release[] = plan.releases.map((r) => {
    const phases = Object.fromEntries(PHASES.map((p) => [p, r[p].filter(keep).map(map)])) as Record<Phase, Step[]>;
    return { number: r.number, ...phases };
  });
  return { ...plan, releases };
}

/**
 * Just `steps` (a segment of one phase) as `unit` runs them, in a plan of the same name and checksum: what the
 * phase runner needs for one tenant, without retargeting the rest of the plan for every tenant.
 */
export function segmentPlan(
  plan: Plan,
  release: number,
  phase: Phase,
  steps: readonly Step[],
  template: string,
  unit: string,
): Plan {
  const mapped = unit === '' || unit === template ? [...steps] : steps.map((s) => retargetStep(s, template, unit));
  const empty = { expand: [], backfill: [], contract: [] } as Record<Phase, Step[]>;
  return { ...plan, releases: [{ number: release, ...empty, [phase]: mapped }] };
}
