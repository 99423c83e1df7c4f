// A tenant plan whose phases mix shared and tenant steps, run by two shard jobs: a shared step that comes after
// the tenants' steps (dropping a central table the tenants' foreign keys used) waits until every tenant of the
// fleet has done its part, not only the first job's; rolled back, a shared step that came before the tenants'
// (a central table their new foreign keys use) is undone only once every tenant has undone its part.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { qualified } from '../../../src/db/quote.js';
import { segments } from '../../../src/tenants/split.js';
import { TEMPLATE, TENANT_SCHEMA_YAML, tenantProject } from '../../support/tenants.js';

const HAZARDS = ['--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP'];
interface RunJson {
  outcomes: { tenant: string; state: string }[];
  notices: string[];
  complete: boolean;
}

describe('tenants: shared steps and shards', () => {
  it('runs shared steps that depend on tenants only once the whole fleet is there, whichever job gets there last', async () => {
    const p = await tenantProject(6, { special: false });
    await p.db.client.query(
      'CREATE TABLE central.legacy (id integer PRIMARY KEY); INSERT INTO central.legacy VALUES (1)',
    );
    for (const t of p.tenants)
      await p.db.client.query(
        `ALTER TABLE ${qualified(t, 'customers')} ADD COLUMN legacy_id integer REFERENCES central.legacy (id)`,
      );
    const yaml = TENANT_SCHEMA_YAML.replace(
      '        primaryKey: { columns: [schema_name] }\n',
      '        primaryKey: { columns: [schema_name] }\n      regions:\n        columns:\n          id: { type: integer, nullable: false }\n        primaryKey: { columns: [id] }\n',
    )
      .replace(
        '          notes: { type: text }\n',
        '          notes: { type: text }\n          region_id: { type: integer }\n',
      )
      .replace(
        /( {10}customers_plan_id_fkey: .*\n)/,
        '$1          customers_region_id_fkey: { columns: [region_id], references: { schema: central, table: regions, columns: [id] } }\n',
      );
    expect(yaml).toContain('customers_region_id_fkey');
    writeFileSync(join(p.dir, 'schema.yaml'), yaml);
    const planned0 = await p.run('plan', '--name', 'regions');
    expect(planned0.code, planned0.stderr + planned0.stdout).toBe(0);
    const path = `${p.dir}/plans/0001_regions.plan.yaml`;
    const plan = await readPlan(path);
    const kinds = (x: { release: number; phase: string }) =>
      segments(plan, x.release, x.phase as 'expand', TEMPLATE)
        .map((s) => s.kind)
        .join(',');
    const phases = planPhases(plan).filter((x) => x.steps.length);
    // Expand creates central.regions before the tenants' foreign keys to it; contract drops the tenants'
    // foreign keys to central.legacy before central.legacy.
    const sharedFirst = phases.find((x) => kinds(x).includes('shared,tenant'))!;
    const sharedLast = phases.find((x) => x.phase === 'contract' && kinds(x).includes('tenant,shared'))!;
    expect(sharedFirst).toBeDefined();
    expect(sharedLast).toBeDefined();
    const sel = (x: { release: number; phase: string }) => [
      '--release',
      String(x.release),
      '--phase',
      x.phase,
      '--skip-rehearsal',
      ...HAZARDS,
    ];
    const exists = async (t: string) =>
      (await p.db.client.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [t])).rows[0].ok as boolean;

    for (const x of phases) {
      if (x === sharedLast) break;
      const r = await p.run('apply', path, ...sel(x));
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    // Job 1 of 2: its tenants drop their foreign keys; central.legacy stays, other tenants still reference it.
    const one = await p.run('--json', 'apply', path, ...sel(sharedLast), '--shard', '1/2');
    expect(one.code, one.stdout + one.stderr).toBe(0);
    const oneOut = JSON.parse(one.stdout) as RunJson;
    expect(oneOut.notices.join('\n')).toMatch(/wait until every tenant has done its part \(\d+ not yet: tenant_/);
    expect(oneOut.complete).toBe(false);
    expect(await exists('central.legacy')).toBe(true);
    // Job 2 of 2 finishes the fleet, then runs the shared step.
    const two = await p.run('--json', 'apply', path, ...sel(sharedLast), '--shard', '2/2');
    expect(two.code, two.stdout + two.stderr).toBe(0);
    expect((JSON.parse(two.stdout) as RunJson).notices.join('\n')).not.toContain('wait until');
    expect(await exists('central.legacy')).toBe(false);
    // Job 1 stopped at the shared step: run again, it finishes its tenants' steps after it.
    const again = await p.run('--json', 'apply', path, ...sel(sharedLast), '--shard', '1/2');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const x of phases.slice(phases.indexOf(sharedLast) + 1))
      expect((await p.run('apply', path, ...sel(x))).code).toBe(0);
    expect(
      (
        JSON.parse((await p.run('--json', 'status', path)).stdout) as { plan: { phases: { state: string }[] } }
      ).plan.phases.every((x) => x.state === 'applied' || x.state === 'empty'),
    ).toBe(true);

    // Rolled back down to expand: central.regions is dropped only when every tenant has dropped its foreign key.
    for (const x of [...phases].reverse()) {
      if (x === sharedFirst) break;
      const r = await p.run('rollback', path, '--release', String(x.release), '--phase', x.phase);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const back1 = await p.run(
      '--json',
      'rollback',
      path,
      '--release',
      String(sharedFirst.release),
      '--phase',
      sharedFirst.phase,
      '--shard',
      '1/2',
    );
    expect(back1.code, back1.stdout + back1.stderr).toBe(0);
    expect((JSON.parse(back1.stdout) as RunJson).notices.join('\n')).toMatch(
      /are undone once every tenant has undone its part/,
    );
    expect(await exists('central.regions')).toBe(true);
    const back2 = await p.run(
      '--json',
      'rollback',
      path,
      '--release',
      String(sharedFirst.release),
      '--phase',
      sharedFirst.phase,
      '--shard',
      '2/2',
    );
    expect(back2.code, back2.stdout + back2.stderr).toBe(0);
    expect(await exists('central.regions')).toBe(false);
    const last = await p.run(
      '--json',
      'rollback',
      path,
      '--release',
      String(sharedFirst.release),
      '--phase',
      sharedFirst.phase,
    );
    expect(last.code, last.stdout + last.stderr).toBe(0);
    const left = await p.db.client.query(
      `SELECT count(*)::int AS n FROM switchyard.steps WHERE plan = 'regions' AND status NOT IN ('pending', 'rolled_back')`,
    );
    expect(left.rows[0].n).toBe(0);
  }, 240_000);
});
