// `--shard I/N` on a real PostgreSQL with the real command line: two processes started at the same moment
// (two CI matrix jobs) share a fleet of 20 tenants, each migrating exactly its stable half, nothing twice; a
// run without --shard then finds nothing to do. Two runs of the SAME shard at once never migrate a tenant
// twice either: a tenant another executor holds is reported busy (TENANT_BUSY, as a failed tenant, exit 1)
// and finished by running the command again.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import type { Plan } from '../../../src/planner/types.js';
import { shardOf } from '../../../src/tenants/registry.js';
import { tenantProject, type TenantProject } from '../../support/tenants.js';

const CLI = join(import.meta.dirname, '../../../bin/switchyard.js');
const HAZARDS = ['--allow-hazard', 'DELETES_DATA,BREAKS_OLD_APP'];

interface Outcome {
  tenant: string;
  state: 'done' | 'skipped' | 'failed';
  ran: number;
  error?: string;
}
interface RunJson {
  outcomes: Outcome[];
  notStarted: string[];
  complete: boolean;
}
interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a separate process (the built dist), so that two runs really are two executors. */
function spawnCli(p: TenantProject, args: readonly string[]): Promise<Proc> {
  const child = spawn(process.execPath, [CLI, '--config', p.config, '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function parse(r: Proc): RunJson {
  try {
    return JSON.parse(r.stdout) as RunJson;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const tenantsIn = (out: RunJson, state: Outcome['state']) =>
  out.outcomes
    .filter((o) => o.state === state)
    .map((o) => o.tenant)
    .sort();

async function planned(p: TenantProject): Promise<{ plan: Plan; path: string; phases: ReturnType<typeof planPhases> }> {
  const r = await p.run('plan', '--name', 'notes');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const path = `${p.dir}/plans/0001_notes.plan.yaml`;
  const plan = await readPlan(path);
  return { plan, path, phases: planPhases(plan).filter((x) => x.steps.length) };
}

/** Per tenant, for one phase: its step rows, how many are done, the most attempts of any, how many were started. */
async function ledger(p: TenantProject, release: number, phase: string) {
  const { rows } = await p.db.client.query<{
    tenant: string;
    steps: number;
    done: number;
    max_attempts: number;
    started: number;
  }>(
    `SELECT tenant, count(*)::int AS steps, count(*) FILTER (WHERE status = 'done')::int AS done, max(attempts)::int AS max_attempts,
            count(started_at)::int AS started
       FROM switchyard.steps WHERE tenant <> '' AND release = $1 AND phase = $2 GROUP BY tenant ORDER BY tenant`,
    [release, phase],
  );
  return new Map(rows.map((r) => [r.tenant, r]));
}

/** Holds a tenant's unit lock as another executor would (src/executor/lock.ts unitLockKey: same derivation). */
async function holdUnit(p: TenantProject, unit: string): Promise<{ release: () => Promise<void> }> {
  const c = await p.db.connect();
  await c.query("SET application_name = 'another executor'");
  const key = createHash('sha256')
    .update(`switchyard tenant\0${p.db.name}\0switchyard\0${unit}`)
    .digest()
    .readBigInt64BE(0)
    .toString();
  await c.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  return { release: async () => void (await c.query('SELECT pg_advisory_unlock($1::bigint)', [key])) };
}

describe('tenants --shard', () => {
  it('two processes with --shard 1/2 and 2/2 at once migrate disjoint halves covering the fleet; a run without --shard skips all', async () => {
    const p = await tenantProject(20, { special: false, rows: 100 });
    expect(p.tenants).toHaveLength(20);
    const { path, phases } = await planned(p);
    const first = phases[0]!;
    expect([first.release, first.phase]).toEqual([1, 'expand']);
    const tenantSteps = first.steps.length;
    const half = (i: number) => p.tenants.filter((t) => shardOf(t, 2) === i);
    // The stable split of these 20 names (sha256): both halves non-empty.
    expect([half(1).length, half(2).length]).toEqual([10, 10]);

    const phaseArgs = [
      'apply',
      path,
      '--release',
      String(first.release),
      '--phase',
      first.phase,
      '--skip-rehearsal',
      '--concurrency',
      '2',
    ];
    const [a, b] = await Promise.all([
      spawnCli(p, [...phaseArgs, '--shard', '1/2']),
      spawnCli(p, [...phaseArgs, '--shard', '2/2']),
    ]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const outA = parse(a);
    const outB = parse(b);
    // Each process saw only its shard, and did all of it.
    expect(outA.outcomes.map((o) => o.tenant).sort()).toEqual(half(1));
    expect(outB.outcomes.map((o) => o.tenant).sort()).toEqual(half(2));
    expect(tenantsIn(outA, 'done')).toEqual(half(1));
    expect(tenantsIn(outB, 'done')).toEqual(half(2));
    for (const o of [...outA.outcomes, ...outB.outcomes]) expect(o.ran, o.tenant).toBe(tenantSteps);
    // Disjoint, and together the whole fleet.
    expect(tenantsIn(outA, 'done').filter((t) => tenantsIn(outB, 'done').includes(t))).toEqual([]);
    expect([...tenantsIn(outA, 'done'), ...tenantsIn(outB, 'done')].sort()).toEqual([...p.tenants]);
    // Neither run finished the plan on its own: the other shard (and the later phases) remain.
    expect(outA.complete || outB.complete).toBe(false);

    // The ledger: every tenant's rows of the phase done, once each (one attempt, one start per step).
    const rows = await ledger(p, first.release, first.phase);
    expect([...rows.keys()]).toEqual([...p.tenants]);
    for (const [t, r] of rows)
      expect(r, t).toEqual({ tenant: t, steps: tenantSteps, done: tenantSteps, max_attempts: 1, started: tenantSteps });
    // And the schemas: each tenant got the new column exactly once.
    const { rows: cols } = await p.db.client.query<{ s: string }>(
      "SELECT table_schema AS s FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'notes' ORDER BY 1",
    );
    expect(cols.map((c) => c.s)).toEqual([...p.tenants]);

    // A run over the whole fleet finds nothing to do and leaves the ledger as it was.
    const all = await p.run('--json', ...phaseArgs);
    expect(all.code, all.stdout + all.stderr).toBe(0);
    const outAll = JSON.parse(all.stdout) as RunJson;
    expect(tenantsIn(outAll, 'skipped')).toEqual([...p.tenants]);
    expect(outAll.outcomes).toHaveLength(20);
    expect(await ledger(p, first.release, first.phase)).toEqual(rows);

    // A shard out of range is a usage error, before anything runs.
    const bad = await p.run(
      'apply',
      path,
      '--release',
      '1',
      '--phase',
      'backfill',
      '--skip-rehearsal',
      '--shard',
      '3/2',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard 3/2: expected I/N with 1 <= I <= N');

    // Running the next phase with the same shard while one of its tenants is held by another executor: that
    // tenant is reported busy (failed, exit 1) and left untouched; the command run again finishes it alone.
    const next = phases[1]!;
    const nextArgs = [
      'apply',
      path,
      '--release',
      String(next.release),
      '--phase',
      next.phase,
      '--skip-rehearsal',
      ...HAZARDS,
    ];
    const held = half(1)[3]!;
    const lock = await holdUnit(p, held);
    let busy;
    try {
      busy = await p.run('--json', ...nextArgs, '--shard', '1/2');
    } finally {
      await lock.release();
    }
    expect(busy.code, busy.stdout + busy.stderr).toBe(1);
    const outBusy = JSON.parse(busy.stdout) as RunJson;
    expect(tenantsIn(outBusy, 'done')).toEqual(half(1).filter((t) => t !== held));
    const failed = outBusy.outcomes.filter((o) => o.state === 'failed');
    expect(failed.map((o) => o.tenant)).toEqual([held]);
    expect(failed[0]!.error).toMatch(
      new RegExp(
        `^another switchyard executor is migrating tenant ${held} on database ${p.db.name} \\(pid \\d+, application_name "another executor"\\)$`,
      ),
    );
    const heldRows = await p.db.client.query<{ status: string; attempts: number }>(
      'SELECT DISTINCT status, attempts FROM switchyard.steps WHERE tenant = $1 AND release = $2 AND phase = $3',
      [held, next.release, next.phase],
    );
    expect(heldRows.rows).toEqual([{ status: 'pending', attempts: 0 }]);
    const again = await p.run('--json', ...nextArgs, '--shard', '1/2');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const outAgain = JSON.parse(again.stdout) as RunJson;
    expect(tenantsIn(outAgain, 'done')).toEqual([held]);
    expect(tenantsIn(outAgain, 'skipped')).toEqual(half(1).filter((t) => t !== held));
    const nextRows = await ledger(p, next.release, next.phase);
    // Rows for the whole fleet (every run records its units' rows of all phases): shard 1 done once, shard 2 untouched.
    expect([...nextRows.keys()]).toEqual([...p.tenants]);
    for (const [t, r] of nextRows)
      expect([t, r.done, r.max_attempts]).toEqual(half(1).includes(t) ? [t, next.steps.length, 1] : [t, 0, 0]);
  }, 240_000);

  it('two processes of the SAME shard at once: every tenant is migrated by exactly one of them, the other reports it busy or skipped', async () => {
    const p = await tenantProject(20, { special: false, rows: 300 });
    const { path, phases } = await planned(p);
    const shard = p.tenants.filter((t) => shardOf(t, 2) === 1);
    // The holder is named when it still holds the lock by the time it is looked up.
    const busy =
      /^another switchyard executor is migrating tenant \S+ on database \S+( \(pid \d+, application_name "switchyard[^"]*"\))?$/;
    const race = async (release: number, phase: string, strictBusy: boolean) => {
      const args = [
        'apply',
        path,
        '--release',
        String(release),
        '--phase',
        phase,
        '--skip-rehearsal',
        '--concurrency',
        '2',
        '--shard',
        '1/2',
        ...HAZARDS,
      ];
      const [a, b] = await Promise.all([spawnCli(p, args), spawnCli(p, args)]);
      const outA = parse(a);
      const outB = parse(b);
      for (const t of shard) {
        const x = outA.outcomes.find((o) => o.tenant === t)!;
        const y = outB.outcomes.find((o) => o.tenant === t)!;
        // Exactly one of them migrated it; the other found it done (skipped) or held by the first (failed: busy).
        expect(
          [x.state, y.state].filter((s) => s === 'done'),
          `${phase} ${t}: ${JSON.stringify([x, y])}`,
        ).toHaveLength(1);
        const other = x.state === 'done' ? y : x;
        expect(['skipped', 'failed'], `${phase} ${t}`).toContain(other.state);
        if (other.state === 'failed' && strictBusy) expect(other.error, `${phase} ${t}`).toMatch(busy);
      }
      // Nothing outside the shard; a run that reported a tenant busy exits 1, as for any failed tenant.
      for (const [r, out] of [
        [a, outA],
        [b, outB],
      ] as const) {
        expect(out.outcomes.map((o) => o.tenant).sort()).toEqual(shard);
        expect(r.code, r.stdout + r.stderr).toBe(out.outcomes.some((o) => o.state === 'failed') ? 1 : 0);
      }
      const steps = phases.find((x) => x.release === release && x.phase === phase)!.steps.length;
      const rows = await ledger(p, release, phase);
      for (const t of shard)
        expect(rows.get(t), t).toEqual({ tenant: t, steps, done: steps, max_attempts: 1, started: steps });
      for (const t of p.tenants.filter((x) => !shard.includes(x))) expect([t, rows.get(t)?.done ?? 0]).toEqual([t, 0]);
      // A third run of the shard: all done already.
      const c = await p.run('--json', ...args);
      expect(c.code, c.stdout + c.stderr).toBe(0);
      expect(tenantsIn(JSON.parse(c.stdout) as RunJson, 'skipped')).toEqual(shard);
    };
    // expand checks fresh tenants for drift in one batch, without their locks, then re-checks a drifted-looking
    // tenant under its lock: one the other run is migrating is reported busy, never drifted.
    await race(phases[0]!.release, phases[0]!.phase, true);
    // backfill (no drift check without a rehearsal report): the loser's failures are all TENANT_BUSY.
    expect(phases[1]!.phase).toBe('backfill');
    await race(phases[1]!.release, phases[1]!.phase, true);
  }, 240_000);
});
