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
});
