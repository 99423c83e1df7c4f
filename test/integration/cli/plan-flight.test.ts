// Plans in flight (issue #18, point 2) and plans with no change (point 5), through the command line.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../../src/planner/file.js';
import { allSteps } from '../../../src/planner/plan.js';
import { exampleProject } from '../executor/support.js';
import { TEMPLATE, tenantProject } from '../../support/tenants.js';
import { planPhases } from '../../../src/executor/state.js';

const HAZARDS = ['--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP'];

describe('plan while another plan is in flight', () => {
  it('refuses, naming the plan and its next phase; --stack plans from its target and never drops its __old column', async () => {
    const p = await exampleProject();
    const first = await readPlan(p.plan);
    for (const [release, phase] of [
      ['1', 'expand'],
      ['1', 'backfill'],
      ['1', 'contract'],
      ['2', 'contract'],
    ] as const) {
      const r = await p.run('apply', p.plan, '--release', release, '--phase', phase, '--skip-rehearsal', ...HAZARDS);
      expect(r.code, r.stderr).toBe(0);
    }
    // Release 2 renamed salary to salary__old; release 3 drops it. The declared schema gains a column.
    const { rows } = await p.db.client.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'employees' AND column_name = 'salary__old'`,
    );
    expect(rows.length).toBe(1);
    const schema = join(p.dir, 'schema.yaml');
    writeFileSync(
      schema,
      readFileSync(schema, 'utf8').replace(
        '          middle_name: { type: varchar(100) }\n',
        '          middle_name: { type: varchar(100) }\n          nickname: { type: text }\n',
      ),
    );

    const refused = await p.run('plan', '--name', 'nicknames');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plan 0001_tiers is not finished');
    expect(refused.stderr).toContain('its next phase is release 3 contract');
    expect(refused.stderr).toContain(`--release 3 --phase contract`);
    expect(refused.stderr).toContain('--stack');
    const json = await p.run('--json', 'plan', '--name', 'nicknames');
    expect(JSON.parse(json.stdout).error.code).toBe('PLAN_IN_FLIGHT');
    expect(readdirSync(join(p.dir, 'plans'))).toEqual(['0001_tiers.plan.yaml']);

    const stacked = await p.run('plan', '--name', 'nicknames', '--stack');
    expect(stacked.code, stacked.stderr).toBe(0);
    expect(stacked.stdout).toContain('0002_nicknames.plan.yaml');
    expect(stacked.stdout).toContain('stacked on plan tiers');
    const second = await readPlan(join(p.dir, 'plans', '0002_nicknames.plan.yaml'));
    expect(second.source.fingerprint).toBe(first.target.fingerprint);
    const steps = allSteps(second);
    expect(steps.map((s) => s.description)).toEqual(['add column public.employees.nickname']);
    expect(JSON.stringify(second.releases)).not.toContain('salary__old');

    // The stacked plan waits for the first: applied before it, the schema is not its source.
    const early = await p.run('apply', join(p.dir, 'plans', '0002_nicknames.plan.yaml'), '--all', '--skip-rehearsal');
    expect(early.code).toBe(1);
    const finish = await p.run(
      'apply',
      p.plan,
      '--release',
      '3',
      '--phase',
      'contract',
      '--skip-rehearsal',
      ...HAZARDS,
    );
    expect(finish.code, finish.stderr).toBe(0);
    const after = await p.run('apply', join(p.dir, 'plans', '0002_nicknames.plan.yaml'), '--all', '--skip-rehearsal');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('fully applied');

    // Nothing in flight and nothing left to change: no file, no folder, and the numbers do not skip.
    const none = await p.run('plan', '--name', 'nothing');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('nothing to do');
    expect(none.stdout).toContain('no plan file written');
    expect(readdirSync(join(p.dir, 'plans')).sort()).toEqual(['0001_tiers.plan.yaml', '0002_nicknames.plan.yaml']);
    expect(existsSync(join(p.dir, 'migrations', '0003_nothing'))).toBe(false);
    writeFileSync(schema, readFileSync(schema, 'utf8').replace('          nickname: { type: text }\n', ''));
    const third = await p.run('plan', '--name', 'drop_nickname');
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain('0003_drop_nickname.plan.yaml');
  });

  it('refuses a plan with a phase half-way, and plans normally again once the plan is rolled back', async () => {
    const p = await exampleProject();
    const expand = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(expand.code, expand.stderr).toBe(0);
    const refused = await p.run('plan', '--name', 'again');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('its next phase is release 1 backfill');
    const back = await p.run('rollback', p.plan, '--release', '1', '--phase', 'expand');
    expect(back.code, back.stderr).toBe(0);
    const again = await p.run('plan', '--name', 'again');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0002_again.plan.yaml');
  });
});

describe('plan with no change', () => {
  it('writes no file and no folder, and says so', async () => {
    const p = await exampleProject();
    const r = await p.run('--json', 'apply', p.plan, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(r.code, r.stderr).toBe(0);
    const none = await p.run('--json', 'plan', '--name', 'noop');
    expect(none.code, none.stderr).toBe(0);
    const out = JSON.parse(none.stdout) as { written?: unknown; plan: { releases: unknown[] } };
    expect(out.written).toBeUndefined();
    expect(out.plan.releases).toEqual([]);
    expect(readdirSync(join(p.dir, 'plans'))).toEqual(['0001_tiers.plan.yaml']);
    expect(readdirSync(join(p.dir, 'migrations'))).toEqual(['0001_tiers']);
  });
});

describe('plan in flight with tenants', () => {
  it('refuses while the tenants are part way through a plan, and --stack plans from its target', async () => {
    const p = await tenantProject(2, { special: false });
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const planPath = join(p.dir, 'plans', '0001_notes.plan.yaml');
    const first = await readPlan(planPath);
    const [one, two] = planPhases(first).filter((x) => x.steps.length);
    const r = await p.run(
      'apply',
      planPath,
      '--release',
      String(one!.release),
      '--phase',
      one!.phase,
      '--skip-rehearsal',
    );
    expect(r.code, r.stderr).toBe(0);
    const schema = join(p.dir, 'schema.yaml');
    writeFileSync(
      schema,
      readFileSync(schema, 'utf8').replace(
        '          notes: { type: text }\n',
        '          notes: { type: text }\n          nickname: { type: text }\n',
      ),
    );
    const refused = await p.run('plan', '--name', 'nicknames');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plan 0001_notes is not finished');
    expect(refused.stderr).toContain(`its next phase is release ${two!.release} ${two!.phase}`);
    const stacked = await p.run('plan', '--name', 'nicknames', '--stack');
    expect(stacked.code, stacked.stderr).toBe(0);
    const second = await readPlan(join(p.dir, 'plans', '0002_nicknames.plan.yaml'));
    expect(second.source.snapshot.schemas).toEqual(first.target.snapshot.schemas);
    expect(allSteps(second).map((s) => s.description)).toEqual([`add column ${TEMPLATE}.customers.nickname`]);
  });
});
