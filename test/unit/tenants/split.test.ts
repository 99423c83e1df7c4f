// A tenant plan cut into what runs once (shared schemas) and what runs per tenant (the template's steps,
// retargeted), on plans the real planner makes: an alter_column_type of a template column (shadow column,
// sync function and trigger, wrapped graph keys like `enabled_always:trigger:...`), a new template column and
// a new shared table; and on hand-made phases where the two kinds alternate.
import { describe, expect, it } from 'vitest';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { PHASES, type Plan, type Step } from '../../../src/planner/types.js';
import type { DatabaseSchema, Function, Table } from '../../../src/schema/model/model.js';
import { ident } from '../../../src/db/quote.js';
import { retargetStep, touchesSchema } from '../../../src/tenants/rename.js';
import { checkTenantPlan, isTenantStep, planTenants, segments, unitPlan } from '../../../src/tenants/split.js';
import { col, db, fk, notNull, pk, schema, table } from '../diff/fixtures.js';
import { thrown } from '../../support/thrown.js';

const T = 'tenant_template';
const HOSTILE = `tenant o'hara; drop "x" y`;
const TENANTS = { registry: 'SELECT schema_name FROM central.tenants WHERE active', template: T };
const US = '\u001f';

const plans = table('plans', [notNull('id')], { primaryKey: pk('plans_pkey', ['id']) });
const audit = table('audit', [notNull('id', 'bigint'), col('note', 'text')], { primaryKey: pk('audit_pkey', ['id']) });
const ordersBefore = table(
  'orders',
  [notNull('id', 'bigint'), notNull('total', 'integer'), col('plan_id', 'integer')],
  { primaryKey: pk('orders_pkey', ['id']) },
);
const ordersAfter = (extra: Partial<Table> = {}) =>
  table(
    'orders',
    [
      notNull('id', 'bigint'),
      notNull('total', 'bigint', { up: 'total::bigint', down: 'total::integer' }),
      col('plan_id', 'integer'),
      col('notes', 'text'),
    ],
    {
      primaryKey: pk('orders_pkey', ['id']),
      ...extra,
    },
  );

const make = (source: DatabaseSchema, target: DatabaseSchema): Plan =>
  buildPlan(
    source,
    { ...target, tenants: TENANTS },
    { name: '0001_notes', number: 1, server: { version: '17.0', versionNum: 170000 } },
  );

const source = db(schema('central', { tables: [plans] }), schema(T, { tables: [ordersBefore] }));
/** central gets a table; the template retypes orders.total (three releases) and gets orders.notes. */
const plan = make(source, db(schema('central', { tables: [plans, audit] }), schema(T, { tables: [ordersAfter()] })));

const byId = (p: Plan) => new Map(allSteps(p).map((s) => [s.id, s]));
const idsOf = (steps: readonly Step[]) => steps.map((s) => s.id);
const shape = (p: Plan) => p.releases.map((r) => Object.fromEntries(PHASES.map((ph) => [ph, idsOf(r[ph])])));

describe('the plan under test', () => {
  it('is what the planner makes today (the tests below rely on these steps)', () => {
    expect(planTenants(plan)).toStrictEqual(TENANTS);
    expect(allSteps(plan).map((s) => `${s.id} ${s.action}`)).toEqual([
      'r1-expand-001 create_table',
      'r1-expand-002 add_shadow_column',
      'r1-expand-003 create_sync_function',
      'r1-expand-004 create_sync_trigger',
      'r1-expand-005 enable_always_sync_trigger',
      'r1-expand-006 add_not_null_not_valid',
      'r1-expand-007 add_column',
      'r1-backfill-001 backfill',
      'r1-contract-001 validate_not_null',
      'r1-contract-002 set_not_null',
      'r1-contract-003 drop_not_null_check',
      'r2-contract-001 swap_columns',
      'r2-contract-002 drop_sync_function',
      'r3-contract-001 drop_column',
    ]);
    // Wrapped keys are there, and name the template.
    expect(byId(plan).get('r1-expand-005')!.creates).toEqual([
      `enabled_always:trigger:${T}${US}orders${US}zz_sy_sync_total`,
    ]);
    expect(byId(plan).get('r1-backfill-001')!.requires).toContain(
      `enabled_always:trigger:${T}${US}orders${US}zz_sy_sync_total`,
    );
    expect(byId(plan).get('r1-contract-001')!.creates).toEqual([
      `validated:constraint:${T}${US}orders${US}orders_total__new_not_null`,
    ]);
    expect(
      planTenants({ ...plan, target: { ...plan.target, snapshot: { schemas: plan.target.snapshot.schemas } } }),
    ).toBeUndefined();
  });
});

