// A tenant apply is judged by the health check like any other phase (issue #19: the tenant path had lost it).
// With `onFailure: stop` the command fails and the phase stays on every tenant, with the command that undoes
// it; with `onFailure: rollback` the phase is rolled back on exactly the tenants this run migrated: a tenant
// an earlier run migrated keeps it.
import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { tenantFingerprint, tenantProject, type TenantProject } from '../../support/tenants.js';

async function planned(p: TenantProject) {
  expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
  const path = `${p.dir}/plans/0001_notes.plan.yaml`;
  const plan = await readPlan(path);
  const first = planPhases(plan).find((x) => x.steps.length)!;
  return { path, plan, first, sel: ['--release', String(first.release), '--phase', first.phase, '--skip-rehearsal'] };
}

/** Each tenant's ledger rows of the phase, as `tenant:status` (the shared steps as `:status`). */
async function ledgerRows(p: TenantProject, phase: string): Promise<string[]> {
  const sql = `SELECT DISTINCT tenant || ':' || status AS row FROM switchyard.steps WHERE phase = $1 ORDER BY 1`;
  const { rows } = await p.db.client.query<{ row: string }>(sql, [phase]);
  return rows.map((r) => r.row);
}

describe('tenants: the health check after a phase', () => {
  it('onFailure: stop fails the apply (exit 1), names the failed check and leaves the phase applied', async () => {
    const p = await tenantProject(3, { special: false });
    const { path, first, sel } = await planned(p);
    const before = new Map<string, string>();
    for (const t of p.tenants) before.set(t, await tenantFingerprint(p.db.client, t));
    appendFileSync(p.config, 'healthCheck:\n  command: "echo tenants unhappy; exit 1"\n  onFailure: stop\n');
    const r = await p.run('apply', path, ...sel);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('the health check failed after');
    expect(r.stderr).toContain('on 3 tenant(s)');
    expect(r.stderr).toContain('exit 1: tenants unhappy');
    const undo = `switchyard rollback ${path} --release ${first.release} --phase ${first.phase}`;
    expect(r.stderr).toContain(`the phase stays applied (healthCheck.onFailure: stop); to undo it: ${undo}`);
    expect(r.stderr).toContain('"event":"health","ok":false');
    for (const t of p.tenants) expect(await tenantFingerprint(p.db.client, t), t).not.toBe(before.get(t));
    expect(await ledgerRows(p, first.phase)).toEqual(p.tenants.map((t) => `${t}:done`));
  });

  it('onFailure: rollback undoes the phase on the tenants this run migrated, and only on them', async () => {
    const p = await tenantProject(3, { special: false });
    const { path, first, sel } = await planned(p);
    const before = new Map<string, string>();
    for (const t of p.tenants) before.set(t, await tenantFingerprint(p.db.client, t));
    // tenant_001 is migrated by an earlier run, with no health check configured.
    const early = await p.run('apply', path, ...sel, '--tenants', 'tenant_001');
    expect(early.code, early.stdout + early.stderr).toBe(0);
    const migrated = await tenantFingerprint(p.db.client, 'tenant_001');
    expect(migrated).not.toBe(before.get('tenant_001'));

    appendFileSync(p.config, 'healthCheck:\n  command: "echo tenants unhappy; exit 1"\n  onFailure: rollback\n');
    const r = await p.run('apply', path, ...sel);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('exit 1: tenants unhappy');
    expect(r.stderr).toContain('on 2 tenant(s)');
    expect(r.stderr).toContain('the phase was rolled back (healthCheck.onFailure: rollback)');
    expect(r.stderr).toMatch(/"event":"phase".*"state":"rolled_back"/);
    // The two tenants of this run are back where they were; tenant_001 keeps the phase.
    expect(await tenantFingerprint(p.db.client, 'tenant_002')).toBe(before.get('tenant_002'));
    expect(await tenantFingerprint(p.db.client, 'tenant_003')).toBe(before.get('tenant_003'));
    expect(await tenantFingerprint(p.db.client, 'tenant_001')).toBe(migrated);
    const rows = ['tenant_001:done', 'tenant_002:rolled_back', 'tenant_003:rolled_back'];
    expect(await ledgerRows(p, first.phase)).toEqual(rows);
  });
});
