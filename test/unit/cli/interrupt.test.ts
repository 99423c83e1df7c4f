// Ctrl-C (issue #18 point 6): the terminal a progress bar left without cursor and line wrapping gets both back,
// the one line is printed, the clean-up runs before the exit with 130; a second signal says what is still being
// removed, a third forces the removal; a command that stops on Ctrl-C by itself (pair watch) takes the first one.
import { Writable } from 'node:stream';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import {
  claimInterrupt,
  INTERRUPTED_LINE,
  interruptHandler,
  type InterruptDeps,
  RESTORE_TERMINAL,
} from '../../../src/cli/interrupt.js';
import { reporter } from '../../../src/cli/progress.js';
import type { ExecutorEvent } from '../../../src/commands/apply.js';
import type { Step } from '../../../src/planner/types.js';
import { cli } from '../../support/cli.js';

function stream(isTTY: boolean) {
  let text = '';
  const s = Object.assign(new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }), {
    isTTY,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  // cli-progress writes through write(); so does the handler: both land in `text` synchronously.
  s.write = ((chunk: string) => ((text += chunk), true)) as typeof s.write;
  return { stream: s, text: () => text };
}

function harness(tty: boolean) {
  const out = stream(tty);
  const err = stream(tty);
  const calls: string[] = [];
  let finishCleanUp!: () => void;
  const deps: InterruptDeps = {
    stdout: out.stream,
    stderr: err.stream,
    mute: () => calls.push('mute'),
    cleanUp: () => {
      calls.push('cleanUp');
      return new Promise<void>((r) => (finishCleanUp = r));
    },
    force: () => calls.push('force'),
    pending: () => ['PostgreSQL 17 on port 5433', "the demo's plan folder"],
    exit: (code) => calls.push(`exit ${code}`),
  };
  return { out, err, calls, handler: interruptHandler(deps), finish: () => finishCleanUp() };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('interrupt', () => {
  it('on a terminal: shows the cursor, turns line wrapping back on, prints the line, exits 130 after the clean-up', async () => {
    const h = harness(true);
    h.handler('SIGINT');
    expect(RESTORE_TERMINAL).toBe('\x1b[?25h\x1b[?7h');
    expect(h.out.text()).toBe(RESTORE_TERMINAL);
    expect(h.err.text()).toBe(`${RESTORE_TERMINAL}\n${INTERRUPTED_LINE}\n`);
    expect(h.calls).toEqual(['mute', 'cleanUp']);
    h.finish();
    await flush();
    expect(h.calls).toEqual(['mute', 'cleanUp', 'exit 130']);
  });

  it('elsewhere (a pipe, a log): no escape sequence, the line alone', async () => {
    const h = harness(false);
    h.handler('SIGTERM');
    expect(h.out.text()).toBe('');
    expect(h.err.text()).toBe(`${INTERRUPTED_LINE}\n`);
    h.finish();
    await flush();
    expect(h.calls.at(-1)).toBe('exit 130');
  });

  it('with --json: also one JSON document on stdout, as every other error', () => {
    const out = stream(false);
    const err = stream(false);
    const handler = interruptHandler({
      stdout: out.stream,
      stderr: err.stream,
      mute: () => undefined,
      cleanUp: () => new Promise(() => undefined),
      force: () => undefined,
      pending: () => [],
      exit: () => undefined,
      json: () => true,
    });
    handler('SIGINT');
    expect(JSON.parse(out.text())).toEqual({ ok: false, error: { code: 'INTERRUPTED', message: INTERRUPTED_LINE } });
    expect(err.text()).toBe(`${INTERRUPTED_LINE}\n`);
  });

  it('a second signal names what is being removed; a third forces it and exits 130 at once', () => {
    const h = harness(false);
    h.handler('SIGINT');
    h.handler('SIGINT');
    expect(h.err.text()).toBe(
      `${INTERRUPTED_LINE}\ncleaning up (PostgreSQL 17 on port 5433, the demo's plan folder): press Ctrl-C again to kill and remove them at once\n`,
    );
    expect(h.calls).toEqual(['mute', 'cleanUp']);
    h.handler('SIGINT');
    expect(h.calls).toEqual(['mute', 'cleanUp', 'force', 'exit 130']);
    h.finish(); // the graceful clean-up ending afterwards does not exit twice
  });

  it('a command that stops on Ctrl-C by itself takes the first signal; the next one interrupts', () => {
    const h = harness(false);
    let stopped = 0;
    const release = claimInterrupt(() => stopped++);
    h.handler('SIGINT');
    expect(stopped).toBe(1);
    expect(h.err.text()).toBe('');
    expect(h.calls).toEqual([]);
    h.handler('SIGINT');
    expect(stopped).toBe(1);
    expect(h.err.text()).toBe(`${INTERRUPTED_LINE}\n`);
    release();
  });

  it('stops a progress bar that hid the cursor and disabled line wrapping, and restores both', () => {
    const bar = stream(true);
    const step = { id: 'r1-backfill-001', description: 'fill orders.total_cents' } as unknown as Step;
    const r = reporter({ stdout: () => undefined, stderr: () => undefined, isTTY: true }, pc.createColors(false), {
      json: false,
      tty: true,
      barStream: bar.stream,
    });
    const e: ExecutorEvent = {
      kind: 'backfill',
      step,
      rows: 250,
      totalRows: 1000,
      rowsPerSecond: 5000,
      etaSeconds: 0.15,
      batchMs: 50,
    };
    r.onEvent(e);
    expect(bar.text()).toContain('\x1b[?25l'); // hidden by the bar
    expect(bar.text()).toContain('\x1b[?7l');
    const h = harness(true);
    const drawnBefore = bar.text().length;
    h.handler('SIGINT');
    // The bar was stopped (its own restore), and the handler restored the terminal on both streams again.
    expect(bar.text().slice(drawnBefore)).toContain('\x1b[?25h');
    expect(bar.text().slice(drawnBefore)).toContain('\x1b[?7h');
    expect(h.err.text()).toBe(`${RESTORE_TERMINAL}\n${INTERRUPTED_LINE}\n`);
    // Stopped: a later batch draws nothing more over the interrupted line.
    r.onEvent({ ...e, rows: 500 });
    r.close();
    h.finish();
  });
});

describe('--help', () => {
  it('documents exit 130 and what Ctrl-C does, for the CLI and for demo', async () => {
    const top = await cli('--help');
    expect(top.stdout).toContain('130 interrupted');
    expect(top.stdout).toContain(`Ctrl-C (or SIGTERM) during any command: prints "${INTERRUPTED_LINE}"`);
    expect(top.stdout).toContain(
      'A second Ctrl-C says what is still being removed; a third kills and removes it at once.',
    );
    const demo = await cli('demo', '--help');
    expect(demo.stdout).toContain('Ctrl-C at any moment stops and removes every server, PgBouncer and folder');
  });
});
