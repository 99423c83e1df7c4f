// `switchyard tenants list` and `switchyard tenants add NAME` on a real PostgreSQL through the command line:
// the list shows the registry's tenants (and where each stands in the latest plan); a new tenant is built at
// the version the whole fleet is at (before any plan, between two phases, after the last), registered with
// `tenants.register`, and born with its ledger rows done, so the rollout carries it along from there; what
// cannot be added (an existing name, the template, a bad name, a fleet mid-rollout, no `register`) is refused
// with the fix and changes nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { executorLockKey } from '../../../src/executor/lock.js';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { ident } from '../../../src/db/quote.js';
import { shardOf } from '../../../src/tenants/registry.js';
import {
  HOSTILE,
  TEMPLATE,
  tenantFingerprint,
  tenantProject,
  templateFingerprint,
  type TenantProject,
} from '../../support/tenants.js';

const HAZARDS = ['--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP'];

interface Outcome {
  tenant: string;
  state: string;
}
interface ListJson {
  database: string;
  template: string;
  templateExists: boolean;
  plan?: string;
  tenants: { tenant: string; where: string; state?: string }[];
  missing: string[];
}

/** What a refused `tenants add` must leave as it was: schemas, registry and ledger rows. */
async function snapshot(p: TenantProject) {
  const q = async (sql: string) => (await p.db.client.query(sql)).rows;
  const ledger = (await q("SELECT to_regclass('switchyard.steps') IS NOT NULL AS ok"))[0].ok
    ? await q('SELECT plan, step_id, tenant, status, attempts FROM switchyard.steps ORDER BY 1, 2, 3')
    : [];
  return {
    schemas: await q(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    ),
    registry: await q('SELECT schema_name, active FROM central.tenants ORDER BY 1'),
    ledger,
  };
}

async function registered(p: TenantProject, name: string): Promise<boolean | undefined> {
  const { rows } = await p.db.client.query<{ active: boolean }>(
    'SELECT active FROM central.tenants WHERE schema_name = $1',
    [name],
  );
  return rows[0]?.active;
}

async function list(p: TenantProject): Promise<ListJson> {
  const r = await p.run('--json', 'tenants', 'list');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ListJson;
}

