// `apply --all` (issue #18, point 3): with `environment: production` it asks for --yes; over tenants it walks
// the plan phase by phase across the fleet, through the same phase runner as `--release N --phase P`.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../../src/planner/file.js';
import { planPhases } from '../../../src/executor/state.js';
import { tenantFingerprint, tenantProject, templateFingerprint, DRIFTED } from '../../support/tenants.js';
import { run } from '../../../src/cli/main.js';
import { freshDatabase } from '../../support/db.js';
import { exampleProject } from './support.js';

const HAZARDS = ['--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP'];

describe('apply --all with environment: production', () => {
  it('refuses without --yes (exit 2, naming it) and runs every phase with it', async () => {
    const p = await exampleProject('environment: production\n');
    const refused = await p.run('apply', p.plan, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('environment: production');
    expect(refused.stderr).toContain('--yes');
    expect(refused.stderr).toContain('--release N --phase P');
    const json = await p.run('--json', 'apply', p.plan, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(JSON.parse(json.stdout).error.code).toBe('USAGE');
    // Refused before anything ran: no ledger.
    const { rows } = await p.db.client.query(`SELECT to_regclass('switchyard.plans') AS t`);
    expect(rows[0].t).toBeNull();
    const dry = await p.run('apply', p.plan, '--all', '--dry-run', ...HAZARDS, '--skip-rehearsal');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('apply would refuse: apply --all runs every remaining phase');
    // One phase at a time needs no --yes.
    const one = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(one.code, one.stderr).toBe(0);
    const yes = await p.run('apply', p.plan, '--all', '--yes', '--skip-rehearsal', ...HAZARDS);
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('fully applied');
  });

  it('at a terminal, asks instead of refusing: no runs nothing (exit 2), yes runs every phase', async () => {
    const p = await exampleProject('environment: production\n');
    const questions: string[] = [];
    const terminal = (answer: boolean) => {
      const out = { stdout: '', stderr: '' };
      const io = {
        stdout: (t: string) => void (out.stdout += t),
        stderr: (t: string) => void (out.stderr += t),
        isTTY: true,
        confirm: async (q: string) => (questions.push(q), answer),
      };
      return { out, io };
    };
    const argv = ['--config', p.config, 'apply', p.plan, '--all', '--skip-rehearsal', ...HAZARDS];
    const no = terminal(false);
    expect(await run(argv, no.io)).toBe(2);
    expect(no.out.stderr).toContain('--yes');
    expect(questions[0]).toContain('contracts included, on this production database?');
    const yes = terminal(true);
    expect(await run(argv, yes.io), yes.out.stderr).toBe(0);
    expect(yes.out.stdout).toContain('fully applied');
    expect(questions).toHaveLength(2);
  });

  it('on a pair --all stays refused, production or not, with or without tenants', async () => {
    const p = await exampleProject(
      'environment: production\npair:\n  blue: postgres://a@127.0.0.1:1/x\n  green: postgres://a@127.0.0.1:2/x\n',
    );
    for (const extra of [[], ['--yes']]) {
      const r = await p.run('apply', p.plan, '--all', '--skip-rehearsal', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('on a pair expand and backfill run on the standby');
    }
    const t = await tenantProject(1, { special: false });
    expect((await t.run('plan', '--name', 'notes')).code).toBe(0);
    writeFileSync(
      t.config,
      `${readFileSync(t.config, 'utf8')}pair:\n  blue: postgres://a@127.0.0.1:1/x\n  green: postgres://a@127.0.0.1:2/x\n`,
    );
    const r = await t.run('apply', `${t.dir}/plans/0001_notes.plan.yaml`, '--all', '--skip-rehearsal');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('on a pair expand and backfill run on the standby');
  });

  it('other environments run --all as before, and an unknown one is a configuration error', async () => {
    const p = await exampleProject('environment: staging\n');
    const all = await p.run('apply', p.plan, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(all.code, all.stderr).toBe(0);
    const bad = await exampleProject();
    writeFileSync(bad.config, `${readFileSync(bad.config, 'utf8')}environment: prod\n`);
    const r = await bad.run('apply', bad.plan, '--all');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`environment` must be one of development, test, staging, production');
  });
});

describe('apply --all over tenants', () => {
  it('walks the plan phase by phase across the fleet and ends with every tenant at the target', async () => {
    const p = await tenantProject(3, { special: false });
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const planPath = `${p.dir}/plans/0001_notes.plan.yaml`;
    const plan = await readPlan(planPath);
    const r = await p.run('--json', 'apply', planPath, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      runs: { release: number; phase: string; outcomes: { state: string }[] }[];
      complete: boolean;
      stoppedAt?: unknown;
    };
    const phases = planPhases(plan).filter((x) => x.steps.length);
    expect(out.runs.map((x) => `${x.release} ${x.phase}`)).toEqual(phases.map((x) => `${x.release} ${x.phase}`));
    expect(out.runs.every((x) => x.outcomes.length === 3 && x.outcomes.every((o) => o.state === 'done'))).toBe(true);
    expect(out.complete).toBe(true);
    expect(out.stoppedAt).toBeUndefined();
    const target = templateFingerprint(plan.target.snapshot);
    for (const t of p.tenants) expect(await tenantFingerprint(p.db.client, t)).toBe(target);
    const again = await p.run('apply', planPath, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('fully applied on every tenant');
  });

  it('stops after a phase a tenant did not finish: the next phase starts on no tenant', async () => {
    const p = await tenantProject(2);
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const planPath = `${p.dir}/plans/0001_notes.plan.yaml`;
    const plan = await readPlan(planPath);
    const r = await p.run('apply', planPath, '--all', '--skip-rehearsal', ...HAZARDS);
    expect(r.code).toBe(1);
    const first = planPhases(plan).find((x) => x.steps.length)!;
    expect(r.stdout).toContain(`stopped after release ${first.release} ${first.phase}`);
    expect(r.stdout).toContain(DRIFTED);
    const { rows } = await p.db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM switchyard.steps WHERE status = 'done' AND NOT (release = $1 AND phase = $2)`,
      [first.release, first.phase],
    );
    expect(rows[0]!.n).toBe(0);
    const prod = await tenantProject(1, { special: false });
    writeFileSync(prod.config, `${readFileSync(prod.config, 'utf8')}environment: production\n`);
    expect((await prod.run('plan', '--name', 'notes')).code).toBe(0);
    const refused = await prod.run('apply', `${prod.dir}/plans/0001_notes.plan.yaml`, '--all', '--skip-rehearsal');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
  });
});

describe('small things (issue #18, point 8)', () => {
  it('a database that is clearly not the plan source is named in one line with the count, --json lists them', async () => {
    const p = await exampleProject();
    const other = await freshDatabase();
    await other.client.query('CREATE TABLE public.invoices (id bigint PRIMARY KEY, total numeric)');
    const r = await p.run(
      'apply',
      p.plan,
      '--release',
      '1',
      '--phase',
      'expand',
      '--skip-rehearsal',
      '--db',
      other.url,
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: this database does not look like the source of plan tiers: \d+ differences/);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(r.stderr).toContain('check --db');
    const json = JSON.parse(
      (
        await p.run(
          '--json',
          'apply',
          p.plan,
          '--release',
          '1',
          '--phase',
          'expand',
          '--skip-rehearsal',
          '--db',
          other.url,
        )
      ).stdout,
    ) as { error: { code: string; differences: string[] } };
    expect(json.error.code).toBe('DRIFT');
    expect(json.error.differences.length).toBeGreaterThan(2);
    // Nothing ran there.
    const { rows } = await other.client.query(`SELECT to_regclass('switchyard.plans') AS t`);
    expect(rows[0].t).toBeNull();
  });

  it('numeric options are checked and named (exit 2), as JSON with --json; a phase never takes "0.0 s"', async () => {
    const p = await exampleProject();
    const word = await p.run('apply', p.plan, '--release', 'one', '--phase', 'expand');
    expect(word.code).toBe(2);
    expect(word.stderr).toContain(`option '--release <n>' argument 'one' is invalid`);
    expect(word.stderr).not.toContain('NaN');
    const json = await p.run('--json', 'apply', p.plan, '--release', 'one', '--phase', 'expand');
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { code: 'USAGE', message: expect.stringContaining("'--release <n>'") },
    });
    const unknown = JSON.parse((await p.run('--json', 'apply', p.plan, '--bogus')).stdout);
    expect(unknown.error).toEqual({ code: 'USAGE', message: "unknown option '--bogus'" });
    for (const args of [
      ['rollback', p.plan, '--release', '1.5', '--phase', 'expand'],
      ['apply', p.plan, '--release', '1', '--phase', 'expand', '--concurrency', 'many'],
      ['plan', '--name', 'x', '--from', 'y.yaml', '--pg-version', 'seventeen'],
    ]) {
      const r = await p.run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('expected a whole number');
    }
    const expand = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.stdout).toMatch(/lock retries, (\d+ ms|\d+\.\d s)\n/);
    expect(expand.stdout).not.toContain('0.0 s');
  });
});
