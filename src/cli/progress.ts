// What an executor command shows while it works. On a terminal: a line per step and a progress bar for each
// backfill (rows, rows/s, ETA). Otherwise (CI logs, pipes, --json): one JSON object per line on stderr, so
// the progress of a long phase can be followed and parsed; backfill batches at most once a second.
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';
import type { ExecutorEvent } from '../commands/apply.js';
import type { CliIO, Colors } from './io.js';
import { duration } from '../planner/show/summary.js';
import { onInterrupt } from './interrupt.js';

// cli-progress is loaded on the first progress bar, not at start-up.
const require = createRequire(import.meta.url);

export interface Reporter {
  readonly onEvent: (e: ExecutorEvent) => void;
  /** Stops any bar still drawn (call before printing the result or an error). */
  readonly close: () => void;
}

export function reporter(
  io: CliIO,
  c: Colors,
  o: { json: boolean; tty?: boolean; barStream?: NodeJS.WritableStream },
): Reporter {
  const tty = (o.tty ?? (io.isTTY && Boolean(process.stderr.isTTY))) && !o.json;
  return tty ? terminalReporter(io, c, o.barStream ?? process.stderr) : jsonLinesReporter(io);
}

function jsonLinesReporter(io: CliIO): Reporter {
  const lastBackfill = new Map<string, number>();
  const line = (x: Record<string, unknown>) => io.stderr(`${JSON.stringify({ ts: new Date().toISOString(), ...x })}\n`);
  return {
    close: () => undefined,
    onEvent(e) {
      switch (e.kind) {
        case 'step':
          return line({ event: 'step', step: e.step.id, state: e.state, description: e.step.description });
        case 'retry':
          return line({ event: 'retry', step: e.step.id, attempt: e.attempt, waitMs: e.waitMs, reason: e.reason });
        case 'rebuild':
          return line({ event: 'rebuild', step: e.step.id, index: e.index });
        case 'pause':
          return line({ event: 'pause', step: e.step.id, reason: e.reason, ms: e.ms });
        case 'backfill': {
          const now = Date.now();
          const finished = e.rows >= e.totalRows;
          if (!finished && now - (lastBackfill.get(e.step.id) ?? 0) < 1000) return;
          lastBackfill.set(e.step.id, now);
          return line({
            event: 'backfill',
            step: e.step.id,
            rows: e.rows,
            totalRows: e.totalRows,
            rowsPerSecond: Math.round(e.rowsPerSecond),
            etaSeconds: Math.round(e.etaSeconds),
            batchMs: Math.round(e.batchMs),
          });
        }
        case 'phase':
          return line({
            event: 'phase',
            release: e.release,
            phase: e.phase,
            state: e.state,
            ...(e.ms !== undefined ? { ms: e.ms } : {}),
          });
        case 'drift':
          return line({
            event: 'drift',
            checked: e.check.checked,
            fingerprint: e.check.fingerprint,
            where: e.check.where,
          });
        case 'health':
          return line({
            event: 'health',
            ok: e.result.ok,
            check: e.result.check,
            detail: e.result.detail,
            ms: e.result.ms,
          });
        case 'notice':
          return line({ event: 'notice', message: e.message });
        case 'tenants':
          // One line per tenant finished (not per start: a thousand tenants make a thousand lines, not two thousand).
          if (e.state === 'running' || e.state === 'pending') return;
          return line({
            event: 'tenant',
            tenant: e.tenant,
            state: e.state,
            ...(e.error ? { error: e.error } : {}),
            done: e.done,
            skipped: e.skipped,
            failed: e.failed,
            running: e.running,
            pending: e.pending,
            total: e.total,
          });
      }
    },
  };
}

