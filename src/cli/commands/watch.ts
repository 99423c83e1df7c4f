// `switchyard watch`, and --metrics-port for the commands the watcher runs beside (issue #20).
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { SwitchyardConfig } from '../../config/config.js';
import type { ExecutorEvent } from '../../executor/run.js';
import type { WatchTick } from '../../watch/watcher.js';
import { claimInterrupt, onInterrupt } from '../interrupt.js';
import type { CliIO, Colors } from '../io.js';
import { reporter, type Reporter } from '../progress.js';
import { liveView, tickLine } from '../../watch/view.js';
import { context, examples, seconds, type SetExit, wholeNumber } from './context.js';

export const METRICS_PORT_OPTION = [
  '--metrics-port <port>',
  'serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the command runs (the watcher runs even without `alerts:`)',
  (v: string) => {
    const n = wholeNumber(v);
    if (n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got ${v}`);
    return n;
  },
] as const;

/** How a watched command shows its progress and the watcher's ticks. */
export interface WatchedOutput {
  readonly rep: Reporter;
  /** Each tick: the status block redrawn in place on a terminal, a JSON line otherwise. */
  readonly onTick?: (t: WatchTick) => void;
  /** Where the stderr sink writes (above the status block on a terminal). */
  readonly stderr?: (text: string) => void;
}

/**
 * The progress reporter of an executor command, and with the watcher on (`alerts:` or --metrics-port) its live
 * view: on a terminal one status block (progress, ETA, lock waits, lag, window) redrawn in place under the step
 * lines, which replaces the backfill bar (the block shows rows/s and ETA); otherwise one JSON line per tick beside
 * the progress lines.
 */
export function watchedOutput(
  io: CliIO,
  c: Colors,
  json: boolean,
  config: SwitchyardConfig,
  metricsPort: number | undefined,
): WatchedOutput {
  const on = config.alerts !== undefined || metricsPort !== undefined;
  const tty = io.isTTY && Boolean(process.stderr.isTTY) && !json;
  if (!on) return { rep: reporter(io, c, { json }) };
  if (!tty) return { rep: reporter(io, c, { json }), onTick: (t) => io.stderr(tickLine(t)) };
  const view = liveView(io.stderr, process.stderr.columns);
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rep = reporter({ ...io, stderr: (t) => view.above(t) }, c, { json, tty: true, barStream: discard });
  return {
    rep: {
      onEvent: rep.onEvent,
      close: () => {
        rep.close();
        view.clear();
      },
    },
    onTick: (t) => view.draw(t),
    stderr: (t) => view.above(t),
  };
}

/**
 * Runs `fn` with the watcher beside it when `alerts:` is configured or --metrics-port is given; alerts go to the
 * configured sinks, standard error among them.
 */
export async function watched<T>(
  io: CliIO,
  json: boolean,
  config: SwitchyardConfig,
  o: {
    db?: string | undefined;
    plan?: string | undefined;
    metricsPort?: number | undefined;
    onEvent?: (e: ExecutorEvent) => void;
    /** A dry run: nothing to watch. */
    off?: boolean | undefined;
    onTick?: ((t: WatchTick) => void) | undefined;
    stderr?: ((text: string) => void) | undefined;
  },
  fn: (onEvent: (e: ExecutorEvent) => void) => Promise<T>,
): Promise<T> {
  if (o.off || (!config.alerts && o.metricsPort === undefined)) return fn(o.onEvent ?? (() => undefined));
  const { withWatch } = await import('../../commands/watch.js');
  if (o.metricsPort !== undefined && !json) io.stderr(`metrics: http://127.0.0.1:${o.metricsPort}/metrics\n`);
  return withWatch(
    config,
    {
      ...o,
      stderr: o.stderr ?? io.stderr,
      json,
      // Alerts that did not reach a sink are said once at the end: the phase itself never waited for them.
      onClosed: (s) => {
        if (!s.failed && !s.dropped) return;
        const errors = Object.entries(s.errors).map(([sink, e]) => `${sink}: ${e}`);
        io.stderr(
          json
            ? `${JSON.stringify({ event: 'alerts', sent: s.sent, failed: s.failed, dropped: s.dropped, errors: s.errors })}\n`
            : `alerts: ${s.failed + s.dropped} not delivered (${s.failed} failed, ${s.dropped} dropped)${errors.length ? `; ${errors.join('; ')}` : ''}\n`,
        );
      },
    },
    fn,
  );
}

export function registerWatch(program: Command, io: CliIO, setExit: SetExit): void {
  program
    .command('watch')
    .description(
      'watch the database (or both sides of the pair) for lock waits, errors, long transactions, lag and the window, and send the alerts of `alerts:` in switchyard.yaml',
    )
    .option('--db <url>', 'database URL (default: the pair of switchyard.yaml, else its database, DATABASE_URL, PG*)')
    .option('--plan <file>', "follow this plan's phases against their estimates")
    .option('--interval <seconds>', 'time between samples (default 1; alerts.intervalMs in switchyard.yaml)', seconds)
    .option('--once', 'sample twice (rates need two), print the state and exit: 1 if an alert is firing')
    .option(...METRICS_PORT_OPTION)
    .addHelpText(
      'after',
      examples([
        'switchyard watch                              # a status block refreshed in place; Ctrl-C to stop',
        'switchyard watch --json | tee watch.jsonl     # one JSON object per sample',
        'switchyard watch --once || page-oncall        # CI and scripts',
        'switchyard watch --metrics-port 9187          # Prometheus scrapes http://127.0.0.1:9187/metrics',
        'switchyard watch --plan plans/0001_add_tiers.plan.yaml',
        '',
        'Alerts fire once per episode and send a recovery when they clear, to the webhook, command and standard',
        'error of `alerts:`; with `alerts:` configured, apply, rollback, cutover and cutback run the same watcher.',
        'The watcher only reads: one query per database per sample (pg_stat_database, pg_stat_activity, pg_locks,',
        'pg_replication_slots), plus a peek at the split-brain watch slot, which it never consumes.',
      ]),
    )
    .action(
      async (
        o: { db?: string; plan?: string; interval?: number; once?: boolean; metricsPort?: number },
        cmd: Command,
      ) => {
        const ctx = context(cmd, io);
        const config = await ctx.config();
        const { watchCommand } = await import('../../commands/watch.js');
        const { liveView, statusBlock, tickLine } = await import('../../watch/view.js');
        const live = !ctx.json && io.isTTY && !o.once;
        const view = live ? liveView(io.stdout, process.stdout.columns) : undefined;
        const stop = new AbortController();
        const release = o.once ? () => undefined : claimInterrupt(() => stop.abort());
        const forget = view ? onInterrupt(() => view.clear()) : () => undefined;
        let last: WatchTick;
        try {
          last = await watchCommand(config, {
            db: o.db,
            plan: o.plan,
            ...(o.interval !== undefined ? { intervalMs: Math.round(o.interval * 1000) } : {}),
            metricsPort: o.metricsPort,
            once: o.once === true,
            signal: stop.signal,
            json: ctx.json,
            // On a terminal an alert is printed above the status block, which is drawn again under it.
            stderr: view ? (t) => view.above(t) : io.stderr,
            onListening: (port) =>
              io.stderr(
                ctx.json
                  ? `${JSON.stringify({ event: 'metrics', url: `http://127.0.0.1:${port}/metrics` })}\n`
                  : `metrics: http://127.0.0.1:${port}/metrics\n`,
              ),
            ...(o.once ? {} : { onTick: (t: WatchTick) => (view ? view.draw(t) : io.stdout(tickLine(t))) }),
          });
        } finally {
          release();
          forget();
        }
        if (o.once) ctx.print(last, () => `${statusBlock(last).join('\n')}\n`);
        if (o.once && last.firing.length) setExit(1);
      },
    );
}
