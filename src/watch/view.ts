// The live view of the watcher: on a terminal one status block (progress, ETA, lock waits, lag, window used)
// redrawn in place each tick; otherwise one JSON object per tick, for logs and scripts.
import type { WatchTick } from './watcher.js';

const pct = (r: number) => `${Math.round(r * 100)}%`;
const bytes = (n: number) =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(1)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : `${Math.round(n / 1024)} KiB`;
const secs = (n: number) => (n >= 120 ? `${Math.floor(n / 60)} min ${Math.round(n % 60)} s` : `${Math.round(n)} s`);

/** The status block of a tick, as lines. */
export function statusBlock(t: WatchTick): string[] {
  const out: string[] = [];
  const p = t.progress;
  if (p?.phase)
    out.push(
      `${p.plan ?? 'plan'} release ${p.release} ${p.phase}: ${p.stepsDone}/${p.steps} steps, ${secs(p.elapsedS)}${p.estimateS !== undefined ? ` (estimate ${secs(p.estimateS)})` : ''}${p.running ? '' : ', finished'}`,
    );
  else if (p?.plan) out.push(`${p.plan}: no phase running`);
  if (p?.backfill)
    out.push(
      `  backfill ${p.backfill.rows}/${p.backfill.totalRows} rows, ${p.backfill.rowsPerSecond} rows/s, ETA ${secs(p.backfill.etaSeconds)}`,
    );
  if (t.window) out.push(`window: ${pct(t.window.usedRatio)} of ${t.window.minutes} min used`);
  for (const x of t.targets) {
    const name = x.side ? `${x.side} ${x.label}` : x.label;
    if (x.error) {
      out.push(`${name}: cannot sample: ${x.error}`);
      continue;
    }
    const lag = x.slots.filter((s) => s.lagBytes !== null).map((s) => `${s.slot} ${bytes(s.lagBytes!)}`);
    out.push(
      `${name}: ${x.lockWaiting} waiting on locks, ${x.rollbacksPerS ?? '-'} rollbacks/s, ${x.longTransactions} long / ${x.idleInTransaction} idle-in-transaction, connections ${x.connections} (${pct(x.connectionsUsedRatio ?? 0)})${lag.length ? `, lag ${lag.join(', ')}` : ''}${x.splitBrain ? `, SPLIT BRAIN ${x.splitBrain} write(s)` : ''}`,
    );
    const w = x.lockWaits[0];
    if (w)
      out.push(
        `  pid ${w.pid} waits ${secs(w.waitingMs / 1000)}${w.blocker ? ` on pid ${w.blocker.pid} (${w.blocker.applicationName || '-'}, open ${secs(w.blocker.heldMs / 1000)}): ${w.blocker.query.replace(/\s+/g, ' ').slice(0, 80)}` : ''}`,
      );
  }
  out.push(t.firing.length ? `firing: ${t.firing.join(', ')}` : 'no alert firing');
  return out;
}

/** One JSON line per tick (notifications go to their sinks; `firing` lists what is open). */
export function tickLine(t: WatchTick): string {
  const { notifications: _n, ...rest } = t;
  return `${JSON.stringify({ event: 'watch', ...rest })}\n`;
}

/** Redraws the block in place on a terminal: moves up over the previous block and clears it. */
export function liveView(
  write: (text: string) => void,
  columns = 160,
): { draw(t: WatchTick): void; clear(): void; above(text: string): void } {
  let lines = 0;
  const erase = () => {
    if (lines) write(`\x1b[${lines}A\x1b[0J`);
    lines = 0;
  };
  let last: string[] = [];
  return {
    draw(t) {
      erase();
      // A line wider than the terminal would wrap and the block would no longer be erased exactly.
      last = statusBlock(t).map((l) => (l.length >= columns ? `${l.slice(0, columns - 2)}…` : l));
      write(`${last.join('\n')}\n`);
      lines = last.length;
    },
    clear: erase,
    /** Prints a line above the block (an alert) and draws the block again. */
    above(text) {
      erase();
      write(text.endsWith('\n') ? text : `${text}\n`);
      if (last.length) {
        write(`${last.join('\n')}\n`);
        lines = last.length;
      }
    },
  };
}
