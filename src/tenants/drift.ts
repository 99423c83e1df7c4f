// Drift per tenant: before a tenant's part of a phase runs (or is rolled back), its schema must be exactly the
// template as the plan expects it at that phase boundary, with the tenant's name. Every tenant is read in a
// few catalog queries (introspection by batches of schemas), not one introspection per tenant. Shared schemas
// are checked the same way against the shared part of the expected model.
import { diff, describeChange } from '../diff/index.js';
import { introspect, type Queryable } from '../introspect/index.js';
import { planPhases } from '../executor/state.js';
import type { Phase, Plan } from '../planner/types.js';
import type { RehearsalReport } from '../executor/rehearsal-report.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema, Schema } from '../schema/model/model.js';
import { emptySchema } from '../schema/model/model.js';
import { renameSchemaInModel } from './rename.js';
import { RetargetRefusedError } from './sql-readings.js';

/**
 * The whole schema at a phase boundary: `before` the phase (after the last non-empty phase before it) or
 * `after` it. Known at the plan's ends always, in between from the rehearsal report's models.
 */
export function modelAtBoundary(
  plan: Plan,
  report: RehearsalReport | undefined,
  release: number,
  phase: Phase,
  when: 'before' | 'after',
): DatabaseSchema | undefined {
  const phases = planPhases(plan);
  const i = phases.findIndex((p) => p.release === release && p.phase === phase);
  const lastNonEmpty = phases.reduce((m, p, k) => (p.steps.length ? k : m), -1);
  // The boundary is after phase `j` (-1: before everything).
  let j = when === 'after' ? i : i - 1;
  while (j >= 0 && phases[j]!.steps.length === 0) j--;
  if (j < 0) return plan.source.snapshot;
  if (j >= lastNonEmpty) return plan.target.snapshot;
  const p = phases[j]!;
  const fp =
    report?.checksum === plan.checksum
      ? report.phases.find((r) => r.release === p.release && r.phase === p.phase)?.after
      : undefined;
  return fp ? (report!.models?.[fp] as DatabaseSchema | undefined) : undefined;
}

export function schemaOf(model: DatabaseSchema, name: string): Schema {
  return model.schemas.find((s) => s.name === name) ?? emptySchema(name);
}

export interface UnitDrift {
  readonly tenant: string;
  /** Empty when the schema is as expected. */
  readonly differences: readonly string[];
}

const BATCH = 200;

/**
 * Compares each unit's schema with `expected` (the template's schema at the boundary) renamed to the unit.
 * Returns the units that differ, with what differs (as changes from the expected schema to the live one).
 */
export async function tenantDrift(
  db: Queryable,
  expected: Schema,
  units: readonly string[],
  lockTimeoutMs = 5000,
): Promise<UnitDrift[]> {
  const out: UnitDrift[] = [];
  // Each live schema is renamed to the template's name and fingerprinted: one fingerprint per tenant.
  const expectedFp = fingerprint({ schemas: [expected] });
  await db.query(`SET lock_timeout = '${Math.floor(lockTimeoutMs)}ms'`);
  try {
    for (let i = 0; i < units.length; i += BATCH) {
      const batch = units.slice(i, i + BATCH);
      const live = await introspect(db, { includeSchemas: batch });
      const byName = new Map(live.schemas.map((s) => [s.name, s]));
      for (const unit of batch) {
        const liveSchema = byName.get(unit) ?? emptySchema(unit);
        const asTemplate = unit === expected.name ? liveSchema : backToTemplate(liveSchema, expected.name);
        if (asTemplate && fingerprint({ schemas: [asTemplate] }) === expectedFp) continue;
        // The slow way, template renamed to the tenant: renaming a tenant back is not safe for every name (a
        // tenant called `new` or `old` reads like a trigger's row qualifier), the other direction is.
        const want: DatabaseSchema = {
          schemas: [unit === expected.name ? expected : renameSchemaInModel(expected, unit)],
        };
        const have: DatabaseSchema = { schemas: [liveSchema] };
        if (fingerprint(want) === fingerprint(have)) continue;
        const differences = diff(want, have).map(describeChange);
        out.push({
          tenant: unit,
          differences: differences.length ? differences : ['the schema differs from the template (fingerprint)'],
        });
      }
    }
  } finally {
    await db.query('RESET lock_timeout').catch(() => undefined);
  }
  return out;
}

/** The shared schemas (every schema of the plan but the template) against the expected model. */
export async function sharedDrift(
  db: Queryable,
  expected: DatabaseSchema,
  template: string,
): Promise<readonly string[]> {
  const names = expected.schemas.map((s) => s.name).filter((n) => n !== template);
  if (!names.length) return [];
  const want: DatabaseSchema = { schemas: expected.schemas.filter((s) => s.name !== template) };
  const have = await introspect(db, { includeSchemas: names });
  if (fingerprint(want) === fingerprint({ schemas: have.schemas })) return [];
  const d = diff(want, { schemas: have.schemas }).map(describeChange);
  return d.length ? d : ['the shared schemas differ from the plan (fingerprint)'];
}

/**
 * The fast check renames a live tenant back to the template's name; a tenant whose SQL cannot be retargeted
 * that way (the parser refuses it) goes to the slow check, which renames the template to the tenant instead.
 */
function backToTemplate(live: Schema, template: string): Schema | undefined {
  try {
    return renameSchemaInModel(live, template);
  } catch (e) {
    if (e instanceof RetargetRefusedError) return undefined;
    throw e;
  }
}
