// Alert delivery off the migration's path (issue #20): `send` only puts the notification in a bounded queue and
// returns; one background loop hands it to each sink, retrying a failing sink with backoff. A dead webhook or a
// hanging command therefore never stops or slows a phase: when the queue is full the oldest message is dropped
// and counted, and `close` waits a bounded time before dropping what is left.
import { spawn } from 'node:child_process';
import { redactText } from '../db/redact.js';
import type { Notification } from './episodes.js';

export interface Sink {
  readonly name: string;
  /** `signal` aborts when the watch closes: the delivery in flight is given up. */
  deliver(n: Notification, signal: AbortSignal): Promise<void>;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'URL';
  }
}

/** POSTs the notification as JSON; anything but 2xx (or no answer within `timeoutMs`) is a failure. */
export function webhookSink(url: string, timeoutMs = 5000): Sink {
  return {
    // Chat webhooks carry their secret in the path: only the origin is ever printed.
    name: `webhook ${origin(url)}`,
    async deliver(n, signal) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]),
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
    deliver: (n, signal) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'], signal });
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
  attempt: number;
  notBefore: number;
}

/** One sink's queue and loop: a slow sink never holds back another. */
class SinkQueue {
  readonly queue: Job[] = [];
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  closed = false;
  stats = { sent: 0, failed: 0, dropped: 0 };
  error: string | undefined;
  private readonly abort = new AbortController();
  private inFlight = false;

  constructor(
    readonly sink: Sink,
    private readonly o: { capacity: number; attempts: number; backoffMs: number },
  ) {}

  push(n: Notification): void {
    if (this.queue.length >= this.o.capacity) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.queue.push({ n, attempt: 0, notBefore: 0 });
    this.wake?.();
    this.running ??= this.loop().finally(() => (this.running = undefined));
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
      this.inFlight = true;
      try {
        await this.sink.deliver(job.n, this.abort.signal);
        this.stats.sent++;
      } catch (e) {
        // Given up by abandon(), which counted it.
        if (this.abort.signal.aborted) return;
        this.error = redactText((e as Error).message ?? String(e));
        job.attempt++;
        if (job.attempt >= this.o.attempts || this.closed) this.stats.failed++;
        else if (this.queue.length >= this.o.capacity) this.stats.dropped++;
        else {
          job.notBefore = Date.now() + this.o.backoffMs * 2 ** (job.attempt - 1);
          this.queue.push(job);
        }
      } finally {
        this.inFlight = false;
      }
    }
  }

  /** Pending retries are due now; resolves when the queue is empty (the caller bounds the wait). */
  drain(): Promise<void> {
    this.closed = true;
    for (const j of this.queue) j.notBefore = 0;
    this.wake?.();
    return this.running ?? Promise.resolve();
  }

  /** Drops what is left and gives up the delivery in flight (it would keep the process alive). */
  abandon(): void {
    if (this.inFlight) {
      this.stats.dropped++;
      this.error ??= 'no answer before the watch ended';
    }
    this.abort.abort();
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
  }
}

export class Delivery {
  private readonly queues: SinkQueue[];
  private closed = false;

  constructor(
    readonly sinks: readonly Sink[],
    o: DeliveryOptions = {},
  ) {
    const settings = { capacity: o.capacity ?? 100, attempts: o.attempts ?? 4, backoffMs: o.backoffMs ?? 500 };
    this.queues = sinks.map((s) => new SinkQueue(s, settings));
  }

  /** Queues `n` for every sink and returns at once. */
  send(n: Notification): void {
    if (this.closed) return;
    for (const q of this.queues) q.push(n);
  }

  get status(): DeliveryStats {
    const sum = (f: (q: SinkQueue) => number) => this.queues.reduce((n, q) => n + f(q), 0);
    return {
      queued: sum((q) => q.queue.length),
      sent: sum((q) => q.stats.sent),
      failed: sum((q) => q.stats.failed),
      dropped: sum((q) => q.stats.dropped),
      errors: Object.fromEntries(this.queues.filter((q) => q.error).map((q) => [q.sink.name, q.error!])),
    };
  }

  /**
   * Stops taking notifications and waits up to `graceMs` for the queues to empty, each pending retry getting one
   * last attempt; what is still queued then is dropped (and counted). Returns what happened.
   */
  async close(graceMs = 2000): Promise<DeliveryStats> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.queues.map((q) => q.drain())),
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    for (const q of this.queues) q.abandon();
    return this.status;
  }
}
