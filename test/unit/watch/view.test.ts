// The live view: one status block redrawn in place (cursor up over the previous block, clear below), alerts
// printed above it; JSON lines otherwise.
import { describe, expect, it } from 'vitest';
import { liveView, statusBlock, tickLine } from '../../../src/watch/view.js';
import type { WatchTick } from '../../../src/watch/watcher.js';

const tick = (waiting: number): WatchTick => ({
  at: '2026-01-10T02:30:00.000Z',
  tick: 1,
  targets: [
    {
      label: 'postgres://app:***@db/app',
      rollbacks: 10,
      rollbacksPerS: 0.5,
      deadlocksTotal: 0,
      connections: 12,
      connectionsUsedRatio: 0.12,
      lockWaiting: waiting,
      lockWaits: [],
      longTransactions: 0,
      idleInTransaction: 1,
      slots: [{ slot: 'switchyard_blue_to_green_g1', active: true, lagBytes: 3 * 1024 ** 2, retainedBytes: 0 }],
      splitBrain: null,
    },
  ],
  progress: {
    plan: 'tiers',
    release: 1,
    phase: 'backfill',
    running: true,
    stepsDone: 1,
    steps: 2,
    elapsedS: 42,
    estimateS: 60,
    backfill: { rows: 5000, totalRows: 10000, rowsPerSecond: 250, etaSeconds: 20 },
  },
  window: { usedRatio: 0.25, minutes: 120 },
  firing: [],
  notifications: [],
  delivery: { queued: 0, sent: 0, failed: 0, dropped: 0, errors: {} },
  queries: 1,
});

describe('live view', () => {
  it('shows progress, ETA, lock waits, lag and the window used', () => {
    expect(statusBlock(tick(2))).toEqual([
      'tiers release 1 backfill: 1/2 steps, 42 s (estimate 60 s)',
      '  backfill 5000/10000 rows, 250 rows/s, ETA 20 s',
      'window: 25% of 120 min used',
      'postgres://app:***@db/app: 2 waiting on locks, 0.5 rollbacks/s, 0 long / 1 idle-in-transaction, connections 12 (12%), lag switchyard_blue_to_green_g1 3.0 MiB',
      'no alert firing',
    ]);
  });

  it('redraws the block in place and prints alerts above it', () => {
    let out = '';
    const v = liveView((t) => void (out += t));
    v.draw(tick(0));
    expect(out).not.toContain('\x1b[');
    out = '';
    v.draw(tick(3));
    expect(out.startsWith('\x1b[5A\x1b[0J')).toBe(true);
    expect(out).toContain('3 waiting on locks');
    out = '';
    v.above('[switchyard warning] lock wait');
    expect(out.startsWith('\x1b[5A\x1b[0J[switchyard warning] lock wait\n')).toBe(true);
    expect(out.endsWith('no alert firing\n')).toBe(true);
  });

  it('off a terminal: one JSON object per tick', () => {
    const line = tickLine(tick(1));
    expect(line.endsWith('\n')).toBe(true);
    expect(JSON.parse(line)).toMatchObject({ event: 'watch', queries: 1, progress: { phase: 'backfill' } });
  });
});
