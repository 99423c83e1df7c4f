// The watcher (issue #20): every interval, one sample per database (sample.ts), the rules (rules.ts), episodes
// (episodes.ts) and delivery (delivery.ts), off the migration's path: a tick runs on its own connection(s) and
// its timers never hold the process; a failing sample is an alert (watch_failed), never an error thrown into the
// phase. The executor's events feed it the running phase, its steps, backfill rate and ETA, the health check,
// and switchyard's own lock-timeout retries, which are not counted as errors.
// The clock is injectable (`now`): the window points and phase estimates are tested without waiting.
import { describeTarget, open, type Client, type ConnectionTarget } from '../db/connect.js';
import type { ExecutorEvent } from '../executor/run.js';
import type { Plan } from '../planner/types.js';
import type { Side } from '../pair/types.js';
import type { DeliveryStats } from './delivery.js';
import { Episodes, type Notification } from './episodes.js';
import {
  type AlertThresholds,
  type Condition,
  type Progress,
  runConditions,
  type TargetTick,
  targetConditions,
} from './rules.js';
import {
  type LockWait,
  peekSplitBrain,
  QUERIES_PER_SAMPLE,
  type DatabaseSample,
  type SlotSample,
  sampleDatabase,
  ledgerPhase,
  type LedgerPhase,
} from './sample.js';

export interface WatchTarget extends ConnectionTarget {
  /** A side of the pair. */
  readonly side?: Side;
}

/** One tick, as the live view, JSON lines and /metrics show it. */
export interface WatchTick {
  readonly at: string;
  readonly tick: number;
  readonly targets: ReadonlyArray<{
    readonly label: string;
    readonly side?: Side;
    /** Why the sample failed (the database is unreachable...). */
    readonly error?: string;
    readonly rollbacks: number | null;
    readonly rollbacksPerS: number | null;
    readonly deadlocksTotal: number | null;
    readonly connections: number | null;
    readonly connectionsUsedRatio: number | null;
    readonly lockWaiting: number | null;
    readonly lockWaits: readonly LockWait[];
    readonly longTransactions: number | null;
    readonly idleInTransaction: number | null;
    readonly slots: readonly SlotSample[];
    readonly splitBrain: number | null;
  }>;
  readonly progress?: Progress;
  readonly window?: { readonly usedRatio: number; readonly minutes: number };
  readonly firing: readonly string[];
  readonly notifications: readonly Notification[];
  readonly delivery: DeliveryStats;
  /** Statements sent in this tick (constant: one per database, plus one peek per armed watch slot). */
  readonly queries: number;
}

export interface WatcherOptions {
  readonly targets: readonly WatchTarget[];
  readonly thresholds: AlertThresholds;
  readonly intervalMs: number;
  readonly windowMinutes?: number | undefined;
  /** The plan being applied or followed: its name and each phase's step count and estimate. */
  readonly plan?: Plan | undefined;
  /** Epoch ms; the window and phase durations are measured with it (default Date.now). */
  readonly now?: () => number;
  readonly onTick?: (t: WatchTick) => void;
  readonly onNotify?: (n: Notification) => void;
  /** Delivery stats for the tick report and metrics. */
  readonly deliveryStats?: () => DeliveryStats;
  readonly applicationName?: string;
  /**
   * `watch --plan` in its own process: the plan's phase is read from the ledger of this schema on each tick
   * (one more statement per database) instead of the executor's events.
   */
  readonly followLedger?: string | undefined;
}

const NO_DELIVERY: DeliveryStats = { queued: 0, sent: 0, failed: 0, dropped: 0, errors: {} };

/** Seconds the plan estimates for one phase: the planner's per-step overhead plus each step's cost. */
export function phaseEstimate(plan: Plan, release: number, phase: string): { steps: number; seconds: number } {
  const steps = plan.releases.find((r) => r.number === release)?.[phase as 'expand'] ?? [];
  const seconds = steps.reduce((s, x) => s + 0.05 + (x.cost?.seconds ?? 0), 0);
  return { steps: steps.length, seconds: Math.round(seconds * 10) / 10 };
}

interface Conn {
  readonly target: WatchTarget;
  readonly label: string;
  client?: Client;
  previous?: DatabaseSample;
}

export class Watcher {
  private readonly now: () => number;
  private readonly conns: Conn[];
  private readonly episodes = new Episodes();
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<WatchTick> | undefined;
  private stopped = false;
  private count = 0;
  private retries = 0;
  private phase:
    | {
        release: number;
        phase: string;
        startedAt: number;
        steps: number;
        done: number;
        endedAt?: number;
        estimateS?: number;
        backfill?: Progress['backfill'];
        healthFailed?: string;
      }
    | undefined;
  /** The last tick, for /metrics and `--once`. */
  last: WatchTick | undefined;

