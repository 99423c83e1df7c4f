// Alert delivery off the migration's path (issue #20): `send` only puts the notification in a bounded queue and
// returns; one background loop hands it to each sink, retrying a failing sink with backoff. A dead webhook or a
// hanging command therefore never stops or slows a phase: when the queue is full the oldest message is dropped
// and counted, and `close` waits a bounded time before dropping what is left.
import { spawn } from 'node:child_process';
import { redactText } from '../db/redact.js';
import type { Notification } from './episodes.js';

export interface Sink {
  readonly name: string;
  deliver(n: Notification): Promise<void>;
}

/** POSTs the notification as JSON; anything but 2xx (or no answer within `timeoutMs`) is a failure. */
export function webhookSink(url: string, timeoutMs = 5000): Sink {
  return {
    name: `webhook ${redactText(url)}`,
    async deliver(n) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
  };
}

/** Runs `command` in a shell with the notification's JSON on its standard input; a non-zero exit is a failure. */
export function commandSink(command: string, timeoutMs = 10_000): Sink {
  return {
    name: `command ${command}`,
    deliver: (n) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        timer.unref();
        child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-500)));
        child.on('error', (e) => (clearTimeout(timer), reject(e)));
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`exit ${code ?? signal}${err ? `: ${err.trim()}` : ''}`));
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(`${JSON.stringify(n)}\n`);
      }),
  };
}

/** One line per notification on standard error (the text; the JSON with `json`). */
export function stderrSink(write: (line: string) => void, json = false): Sink {
  return {
    name: 'stderr',
    deliver: async (n) => write(json ? `${JSON.stringify({ event: 'alert', ...n })}\n` : `${n.text}\n`),
  };
}

export interface DeliveryStats {
  readonly queued: number;
  readonly sent: number;
  /** Deliveries that failed every attempt. */
  readonly failed: number;
  /** Notifications dropped: the queue was full, or still queued when the watch closed. */
  readonly dropped: number;
  /** The last failure, per sink. */
  readonly errors: Readonly<Record<string, string>>;
}

export interface DeliveryOptions {
  /** Notifications waiting at most (default 100); beyond, the oldest is dropped. */
  readonly capacity?: number;
  /** Attempts per sink and notification (default 4). */
  readonly attempts?: number;
  /** First retry wait, doubling each attempt (default 500 ms). */
  readonly backoffMs?: number;
}

interface Job {
  readonly n: Notification;
  readonly sink: Sink;
  attempt: number;
  notBefore: number;
}

export class Delivery {
  private readonly queue: Job[] = [];
  private readonly capacity: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private stats = { queued: 0, sent: 0, failed: 0, dropped: 0 };
  private readonly errors: Record<string, string> = {};

  constructor(
    readonly sinks: readonly Sink[],
    o: DeliveryOptions = {},
  ) {
    this.capacity = o.capacity ?? 100;
    this.attempts = o.attempts ?? 4;
    this.backoffMs = o.backoffMs ?? 500;
  }

  /** Queues `n` for every sink and returns at once. */
  send(n: Notification): void {
    if (this.closed) return;
    for (const sink of this.sinks) {
      if (this.queue.length >= this.capacity) {
        this.queue.shift();
        this.stats.dropped++;
      }
      this.queue.push({ n, sink, attempt: 0, notBefore: 0 });
      this.stats.queued++;
    }
    this.wake?.();
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  get status(): DeliveryStats {
    return { ...this.stats, queued: this.queue.length, errors: { ...this.errors } };
  }

  private async loop(): Promise<void> {
    while (this.queue.length) {
      const now = Date.now();
      const i = this.queue.findIndex((j) => j.notBefore <= now);
      if (i < 0) {
        const wait = Math.min(...this.queue.map((j) => j.notBefore)) - now;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          t.unref();
          this.wake = () => (clearTimeout(t), resolve());
        });
        this.wake = undefined;
        continue;
      }
      const job = this.queue.splice(i, 1)[0]!;
      try {
        await job.sink.deliver(job.n);
        this.stats.sent++;
      } catch (e) {
        this.errors[job.sink.name] = redactText((e as Error).message ?? String(e));
        job.attempt++;
        if (job.attempt >= this.attempts || this.closed) this.stats.failed++;
        else {
          job.notBefore = Date.now() + this.backoffMs * 2 ** (job.attempt - 1);
          // Retried after whatever came in meanwhile; a message dropped for room is counted.
          if (this.queue.length >= this.capacity) this.stats.dropped++;
          else this.queue.push(job);
        }
      }
    }
  }

  /**
   * Stops taking notifications and waits up to `graceMs` for the queue to empty (retries are not waited for:
   * a message whose next attempt is later is dropped). Returns what happened.
   */
  async close(graceMs = 2000): Promise<DeliveryStats> {
    this.closed = true;
    // Pending retries are due now: one last attempt each, within the grace period.
    for (const j of this.queue) j.notBefore = 0;
    this.wake?.();
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.running,
        new Promise<void>((r) => {
          timer = setTimeout(r, graceMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
    return this.status;
  }
}
