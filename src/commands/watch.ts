// `switchyard watch`, and the same watcher beside apply, rollback, cutover and cutback when `alerts:` is in
// switchyard.yaml (issue #20). What is watched: --db, else the pair of switchyard.yaml (both sides), else the
// configured database. Where alerts go: the sinks of `alerts:` (webhook, command, standard error), delivered off
// the command's path. `--metrics-port N` serves /metrics on 127.0.0.1 while it runs.
import type { SwitchyardConfig } from '../config/config.js';
import { resolveTarget } from '../db/connect.js';
import { UsageError } from '../errors.js';
import type { ExecutorEvent } from '../executor/run.js';
import { resolvePair } from '../pair/session.js';
import type { Plan } from '../planner/types.js';
import { commandSink, Delivery, type DeliveryStats, type Sink, stderrSink, webhookSink } from '../watch/delivery.js';
import type { Notification } from '../watch/episodes.js';
import { type MetricsServer, renderMetrics, serveMetrics, tickMetrics } from '../watch/metrics.js';
import { type AlertThresholds, DEFAULT_THRESHOLDS } from '../watch/rules.js';
import { Watcher, type WatchTarget, type WatchTick } from '../watch/watcher.js';
import { load } from './phase-setup.js';

export interface WatchSetup {
  /** --db: watch this database only. */
  readonly db?: string | undefined;
  /** --plan: follow this plan's phases (their estimates): its file, or the plan itself. */
  readonly plan?: string | Plan | undefined;
  readonly intervalMs?: number | undefined;
  readonly metricsPort?: number | undefined;
  /** Called with each tick (the live view, JSON lines). */
  readonly onTick?: (t: WatchTick) => void;
  /** Standard error, for the stderr sink. */
  readonly stderr?: (text: string) => void;
  /** The stderr sink writes JSON lines (--json). */
  readonly json?: boolean;
  /** The clock (tests). */
  readonly now?: () => number;
  /** Sinks instead of the configured ones (tests). */
  readonly sinks?: readonly Sink[];
  /** Read the plan's phase from the ledger on each tick (`watch --plan` in its own process). */
  readonly followLedger?: boolean;
  /** Retry backoff of the delivery (tests; default 500 ms). */
  readonly backoffMs?: number;
}

export interface RunningWatch {
  readonly watcher: Watcher;
  readonly delivery: Delivery;
  readonly metrics?: MetricsServer;
  /** Feed the executor's events (phase, steps, backfill, health, retries). */
  readonly onEvent: (e: ExecutorEvent) => void;
  readonly notifications: readonly Notification[];
  /** Stops the watcher, closes /metrics, and waits a bounded time for the queued alerts. */
  stop(graceMs?: number): Promise<DeliveryStats>;
}

/** What the watcher watches: --db, else the pair (both sides), else the configured database. */
export function watchTargets(config: SwitchyardConfig, db?: string): WatchTarget[] {
  if (db === undefined && (config.pair?.blue !== undefined || config.pair?.green !== undefined)) {
    const p = resolvePair(config);
    return [
      { url: p.blue, side: 'blue' },
      { url: p.green, side: 'green' },
    ];
  }
  return [resolveTarget(db, config.database, config.unsetVariables)];
}

export function thresholdsOf(config: SwitchyardConfig): AlertThresholds {
  const a = config.alerts;
  if (!a) return DEFAULT_THRESHOLDS;
  return {
    lockWaitMs: a.lockWaitMs,
    longTransactionS: a.longTransactionS,
    idleInTransactionS: a.idleInTransactionS,
    errorRatePerS: a.errorRatePerS,
    connectionRatio: a.connectionRatio,
    lagBytes: a.lagBytes,
    slotRetainedBytes: a.slotRetainedBytes,
    phaseOverrunRatio: a.phaseOverrunRatio,
  };
}

function sinksOf(config: SwitchyardConfig, o: WatchSetup): Sink[] {
  if (o.sinks) return [...o.sinks];
  const a = config.alerts;
  const out: Sink[] = [];
  if (a?.webhook) out.push(webhookSink(a.webhook));
  if (a?.command) out.push(commandSink(a.command));
  if ((a?.stderr ?? true) && o.stderr) out.push(stderrSink(o.stderr, o.json));
  return out;
}

