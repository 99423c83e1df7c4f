// apply, rollback, status and rehearse through the command line, on real PostgreSQL.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { readPlan } from '../../../src/planner/file.js';
import { reportPath } from '../../../src/executor/rehearsal-report.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { editPlan, exampleProject } from './support.js';

async function liveFingerprint(client: import('pg').Client, schemas: string[]): Promise<string> {
  await prepareSession(client);
  return fingerprint(await introspect(client, { includeSchemas: schemas }));
}

describe('apply', () => {
  it('runs a plan phase by phase after a rehearsal, in order, and ends at the target', async () => {
    const p = await exampleProject();
    const plan = await readPlan(p.plan);
    const schemas = plan.target.snapshot.schemas.map((s) => s.name);

    const unrehearsed = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand');
    expect(unrehearsed.code).toBe(1);
    expect(unrehearsed.stderr).toContain('no rehearsal report');
    expect(unrehearsed.stderr).toContain('switchyard rehearse');

    const rehearsed = await p.run('rehearse', p.plan);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
    expect(rehearsed.stdout).toContain('rehearsal passed');
    expect(existsSync(reportPath(p.plan))).toBe(true);

    const outOfOrder = await p.run('apply', p.plan, '--release', '1', '--phase', 'backfill');
    expect(outOfOrder.code).toBe(1);
    expect(outOfOrder.stderr).toContain('release 1 expand is pending');

    const expand = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand');
    expect(expand.code, expand.stderr).toBe(0);
    expect(expand.stdout).toContain('applied expand (release 1)');
    expect(expand.stdout).toContain(`next: switchyard apply ${p.plan} --release 1 --phase backfill`);
    // Progress is JSON lines off a terminal: one per step start and end.
    const events = expand.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; state?: string });
    expect(events.filter((e) => e.event === 'step' && e.state === 'done').length).toBe(plan.releases[0]!.expand.length);

    const again = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');

    const status = await p.run('--json', 'status', p.plan);
    const s = JSON.parse(status.stdout) as {
      plan: { phases: { release: number; phase: string; state: string }[]; next: string };
    };
    expect(s.plan.phases.find((x) => x.release === 1 && x.phase === 'expand')?.state).toBe('applied');
    expect(s.plan.phases.find((x) => x.release === 1 && x.phase === 'backfill')?.state).toBe('pending');

    // The example drops a column in its contract phase: DELETES_DATA must be allowed explicitly.
    const refused = await p.run('apply', p.plan, '--all');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DELETES_DATA');
    const all = await p.run('apply', p.plan, '--all', '--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('fully applied');
    expect(await liveFingerprint(p.db.client, schemas)).toBe(plan.target.fingerprint);
    const { rows } = await p.db.client.query<{ applied: boolean; ms: string }>(
      `SELECT applied_at IS NOT NULL AS applied, execution_time_ms AS ms FROM switchyard.plans WHERE name = 'tiers'`,
    );
    expect(rows[0]?.applied).toBe(true);

    const statusAll = await p.run('status');
    expect(statusAll.code).toBe(0);
    expect(statusAll.stdout).toMatch(/0001_tiers: applied/);
  });

  it('rolls phases back in reverse order only, and the schema returns exactly', async () => {
    const p = await exampleProject();
    const plan = await readPlan(p.plan);
    const schemas = plan.target.snapshot.schemas.map((s) => s.name);
    expect((await p.run('rehearse', p.plan)).code).toBe(0);
    expect((await p.run('apply', p.plan, '--release', '1', '--phase', 'expand')).code).toBe(0);
    const afterExpand = await liveFingerprint(p.db.client, schemas);
    expect((await p.run('apply', p.plan, '--release', '1', '--phase', 'backfill')).code).toBe(0);

    const wrongOrder = await p.run('rollback', p.plan, '--release', '1', '--phase', 'expand');
    expect(wrongOrder.code).toBe(1);
    expect(wrongOrder.stderr).toContain('release 1 backfill is applied');

    const dry = await p.run('rollback', p.plan, '--release', '1', '--phase', 'backfill', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run, nothing was sent');

    expect((await p.run('rollback', p.plan, '--release', '1', '--phase', 'backfill')).code).toBe(0);
    expect(await liveFingerprint(p.db.client, schemas)).toBe(afterExpand);
    const back = await p.run('rollback', p.plan, '--release', '1', '--phase', 'expand');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('rolled back expand (release 1)');
    expect(await liveFingerprint(p.db.client, schemas)).toBe(plan.source.fingerprint);
    const status = JSON.parse((await p.run('--json', 'status', p.plan)).stdout) as {
      plan: { phases: { state: string }[] };
    };
    expect(status.plan.phases.every((x) => x.state === 'pending' || x.state === 'empty')).toBe(true);
  });

  it('after expand, an application update of a row the backfill has not reached fills the new column', async () => {
    const p = await exampleProject();
    expect((await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal')).code).toBe(0);
    const { rows: before } = await p.db.client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM public.employees WHERE salary__new IS NULL AND salary IS NOT NULL',
    );
    expect(before[0]!.n).toBeGreaterThan(0);
    // The old application version touches another column only; the NOT VALID check on salary__new holds.
    await p.db.client.query('UPDATE public.employees SET rut = rut');
    const { rows } = await p.db.client.query<{ n: number; wrong: number }>(
      'SELECT count(*) FILTER (WHERE salary__new IS NULL AND salary IS NOT NULL)::int AS n, count(*) FILTER (WHERE salary__new <> salary::numeric(12,2))::int AS wrong FROM public.employees',
    );
    expect(rows[0]).toEqual({ n: 0, wrong: 0 });
  });

  it('--dry-run prints exactly the SQL that would run and sends nothing', async () => {
    const p = await exampleProject();
    const plan = await readPlan(p.plan);
    const dry = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('apply would refuse: no rehearsal report');
    for (const step of plan.releases[0]!.expand) {
      expect(dry.stdout).toContain(`-- step ${step.id}`);
      expect(dry.stdout).toContain(step.sql.endsWith(';') ? step.sql : `${step.sql};`);
    }
    expect(dry.stdout).toContain("BEGIN;\nSET LOCAL lock_timeout = '2000ms'; SET LOCAL statement_timeout = '30000ms';");
    expect(dry.stdout).toMatch(
      /SET lock_timeout = '2000ms'; SET statement_timeout = '\d+ms';\nCREATE (UNIQUE )?INDEX CONCURRENTLY/,
    );
    const backfill = await p.run('apply', p.plan, '--release', '1', '--phase', 'backfill', '--dry-run');
    expect(backfill.stdout).toContain('WITH _switchyard_batch AS (');
    expect(backfill.stdout).toContain('apply would refuse');
    const { rows } = await p.db.client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'switchyard'`);
    expect(rows).toHaveLength(0);
    const json = JSON.parse((await p.run('--json', 'apply', p.plan, '--all', '--dry-run')).stdout) as {
      phases: { steps: { sql: string[] }[] }[];
    };
    expect(json.phases.length).toBeGreaterThan(2);
  });

  it('refuses a database whose schema drifted from what the plan expects, showing the drift', async () => {
    const p = await exampleProject();
    expect((await p.run('rehearse', p.plan)).code).toBe(0);
    // Before the first phase: the plan's own source is the expectation.
    await p.db.client.query('ALTER TABLE public.employees ADD COLUMN sneaky integer');
    const before = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand');
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('drifted');
    expect(before.stderr).toContain('sneaky');
    const preflight = JSON.parse((await p.run('--json', 'preflight', p.plan)).stdout) as {
      checks: { id: string; status: string; detail: string }[];
    };
    expect(preflight.checks.find((c) => c.id === 'schema-drift')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('sneaky'),
    });
    await p.db.client.query('ALTER TABLE public.employees DROP COLUMN sneaky');
    expect((await p.run('apply', p.plan, '--release', '1', '--phase', 'expand')).code).toBe(0);
    // Between phases: the rehearsal's record of the schema after expand is the expectation.
    await p.db.client.query('CREATE INDEX behind_its_back ON public.employees (salary)');
    const middle = await p.run('apply', p.plan, '--release', '1', '--phase', 'backfill');
    expect(middle.code).toBe(1);
    expect(middle.stderr).toContain('behind_its_back');
    const status = JSON.parse((await p.run('--json', 'status', p.plan)).stdout) as {
      plan: { phases: { phase: string; state: string }[] };
    };
    expect(status.plan.phases.find((x) => x.phase === 'backfill')?.state).toBe('pending');
    await p.db.client.query('DROP INDEX public.behind_its_back');
    expect((await p.run('apply', p.plan, '--release', '1', '--phase', 'backfill')).code).toBe(0);
  });

  it('a failing health check rolls the phase back when configured to', async () => {
    const p = await exampleProject('healthCheck:\n  command: "echo database unhappy; exit 3"\n  onFailure: rollback\n');
    const plan = await readPlan(p.plan);
    const schemas = plan.target.snapshot.schemas.map((s) => s.name);
    const r = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('health check failed');
    expect(r.stderr).toContain('exit 3: database unhappy');
    expect(r.stderr).toContain('rolled back');
    expect(await liveFingerprint(p.db.client, schemas)).toBe(plan.source.fingerprint);
    const { rows } = await p.db.client.query<{ status: string }>(
      `SELECT DISTINCT status FROM switchyard.steps WHERE phase = 'expand'`,
    );
    expect(rows.map((x) => x.status)).toEqual(['rolled_back']);
  });

  it('a passing health check lets the phase stand', async () => {
    const p = await exampleProject('healthCheck:\n  command: "true"\n');
    const r = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('"event":"health","ok":true');
  });

  it('two executors started together: exactly one runs, the other is told who holds the lock', async () => {
    const p = await exampleProject();
    // A reader holding a lock makes the first executor's first step wait (and retry) long enough to overlap.
    const blocker = await p.db.connect();
    await blocker.query('BEGIN; LOCK TABLE public.employees IN ACCESS SHARE MODE');
    const release = setTimeout(() => void blocker.query('COMMIT'), 1500);
    const [a, b] = await Promise.all([
      p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal'),
      new Promise((r) => setTimeout(r, 100)).then(() =>
        p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal'),
      ),
    ]);
    clearTimeout(release);
    const codes = [a.code, b.code].sort();
    expect(codes, a.stderr + b.stderr).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toContain('another switchyard executor holds the lock');
    expect(loser.stderr).toMatch(/pid \d+, application_name "switchyard\[\d+\] apply tiers r1 expand"/);
  });
});

describe('rehearse', () => {
  it('fails on a hand-edited wrong rollback and names the step; apply then refuses', async () => {
    const p = await exampleProject();
    const plan = await readPlan(p.plan);
    const victim = plan.releases[0]!.expand.find((s) =>
      s.sql.startsWith('ALTER TABLE public.employees ADD COLUMN middle_name'),
    )!;
    await editPlan(p.plan, (x) => ({
      ...x,
      releases: x.releases.map((r) => ({
        ...r,
        expand: r.expand.map((s) => (s.id === victim.id ? { ...s, rollback: ['SELECT 1'] } : s)),
      })),
    }));
    const r = await p.run('rehearse', p.plan);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`rehearsal failed at step ${victim.id}`);
    expect(r.stdout).toContain('middle_name');
    const report = JSON.parse(readFileSync(reportPath(p.plan), 'utf8')) as {
      passed: boolean;
      failure: { step: string; stage: string };
    };
    expect(report.passed).toBe(false);
    expect(report.failure).toMatchObject({ step: victim.id, stage: 'rollback' });
    const apply = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`failed at step ${victim.id}`);
  });

  it('fails on a step whose SQL does not do what the plan says, naming the step', async () => {
    const p = await exampleProject();
    const plan = await readPlan(p.plan);
    const victim = plan.releases[0]!.expand.find((s) => /CREATE INDEX CONCURRENTLY idx_employees_rut/.test(s.sql))!;
    await editPlan(p.plan, (x) => ({
      ...x,
      releases: x.releases.map((r) => ({
        ...r,
        expand: r.expand.map((s) =>
          s.id === victim.id
            ? {
                ...s,
                sql: s.sql.replace('idx_employees_rut', 'idx_wrong_name'),
                rollback: ['DROP INDEX CONCURRENTLY public.idx_wrong_name'],
              }
            : s,
        ),
      })),
    }));
    const r = await p.run('rehearse', p.plan);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`rehearsal failed at step ${victim.id}`);
    expect(r.stdout).toContain('index public.idx_employees_rut does not exist after the step ran');
  });

  it('a plan whose checksum does not match its file is refused by every executor command', async () => {
    const p = await exampleProject();
    const text = readFileSync(p.plan, 'utf8');
    (await import('node:fs')).writeFileSync(p.plan, text.replace('lockTimeoutMs: 2000', 'lockTimeoutMs: 9000'));
    for (const argv of [
      ['apply', p.plan, '--all'],
      ['rollback', p.plan, '--release', '1', '--phase', 'expand'],
      ['rehearse', p.plan],
      ['status', p.plan],
    ]) {
      const r = await p.run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('was changed after it was planned');
    }
  });
});
