// apply --dry-run and rollback --dry-run of a tenant plan: every selected tenant's SQL under its own
// schema-qualified names, nothing sent, the ledger's done steps left out (apply) or the only ones shown (rollback).
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { HOSTILE, tenantFingerprint, tenantProject } from '../../support/tenants.js';

interface Dry {
  phases: { steps: { id: string; tenant?: string; sql: string[] }[] }[];
  notices: string[];
}

describe('tenants: dry run', () => {
  it('shows each tenant its own SQL, sends nothing, and follows the ledger', async () => {
    const p = await tenantProject(3, { special: true });
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const path = `${p.dir}/plans/0001_notes.plan.yaml`;
    const plan = await readPlan(path);
    const first = planPhases(plan).find((x) => x.steps.length)!;
    const sel = ['--release', String(first.release), '--phase', first.phase];
    const before = await Promise.all(p.tenants.map((t) => tenantFingerprint(p.db.client, t)));

    const r = await p.run('--json', 'apply', path, ...sel, '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const dry = JSON.parse(r.stdout) as Dry;
    const steps = dry.phases[0]!.steps;
    const active = ['tenant o\'hara; drop "x" y', 'tenant_001', 'tenant_002', 'tenant_003', 'tenant_drift'];
    expect([...new Set(steps.map((s) => s.tenant))].sort()).toEqual(active);
    expect(steps.filter((s) => s.tenant === 'tenant_001').map((s) => s.id)).toEqual(first.steps.map((s) => s.id));
    const hostile = steps
      .filter((s) => s.tenant === HOSTILE)
      .flatMap((s) => s.sql)
      .join('\n');
    expect(hostile).toContain('"tenant o\'hara; drop ""x"" y".');
    expect(hostile).not.toContain('tenant_template');
    expect(dry.notices.join('\n')).toMatch(/apply would refuse: no rehearsal report/);
    expect(dry.notices.join('\n')).toContain('5 tenant(s) selected');
    // Nothing was sent: no ledger, every schema as it was.
    expect((await p.db.client.query("SELECT to_regnamespace('switchyard') IS NULL AS none")).rows[0].none).toBe(true);
    expect(await Promise.all(p.tenants.map((t) => tenantFingerprint(p.db.client, t)))).toEqual(before);

    // The text form names the tenant of each step.
    const text = await p.run('apply', path, ...sel, '--dry-run', '--tenants', 'tenant_002');
    expect(text.stdout).toContain(`-- step ${first.steps[0]!.id} (tenant tenant_002)`);
    expect(text.stdout).not.toContain('tenant_001');

    // --tenants-file: one name per line, as it is (the hostile name holds a quote, a semicolon and spaces).
    writeFileSync(`${p.dir}/tenants.txt`, `${HOSTILE}\r\n\ntenant_003\n`);
    const fromFile = JSON.parse(
      (await p.run('--json', 'apply', path, ...sel, '--dry-run', '--tenants-file', `${p.dir}/tenants.txt`)).stdout,
    ) as Dry;
    expect([...new Set(fromFile.phases[0]!.steps.map((s) => s.tenant))]).toEqual([HOSTILE, 'tenant_003']);
    const unknown = await p.run('apply', path, ...sel, '--dry-run', '--tenants-file', `${p.dir}/nope.txt`);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nope.txt');

    // rehearse --db copies the source from the database, which has no template schema: read from a tenant, as plan did.
    const copied = await p.run('rehearse', path, '--db', p.db.url, '--tenant-sample', '1');
    expect(copied.code, copied.stdout + copied.stderr).toBe(0);
    expect(copied.stdout).toContain('rehearsal passed');

    // One tenant applied: the apply dry run leaves it out, the rollback dry run shows only it.
    const one = await p.run('apply', path, ...sel, '--tenants', 'tenant_001', '--skip-rehearsal');
    expect(one.code, one.stdout + one.stderr).toBe(0);
    const again = (JSON.parse((await p.run('--json', 'apply', path, ...sel, '--dry-run')).stdout) as Dry).phases[0]!
      .steps;
    expect(again.some((s) => s.tenant === 'tenant_001')).toBe(false);
    expect(again.some((s) => s.tenant === 'tenant_002')).toBe(true);
    const back = (JSON.parse((await p.run('--json', 'rollback', path, ...sel, '--dry-run')).stdout) as Dry).phases[0]!
      .steps;
    expect(back.map((s) => s.tenant)).toEqual(first.steps.map(() => 'tenant_001'));
    expect(back.map((s) => s.id)).toEqual([...first.steps].reverse().map((s) => s.id));
  }, 120_000);
});