describe('segments', () => {
  it('cuts each phase of a real plan into runs of shared and tenant steps, in plan order', () => {
    const seg = (release: number, phase: 'expand' | 'backfill' | 'contract') =>
      segments(plan, release, phase, T).map((s) => [s.kind, idsOf(s.steps)]);
    expect(seg(1, 'expand')).toEqual([
      ['shared', ['r1-expand-001']],
      [
        'tenant',
        ['r1-expand-002', 'r1-expand-003', 'r1-expand-004', 'r1-expand-005', 'r1-expand-006', 'r1-expand-007'],
      ],
    ]);
    expect(seg(1, 'backfill')).toEqual([['tenant', ['r1-backfill-001']]]);
    // drop_not_null_check only drops a template key: still a tenant step.
    expect(seg(1, 'contract')).toEqual([['tenant', ['r1-contract-001', 'r1-contract-002', 'r1-contract-003']]]);
    expect(seg(2, 'expand')).toEqual([]);
    expect(seg(2, 'contract')).toEqual([['tenant', ['r2-contract-001', 'r2-contract-002']]]);
    expect(seg(3, 'contract')).toEqual([['tenant', ['r3-contract-001']]]);
    expect(seg(9, 'expand')).toEqual([]);
    // The steps are the plan's own objects, not copies.
    expect(segments(plan, 1, 'expand', T)[0]!.steps[0]).toBe(plan.releases[0]!.expand[0]);
  });

  it('alternating kinds make alternating runs; adjacent steps of one kind stay together', () => {
    const base = plan.releases[0]!.expand;
    const shared = base[0]!; // creates central.audit
    const tenant = base[6]!; // adds tenant_template.orders.notes
    const s = (id: string, like: Step): Step => ({ ...like, id });
    const phase = [s('a', shared), s('b', tenant), s('c', tenant), s('d', shared), s('e', shared), s('f', tenant)];
    const hand: Plan = { ...plan, releases: [{ number: 1, expand: phase, backfill: [], contract: [] }] };
    expect(segments(hand, 1, 'expand', T).map((x) => [x.kind, idsOf(x.steps)])).toEqual([
      ['shared', ['a']],
      ['tenant', ['b', 'c']],
      ['shared', ['d', 'e']],
      ['tenant', ['f']],
    ]);
    expect(isTenantStep(shared, T)).toBe(false);
    expect(isTenantStep(tenant, T)).toBe(true);
    // A step that only requires the template (schema:tenant_template) is a tenant step too.
    expect(isTenantStep({ ...shared, creates: [], drops: [], requires: [`schema:${T}`] }, T)).toBe(true);
    // Another template name makes everything shared.
    expect(segments(hand, 1, 'expand', 'other_template').map((x) => [x.kind, idsOf(x.steps)])).toEqual([
      ['shared', ['a', 'b', 'c', 'd', 'e', 'f']],
    ]);
  });
});

describe('unitPlan', () => {
  it("the shared unit '' keeps only the shared steps, unchanged, under the same name and checksum", () => {
    const u = unitPlan(plan, T, '');
    expect([u.name, u.checksum, u.number]).toEqual([plan.name, plan.checksum, plan.number]);
    expect(u.source).toBe(plan.source);
    expect(u.target).toBe(plan.target);
    expect(shape(u)).toEqual([
      { expand: ['r1-expand-001'], backfill: [], contract: [] },
      { expand: [], backfill: [], contract: [] },
      { expand: [], backfill: [], contract: [] },
    ]);
    expect(u.releases[0]!.expand[0]).toBe(plan.releases[0]!.expand[0]);
    expect(u.releases.map((r) => r.number)).toEqual([1, 2, 3]);
  });

  it('a tenant gets the template steps retargeted to its schema, with the same ids, name and checksum', () => {
    for (const tenant of ['tenant_acme', HOSTILE]) {
      const u = unitPlan(plan, T, tenant);
      expect([u.name, u.checksum]).toEqual([plan.name, plan.checksum]);
      const tenantIds = allSteps(plan)
        .filter((s) => s.id !== 'r1-expand-001')
        .map((s) => s.id);
      expect(allSteps(u).map((s) => s.id)).toEqual(tenantIds);
      expect(shape(u)).toEqual([
        {
          expand: tenantIds.filter((i) => i.startsWith('r1-expand')),
          backfill: ['r1-backfill-001'],
          contract: ['r1-contract-001', 'r1-contract-002', 'r1-contract-003'],
        },
        { expand: [], backfill: [], contract: ['r2-contract-001', 'r2-contract-002'] },
        { expand: [], backfill: [], contract: ['r3-contract-001'] },
      ]);
      const original = byId(plan);
      for (const s of allSteps(u)) {
        const o = original.get(s.id)!;
        expect(s).toStrictEqual(retargetStep(o, T, tenant));
        expect([s.release, s.phase, s.action, s.lock, s.transactional, s.hazards]).toEqual([
          o.release,
          o.phase,
          o.action,
          o.lock,
          o.transactional,
          o.hazards,
        ]);
        expect(touchesSchema(s, T), s.id).toBe(false);
        expect(touchesSchema(s, tenant), s.id).toBe(true);
      }
      // The SQL names the tenant, quoted as needed, and no longer the template.
      const add = u.releases[0]!.expand.find((s) => s.action === 'add_column')!;
      expect(add.sql).toBe(`ALTER TABLE ${ident(tenant)}.orders ADD COLUMN notes text`);
      expect(add.rollback).toEqual([`ALTER TABLE ${ident(tenant)}.orders DROP COLUMN notes`]);
      expect(u.releases[0]!.backfill[0]!.backfill!.schema).toBe(tenant);
      expect(u.releases[0]!.expand.find((s) => s.action === 'enable_always_sync_trigger')!.creates).toEqual([
        `enabled_always:trigger:${tenant}${US}orders${US}zz_sy_sync_total`,
      ]);
    }
    // The plan itself is not changed by retargeting.
    expect(byId(plan).get('r1-expand-007')!.sql).toBe(`ALTER TABLE ${T}.orders ADD COLUMN notes text`);
  });

  it('the template unit gets the template steps unchanged', () => {
    const u = unitPlan(plan, T, T);
    expect(u.checksum).toBe(plan.checksum);
    const original = byId(plan);
    const steps = allSteps(u);
    expect(steps.map((s) => s.id)).toEqual(
      allSteps(plan)
        .filter((s) => s.id !== 'r1-expand-001')
        .map((s) => s.id),
    );
    for (const s of steps) expect(s).toBe(original.get(s.id));
  });
});

