// A plan made once for the template and applied to 50 tenant schemas through the command line, on a real
// PostgreSQL: exactly the active, undrifted tenants are migrated (the hostile name among them, correctly);
// the drifted one is reported and left alone, the inactive one never touched; every phase rolled back
// restores every tenant exactly; status --tenants names the drifted tenant.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RehearsalReport } from '../../../src/executor/rehearsal-report.js';
import { readPlan } from '../../../src/planner/file.js';
import { planPhases } from '../../../src/executor/state.js';
import { qualified } from '../../../src/db/quote.js';
import {
  DRIFTED,
  HOSTILE,
  INACTIVE,
  tenantFingerprint,
  tenantProject,
  templateFingerprint,
} from '../../support/tenants.js';

interface Outcome {
  tenant: string;
  state: string;
  error?: string;
}
interface RunJson {
  outcomes: Outcome[];
  notStarted: string[];
  shared: number;
  complete: boolean;
}

describe('tenants', () => {
  it('applies every phase to the 48 active undrifted tenants of 50, reports the drifted one, and rolls back exactly', async () => {
    const p = await tenantProject(47);
    expect(p.tenants).toHaveLength(50);
    const before = new Map<string, string>();
    for (const t of p.tenants) before.set(t, await tenantFingerprint(p.db.client, t));
    const rowsBefore = await p.db.client.query(`SELECT count(*)::int AS n FROM ${qualified(HOSTILE, 'orders')}`);

    const planned = await p.run('plan', '--name', 'tenant_notes');
    expect(planned.code, planned.stderr).toBe(0);
    const planPath = `${p.dir}/plans/0001_tenant_notes.plan.yaml`;
    const plan = await readPlan(planPath);
    // The database has no template schema: the template's current state was read from the first tenant.
    expect(templateFingerprint(plan.source.snapshot)).toBe(before.get(HOSTILE));
    const rehearsed = await p.run('rehearse', planPath);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
    // Real tenants rehearsed after the template, under their own names: the hostile name first; the drifted
    // tenant looked at and left out.
    const report = JSON.parse(
      readFileSync(`${p.dir}/plans/0001_tenant_notes.rehearsal.json`, 'utf8'),
    ) as RehearsalReport;
    expect(report.passed).toBe(true);
    expect(report.tenants?.map((t) => [t.tenant, t.passed])).toEqual([
      [HOSTILE, true],
      ['tenant_001', true],
      ['tenant_002', true],
    ]);
    expect(report.tenantsDrifted?.map((t) => t.tenant)).toEqual([DRIFTED]);
    expect(report.tenantsDrifted?.[0]?.differences.join('\n')).toContain('hotfix');
    expect(rehearsed.stdout).toContain(
      `tenants rehearsed under their own names: "tenant o'hara; drop ""x"" y" passed, tenant_001 passed, tenant_002 passed`,
    );

    const active = p.tenants.filter((t) => t !== INACTIVE);
    const migrated = active.filter((t) => t !== DRIFTED);
    // --on-error abort: the drifted tenant is refused before anything runs, so no tenant is started at all.
    const first = planPhases(plan).find((x) => x.steps.length)!;
    const aborted = await p.run(
      '--json',
      'apply',
      planPath,
      '--release',
      String(first.release),
      '--phase',
      first.phase,
      '--on-error',
      'abort',
    );
    expect(aborted.code).toBe(1);
    const ab = JSON.parse(aborted.stdout) as RunJson & { notices: string[] };
    expect(ab.outcomes.map((o) => [o.tenant, o.state])).toEqual([[DRIFTED, 'failed']]);
    expect([...ab.notStarted].sort()).toEqual(migrated);
    expect(ab.notices.join('\n')).toContain('--on-error abort: 1 tenant(s) were refused before anything ran');
    for (const t of [HOSTILE, 'tenant_001']) expect(await tenantFingerprint(p.db.client, t), t).toBe(before.get(t));

    for (const { release, phase, steps } of planPhases(plan)) {
      if (!steps.length) continue;
      const r = await p.run(
        '--json',
        'apply',
        planPath,
        '--release',
        String(release),
        '--phase',
        phase,
        '--concurrency',
        '4',
        '--allow-hazard',
        'DELETES_DATA,BREAKS_OLD_APP',
      );
      expect(r.stderr).not.toContain('"event":"step"');
      const out = JSON.parse(r.stdout) as RunJson;
      expect(r.code, `${release} ${phase}: ${r.stdout}`).toBe(1); // the drifted tenant fails every phase
      const failed = out.outcomes.filter((o) => o.state === 'failed');
      expect(failed.map((o) => o.tenant)).toEqual([DRIFTED]);
      expect(failed[0]!.error).toMatch(
        release === 1 && phase === 'expand' ? /drifted from the template.*hotfix/ : /phases run in order/,
      );
      expect(
        out.outcomes
          .filter((o) => o.state === 'done')
          .map((o) => o.tenant)
          .sort(),
      ).toEqual(migrated);
      expect(out.outcomes.map((o) => o.tenant)).not.toContain(INACTIVE);
      // A rerun finds nothing left to do (the drifted tenant still refused).
      const again = JSON.parse(
        (
          await p.run(
            '--json',
            'apply',
            planPath,
            '--release',
            String(release),
            '--phase',
            phase,
            '--allow-hazard',
            'DELETES_DATA,BREAKS_OLD_APP',
          )
        ).stdout,
      ) as RunJson;
      expect(again.outcomes.filter((o) => o.state === 'skipped')).toHaveLength(migrated.length);
    }
    const target = templateFingerprint(plan.target.snapshot);
    for (const t of migrated) expect(await tenantFingerprint(p.db.client, t), t).toBe(target);
    expect(await tenantFingerprint(p.db.client, DRIFTED)).toBe(before.get(DRIFTED));
    expect(await tenantFingerprint(p.db.client, INACTIVE)).toBe(before.get(INACTIVE));
    // The hostile tenant's data went through the retype.
    const { rows } = await p.db.client.query(
      `SELECT count(*)::int AS n, sum(total)::bigint::text AS s, pg_typeof(min(total))::text AS t FROM ${qualified(HOSTILE, 'orders')}`,
    );
    expect(rows[0]).toEqual({ n: rowsBefore.rows[0].n, s: '550', t: 'bigint' });

    const status = await p.run('--json', 'status', planPath, '--tenants');
    expect(status.code).toBe(1);
    const s = JSON.parse(status.stdout) as {
      plan: {
        tenants: { drifted: { tenant: string; differences: string[] }[]; tenants: { tenant: string; state: string }[] };
      };
    };
    expect(s.plan.tenants.drifted.map((d) => d.tenant)).toEqual([DRIFTED]);
    expect(
      s.plan.tenants.tenants
        .filter((t) => t.state === 'complete')
        .map((t) => t.tenant)
        .sort(),
    ).toEqual(migrated);

    for (const { release, phase, steps } of [...planPhases(plan)].reverse()) {
      if (!steps.length) continue;
      const r = await p.run('--json', 'rollback', planPath, '--release', String(release), '--phase', phase);
      const out = JSON.parse(r.stdout) as RunJson;
      expect(
        out.outcomes.filter((o) => o.state === 'failed'),
        r.stdout,
      ).toEqual([]);
      expect(
        out.outcomes
          .filter((o) => o.state === 'done')
          .map((o) => o.tenant)
          .sort(),
      ).toEqual(migrated);
    }
    for (const t of p.tenants) expect(await tenantFingerprint(p.db.client, t), t).toBe(before.get(t));
    const after = await p.db.client.query(
      `SELECT count(*)::int AS n, sum(total)::bigint::text AS s FROM ${qualified(HOSTILE, 'orders')}`,
    );
    expect(after.rows[0]).toEqual({ n: rowsBefore.rows[0].n, s: '550' });
  }, 240_000);
});
