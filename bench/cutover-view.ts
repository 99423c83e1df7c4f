// What the clients saw during each switch of bench/cutover, from the write load's transaction spans, and
// distributions of those figures. Kept apart from the bench's driving code.
import type { SwitchCommand, SwitchReport } from '../dist/pair/cutover.js';
import type { TransactionSpan } from '../test/support/write-load.ts';

export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export interface Distribution {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles. */
export function distribution(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! : 0);
  return {
    n: s.length,
    min: round(s[0] ?? 0),
    p50: round(q(0.5)),
    p90: round(q(0.9)),
    p99: round(q(0.99)),
    max: round(s.at(-1) ?? 0),
  };
}

export interface SwitchRun {
  readonly cycle: number;
  readonly command: SwitchCommand;
  readonly startMs: number;
  readonly endMs: number;
  /** performance.now() when each step's event arrived (after the step ran and was recorded). */
  readonly marks: Readonly<Record<string, number>>;
  readonly report: SwitchReport;
}

export interface SwitchResult {
  readonly cycle: number;
  readonly command: SwitchCommand;
  readonly from: string;
  readonly to: string;
  readonly outcome: string;
  readonly pauseMs: number | null;
  /**
   * The longest any write waited from the moment the fence began: over the committed transactions overlapping the
   * fenced window, COMMIT answer minus the later of their BEGIN and the fence's start. What the switch added to a
   * write, as the client saw it: the part of a transaction's time before the fence began is not the switch's.
   */
  readonly writeWaitMs: number;
  /** The longest client transaction overlapping the fenced window (fence begun to resume step finished), whole. */
  readonly clientPauseMs: number;
  /** The longest client transaction overlapping the whole runSwitch call (gate and clean-up included). */
  readonly clientPauseCallMs: number;
  /** The longest time in the runSwitch call (and up to the next commit) without any acknowledged write. */
  readonly writeGapMs: number;
  /** The longest transaction began this long before the fence began (negative: after it, so it was held). */
  readonly longestBeganBeforeFenceMs: number | null;
  /** ... and was committed this long after switchyard's resume step had finished. */
  readonly longestCommittedAfterResumeMs: number | null;
  /** The first write acknowledged after switchyard's resume step had finished, this long after it. */
  readonly firstCommitAfterResumeMs: number | null;
  /** Transactions overlapping the fenced window. */
  readonly overlapping: number;
  /** Failed transactions overlapping the whole call. */
  readonly failedOverlapping: number;
  readonly switchMs: number;
  readonly steps: Readonly<Record<string, number>>;
}

/** What the clients saw during one switch, from the write load's transaction spans (sorted by end). */
export function clientView(run: SwitchRun, spans: readonly TransactionSpan[]): SwitchResult {
  const r = run.report;
  const fenceMs = r.steps.find((x) => x.step === 'fence')?.ms;
  const fencedAt = run.marks.fence !== undefined && fenceMs !== undefined ? run.marks.fence - fenceMs : run.startMs;
  const resumed = run.marks.resume ?? run.endMs;
  const during = (from: number, to: number) => spans.filter((s) => s.startMs <= to && s.endMs >= from);
  const longestOf = (xs: readonly TransactionSpan[]) =>
    xs.reduce<TransactionSpan | undefined>(
      (m, s) => (s.committed && (!m || s.endMs - s.startMs > m.endMs - m.startMs) ? s : m),
      undefined,
    );
  const fenced = during(fencedAt, resumed);
  const call = during(run.startMs, run.endMs);
  const longest = longestOf(fenced);
  const longestInCall = longestOf(call);
  let last = -Infinity;
  let gap = 0;
  for (const s of spans) {
    if (!s.committed) continue;
    if (s.endMs >= run.startMs && last > -Infinity) gap = Math.max(gap, s.endMs - Math.max(last, run.startMs));
    last = s.endMs;
    if (s.endMs > run.endMs) break;
  }
  const first = spans.find((s) => s.committed && s.endMs >= resumed);
  const writeWait = fenced.reduce(
    (m, s) => (s.committed ? Math.max(m, s.endMs - Math.max(s.startMs, fencedAt)) : m),
    0,
  );
  const ms = (t: TransactionSpan | undefined) => round(t ? t.endMs - t.startMs : 0);
  return {
    cycle: run.cycle,
    command: run.command,
    from: r.from,
    to: r.to,
    outcome: r.outcome,
    pauseMs: r.pauseMs,
    writeWaitMs: round(writeWait),
    clientPauseMs: ms(longest),
    clientPauseCallMs: ms(longestInCall),
    writeGapMs: round(gap),
    longestBeganBeforeFenceMs: longest ? round(fencedAt - longest.startMs) : null,
    longestCommittedAfterResumeMs: longest ? round(longest.endMs - resumed) : null,
    firstCommitAfterResumeMs: first ? round(first.endMs - resumed) : null,
    overlapping: fenced.length,
    failedOverlapping: call.filter((s) => !s.committed).length,
    switchMs: r.ms,
    steps: Object.fromEntries(r.steps.filter((s) => s.step !== 'done').map((s) => [s.step, s.ms])),
  };
}

/** From PgBouncer's log: after each RESUME, how long until it opened its next server connection (wall clock). */
export function reconnectDelays(text: string): { resumedAt: string; ms: number | null }[] {
  const at = (line: string) => Date.parse(`${line.slice(0, 23).replace(' ', 'T')}Z`);
  const out: { resumedAt: string; ms: number | null }[] = [];
  let pending: string | undefined;
  for (const line of text.split('\n')) {
    if (/ RESUME '/.test(line)) {
      if (pending) out.push({ resumedAt: pending, ms: null });
      pending = line.slice(0, 23);
    } else if (pending && /new connection to server/.test(line)) {
      out.push({ resumedAt: pending, ms: at(line) - at(pending) });
      pending = undefined;
    }
  }
  if (pending) out.push({ resumedAt: pending, ms: null });
  return out;
}
