// `--metrics-port N`: the watcher's last tick in the Prometheus text exposition format (version 0.0.4) at
// http://127.0.0.1:N/metrics, every metric with its HELP and TYPE lines. Bound to 127.0.0.1 only: an agent on
// the same host scrapes it; nothing is exposed to the network.
// The text is written by prom-client (a gauge per metric, in a registry of its own for each scrape).
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import type { WatchTick } from './watcher.js';

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number }>;
}

/** The exposition text of `metrics`: every one a gauge, its labels the union of its samples' labels. */
export async function renderMetrics(metrics: readonly Metric[]): Promise<string> {
  const registry = new Registry();
  for (const m of metrics) {
    const labelNames = [...new Set(m.samples.flatMap((s) => Object.keys(s.labels ?? {})))];
    const gauge = new Gauge({ name: m.name, help: m.help, labelNames, registers: [registry] });
    for (const s of m.samples) {
      if (s.labels) gauge.set({ ...s.labels }, s.value);
      else gauge.set(s.value);
    }
  }
  return registry.metrics();
}

/** The metrics of a tick: per database (label `database`, and `side` on a pair), the run's progress and window. */
export function tickMetrics(t: WatchTick): Metric[] {
  const per = (f: (x: WatchTick['targets'][number]) => number | null) =>
    t.targets.flatMap((x) => {
      const v = f(x);
      return v === null ? [] : [{ labels: { database: x.label, ...(x.side ? { side: x.side } : {}) }, value: v }];
    });
  const gauge = (name: string, help: string, samples: Metric['samples']): Metric => ({
    name: `switchyard_${name}`,
    help,
    samples,
  });
  const p = t.progress;
  const one = (v: number | null | undefined) => (v === null || v === undefined ? [] : [{ value: v }]);
  return [
    gauge(
      'up',
      'whether the last sample of the database succeeded (1) or failed (0)',
      per((x) => (x.error ? 0 : 1)),
    ),
    gauge(
      'lock_waiting_sessions',
      'sessions waiting on a lock now',
      per((x) => x.lockWaiting),
    ),
    gauge(
      'lock_wait_longest_seconds',
      'longest lock wait over lockWaitMs, in seconds (0 when none)',
      per((x) => (x.lockWaits[0]?.waitingMs ?? 0) / 1000),
    ),
    gauge(
      'rollbacks_per_second',
      "rolled-back transactions per second, switchyard's own lock-timeout retries left out",
      per((x) => x.rollbacksPerS),
    ),
    gauge(
      'transactions_rolled_back',
      'xact_rollback of pg_stat_database',
      per((x) => x.rollbacks),
    ),
    gauge(
      'deadlocks',
      'deadlocks of pg_stat_database',
      per((x) => x.deadlocksTotal),
    ),
    gauge(
      'long_transactions',
      'transactions open longer than longTransactionS',
      per((x) => x.longTransactions),
    ),
    gauge(
      'idle_in_transaction_sessions',
      'sessions idle in a transaction longer than idleInTransactionS',
      per((x) => x.idleInTransaction),
    ),
    gauge(
      'connections',
      'client connections to the server',
      per((x) => x.connections),
    ),
    gauge(
      'connections_used_ratio',
      'client connections over max_connections - superuser_reserved_connections',
      per((x) => x.connectionsUsedRatio),
    ),
    gauge(
      'replication_lag_bytes',
      "WAL not yet confirmed by the pair's subscriber, per stream slot",
      t.targets.flatMap((x) =>
        x.slots.flatMap((s) =>
          s.lagBytes === null ? [] : [{ labels: { database: x.label, slot: s.slot }, value: s.lagBytes }],
        ),
      ),
    ),
    gauge(
      'slot_retained_bytes',
      'WAL kept on disk by each switchyard slot (stream and split-brain watch)',
      t.targets.flatMap((x) =>
        x.slots.flatMap((s) =>
          s.retainedBytes === null ? [] : [{ labels: { database: x.label, slot: s.slot }, value: s.retainedBytes }],
        ),
      ),
    ),
    gauge(
      'split_brain_writes',
      'writes on the fenced side that did not come from replication (watch slot, peeked)',
      per((x) => x.splitBrain),
    ),
    gauge(
      'phase_progress_ratio',
      'steps done over steps of the running phase',
      one(p ? (p.steps ? p.stepsDone / p.steps : 0) : null),
    ),
    gauge('phase_elapsed_seconds', 'time the running phase has run', one(p?.elapsedS)),
    gauge('phase_estimate_seconds', "the plan's estimate for the running phase", one(p?.estimateS)),
    gauge('backfill_rows_per_second', 'rows per second of the running backfill', one(p?.backfill?.rowsPerSecond)),
    gauge(
      'backfill_eta_seconds',
      'time left of the running backfill at its current rate',
      one(p?.backfill?.etaSeconds),
    ),
    gauge('window_used_ratio', 'time since the start over windowMinutes', one(t.window?.usedRatio)),
    gauge('alerts_firing', 'alerts firing now', [{ value: t.firing.length }]),
    gauge('alert_queue_dropped', 'alert notifications dropped (queue full or undelivered at the end)', [
      { value: t.delivery.dropped },
    ]),
    gauge('alert_delivery_failed', 'alert deliveries that failed every attempt', [{ value: t.delivery.failed }]),
    gauge('watch_queries_per_tick', 'statements the watcher sent in its last tick', [{ value: t.queries }]),
  ];
}

export interface MetricsServer {
  /** The address it listens on: always 127.0.0.1. */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `render()` at http://127.0.0.1:port/metrics (port 0: any free port). */
export async function serveMetrics(port: number, render: () => Promise<string>): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
      return;
    }
    render().then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(e as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new UsageError(`--metrics-port ${port}: 127.0.0.1:${port} is in use; give another port`)
          : e,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.unref();
  const address = server.address();
  return {
    host: typeof address === 'object' && address ? address.address : '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
