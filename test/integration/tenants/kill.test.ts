// The tenant fan-out killed mid-run (SIGKILL, nothing gets to clean up): the rerun finishes only the tenants
// that were not done, leaves the done ones' ledger rows as they were, and every tenant ends at the target.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { tenantFingerprint, tenantProject, templateFingerprint } from '../../support/tenants.js';

const CLI = join(import.meta.dirname, '../../../bin/switchyard.js');

interface Outcome {
  tenant: string;
  state: string;
}

describe('tenants: kill and rerun', () => {
  it('a SIGKILL in the middle of 50 tenants: the rerun migrates only the remaining ones', async () => {
    const p = await tenantProject(50, { special: false, rows: 200 });
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const planPath = `${p.dir}/plans/0001_notes.plan.yaml`;
    const plan = await readPlan(planPath);
    const first = planPhases(plan).find((x) => x.steps.length)!;
    const args = [
      '--config',
      p.config,
      'apply',
      planPath,
      '--release',
      String(first.release),
      '--phase',
      first.phase,
      '--concurrency',
      '2',
      '--skip-rehearsal',
    ];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const doneTenants = async () =>
      (
        await p.db.client
          .query<{ n: number }>(
            `SELECT count(*)::int AS n FROM (SELECT tenant FROM switchyard.steps WHERE tenant <> '' AND release = $1 AND phase = $2 GROUP BY tenant HAVING bool_and(status = 'done')) x`,
            [first.release, first.phase],
          )
          .catch(() => ({ rows: [{ n: 0 }] }))
      ).rows[0]!.n;
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 600 && (await doneTenants()) < 10; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const doneBefore = await p.db.client.query<{ tenant: string; started: string }>(
      `SELECT tenant, min(started_at)::text AS started FROM switchyard.steps WHERE tenant <> '' AND release = $1 AND phase = $2 GROUP BY tenant HAVING bool_and(status = 'done')`,
      [first.release, first.phase],
    );
    expect(doneBefore.rows.length).toBeGreaterThanOrEqual(10);
    expect(doneBefore.rows.length).toBeLessThan(50);

    const rerun = await p.run(
      '--json',
      'apply',
      planPath,
      '--release',
      String(first.release),
      '--phase',
      first.phase,
      '--concurrency',
      '2',
      '--skip-rehearsal',
    );
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const outcomes = (JSON.parse(rerun.stdout) as { outcomes: Outcome[] }).outcomes;
    const already = new Set(doneBefore.rows.map((r) => r.tenant));
    expect(
      outcomes
        .filter((o) => o.state === 'skipped')
        .map((o) => o.tenant)
        .sort(),
    ).toEqual([...already].sort());
    expect(
      outcomes
        .filter((o) => o.state === 'done')
        .map((o) => o.tenant)
        .sort(),
    ).toEqual(p.tenants.filter((t) => !already.has(t)));
    // The tenants done before the kill were not run again.
    const after = await p.db.client.query<{ tenant: string; started: string }>(
      `SELECT tenant, min(started_at)::text AS started FROM switchyard.steps WHERE tenant = ANY($1::text[]) AND release = $2 AND phase = $3 GROUP BY tenant`,
      [[...already], first.release, first.phase],
    );
    expect(new Map(after.rows.map((r) => [r.tenant, r.started]))).toEqual(
      new Map(doneBefore.rows.map((r) => [r.tenant, r.started])),
    );

    for (const { release, phase, steps } of planPhases(plan)) {
      if (!steps.length || (release === first.release && phase === first.phase)) continue;
      const r = await p.run(
        'apply',
        planPath,
        '--release',
        String(release),
        '--phase',
        phase,
        '--skip-rehearsal',
        '--allow-hazard',
        'DELETES_DATA,BREAKS_OLD_APP',
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const target = templateFingerprint(plan.target.snapshot);
    for (const t of p.tenants) expect(await tenantFingerprint(p.db.client, t), t).toBe(target);
  }, 240_000);
});
