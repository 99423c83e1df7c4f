// `switchyard preflight` through the command line: output, exit codes, --json, --strict, --help.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../../src/executor/preflight.js';
import { planToYaml } from '../../../src/planner/file.js';
import { writeReport } from '../../../src/executor/rehearsal-report.js';
import { cli } from '../../support/cli.js';
import { plan, report, setup } from './preflight-support.js';

describe('switchyard preflight (CLI)', () => {
  it('prints one line per check with the fix under the others, exits 1 on a failure, 0 on warnings unless --strict', async () => {
    const s = await setup();
    const plans = join(s.dir, 'plans');
    mkdirSync(plans);
    writeFileSync(join(plans, '0001_scenario.plan.yaml'), planToYaml(plan));
    await writeReport(join(plans, '0001_scenario.plan.yaml'), report(plan));
    const cfg = join(s.dir, 'switchyard.yaml');
    const base = `database: ${s.db.url}\nallowHazards: [DELETES_DATA, BREAKS_OLD_APP]\nwindowMinutes: 60\n`;
    writeFileSync(cfg, `${base}backup:\n  file: backup.dump\n`);
    const planFile = 'plans/0001_scenario.plan.yaml';
    const pass = await cli('--config', cfg, 'preflight', planFile);
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/^preflight plans\/0001_scenario\.plan\.yaml on postgres:\/\//);
    expect(pass.stdout).toContain('  pass  no lock requests waiting [pending-locks]: no session is waiting for a lock');
    expect(pass.stdout).toMatch(/ready to apply: \d+ passed, 0 warnings, 0 failed/);
    expect(pass.stdout).not.toContain(new URL(s.db.url).password);

    const json = JSON.parse((await cli('--config', cfg, '--json', 'preflight', planFile)).stdout) as {
      ok: boolean;
      checks: Check[];
    };
    expect(json.ok).toBe(true);
    expect(json.checks.length).toBeGreaterThanOrEqual(20);

    writeFileSync(cfg, base);
    const warned = await cli('--config', cfg, 'preflight', planFile);
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('  warn  a recent backup exists [backup]: no backup is configured');
    expect(warned.stdout).toContain('        fix: set backup.file');
    expect((await cli('--config', cfg, 'preflight', planFile, '--strict')).code).toBe(1);

    rmSync(join(plans, '0001_scenario.rehearsal.json'));
    const failed = await cli('--config', cfg, 'preflight', planFile);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('  FAIL  rehearsal passed for this checksum [rehearsal]: no rehearsal report');
    expect(failed.stdout).toMatch(/not ready: \d+ passed, 1 warning, 1 failed/);

    const unreachable = await cli(
      '--config',
      cfg,
      'preflight',
      planFile,
      '--db',
      'postgres://nobody:secret-pw@127.0.0.1:1/x',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('FAIL  connection and server version [connection]');
    expect(unreachable.stdout).not.toContain('secret-pw');

    const help = await cli('preflight', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--strict');
    expect((await cli('--config', cfg, 'preflight', planFile, '--long-transaction-seconds', 'soon')).code).toBe(2);
  });

  it('--release/--phase check only what that phase runs; --allow-hazard allows as apply does', async () => {
    const s = await setup();
    const plans = join(s.dir, 'plans');
    mkdirSync(plans);
    writeFileSync(join(plans, '0001_scenario.plan.yaml'), planToYaml(plan));
    await writeReport(join(plans, '0001_scenario.plan.yaml'), report(plan));
    const cfg = join(s.dir, 'switchyard.yaml');
    // No hazard allowed in the configuration: the example drops columns in releases 2 and 3.
    writeFileSync(cfg, `database: ${s.db.url}\nwindowMinutes: 60\nbackup:\n  file: backup.dump\n`);
    const planFile = 'plans/0001_scenario.plan.yaml';
    const checks = async (...args: string[]) => {
      const r = await cli('--config', cfg, '--json', 'preflight', planFile, ...args);
      const out = JSON.parse(r.stdout) as { ok: boolean; selection?: unknown; checks: Check[] };
      return { code: r.code, out, hazards: out.checks.find((c) => c.id === 'hazards')! };
    };
    const whole = await checks();
    expect(whole.code).toBe(1);
    expect(whole.hazards.status).toBe('fail');
    expect(whole.hazards.detail).toContain('DELETES_DATA');

    const expand = await checks('--release', '1', '--phase', 'expand');
    expect(expand.hazards.status, expand.hazards.detail).toBe('pass');
    expect(expand.hazards.detail).toContain('release 1 expand');
    expect(expand.out.selection).toEqual({ release: 1, phase: 'expand' });
    expect(expand.code, JSON.stringify(expand.out.checks.filter((c) => c.status === 'fail'))).toBe(0);
    // Only that phase's steps: the window is judged on release 1 expand, not on the longest phase.
    expect(expand.out.checks.find((c) => c.id === 'window')!.detail).toContain('release 1 expand is estimated');

    const contract = await checks('--release', '3', '--phase', 'contract');
    expect(contract.code).toBe(1);
    expect(contract.hazards.status).toBe('fail');
    expect(contract.hazards.fix).toContain('--allow-hazard');
    const allowed = await checks('--release', '3', '--phase', 'contract', '--allow-hazard', 'DELETES_DATA');
    expect(allowed.hazards.status, allowed.hazards.detail).toBe('pass');
    expect(allowed.code).toBe(0);

    const text = await cli('--config', cfg, 'preflight', planFile, '--release', '1', '--phase', 'expand');
    expect(text.stdout).toMatch(/^preflight plans\/0001_scenario\.plan\.yaml \(release 1 expand only\) on /);
    // Usage errors name the option: exit 2.
    const word = await cli('--config', cfg, 'preflight', planFile, '--release', 'one', '--phase', 'expand');
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('--release');
    const half = await cli('--config', cfg, 'preflight', planFile, '--release', '1');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--phase');
    const none = await cli('--config', cfg, 'preflight', planFile, '--release', '9', '--phase', 'expand');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('has no release 9');
    expect((await cli('--config', cfg, 'preflight', planFile, '--allow-hazard', 'NOPE')).code).toBe(2);
    const help = await cli('preflight', '--help');
    expect(help.stdout).toContain('--release <n>');
    expect(help.stdout).toContain('--allow-hazard');
  });
});
