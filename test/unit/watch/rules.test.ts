// The alert rules on synthetic samples: connections near max_connections, deadlocks and recovery conflicts since
// the last sample, a failed health check, slot retention, and the error rate threshold.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, runConditions, targetConditions, type TargetTick } from '../../../src/watch/rules.js';
import type { DatabaseSample } from '../../../src/watch/sample.js';

const sample = (o: Partial<DatabaseSample> = {}): DatabaseSample => ({
  at: 0,
  serverVersionNum: 170000,
  commits: 0,
  rollbacks: 0,
  deadlocks: 0,
  conflicts: 0,
  connections: 10,
  maxConnections: 97,
  lockWaits: [],
  lockWaiting: 0,
  longTransactions: { count: 0, sessions: [] },
  idleInTransaction: { count: 0, sessions: [] },
  slots: [],
  watchSlot: null,
  ...o,
});
const tick = (s: DatabaseSample, o: Partial<TargetTick> = {}): TargetTick => ({
  label: 'postgres://app:***@db/app',
  sample: s,
  rollbacksPerS: 0,
  deadlocks: 0,
  conflicts: 0,
  splitBrain: null,
  ...o,
});
const names = (t: TargetTick) => targetConditions(t, DEFAULT_THRESHOLDS).map((c) => `${c.alert}:${c.severity}`);

describe('alert rules', () => {
  it('a quiet database raises nothing', () => {
    expect(names(tick(sample()))).toEqual([]);
  });

  it('connections at 90% warn and at 100% are critical', () => {
    expect(names(tick(sample({ connections: 87 })))).toEqual([]);
    expect(names(tick(sample({ connections: 88 })))).toEqual(['connections:warning']);
    expect(names(tick(sample({ connections: 97 })))).toEqual(['connections:critical']);
  });

  it('deadlocks and recovery conflicts since the last sample, and the error rate above errorRatePerS', () => {
    expect(names(tick(sample(), { deadlocks: 1, conflicts: 2, rollbacksPerS: 5 }))).toEqual([
      'deadlock:warning',
      'recovery_conflict:warning',
    ]);
    expect(names(tick(sample(), { rollbacksPerS: 5.1 }))).toEqual(['error_rate:critical']);
  });

  it('slot retention over slotRetainedBytes, lag over lagBytes, split brain', () => {
    const slot = {
      slot: 'switchyard_blue_to_green_g1',
      active: false,
      lagBytes: 65 * 1024 ** 2,
      retainedBytes: 2 * 1024 ** 3,
    };
    const c = targetConditions(tick(sample({ slots: [slot] }), { splitBrain: 3 }), DEFAULT_THRESHOLDS);
    expect(c.map((x) => `${x.alert}:${x.subject}`)).toEqual([
      'replication_lag:switchyard_blue_to_green_g1',
      'slot_retention:switchyard_blue_to_green_g1',
      'split_brain:postgres://app:***@db/app',
    ]);
    expect(c[0]!.text).toContain('no subscriber is connected');
  });

  it('a failed health check is critical and names the check', () => {
    const c = runConditions(
      {
        plan: 'tiers',
        release: 1,
        phase: 'expand',
        running: false,
        stepsDone: 3,
        steps: 3,
        elapsedS: 2,
        healthFailed: 'GET /healthz: HTTP 503',
      },
      DEFAULT_THRESHOLDS,
      undefined,
    );
    expect(c).toMatchObject([
      { alert: 'health_check', severity: 'critical', text: expect.stringContaining('HTTP 503') },
    ]);
  });
});
