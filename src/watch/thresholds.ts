// The watcher's thresholds and their documented defaults (issue #20); switchyard.yaml's `alerts:` sets them.
/** The thresholds of `alerts:`; the defaults are documented in switchyard.yaml's schema (config/alerts.ts). */
export interface AlertThresholds {
  /** A session waiting on a lock longer than this (ms). */
  readonly lockWaitMs: number;
  /** A transaction open longer than this (s). */
  readonly longTransactionS: number;
  /** A session idle in a transaction longer than this (s). */
  readonly idleInTransactionS: number;
  /** Rolled-back transactions per second (switchyard's own lock-timeout retries left out). */
  readonly errorRatePerS: number;
  /** Client connections over the connections available to them (max_connections - superuser_reserved_connections). */
  readonly connectionRatio: number;
  /** Subscription lag: WAL the subscriber has not confirmed (bytes). */
  readonly lagBytes: number;
  /** WAL a replication slot keeps on disk (bytes). */
  readonly slotRetainedBytes: number;
  /** A phase running longer than its estimate times this. */
  readonly phaseOverrunRatio: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  lockWaitMs: 2000,
  longTransactionS: 60,
  idleInTransactionS: 30,
  errorRatePerS: 5,
  connectionRatio: 0.9,
  lagBytes: 64 * 1024 ** 2,
  slotRetainedBytes: 1024 ** 3,
  phaseOverrunRatio: 2,
};