function terminalReporter(io: CliIO, c: Colors, stream: NodeJS.WritableStream): Reporter {
  let bar: cliProgress.SingleBar | undefined;
  let barStep: string | undefined;
  let forget: (() => void) | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
    barStep = undefined;
    forget?.();
    forget = undefined;
  };
  // Ctrl-C: the bar stops (its timer would draw over the interrupted line) and gives the cursor back.
  const drawn = (b: cliProgress.SingleBar) => {
    bar = b;
    forget = onInterrupt(stopBar);
    return b;
  };
  const say = (text: string) => {
    // A line printed under a live bar would be overwritten: the bar is stopped first.
    stopBar();
    io.stderr(`${text}\n`);
  };
  return {
    close: stopBar,
    onEvent(e) {
      switch (e.kind) {
        case 'phase':
          return say(
            e.state === 'start'
              ? c.bold(`${e.phase} (release ${e.release})`)
              : `${c.green(e.state === 'done' ? 'applied' : 'rolled back')} ${e.phase} (release ${e.release})${e.ms !== undefined ? c.dim(` in ${duration(e.ms)}`) : ''}`,
          );
        case 'step':
          if (e.state === 'start')
            return barStep === e.step.id ? undefined : say(`  ${c.dim(e.step.id)} ${e.step.description}`);
          if (e.state === 'skipped') return say(`  ${c.dim(e.step.id)} ${c.dim('already done')}`);
          if (barStep === e.step.id) stopBar();
          return;
        case 'retry':
          return say(`  ${c.yellow('retry')} ${e.step.id} attempt ${e.attempt + 1} in ${e.waitMs} ms: ${e.reason}`);
        case 'rebuild':
          return say(`  ${c.yellow('rebuild')} ${e.step.id}: index ${e.index} was invalid; dropped, building again`);
        case 'pause':
          return bar ? undefined : say(`  ${c.yellow('pause')} ${e.step.id} ${e.ms} ms: ${e.reason}`);
        case 'backfill': {
          if (barStep !== e.step.id) {
            stopBar();
            barStep = e.step.id;
            drawn(
              new (require('cli-progress') as typeof cliProgress).SingleBar(
                {
                  stream,
                  format: `  backfill [{bar}] {percentage}% | {value}/{total} rows | {rps} rows/s | ETA {eta_formatted}`,
                  hideCursor: true,
                  clearOnComplete: false,
                  etaBuffer: 20,
                },
                (require('cli-progress') as typeof cliProgress).Presets.shades_classic,
              ),
            );
            bar!.start(Math.max(e.totalRows, e.rows), 0, { rps: 0 });
          }
          bar!.setTotal(Math.max(e.totalRows, e.rows));
          bar!.update(e.rows, { rps: Math.round(e.rowsPerSecond) });
          return;
        }
        case 'drift':
          return e.check.checked ? say(`  ${c.dim(`schema as expected ${e.check.where}`)}`) : undefined;
        case 'health':
          return say(
            `  ${e.result.ok ? c.green('healthy') : c.red('health check failed')}: ${e.result.check}: ${e.result.detail} ${c.dim(`(${e.result.ms} ms)`)}`,
          );
        case 'notice':
          return say(`  ${c.yellow('note')}: ${e.message}`);
        case 'tenants': {
          // A failing tenant is printed at once (above the bar); the bar counts the rest.
          if (e.state === 'failed') say(`  ${c.red('failed')} tenant ${e.tenant}: ${e.error ?? ''}`);
          if (barStep !== 'tenants') {
            stopBar();
            barStep = 'tenants';
            drawn(
              new (require('cli-progress') as typeof cliProgress).SingleBar(
                {
                  stream,
                  format: `  tenants [{bar}] {value}/{total} | done {done} | skipped {skipped} | running {running} | failed {failed} | pending {pending}`,
                  hideCursor: true,
                  clearOnComplete: false,
                },
                (require('cli-progress') as typeof cliProgress).Presets.shades_classic,
              ),
            );
            bar!.start(e.total, 0, { done: 0, skipped: 0, running: 0, failed: 0, pending: e.total });
          }
          bar!.update(e.done + e.skipped + e.failed, {
            done: e.done,
            skipped: e.skipped,
            running: e.running,
            failed: e.failed,
            pending: e.pending,
          });
          return;
        }
      }
    },
  };
}
