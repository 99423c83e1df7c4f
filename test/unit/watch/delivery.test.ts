// Alert delivery off the path (issue #20): send() never waits, a failing sink is retried with backoff, a hanging
// one neither holds back another sink nor close() beyond its grace, and a full queue drops the oldest.
import { describe, expect, it } from 'vitest';
import { Delivery, type Sink } from '../../../src/watch/delivery.js';
import { Episodes, type Notification } from '../../../src/watch/episodes.js';
import type { Condition } from '../../../src/watch/rules.js';

const note = (alert = 'lock_wait'): Notification =>
  ({
    text: alert,
    alert,
    state: 'firing',
    severity: 'warning',
    database: 'db',
    plan: null,
    phase: null,
    value: 1,
    threshold: 0,
    since: '',
    at: '',
  }) as Notification;

describe('Delivery', () => {
  it('retries a failing sink with backoff until it succeeds', async () => {
    let calls = 0;
    const flaky: Sink = {
      name: 'flaky',
      deliver: async () => {
        if (++calls < 3) throw new Error('HTTP 503');
      },
    };
    const d = new Delivery([flaky], { backoffMs: 1 });
    d.send(note());
    while (d.status.sent + d.status.failed === 0) await new Promise((r) => setTimeout(r, 1));
    const s = await d.close(5000);
    expect(calls).toBe(3);
    expect(s).toMatchObject({ sent: 1, failed: 0, dropped: 0 });
  });

  it('a sink that never answers holds back neither another sink nor close() past its grace', async () => {
    const got: string[] = [];
    const hanging: Sink = {
      name: 'hanging',
      deliver: (_n, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const fine: Sink = { name: 'fine', deliver: async (n) => void got.push(n.alert) };
    const d = new Delivery([hanging, fine]);
    d.send(note('a'));
    d.send(note('b'));
    const s = await d.close(50);
    expect(got).toEqual(['a', 'b']);
    expect(s.sent).toBe(2);
    expect(s.dropped).toBe(2); // the one in flight and the one behind it, for the hanging sink
    expect(s.errors).toEqual({ hanging: 'no answer before the watch ended' });
  });

  it('a full queue drops the oldest and counts it', async () => {
    const never: Sink = {
      name: 'never',
      deliver: (_n, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const d = new Delivery([never], { capacity: 2 });
    for (const a of ['a', 'b', 'c', 'd']) d.send(note(a));
    // 'a' is in flight; 'b' was dropped for 'd'.
    expect(d.status).toMatchObject({ queued: 2, dropped: 1 });
    const s = await d.close(10);
    expect(s.dropped).toBe(4);
  });
});

describe('Episodes', () => {
  const c = (alert: Condition['alert'], subject = 'x', sticky = false): Condition => ({
    alert,
    subject,
    severity: 'warning',
    value: 1,
    threshold: 0,
    text: alert,
    ...(sticky ? { sticky } : {}),
  });
  const ctx = (now: number) => ({ now, plan: null, phase: null, databaseOf: () => 'db' });

  it('fires once per episode and recovers once, with the time the episode began', () => {
    const e = new Episodes();
    expect(e.update([c('lock_wait')], ctx(1000)).map((n) => n.state)).toEqual(['firing']);
    expect(e.update([c('lock_wait')], ctx(2000))).toEqual([]);
    const [resolved] = e.update([], ctx(3000));
    expect(resolved).toMatchObject({ state: 'resolved', alert: 'lock_wait', since: new Date(1000).toISOString() });
    expect(e.update([c('lock_wait')], ctx(4000)).map((n) => n.since)).toEqual([new Date(4000).toISOString()]);
  });

  it('tells subjects apart; a sticky alert never recovers', () => {
    const e = new Episodes();
    expect(
      e.update([c('replication_lag', 's1'), c('replication_lag', 's2'), c('window_50', 'window', true)], ctx(0)),
    ).toHaveLength(3);
    expect(e.update([c('replication_lag', 's2')], ctx(1)).map((n) => `${n.state}`)).toEqual(['resolved']);
    expect(e.firing).toEqual(['replication_lag:s2', 'window_50:window']);
  });
});
