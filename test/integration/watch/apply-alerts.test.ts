// The watcher beside a command (issue #20): a webhook that never answers neither stops nor holds up `apply`
// (the alerts are dropped, the phase is applied); the command sink gets the same JSON on its standard input;
// `switchyard watch --once` through the CLI.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { receiver } from '../../support/receiver.js';
import { exampleProject } from '../executor/support.js';

describe('alerts beside apply', () => {
  it('a dead webhook neither stops nor holds up apply: the phase is applied and the undelivered alerts are dropped', async () => {
    const dead = await receiver({ hang: true });
    // A window of 0.12 s: its three points pass during the phase (which takes longer), so there is something to deliver.
    const p = await exampleProject(`windowMinutes: 0.002\nalerts:\n  intervalMs: 100\n  webhook: ${dead.url}\n`);
    const r = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('applied expand (release 1)');
    // The webhook was tried and never answered; the stderr sink (not held up by it) printed the alerts.
    expect(dead.requests).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/\[switchyard (info|warning|critical)\] .*maintenance window/);
    expect(r.stderr).toMatch(
      /alerts: [1-9][0-9]* not delivered \(\d+ failed, \d+ dropped\); webhook http:\/\/127\.0\.0\.1/,
    );
    // Off a terminal the watcher's ticks are JSON lines beside the progress lines, following the phase.
    const ticks = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{"event":"watch"'))
      .map((l) => JSON.parse(l) as { progress?: { plan?: string; phase?: string; steps: number }; queries: number });
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.at(-1)!.progress).toMatchObject({ plan: 'tiers', phase: 'expand', steps: 15 });
    expect(ticks.every((t) => t.queries === 1)).toBe(true);
    const { rows } = await p.db.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM switchyard.steps WHERE status = 'done'`,
    );
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it('the command sink gets each alert as JSON on its standard input, password masked', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sy-alerts-')), 'alerts.jsonl');
    const p = await exampleProject(
      `windowMinutes: 0.001\nalerts:\n  intervalMs: 100\n  stderr: false\n  command: "cat >> '${out}'"\n`,
    );
    const r = await p.run('--json', 'watch', '--once', '--interval', '0.1');
    expect(r.code, r.stderr).toBe(1); // an alert is firing: the window is over
    const last = JSON.parse(r.stdout) as { firing: string[]; queries: number; targets: { label: string }[] };
    expect(last.firing).toContain('window_100:window');
    expect(last.queries).toBe(1);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const alerts = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(alerts.map((a) => a.alert)).toEqual(['window_50', 'window_80', 'window_100']);
    for (const a of alerts) {
      expect(a).toMatchObject({ state: 'firing', plan: null, database: expect.stringContaining(p.db.name) });
      expect(String(a.text)).toContain('maintenance window');
      const password = new URL(p.db.url).password;
      if (password) expect(JSON.stringify(a)).not.toContain(password);
    }
  });

  it('watch --plan in its own process follows the phase from the ledger', async () => {
    const p = await exampleProject(`alerts:\n  stderr: false\n`);
    const expand = await p.run('apply', p.plan, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(expand.code, expand.stderr).toBe(0);
    // Another process's backfill, as its ledger shows it: the first of its two steps running for 5 s.
    await p.db.client.query(`UPDATE switchyard.steps SET status = 'running', started_at = now() - interval '5 s'
      WHERE plan = 'tiers' AND phase = 'backfill' AND step_id = (SELECT min(step_id) FROM switchyard.steps WHERE plan = 'tiers' AND phase = 'backfill')`);
    const r = await p.run('--json', 'watch', '--once', '--interval', '0.1', '--plan', p.plan);
    const t = JSON.parse(r.stdout) as { progress: Record<string, unknown>; queries: number; firing: string[] };
    // 5 s against an estimate of a fraction of a second: over twice the estimate, so --once exits 1.
    expect(t.firing).toEqual(['phase_overrun:1/backfill']);
    expect(r.code).toBe(1);
    expect(t.progress).toMatchObject({
      plan: 'tiers',
      release: 1,
      phase: 'backfill',
      running: true,
      stepsDone: 0,
      steps: 2,
    });
    expect(t.progress.elapsedS as number).toBeGreaterThanOrEqual(5);
    expect(t.queries).toBe(2); // the sample and the ledger
  });
});
