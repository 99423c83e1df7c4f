// Preflight on a real PostgreSQL, the plan and its surroundings: ledger, rehearsal report, backup, window,
// hazards and timeouts, server version, anti-wraparound autovacuum.
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureLedger, markStepRunning, recordPlan } from '../../../src/executor/ledger.js';
import {
  concurrentlyIsBroken,
  concurrentlyVerdict,
  phaseEstimates,
  wraparoundVerdict,
  type PreflightConfig,
} from '../../../src/executor/preflight.js';
import type { Step } from '../../../src/planner/types.js';
import { writeReport, type RehearsalReport } from '../../../src/executor/rehearsal-report.js';
import { mapSteps, only, plan, preflight, report, setup } from './preflight-support.js';

describe('the plan and its surroundings', () => {
  it('ledger: same plan passes, an interrupted step warns, unknown rows and another checksum fail', async () => {
    const s = await setup();
    expect(only(await preflight(s), 'ledger').detail).toContain('no ledger');
    await ensureLedger(s.db.client);
    await recordPlan(s.db.client, plan);
    expect(only(await preflight(s), 'ledger').status).toBe('pass');
    const first = plan.releases[0]!.expand[0]!;
    await markStepRunning(s.db.client, { plan: plan.name, step: first });
    const running = only(await preflight(s), 'ledger');
    expect(running.status).toBe('warn');
    expect(running.detail).toContain(`interrupted: ${first.id}`);
    await s.db.client.query(
      `INSERT INTO switchyard.steps (plan, step_id, release, phase) VALUES ($1, 'r7-expand-042', 7, 'expand')`,
      [plan.name],
    );
    const unknown = only(await preflight(s), 'ledger');
    expect(unknown.status).toBe('fail');
    expect(unknown.detail).toContain('r7-expand-042 is pending but not in the plan');
    await s.db.client.query(`DELETE FROM switchyard.steps WHERE step_id = 'r7-expand-042'`);
    await s.db.client.query(`UPDATE switchyard.plans SET checksum = 'sha256:0000000000000000000000' WHERE name = $1`, [
      plan.name,
    ]);
    const other = only(await preflight(s), 'ledger');
    expect(other.status).toBe('fail');
    expect(other.detail).toContain('the plan changed after it was (partly) applied');
  });

  it('rehearsal: missing, for another checksum, failed or damaged reports fail', async () => {
    const s = await setup();
    const write = (r: RehearsalReport) => writeReport(s.planPath, r);
    await write(report(plan, { checksum: 'sha256:ffffffffffffffffffffffffff' }));
    expect(only(await preflight(s), 'rehearsal').detail).toContain('another version of the plan');
    await write(
      report(plan, {
        passed: false,
        failure: { step: 'r1-expand-003', stage: 'rollback', message: 'schema differs', differences: [] },
      }),
    );
    expect(only(await preflight(s), 'rehearsal').detail).toContain('failed at step r1-expand-003');
    writeFileSync(s.planPath.replace('.plan.yaml', '.rehearsal.json'), '{ not json');
    expect(only(await preflight(s), 'rehearsal')).toMatchObject({ status: 'fail' });
    rmSync(s.planPath.replace('.plan.yaml', '.rehearsal.json'));
    const missing = only(await preflight(s), 'rehearsal');
    expect(missing.status).toBe('fail');
    expect(missing.detail).toContain('no rehearsal report');
    expect(missing.fix).toContain('switchyard rehearse');
    await write(report(plan));
    expect(only(await preflight(s), 'rehearsal').status).toBe('pass');
  });

  it('backup: missing or old file, failing or stale command fail; none configured warns', async () => {
    const s = await setup();
    const withBackup = (backup: PreflightConfig['backup']) => preflight({ ...s, config: { ...s.config, backup } });
    const missing = only(await withBackup({ file: 'nope.dump', maxAgeHours: 24 }), 'backup');
    expect(missing).toMatchObject({ status: 'fail' });
    expect(missing.detail).toContain('ENOENT');
    const old = new Date(Date.now() - 48 * 3_600_000);
    utimesSync(join(s.dir, 'backup.dump'), old, old);
    expect(only(await withBackup({ file: 'backup.dump', maxAgeHours: 24 }), 'backup').detail).toMatch(
      /48\.0 hours ago/,
    );
    expect(only(await withBackup({ file: 'backup.dump', maxAgeHours: 72 }), 'backup').status).toBe('pass');
    expect(only(await withBackup({ command: 'echo 2020-01-01T00:00:00Z', maxAgeHours: 24 }), 'backup').status).toBe(
      'fail',
    );
    const failing = only(await withBackup({ command: 'echo no backup >&2; exit 3', maxAgeHours: 24 }), 'backup');
    expect(failing.detail).toBe('backup command exited with 3: no backup');
    expect(only(await withBackup({ command: 'echo yesterday-ish', maxAgeHours: 24 }), 'backup').detail).toContain(
      'not an ISO 8601 time',
    );
    expect(only(await withBackup({ command: 'date -u +%Y-%m-%dT%H:%M:%SZ', maxAgeHours: 24 }), 'backup').status).toBe(
      'pass',
    );
    expect(only(await withBackup(undefined), 'backup').status).toBe('warn');
  });

  it('window: fails when the longest phase does not fit, warns when it does not fit twice, warns when none is set', async () => {
    const s = await setup();
    const longest = Math.max(...phaseEstimates(plan).map((p) => p.seconds));
    const inWindow = async (windowMinutes: number | undefined) =>
      only(await preflight({ ...s, config: { ...s.config, windowMinutes } }), 'window');
    const tiny = await inWindow(longest / 2 / 60);
    expect(tiny.status).toBe('fail');
    expect(tiny.detail).toMatch(/the longest phase, release 1 \w+, is estimated at/);
    expect((await inWindow((longest * 1.5) / 60)).status).toBe('warn');
    expect((await inWindow(undefined)).status).toBe('warn');
    expect((await inWindow(60)).status).toBe('pass');
  });

  it('hazards not allowed, steps without timeouts or with long ones, and steps outlasting their statement_timeout', async () => {
    const s = await setup();
    const hazards = only(await preflight({ ...s, config: { ...s.config, allowHazards: [] } }), 'hazards');
    expect(hazards.status).toBe('fail');
    expect(hazards.fix).toContain('DELETES_DATA');
    const first = plan.releases[0]!.expand.find((st) => st.lock === 'ACCESS EXCLUSIVE')!;
    const withStep = (change: Partial<Step>) =>
      mapSteps(plan, (st) => (st.id === first.id ? { ...st, ...change } : st));
    const none = only(await preflight(s, { plan: withStep({ lockTimeoutMs: 0 }) }), 'lock-timeout');
    expect(none).toMatchObject({ status: 'fail' });
    expect(none.detail).toContain(first.id);
    const long = only(await preflight(s, { plan: withStep({ lockTimeoutMs: 60_000 }) }), 'lock-timeout');
    expect(long.status).toBe('warn');
    expect(long.detail).toContain(`${first.id} (60000 ms, ACCESS EXCLUSIVE)`);
    const slow = only(
      await preflight(s, { plan: withStep({ cost: { rows: 1e8, bytes: 4e12, seconds: 5000 } }) }),
      'statement-timeouts',
    );
    expect(slow.status).toBe('fail');
    expect(slow.detail).toContain(`${first.id} (~5000 s, timeout 30 s)`);
  });

  it("server version against the plan's, and CONCURRENTLY on 14.0-14.3 as a function of the version", async () => {
    const s = await setup();
    const newer = only(
      await preflight(s, { plan: { ...plan, server: { version: '99.0', versionNum: 990000 } } }),
      'server-version',
    );
    expect(newer.status).toBe('fail');
    expect(newer.detail).toContain('made for PostgreSQL 99.0');
    expect(
      only(await preflight(s, { plan: { ...plan, server: { version: '12.1', versionNum: 120001 } } }), 'server-version')
        .status,
    ).toBe('warn');

    expect([139999, 140000, 140002, 140003, 140004, 150000].map(concurrentlyIsBroken)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    const broken = concurrentlyVerdict(140002, ['r1-expand-009']);
    expect(broken).toMatchObject({ id: 'concurrently-version', status: 'fail' });
    expect(broken.detail).toContain('PostgreSQL 14.2');
    expect(broken.fix).toContain('14.4');
    expect(concurrentlyVerdict(140002, []).status).toBe('pass');
    expect(concurrentlyVerdict(140005, ['r1-expand-009']).status).toBe('pass');
  });

  it('anti-wraparound autovacuum on a plan table fails; a table near its freeze limit warns', () => {
    const running = wraparoundVerdict([{ pid: 4242, table: 'public.users', onPlan: true }], []);
    expect(running).toMatchObject({ id: 'autovacuum-wraparound', status: 'fail' });
    expect(running.detail).toContain('public.users (pid 4242)');
    expect(wraparoundVerdict([], [{ table: 'public.users', age: 190_000_000, freezeMaxAge: 200_000_000 }]).status).toBe(
      'warn',
    );
    expect(wraparoundVerdict([{ pid: 1, table: 'public.other', onPlan: false }], []).status).toBe('pass');
  });
});