describe('tenants list and tenants add', () => {
  it("lists the registry; adds before any plan from a tenant's structure; refuses what it cannot add, changing nothing", async () => {
    const p = await tenantProject(3, { special: false });
    await p.db.client.query("INSERT INTO central.tenants VALUES ('tenant_ghost', true), ('tenant_off', false)");
    await p.db.client.query('CREATE SCHEMA tenant_off');

    // list, as JSON and as text: the active tenants with a schema, the registered one without a schema apart.
    const j = await list(p);
    expect(j.template).toBe(TEMPLATE);
    expect(j.templateExists).toBe(false);
    expect(j.plan).toBeUndefined();
    expect(j.tenants).toEqual(
      ['tenant_001', 'tenant_002', 'tenant_003'].map((tenant) => ({ tenant, where: 'no plan with tenants in plans/' })),
    );
    expect(j.missing).toEqual(['tenant_ghost']);
    const text = await p.run('tenants', 'list');
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `3 tenant(s) on ${j.database}; template tenant_template (no such schema: only in the declared schema)`,
    );
    expect(lines.slice(1)).toEqual([
      '  tenant_001  no plan with tenants in plans/',
      '  tenant_002  no plan with tenants in plans/',
      '  tenant_003  no plan with tenants in plans/',
      'registered without a schema: tenant_ghost',
    ]);
    expect(text.stdout).not.toContain('tenant_off');

    // Without `tenants.register` in the declared schema: refused, saying what to add.
    const yamlPath = join(p.dir, 'schema.yaml');
    const yaml = readFileSync(yamlPath, 'utf8');
    writeFileSync(yamlPath, yaml.replace(/^ {2}register: .*\n/m, ''));
    const before = await snapshot(p);
    const noRegister = await p.run('tenants', 'add', 'tenant_new');
    expect(noRegister.code).toBe(2);
    expect(noRegister.stderr).toContain(
      'tenants add registers the new tenant with `tenants.register` in the declared schema, and there is none',
    );
    expect(noRegister.stderr).toContain(
      'register: INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)',
    );
    expect(await snapshot(p)).toEqual(before);
    writeFileSync(yamlPath, yaml);

    // Names that cannot be a tenant: refused before anything is touched.
    const refused: [string, RegExp][] = [
      ['tenant_001', /schema tenant_001 already exists and is a registered tenant/],
      ['tenant_off', /schema tenant_off already exists(?! and)/],
      [TEMPLATE, /tenant_template is the template schema, not a tenant/],
      ['pg_tenant', /names starting with pg_ are reserved for PostgreSQL/],
      ['x'.repeat(64), /is 64 bytes; PostgreSQL names are at most 63/],
      ['', /the tenant name must be a non-empty schema name/],
    ];
    for (const [name, message] of refused) {
      const r = await p.run('tenants', 'add', name);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stdout, name).toBe('');
    }
    expect(await snapshot(p)).toEqual(before);

    // Before any plan: the structure of the first tenant (there is no template schema), registered active.
    const want = await tenantFingerprint(p.db.client, 'tenant_001');
    const added = await p.run('--json', 'tenants', 'add', 'tenant_early');
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      tenant: 'tenant_early',
      version: 'the structure of tenant tenant_001',
    });
    expect(await tenantFingerprint(p.db.client, 'tenant_early')).toBe(want);
    expect(await registered(p, 'tenant_early')).toBe(true);
    // Structure only: no rows copied.
    expect((await p.db.client.query('SELECT count(*)::int AS n FROM tenant_early.customers')).rows[0].n).toBe(0);
    expect((await list(p)).tenants.map((t) => t.tenant)).toEqual([
      'tenant_001',
      'tenant_002',
      'tenant_003',
      'tenant_early',
    ]);

    // The same name again: refused; nothing changes.
    const beforeAgain = await snapshot(p);
    const again = await p.run('tenants', 'add', 'tenant_early');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('schema tenant_early already exists and is a registered tenant');
    expect(await snapshot(p)).toEqual(beforeAgain);

    // Listed by the registry without a schema: refused up front, saying what to do.
    const ghost = await p.run('tenants', 'add', 'tenant_ghost');
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toContain(
      'tenant_ghost is already listed by the tenants registry, without a schema: registering it again would conflict',
    );
    expect(ghost.stderr).toContain('fix: remove it from the registry');
    expect(await snapshot(p)).toEqual(beforeAgain);
    // Registered (inactive, so the registry query does not list it) without a schema: the register statement
    // fails; the error names the statement, and the schema created in the same transaction is gone with it.
    await p.db.client.query("INSERT INTO central.tenants VALUES ('tenant_gone', false)");
    const beforeGone = await snapshot(p);
    const gone = await p.run('tenants', 'add', 'tenant_gone');
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('the `tenants.register` statement failed for tenant_gone, so nothing was created');
    expect(gone.stderr).toContain('statement: INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)');
    expect(gone.stderr).toContain('error: duplicate key value violates unique constraint "tenants_pkey"');
    expect(await snapshot(p)).toEqual(beforeGone);
  }, 120_000);

  it("adds tenants at the fleet's version between phases and after the last; refuses mid-rollout; the rollout carries a new tenant along", async () => {
    const p = await tenantProject(6, { special: false });
    const planned = await p.run('plan', '--name', 'notes');
    expect(planned.code, planned.stderr).toBe(0);
    const path = `${p.dir}/plans/0001_notes.plan.yaml`;
    const plan = await readPlan(path);
    const rehearsed = await p.run('rehearse', path);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
    const phases = planPhases(plan).filter((x) => x.steps.length);
    const [first, ...rest] = phases;
    const args = (x: { release: number; phase: string }) => [
      'apply',
      path,
      '--release',
      String(x.release),
      '--phase',
      x.phase,
      ...HAZARDS,
    ];

    // Mid-rollout: half the fleet has the first phase. Refused, naming what to do; nothing created.
    const shard1 = p.tenants.filter((t) => shardOf(t, 2) === 1);
    expect(shard1.length).toBeGreaterThan(0);
    expect(shard1.length).toBeLessThan(p.tenants.length);
    expect((await p.run(...args(first!), '--shard', '1/2')).code).toBe(0);
    const listed = await list(p);
    expect(listed.plan).toBe(plan.name);
    expect(listed.tenants.map((t) => [t.tenant, t.where])).toEqual(
      p.tenants.map((t) => [t, shard1.includes(t) ? 'release 1 expand applied' : 'not started']),
    );
    const before = await snapshot(p);
    const mid = await p.run('tenants', 'add', 'tenant_mid');
    expect(mid.code).toBe(1);
    expect(mid.stderr).toContain(
      `the tenants are not all at one version of plan ${plan.name} (${shard1.length} release 1 expand applied, ${p.tenants.length - shard1.length} not started)`,
    );
    expect(mid.stderr).toContain(
      `fix: finish the rollout (switchyard status plans/0001_notes.plan.yaml --tenants), then add the tenant`,
    );
    expect(await snapshot(p)).toEqual(before);

    // The whole fleet at the end of the first phase: the new tenant is built as the tenants are there.
    expect((await p.run(...args(first!), '--shard', '2/2')).code).toBe(0);
    const between = await p.run('--json', 'tenants', 'add', 'tenant_between');
    expect(between.code, between.stdout + between.stderr).toBe(0);
    expect(JSON.parse(between.stdout)).toMatchObject({
      tenant: 'tenant_between',
      version: `plan ${plan.name} release 1 expand applied`,
    });
    expect(await tenantFingerprint(p.db.client, 'tenant_between')).toBe(
      await tenantFingerprint(p.db.client, 'tenant_001'),
    );
    expect(await tenantFingerprint(p.db.client, 'tenant_between')).not.toBe(templateFingerprint(plan.source.snapshot));
    expect(await registered(p, 'tenant_between')).toBe(true);
    // Born with the first phase done: applying it again skips it; the next phases run on it like on the others.
    const rerun = await p.run('--json', ...args(first!));
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const rerunOut = (JSON.parse(rerun.stdout) as { outcomes: Outcome[] }).outcomes;
    expect(
      rerunOut
        .filter((o) => o.state === 'skipped')
        .map((o) => o.tenant)
        .sort(),
    ).toEqual([...p.tenants, 'tenant_between'].sort());
    for (const x of rest) {
      const r = await p.run('--json', ...args(x));
      expect(r.code, `${x.release} ${x.phase}: ${r.stdout}${r.stderr}`).toBe(0);
      const out = (JSON.parse(r.stdout) as { outcomes: Outcome[] }).outcomes;
      expect(
        out
          .filter((o) => o.state === 'done')
          .map((o) => o.tenant)
          .sort(),
        `${x.release} ${x.phase}`,
      ).toEqual([...p.tenants, 'tenant_between'].sort());
    }
    const target = templateFingerprint(plan.target.snapshot);
    expect(await tenantFingerprint(p.db.client, 'tenant_between')).toBe(target);

    // After the last phase: at the plan's target, every phase recorded done, so no apply runs anything on it.
    for (const name of ['tenant_new', HOSTILE]) {
      const r = await p.run('--json', 'tenants', 'add', name);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const last = phases[phases.length - 1]!;
      expect(JSON.parse(r.stdout)).toMatchObject({
        tenant: name,
        version: `plan ${plan.name} release ${last.release} ${last.phase} applied`,
      });
      expect(await tenantFingerprint(p.db.client, name), name).toBe(target);
      expect(await registered(p, name), name).toBe(true);
      const { rows } = await p.db.client.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM switchyard.steps WHERE plan = $1 AND tenant = $2 GROUP BY status',
        [plan.name, name],
      );
      expect(rows, name).toEqual([{ status: 'done', n: phases.reduce((n, x) => n + x.steps.length, 0) }]);
    }
    // The hostile name is one schema, exactly that name, and its tables work.
    expect(
      (await p.db.client.query('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [HOSTILE])).rows[0].n,
    ).toBe(1);
    await p.db.client.query(`INSERT INTO ${ident(HOSTILE)}.customers (email, plan_id) VALUES ('a@b', 1)`);
    expect((await p.db.client.query(`SELECT id::int AS id, notes FROM ${ident(HOSTILE)}.customers`)).rows).toEqual([
      { id: 1, notes: null },
    ]);

    const all = [...p.tenants, 'tenant_between', 'tenant_new', HOSTILE].sort();
    for (const x of phases) {
      const r = await p.run('--json', ...args(x));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = (JSON.parse(r.stdout) as { outcomes: Outcome[] }).outcomes;
      expect(
        out
          .filter((o) => o.state === 'skipped')
          .map((o) => o.tenant)
          .sort(),
        `${x.release} ${x.phase}`,
      ).toEqual(all);
    }
    const done = await list(p);
    expect(done.tenants.map((t) => [t.tenant, t.state])).toEqual(all.map((t) => [t, 'complete']));
    for (const t of all) expect(await tenantFingerprint(p.db.client, t), t).toBe(target);
  }, 240_000);

  it('refuses while an executor runs on the database (an apply would not see the new tenant)', async () => {
    const p = await tenantProject(2, { special: false });
    const holder = new pg.Client({
      connectionString: p.db.url,
      application_name: 'switchyard apply 0001_notes expand',
    });
    await holder.connect();
    try {
      const { rows } = await p.db.client.query<{ db: string }>('SELECT current_database() AS db');
      await holder.query('SELECT pg_advisory_lock_shared($1::bigint)', [
        executorLockKey({ database: rows[0]!.db, ledgerSchema: 'switchyard' }).key,
      ]);
      const r = await p.run('tenants', 'add', 'tenant_late');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another switchyard executor/);
      expect(
        (await p.db.client.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'tenant_late'")).rows[0]
          .n,
      ).toBe(0);
    } finally {
      await holder.end();
    }
    expect((await p.run('tenants', 'add', 'tenant_late')).code).toBe(0);
  }, 60_000);
});
