import { describe, expect, it } from 'vitest';
import { fanout, type FanoutProgress } from '../../../src/tenants/fanout.js';

const open = (() => {
  let n = 0;
  return async () => ++n;
})();

describe('fanout', () => {
  it('runs every tenant once over N workers, never more at once, and counts outcomes', async () => {
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    const events: FanoutProgress[] = [];
    const tenants = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const r = await fanout(
      tenants,
      async (_w, t) => {
        running++;
        peak = Math.max(peak, running);
        seen.push(t);
        await new Promise((res) => setTimeout(res, 1 + (t.length % 3)));
        running--;
        if (t === 't7') throw new Error('boom');
        return t === 't3' ? 'skipped' : 2;
      },
      { concurrency: 3, onError: 'continue', open, close: async () => undefined, onProgress: (p) => events.push(p) },
    );
    expect(peak).toBe(3);
    expect([...seen].sort()).toEqual([...tenants].sort());
    expect(r.notStarted).toEqual([]);
    expect(r.outcomes.find((o) => o.tenant === 't7')).toMatchObject({ state: 'failed', error: 'boom', ran: 0 });
    expect(r.outcomes.find((o) => o.tenant === 't3')).toMatchObject({ state: 'skipped', ran: 0 });
    expect(r.outcomes.filter((o) => o.state === 'done')).toHaveLength(18);
    const last = events.at(-1)!;
    expect({
      done: last.done,
      skipped: last.skipped,
      failed: last.failed,
      running: last.running,
      pending: last.pending,
      total: last.total,
    }).toEqual({ done: 18, skipped: 1, failed: 1, running: 0, pending: 0, total: 20 });
    // Every tenant reported running once, then once finished.
    expect(events.filter((e) => e.state === 'running')).toHaveLength(20);
    expect(events[0]).toMatchObject({ state: 'running', pending: 19, running: 1 });
  });

  it('--on-error abort: starts no tenant after the first failure, lets the running ones finish, reports the rest', async () => {
    const started: string[] = [];
    const r = await fanout(
      ['a', 'b', 'c', 'd', 'e'],
      async (_w, t) => {
        started.push(t);
        if (t === 'a') throw new Error('first');
        await new Promise((res) => setTimeout(res, 20));
        return 1;
      },
      { concurrency: 2, onError: 'abort', open, close: async () => undefined },
    );
    expect(started).toEqual(['a', 'b']);
    expect(r.outcomes.map((o) => [o.tenant, o.state])).toEqual([
      ['a', 'failed'],
      ['b', 'done'],
    ]);
    expect(r.notStarted).toEqual(['c', 'd', 'e']);
  });

  it('opens no more workers than tenants, and closes every one it opened', async () => {
    const opened: number[] = [];
    const closed: number[] = [];
    let k = 0;
    await fanout(['x', 'y'], async () => 1, {
      concurrency: 8,
      onError: 'continue',
      open: async () => (opened.push(++k), k),
      close: async (w) => void closed.push(w),
    });
    expect(opened).toEqual([1, 2]);
    expect(closed.sort()).toEqual([1, 2]);
  });
});
