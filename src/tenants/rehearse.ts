// A tenant plan is rehearsed on its template, and on a sample of the real tenant schemas: each sampled tenant's
// schema is read from the live database (schema only), checked to be the template's, and the whole plan is
// rehearsed again with that tenant's own name, so a name full of quotes and semicolons, or a case the template
// never shows, is run against a real PostgreSQL before production sees it.
import { describeChange, diff } from '../diff/index.js';
import type pg from 'pg';
import { introspect } from '../introspect/index.js';
import { allSteps } from '../planner/plan.js';
import type { Plan, Release, Step } from '../planner/types.js';
import { PHASES, type Phase } from '../planner/types.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { ident } from '../db/quote.js';
import { schemaOf } from './drift.js';
import { readRegistry } from '../introspect/registry.js';
import { renameSchemaInModel, retargetStep, touchesSchema } from './rename.js';

export const DEFAULT_TENANT_SAMPLE = 3;

function renameIn(model: DatabaseSchema, template: string, tenant: string): DatabaseSchema {
  const schemas = model.schemas.map((s) => (s.name === template ? renameSchemaInModel(s, tenant) : s));
  return { ...model, schemas: [...schemas].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/**
 * The whole plan as if the template were called `tenant`: template steps retargeted, shared steps as they are,
 * snapshots renamed and fingerprinted again. Same name and checksum (a rehearsal of it is the plan's).
 */
export function planForTenant(plan: Plan, template: string, tenant: string): Plan {
  if (tenant === template) return plan;
  const map = (s: Step) => (touchesSchema(s, template) ? retargetStep(s, template, tenant) : s);
  const releases: Release[] = plan.releases.map((r) => {
    const phases = Object.fromEntries(PHASES.map((p) => [p, r[p].map(map)])) as Record<Phase, Step[]>;
    return { number: r.number, ...phases };
  });
  const source = renameIn(plan.source.snapshot, template, tenant);
  const target = renameIn(plan.target.snapshot, template, tenant);
  return {
    ...plan,
    releases,
    source: { ...plan.source, snapshot: source, fingerprint: fingerprint(source) },
    target: { ...plan.target, snapshot: target, fingerprint: fingerprint(target) },
  };
}

/**
 * The order tenants are sampled in: names that need quoting first (the ones a string-built search_path breaks
 * on), then the registry's first and last, then the rest in order. Deterministic, so two rehearsals of one
 * fleet sample the same tenants.
 */
export function sampleOrder(tenants: readonly string[]): string[] {
  const odd = tenants.filter((t) => ident(t) !== t).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const plain = tenants.filter((t) => ident(t) === t);
  const ends = plain.length > 1 ? [plain[0]!, plain[plain.length - 1]!] : plain;
  return [...new Set([...odd, ...ends, ...plain])];
}

export interface TenantSample {
  /** Tenants to rehearse, each with the plan under its name. */
  readonly rehearse: readonly { readonly tenant: string; readonly plan: Plan }[];
  /** Tenants looked at and left out because their schema is not the template's (apply refuses them too). */
  readonly drifted: readonly { readonly tenant: string; readonly differences: readonly string[] }[];
  /** Tenants the registry lists. */
  readonly registered: number;
}

/** Reads the registry and picks up to `count` tenants whose live schema is the plan's template source. */
export async function sampleTenants(db: pg.Client, plan: Plan, count: number): Promise<TenantSample> {
  const tenants = plan.target.snapshot.tenants;
  if (!tenants || count <= 0) return { rehearse: [], drifted: [], registered: 0 };
  const registry = await readRegistry(db, tenants);
  const expected = schemaOf(plan.source.snapshot, tenants.template);
  const rehearse: { tenant: string; plan: Plan }[] = [];
  const drifted: { tenant: string; differences: string[] }[] = [];
  // Looked at in small batches: most fleets have few drifted tenants, so the first batch usually does.
  const order = sampleOrder(registry.tenants);
  for (let i = 0; i < order.length && rehearse.length < count; i += count * 2) {
    const batch = order.slice(i, i + count * 2);
    const live = await introspect(db, { includeSchemas: batch });
    for (const tenant of batch) {
      if (rehearse.length >= count) break;
      const want: DatabaseSchema = { schemas: [renameSchemaInModel(expected, tenant)] };
      const have: DatabaseSchema = { schemas: live.schemas.filter((s) => s.name === tenant) };
      if (fingerprint(want) === fingerprint(have))
        rehearse.push({ tenant, plan: planForTenant(plan, tenants.template, tenant) });
      else drifted.push({ tenant, differences: diff(want, have).map(describeChange) });
    }
  }
  return { rehearse, drifted, registered: registry.tenants.length };
}

/** Template steps of the plan (the ones each sampled tenant runs). */
export function tenantStepCount(plan: Plan): number {
  const template = plan.target.snapshot.tenants?.template;
  return template === undefined ? 0 : allSteps(plan).filter((s) => touchesSchema(s, template)).length;
}