describe('checkTenantPlan', () => {
  it('accepts a real alter_column_type plan with wrapped keys, and a template foreign key to a shared table', () => {
    expect(() => checkTenantPlan(plan, T)).not.toThrow();
    const withFk = make(
      db(schema('central', { tables: [plans] }), schema(T, { tables: [ordersBefore] })),
      db(
        schema('central', { tables: [plans] }),
        schema(T, {
          tables: [
            ordersAfter({
              foreignKeys: [
                fk('orders_plan_id_fkey', ['plan_id'], 'plans', ['id'], {
                  references: { schema: 'central', table: 'plans', columns: ['id'] },
                }),
              ],
            }),
          ],
        }),
      ),
    );
    const add = allSteps(withFk).find((s) => s.action === 'add_foreign_key_not_valid')!;
    expect(add.requires).toContain(`table:central${US}plans`);
    expect(add.creates.every((k) => k.includes(T))).toBe(true);
    expect(() => checkTenantPlan(withFk, T)).not.toThrow();
  });

  it('refuses a step that changes the template and a shared schema at once', () => {
    const both = (s: Step): Step =>
      s.id === 'r1-expand-007' ? { ...s, creates: [...s.creates, `table:central${US}audit2`] } : s;
    const dropping = (s: Step): Step =>
      s.id === 'r3-contract-001' ? { ...s, drops: [...s.drops, `enabled_always:trigger:central${US}audit${US}t`] } : s;
    const edited: Plan = {
      ...plan,
      releases: plan.releases.map((r) => ({ ...r, expand: r.expand.map(both), contract: r.contract.map(dropping) })),
    };
    const e = thrown(() => checkTenantPlan(edited, T));
    expect([e.code, e.exitCode]).toEqual(['TENANT_PLAN', 2]);
    expect(e.message).toBe(
      'plan 0001_notes cannot run per tenant:\n' +
        '  step r1-expand-007 (add column tenant_template.orders.notes) changes the template tenant_template and the shared schema central at once\n' +
        `  step r3-contract-001 (${byId(plan).get('r3-contract-001')!.description}) changes the template tenant_template and the shared schema central at once`,
    );
  });

  const withFunction = (body: string, name = 'order_count'): Plan => {
    const f: Function = {
      kind: 'function',
      name,
      args: '',
      definition: `CREATE OR REPLACE FUNCTION ${T}.${name}()\n RETURNS bigint\n LANGUAGE sql\nAS $function$${body}$function$\n`,
    };
    return make(
      source,
      db(schema('central', { tables: [plans, audit] }), schema(T, { tables: [ordersAfter()], functions: [f] })),
    );
  };

  it('refuses a template function whose body names the template schema', () => {
    for (const body of [
      'SELECT count(*) FROM tenant_template.orders',
      'SELECT count(*) FROM "tenant_template".orders',
      'SELECT count(*) FROM TENANT_TEMPLATE.orders',
    ]) {
      const p = withFunction(body);
      const step = allSteps(p).find((s) => s.action === 'create_function')!;
      const e = thrown(() => checkTenantPlan(p, T));
      expect(e.code).toBe('TENANT_PLAN');
      expect(e.message).toBe(
        `plan 0001_notes cannot run per tenant:\n  step ${step.id} (${step.description}) has a function body that names the template schema tenant_template: every tenant's copy would read the template's tables; write the names unqualified (the function's search_path) or pass the schema in`,
      );
    }
  });

  it('accepts a template function whose body uses unqualified names or only shared schemas', () => {
    expect(() => checkTenantPlan(withFunction('SELECT count(*) FROM orders'), T)).not.toThrow();
    expect(() => checkTenantPlan(withFunction('SELECT count(*) FROM central.plans'), T)).not.toThrow();
    // A longer name that merely starts like the template is not the template.
    expect(() => checkTenantPlan(withFunction('SELECT count(*) FROM tenant_templates.orders'), T)).not.toThrow();
  });
});
