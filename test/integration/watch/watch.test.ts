// The watcher on a real PostgreSQL (issue #20): lock waits naming the blocker, the error rate, the window points
// with an injected clock, and /metrics matching the database. Alerts are received by a local HTTP server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig, type SwitchyardConfig } from '../../../src/config/config.js';
import { startWatch } from '../../../src/commands/watch.js';
import { freshDatabase } from '../../support/db.js';
import { receiver, until } from '../../support/receiver.js';

async function configWith(yaml: string): Promise<SwitchyardConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-watch-'));
  writeFileSync(join(dir, 'switchyard.yaml'), yaml);
  return loadConfig(join(dir, 'switchyard.yaml'));
}

const pid = async (c: pg.Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

type Body = Record<string, unknown> & { alert: string; state: string; detail?: Record<string, unknown> };

describe('switchyard watch', () => {
  it('a lock held by a second session fires lock_wait within 2 intervals, naming the blocker, and recovers after', async () => {
    const db = await freshDatabase();
    await db.client.query(
      'CREATE TABLE accounts (id int PRIMARY KEY, balance int); INSERT INTO accounts VALUES (1, 0)',
    );
    const hook = await receiver();
    const intervalMs = 250;
    const lockWaitMs = 1000;
    const config = await configWith(
      `database: ${db.url}\nalerts:\n  intervalMs: ${intervalMs}\n  lockWaitMs: ${lockWaitMs}\n  webhook: ${hook.url}\n  stderr: false\n`,
    );
    const w = await startWatch(config, {});
    w.watcher.run();
    try {
      const holder = await db.connect();
      await holder.query(`SET application_name = 'nightly-report'`);
      const holderPid = await pid(holder);
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      // The lock is held for 3 s while this statement runs; the blocker's query is what the alert names.
      const held = holder.query('SELECT pg_sleep(3) /* holding accounts */').then(() => holder.query('COMMIT'));
      const waiter = await db.connect();
      const waiterPid = await pid(waiter);
      const waited = waiter.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');

      const fired = await until('the lock_wait alert', () =>
        (hook.bodies as Body[]).find((b) => b.alert === 'lock_wait' && b.state === 'firing'),
      );
      const session = fired.detail!.session as {
        pid: number;
        waitingMs: number;
        blocker: { pid: number; query: string; applicationName: string };
      };
      expect(session.pid).toBe(waiterPid);
      expect(session.blocker.pid).toBe(holderPid);
      expect(session.blocker.applicationName).toBe('nightly-report');
      expect(session.blocker.query).toContain('pg_sleep(3) /* holding accounts */');
      expect(fired.text).toContain(`pid ${holderPid}`);
      expect(fired.text).toContain('holding accounts');
      // Fired within two intervals of crossing the threshold, by the database's own measure of the wait.
      expect(fired.value).toBeGreaterThanOrEqual(lockWaitMs);
      expect(fired.value).toBeLessThan(lockWaitMs + 2 * intervalMs);
      expect(fired).toMatchObject({
        severity: 'warning',
        threshold: lockWaitMs,
        database: expect.stringContaining(db.name),
      });
      expect(typeof fired.since).toBe('string');

      await held;
      await waited;
      const resolved = await until('the recovery', () =>
        (hook.bodies as Body[]).find((b) => b.alert === 'lock_wait' && b.state === 'resolved'),
      );
      expect(resolved.since).toBe(fired.since);
      // Once per episode: one firing, one recovery.
      expect((hook.bodies as Body[]).filter((b) => b.alert === 'lock_wait').map((b) => b.state)).toEqual([
        'firing',
        'resolved',
      ]);
    } finally {
      await w.stop();
    }
  });

  it('a burst of failing transactions fires error_rate; switchyard lock-timeout retries are not counted', async () => {
    const db = await freshDatabase();
    const hook = await receiver();
    const config = await configWith(
      `database: ${db.url}\nalerts:\n  intervalMs: 200\n  errorRatePerS: 5\n  webhook: ${hook.url}\n  stderr: false\n`,
    );
    const w = await startWatch(config, {});
    try {
      await w.watcher.tick();
      // Retries the executor reports are subtracted: 200 of them, and 200 rolled-back transactions, make no alert.
      const own = await db.connect();
      for (let i = 0; i < 200; i++) {
        await own.query('BEGIN');
        await own.query('ROLLBACK');
        w.onEvent({ kind: 'retry', step: {} as never, attempt: 1, waitMs: 0, reason: 'lock timeout' });
      }
      await own.end(); // a session's statistics are flushed when it ends
      await new Promise((r) => setTimeout(r, 300));
      const quiet = await w.watcher.tick();
      expect(quiet.targets[0]!.rollbacksPerS).toBe(0);
      expect(quiet.firing).toEqual([]);

      const app = await db.connect();
      for (let i = 0; i < 300; i++) await app.query('SELECT 1 / 0').catch(() => undefined);
      await app.end();
      await new Promise((r) => setTimeout(r, 300));
      const t = await w.watcher.tick();
      expect(t.targets[0]!.rollbacksPerS).toBeGreaterThan(5);
      expect(t.firing).toContain(`error_rate:${t.targets[0]!.label}`);
      const fired = await until('the error_rate alert', () =>
        (hook.bodies as Body[]).find((b) => b.alert === 'error_rate' && b.state === 'firing'),
      );
      expect(fired).toMatchObject({ severity: 'critical', threshold: 5 });
      expect(fired.value as number).toBeGreaterThan(5);
    } finally {
      await w.stop();
    }
  });

  it('the window fires at 50%, 80% and 100% of windowMinutes (injected clock), each once', async () => {
    const db = await freshDatabase();
    const hook = await receiver();
    const config = await configWith(
      `database: ${db.url}\nwindowMinutes: 120\nalerts:\n  webhook: ${hook.url}\n  stderr: false\n`,
    );
    const start = Date.parse('2026-01-10T02:00:00Z');
    let now = start;
    const w = await startWatch(config, { now: () => now });
    try {
      const at = async (minutes: number) => {
        now = start + minutes * 60_000;
        return (await w.watcher.tick()).notifications.map((n) => n.alert);
      };
      // The postmortem's 2-hour window from 02:00: 03:00, 03:36 and 04:00.
      expect(await at(0)).toEqual([]);
      expect(await at(59.9)).toEqual([]);
      expect(await at(60)).toEqual(['window_50']);
      expect(await at(70)).toEqual([]);
      expect(await at(95.9)).toEqual([]);
      expect(await at(96)).toEqual(['window_80']);
      expect(await at(119.9)).toEqual([]);
      expect(await at(120)).toEqual(['window_100']);
      expect(await at(150)).toEqual([]);
      await until('three deliveries', () => (hook.bodies.length >= 3 ? true : undefined));
      const bodies = hook.bodies as Body[];
      expect(bodies.map((b) => [b.alert, b.severity, b.since])).toEqual([
        ['window_50', 'info', '2026-01-10T03:00:00.000Z'],
        ['window_80', 'warning', '2026-01-10T03:36:00.000Z'],
        ['window_100', 'critical', '2026-01-10T04:00:00.000Z'],
      ]);
    } finally {
      await w.stop();
    }
  });

  it('follows the phase against its estimate (injected clock): progress, backfill rate and ETA, then phase_overrun', async () => {
    const db = await freshDatabase();
    const config = await configWith(`database: ${db.url}\nalerts:\n  phaseOverrunRatio: 2\n  stderr: false\n`);
    // Two steps estimated at 0.05 s of overhead plus 9.95 s and 4.95 s of cost: 15 s for the phase.
    const step = (id: string, seconds: number) => ({ id, cost: { rows: 0, bytes: 0, seconds } });
    const plan = {
      name: 'tiers',
      releases: [{ number: 1, expand: [], backfill: [step('a', 9.95), step('b', 4.95)], contract: [] }],
    } as unknown as import('../../../src/planner/types.js').Plan;
    let now = Date.parse('2026-01-10T02:00:00Z');
    const w = await startWatch(config, { now: () => now, plan });
    try {
      w.onEvent({ kind: 'phase', release: 1, phase: 'backfill', state: 'start' });
      w.onEvent({ kind: 'step', step: plan.releases[0]!.backfill[0]!, state: 'done' });
      w.onEvent({
        kind: 'backfill',
        step: plan.releases[0]!.backfill[1]!,
        rows: 4000,
        totalRows: 10000,
        rowsPerSecond: 400,
        etaSeconds: 15,
        batchMs: 20,
      });
      now += 20_000;
      const t = await w.watcher.tick();
      expect(t.progress).toMatchObject({
        plan: 'tiers',
        phase: 'backfill',
        stepsDone: 1,
        steps: 2,
        elapsedS: 20,
        estimateS: 15,
        backfill: { rows: 4000, totalRows: 10000, rowsPerSecond: 400, etaSeconds: 15 },
      });
      expect(t.firing).toEqual([]);
      now += 10_500; // 30.5 s: over twice the estimate
      const over = await w.watcher.tick();
      expect(over.notifications.map((n) => [n.alert, n.threshold, n.plan, n.phase])).toEqual([
        ['phase_overrun', 30, 'tiers', 'release 1 backfill'],
      ]);
      w.onEvent({ kind: 'phase', release: 1, phase: 'backfill', state: 'done' });
      now += 60_000;
      expect((await w.watcher.tick()).notifications.map((n) => [n.alert, n.state])).toEqual([
        ['phase_overrun', 'resolved'],
      ]);
    } finally {
      await w.stop();
    }
  });

  it('/metrics is Prometheus text with HELP and TYPE, bound to 127.0.0.1, and its values match the database', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE t (id int)');
    const config = await configWith(`database: ${db.url}\nalerts:\n  lockWaitMs: 100\n  stderr: false\n`);
    const w = await startWatch(config, { metricsPort: 0 });
    try {
      const holder = await db.connect();
      await holder.query('BEGIN; LOCK TABLE t');
      const waiters = [await db.connect(), await db.connect()];
      const waits = waiters.map((c) => c.query('SELECT count(*) FROM t'));
      for (let n = 0; n < 2; ) {
        const { rows } = await db.client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        n = Number(rows[0]!.n);
      }
      await new Promise((r) => setTimeout(r, 200));
      const counts = async () =>
        (
          await db.client.query<{ n: string; c: string; rb: string }>(
            `SELECT (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()) AS n,
                    (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS c,
                    (SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS rb`,
          )
        ).rows[0]!;
      const before = await counts();
      const tick = await w.watcher.tick();
      const res = await fetch(`http://127.0.0.1:${w.metrics!.port}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const text = await res.text();
      const metrics = parsePrometheus(text);
      const value = (name: string) => metrics.get(name)?.samples[0]?.value;
      const after = await counts();
      expect(value('switchyard_lock_waiting_sessions')).toBe(2);
      expect(value('switchyard_lock_waiting_sessions')).toBe(Number(after.n));
      expect(value('switchyard_transactions_rolled_back')).toBe(Number(after.rb));
      // Connections are the server's: other tests' sessions come and go, so within what was seen around the scrape.
      const seen = [Number(before.c), Number(after.c)];
      expect(value('switchyard_connections')).toBeGreaterThanOrEqual(Math.min(...seen));
      expect(value('switchyard_connections')).toBeLessThanOrEqual(Math.max(...seen));
      expect(value('switchyard_lock_wait_longest_seconds')).toBeGreaterThan(0.1);
      expect(value('switchyard_watch_queries_per_tick')).toBe(tick.queries);
      expect(value('switchyard_alerts_firing')).toBe(1);
      for (const name of ['switchyard_lock_waiting_sessions', 'switchyard_alerts_firing', 'switchyard_up'])
        expect(metrics.get(name)?.type).toBe('gauge');
      // Bound to the loopback interface only.
      expect(w.metrics!.host).toBe('127.0.0.1');
      await holder.query('COMMIT');
      await Promise.all(waits);
    } finally {
      await w.stop();
    }
  });
});

interface ParsedMetric {
  help?: string;
  type?: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

/** A strict reader of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample of a declared metric. */
function parsePrometheus(text: string): Map<string, ParsedMetric> {
  expect(text.endsWith('\n')).toBe(true);
  const out = new Map<string, ParsedMetric>();
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines (prom-client separates metrics with one).
    if (line === '') continue;
    let m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    if (m) {
      expect(out.has(m[1]!), `HELP of ${m[1]} before its samples, once`).toBe(false);
      out.set(m[1]!, { help: m[2]!, samples: [] });
      continue;
    }
    m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (m) {
      const x = out.get(m[1]!);
      expect(x && x.type === undefined && x.samples.length === 0, `TYPE of ${m[1]} after HELP`).toBe(true);
      x!.type = m[2]!;
      continue;
    }
    m = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\n"])*",?)*)\\})? (\\S+)$`).exec(
      line,
    );
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const metric = out.get(m![1]!);
    expect(metric?.type, `${m![1]} declared before its samples`).toBeDefined();
    const value = Number(m![3]!.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'));
    expect(Number.isNaN(value) && m![3] !== 'NaN').toBe(false);
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    metric!.samples.push({ labels, value });
  }
  return out;
}