/** Starts the watcher (and /metrics): it ticks until stop(). */
export async function startWatch(config: SwitchyardConfig, o: WatchSetup): Promise<RunningWatch> {
  const intervalMs = o.intervalMs ?? config.alerts?.intervalMs ?? 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 100)
    throw new UsageError(`--interval ${intervalMs / 1000}: give at least 0.1 seconds`);
  const plan = typeof o.plan === 'string' ? (await load(config, o.plan)).plan : o.plan;
  const delivery = new Delivery(sinksOf(config, o), o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {});
  const notifications: Notification[] = [];
  const watcher = new Watcher({
    targets: watchTargets(config, o.db),
    thresholds: thresholdsOf(config),
    intervalMs,
    windowMinutes: config.windowMinutes,
    plan,
    ...(o.now ? { now: o.now } : {}),
    onNotify: (n) => {
      notifications.push(n);
      delivery.send(n);
    },
    ...(o.onTick ? { onTick: o.onTick } : {}),
    deliveryStats: () => delivery.status,
    ...(o.followLedger && plan ? { followLedger: config.ledgerSchema } : {}),
  });
  let metrics: MetricsServer | undefined;
  if (o.metricsPort !== undefined)
    metrics = await serveMetrics(o.metricsPort, async () =>
      watcher.last ? renderMetrics(tickMetrics(watcher.last)) : '',
    );
  await watcher.start();
  return {
    watcher,
    delivery,
    ...(metrics ? { metrics } : {}),
    onEvent: watcher.onEvent,
    notifications,
    async stop(graceMs) {
      await watcher.stop();
      await metrics?.close();
      return delivery.close(graceMs);
    },
  };
}

/**
 * Runs `fn` with the watcher beside it when `alerts:` is configured (or --metrics-port is given): its events are
 * passed on to `onEvent` and to the watcher. The watcher is stopped when `fn` ends, however it ends.
 */
export async function withWatch<T>(
  config: SwitchyardConfig,
  o: WatchSetup & {
    onEvent?: ((e: ExecutorEvent) => void) | undefined;
    /** What became of the alerts, once the watcher stopped. */
    onClosed?: (s: DeliveryStats, sent: readonly Notification[]) => void;
  },
  fn: (onEvent: (e: ExecutorEvent) => void) => Promise<T>,
): Promise<T> {
  if (!config.alerts && o.metricsPort === undefined) return fn(o.onEvent ?? (() => undefined));
  const w = await startWatch(config, o);
  w.watcher.run();
  try {
    return await fn((e) => {
      w.onEvent(e);
      o.onEvent?.(e);
    });
  } finally {
    // The last state is sampled once more (a recovery after the phase is sent), then the queue gets its grace.
    await w.watcher.tick().catch(() => undefined);
    o.onClosed?.(await w.stop(), w.notifications);
  }
}

export interface WatchCommandOptions extends WatchSetup {
  readonly once?: boolean;
  readonly signal?: AbortSignal;
  /** Called once /metrics listens (its port). */
  readonly onListening?: (port: number) => void;
}

/** `switchyard watch`: ticks until `signal` aborts (or once with `once`) and returns the last tick. */
export async function watchCommand(
  config: SwitchyardConfig,
  o: WatchCommandOptions,
): Promise<WatchTick & { delivered: DeliveryStats }> {
  // Run on its own, the watcher learns the plan's phase from the ledger: no executor sends it events.
  const w = await startWatch(config, { ...o, followLedger: true });
  if (w.metrics) o.onListening?.(w.metrics.port);
  let delivered: DeliveryStats;
  try {
    if (o.once) {
      // Rates need two samples: the first primes them, the second (one interval later) is reported.
      await w.watcher.tick();
      await new Promise((r) => setTimeout(r, Math.min(o.intervalMs ?? config.alerts?.intervalMs ?? 1000, 1000)));
      await w.watcher.tick();
    } else {
      w.watcher.run();
      await new Promise<void>((resolve) =>
        o.signal?.aborted ? resolve() : o.signal?.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } finally {
    delivered = await w.stop();
  }
  return { ...w.watcher.last!, delivered };
}
