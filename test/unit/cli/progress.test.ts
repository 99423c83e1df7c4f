// What an executor shows while it works: on a terminal, step lines and a backfill bar with rows, rows/s and
// ETA; elsewhere, JSON lines (backfill at most once a second, and always the last batch).
import { Writable } from 'node:stream';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { reporter } from '../../../src/cli/progress.js';
import type { ExecutorEvent } from '../../../src/commands/apply.js';
import type { Step } from '../../../src/planner/types.js';

const step = { id: 'r1-backfill-001', description: 'fill orders.total_cents from orders.total' } as unknown as Step;
const events: ExecutorEvent[] = [
  { kind: 'phase', release: 1, phase: 'backfill', state: 'start' },
  { kind: 'step', step, state: 'start' },
  ...[250, 500, 750, 1000].map(
    (rows): ExecutorEvent => ({
      kind: 'backfill',
      step,
      rows,
      totalRows: 1000,
      rowsPerSecond: 5000,
      etaSeconds: (1000 - rows) / 5000,
      batchMs: 50,
    }),
  ),
  { kind: 'step', step, state: 'done' },
  { kind: 'phase', release: 1, phase: 'backfill', state: 'done', ms: 200 },
];

function terminal() {
  let text = '';
  const stream = Object.assign(new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return { stream, text: () => text };
}

describe('progress on a terminal', () => {
  it('prints the phase and step lines and draws the backfill bar with rows, rows/s and ETA', () => {
    let lines = '';
    const bar = terminal();
    const r = reporter(
      { stdout: () => undefined, stderr: (t) => void (lines += t), isTTY: true },
      pc.createColors(false),
      { json: false, tty: true, barStream: bar.stream },
    );
    for (const e of events) r.onEvent(e);
    r.close();
    expect(lines).toBe(
      'backfill (release 1)\n  r1-backfill-001 fill orders.total_cents from orders.total\napplied backfill (release 1) in 200 ms\n',
    );
    expect(bar.text()).toMatch(/backfill \[[█░]+\] 100% \| 1000\/1000 rows \| 5000 rows\/s \| ETA /);
  });
});

describe('progress elsewhere', () => {
  it('writes one JSON object per line, the last backfill batch included', () => {
    let lines = '';
    const r = reporter(
      { stdout: () => undefined, stderr: (t) => void (lines += t), isTTY: false },
      pc.createColors(false),
      { json: false },
    );
    for (const e of events) r.onEvent(e);
    const parsed = lines
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((x) => x.event)).toEqual(['phase', 'step', 'backfill', 'backfill', 'step', 'phase']);
    expect(parsed[3]).toMatchObject({
      event: 'backfill',
      step: 'r1-backfill-001',
      rows: 1000,
      totalRows: 1000,
      rowsPerSecond: 5000,
      etaSeconds: 0,
    });
  });
});