  constructor(private readonly o: WatcherOptions) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
    this.conns = o.targets.map((t) => ({ target: t, label: describeTarget(t) }));
  }

  /** The executor's events: the phase running, steps done, backfill rate, health, and its own retries. */
  readonly onEvent = (e: ExecutorEvent): void => {
    switch (e.kind) {
      case 'phase':
        if (e.state === 'start') {
          const est = this.o.plan ? phaseEstimate(this.o.plan, e.release, e.phase) : undefined;
          this.phase = {
            release: e.release,
            phase: e.phase,
            startedAt: this.now(),
            steps: est?.steps ?? 0,
            done: 0,
            ...(est ? { estimateS: est.seconds } : {}),
          };
        } else if (this.phase) {
          this.phase.done = this.phase.steps;
          this.phase.endedAt = this.now();
        }
        return;
      case 'step':
        if (this.phase && e.state !== 'start') this.phase.done = Math.min(this.phase.steps, this.phase.done + 1);
        return;
      case 'retry':
        // A lock-timeout retry rolled back one transaction of switchyard's own: not an application error.
        this.retries++;
        return;
      case 'backfill':
        if (this.phase)
          this.phase.backfill = {
            rows: e.rows,
            totalRows: e.totalRows,
            rowsPerSecond: Math.round(e.rowsPerSecond),
            etaSeconds: Math.round(e.etaSeconds),
          };
        return;
      case 'health':
        if (this.phase) {
          if (e.result.ok) delete this.phase.healthFailed;
          else this.phase.healthFailed = `${e.result.check}: ${e.result.detail}`;
        }
        return;
      default:
        return;
    }
  };

  /** Connects to every target (failures become watch_failed alerts at the first tick). */
  async start(): Promise<void> {
    await Promise.all(this.conns.map((c) => this.connect(c).catch(() => undefined)));
  }

  /** Ticks every intervalMs until stop(); the timers never keep the process alive. */
  run(): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.tick().catch(() => undefined);
      if (this.stopped) return;
      this.timer = setTimeout(loop, this.o.intervalMs);
      this.timer.unref();
    };
    void loop();
  }

  private async connect(c: Conn): Promise<Client> {
    if (c.client) return c.client;
    const { client } = await open(c.target, this.o.applicationName ?? 'switchyard watch');
    client.on('error', () => {
      c.client = undefined;
    });
    c.client = client;
    return client;
  }

  /** One tick: sample every database, evaluate, notify. Never throws for a database problem. */
  tick(): Promise<WatchTick> {
    const t = (this.ticking ?? Promise.resolve(undefined as unknown as WatchTick)).then(() => this.tickOnce());
    this.ticking = t.catch(() => undefined as unknown as WatchTick);
    return t;
  }

  private async tickOnce(): Promise<WatchTick> {
    const retries = this.retries;
    this.retries = 0;
    let queries = 0;
    const conditions: Condition[] = [];
    const targets: Array<WatchTick['targets'][number]> = [];
    await Promise.all(
      this.conns.map(async (c) => {
        try {
          const client = await this.connect(c);
          queries += QUERIES_PER_SAMPLE;
          const s = await sampleDatabase(client, this.o.thresholds, c.target.side);
          let splitBrain: number | null = null;
          if (s.watchSlot && c.target.side) {
            queries++;
            splitBrain = await peekSplitBrain(client, c.target.side, s.watchSlot, s.serverVersionNum);
          }
          if (this.o.followLedger && this.o.plan) {
            queries++;
            const lp = await ledgerPhase(client, this.o.followLedger, this.o.plan.name);
            if (lp) this.fromLedger(lp);
          }
          const p = c.previous;
          c.previous = s;
          const dt = p ? (s.at - p.at) / 1000 : 0;
          const tick: TargetTick = {
            label: c.label,
            ...(c.target.side ? { side: c.target.side } : {}),
            sample: s,
            rollbacksPerS: p && dt > 0 ? Math.max(0, s.rollbacks - p.rollbacks - retries) / dt : null,
            deadlocks: p ? Math.max(0, s.deadlocks - p.deadlocks) : 0,
            conflicts: p ? Math.max(0, s.conflicts - p.conflicts) : 0,
            splitBrain,
          };
          conditions.push(...targetConditions(tick, this.o.thresholds));
          targets.push({
            label: c.label,
            ...(c.target.side ? { side: c.target.side } : {}),
            rollbacks: s.rollbacks,
            rollbacksPerS: tick.rollbacksPerS === null ? null : Math.round(tick.rollbacksPerS * 100) / 100,
            deadlocksTotal: s.deadlocks,
            connections: s.connections,
            connectionsUsedRatio: s.maxConnections
              ? Math.round((s.connections / s.maxConnections) * 1000) / 1000
              : null,
            lockWaiting: s.lockWaiting,
            lockWaits: s.lockWaits,
            longTransactions: s.longTransactions.count,
            idleInTransaction: s.idleInTransaction.count,
            slots: [
              ...s.slots,
              ...(s.watchSlot
                ? [
                    {
                      slot: s.watchSlot.name,
                      active: s.watchSlot.activePid !== null,
                      lagBytes: null,
                      retainedBytes: s.watchSlot.retainedBytes,
                    },
                  ]
                : []),
            ],
            splitBrain,
          });
        } catch (e) {
          const message = (e as Error).message ?? String(e);
          await c.client?.end().catch(() => undefined);
          c.client = undefined;
          conditions.push({
            alert: 'watch_failed',
            subject: c.target.side ?? c.label,
            severity: 'warning',
            value: 1,
            threshold: 0,
            text: `the watch cannot sample ${c.label}: ${message}`,
          });
          targets.push({
            label: c.label,
            ...(c.target.side ? { side: c.target.side } : {}),
            error: message,
            rollbacks: null,
            rollbacksPerS: null,
            deadlocksTotal: null,
            connections: null,
            connectionsUsedRatio: null,
            lockWaiting: null,
            lockWaits: [],
            longTransactions: null,
            idleInTransaction: null,
            slots: [],
            splitBrain: null,
          });
        }
      }),
    );
    targets.sort(
      (a, b) => this.conns.findIndex((c) => c.label === a.label) - this.conns.findIndex((c) => c.label === b.label),
    );
    const now = this.now();
    const progress = this.progress(now);
    const window = this.o.windowMinutes
      ? {
          usedRatio: Math.round(((now - this.started) / (this.o.windowMinutes * 60_000)) * 1000) / 1000,
          minutes: this.o.windowMinutes,
        }
      : undefined;
    conditions.push(...runConditions(progress, this.o.thresholds, window));
    const labelOf = (c: Condition) =>
      this.conns.find((x) => x.target.side === c.subject || x.label === c.subject)?.label ??
      this.conns.find((x) => c.text.includes(x.label))?.label ??
      this.conns[0]?.label ??
      '';
    const notifications = this.episodes.update(conditions, {
      now,
      plan: this.o.plan?.name ?? null,
      phase: this.phase ? `release ${this.phase.release} ${this.phase.phase}` : null,
      databaseOf: labelOf,
    });
    for (const n of notifications) this.o.onNotify?.(n);
    const tick: WatchTick = {
      at: new Date(now).toISOString(),
      tick: ++this.count,
      targets,
      ...(progress ? { progress } : {}),
      ...(window ? { window } : {}),
      firing: this.episodes.firing,
      notifications,
      delivery: this.o.deliveryStats?.() ?? NO_DELIVERY,
      queries,
    };
    this.last = tick;
    this.o.onTick?.(tick);
    return tick;
  }

  private fromLedger(lp: LedgerPhase): void {
    const same = this.phase?.release === lp.release && this.phase.phase === lp.phase;
    const est = this.o.plan ? phaseEstimate(this.o.plan, lp.release, lp.phase) : undefined;
    this.phase = {
      ...(same ? this.phase : {}),
      release: lp.release,
      phase: lp.phase,
      startedAt: lp.startedAt,
      steps: lp.steps,
      done: lp.done,
      ...(est ? { estimateS: est.seconds } : {}),
    };
    if (!lp.running) this.phase.endedAt ??= this.now();
    else delete this.phase.endedAt;
  }

  private progress(now: number): Progress | undefined {
    const p = this.phase;
    if (!p && !this.o.plan) return undefined;
    return {
      ...(this.o.plan ? { plan: this.o.plan.name } : {}),
      ...(p ? { release: p.release, phase: p.phase } : {}),
      stepsDone: p?.done ?? 0,
      steps: p?.steps ?? 0,
      running: p !== undefined && p.endedAt === undefined,
      elapsedS: p ? Math.round(((p.endedAt ?? now) - p.startedAt) / 100) / 10 : 0,
      ...(p?.estimateS !== undefined ? { estimateS: p.estimateS } : {}),
      ...(p?.backfill ? { backfill: p.backfill } : {}),
      ...(p?.healthFailed ? { healthFailed: p.healthFailed } : {}),
    };
  }

  /** Stops ticking (after the tick in progress) and closes the connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all(this.conns.map((c) => c.client?.end().catch(() => undefined)));
    for (const c of this.conns) c.client = undefined;
  }
}
