import { describe, expect, it } from 'vitest';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { parseDeclared } from '../../../src/schema/declared/yaml.js';
import { planForTenant, sampleOrder } from '../../../src/tenants/rehearse.js';

const T = 'tenant_template';
const HOSTILE = `it's; drop "x" y`;

const yaml = (extra: string) => `schemas:
  central:
    tables:
      plans:
        columns:
          id: { type: integer, nullable: false }
        primaryKey: { columns: [id] }
  ${T}:
    tables:
      orders:
        columns:
          id: { type: bigint, nullable: false }
          plan_id: { type: integer }
${extra}
        primaryKey: { columns: [id] }
        foreignKeys:
          orders_plan_id_fkey: { columns: [plan_id], references: { schema: central, table: plans } }
tenants:
  registry: SELECT schema_name FROM central.tenants
  template: ${T}
`;

describe('sampleOrder', () => {
  it('puts names needing quotes first (longest first), then the first and last plain names, then the rest', () => {
    expect(sampleOrder(['tenant_a', 'Tenant B', 'tenant_b', HOSTILE, 'tenant_c', 'tenant_d'])).toEqual([
      HOSTILE,
      'Tenant B',
      'tenant_a',
      'tenant_d',
      'tenant_b',
      'tenant_c',
    ]);
    expect(sampleOrder(['only'])).toEqual(['only']);
    expect(sampleOrder([])).toEqual([]);
  });
});

describe('planForTenant', () => {
  const source = parseDeclared(yaml(''), 'a.yaml');
  const target = parseDeclared(yaml('          note: { type: text }'), 'b.yaml');
  const plan = buildPlan(source, target, { name: 'notes', number: 1, server: { version: '17.0', versionNum: 170000 } });

  it('renames the template in the steps and snapshots, keeps the shared schemas, the name and the checksum', () => {
    const p = planForTenant(plan, T, HOSTILE);
    expect(p.name).toBe(plan.name);
    expect(p.checksum).toBe(plan.checksum);
    expect(allSteps(p).map((s) => s.id)).toEqual(allSteps(plan).map((s) => s.id));
    expect(allSteps(p).map((s) => s.sql)).toEqual(['ALTER TABLE "it\'s; drop ""x"" y".orders ADD COLUMN note text']);
    expect(p.source.snapshot.schemas.map((s) => s.name)).toEqual(['central', HOSTILE]);
    expect(p.target.snapshot.schemas.find((s) => s.name === HOSTILE)?.tables[0]?.columns.map((c) => c.name)).toEqual([
      'id',
      'plan_id',
      'note',
    ]);
    expect(p.source.fingerprint).toBe(fingerprint(p.source.snapshot));
    expect(p.target.fingerprint).toBe(fingerprint(p.target.snapshot));
    expect(p.target.fingerprint).not.toBe(plan.target.fingerprint);
  });

  it('is the plan itself for the template', () => {
    expect(planForTenant(plan, T, T)).toBe(plan);
  });
});
