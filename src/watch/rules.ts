// The alert rules (issue #20): what counts as a problem in one tick of samples, with the thresholds of `alerts:`
// in switchyard.yaml. A rule returns the conditions true now; episodes.ts turns them into firing and recovery.
import { redactText } from '../db/redact.js';
import type { DatabaseSample, LockWait } from './sample.js';
import type { AlertThresholds } from './thresholds.js';

export { type AlertThresholds, DEFAULT_THRESHOLDS } from './thresholds.js';

/** Points of windowMinutes at which the window alerts fire (50%, 80%, 100%). */
export const WINDOW_POINTS = [0.5, 0.8, 1] as const;

export const ALERTS = [
  'lock_wait',
  'error_rate',
  'deadlock',
  'recovery_conflict',
  'long_transaction',
  'idle_in_transaction',
  'connections',
  'replication_lag',
  'slot_retention',
  'split_brain',
  'health_check',
  'phase_overrun',
  'window_50',
  'window_80',
  'window_100',
  'watch_failed',
] as const;
export type AlertName = (typeof ALERTS)[number];
export type Severity = 'info' | 'warning' | 'critical';

/** A problem true at this tick. `subject` tells apart two episodes of one alert (the side, the slot). */
export interface Condition {
  readonly alert: AlertName;
  readonly subject: string;
  readonly severity: Severity;
  readonly value: number;
  readonly threshold: number;
  /** One line for people: what, where, and who is to blame. */
  readonly text: string;
  /** Fires once and never clears while the watch runs (the window points). */
  readonly sticky?: boolean;
  /** Structured detail (the blocker of a lock wait...). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** One database's part of a tick: its sample and the rates since the previous one. */
export interface TargetTick {
  readonly label: string;
  readonly side?: string;
  readonly sample: DatabaseSample;
  /** Rolled-back transactions per second since the previous sample, switchyard's own retries left out; null on the first. */
  readonly rollbacksPerS: number | null;
  readonly deadlocks: number;
  readonly conflicts: number;
  /** Foreign writes pending in the split-brain watch slot; null when none is armed or `pair watch` streams it. */
  readonly splitBrain: number | null;
}

export interface Progress {
  readonly plan?: string;
  readonly release?: number;
  readonly phase?: string;
  /** A phase has started and not finished. */
  readonly running: boolean;
  readonly stepsDone: number;
  readonly steps: number;
  readonly elapsedS: number;
  readonly estimateS?: number;
  readonly backfill?: {
    readonly rows: number;
    readonly totalRows: number;
    readonly rowsPerSecond: number;
    readonly etaSeconds: number;
  };
  /** The last health check failed: its check and detail. */
  readonly healthFailed?: string;
}

const ms = (n: number) => (n >= 10_000 ? `${Math.round(n / 1000)} s` : `${(n / 1000).toFixed(1)} s`);
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
const oneLine = (q: string) => redactText(q.replace(/\s+/g, ' ').trim());

function lockText(label: string, w: LockWait): string {
  const b = w.blocker;
  const blocker = b
    ? `blocked by pid ${b.pid} (${b.applicationName || 'no application_name'}, ${b.state}, transaction open ${ms(b.heldMs)}): ${oneLine(b.query)}`
    : 'blocker gone';
  return `lock wait on ${label}: pid ${w.pid} (${w.applicationName || 'no application_name'}) has waited ${ms(w.waitingMs)} for a lock, ${blocker}; waiting query: ${oneLine(w.query)}`;
}

/** The conditions of one database. */
export function targetConditions(t: TargetTick, th: AlertThresholds): Condition[] {
  const out: Condition[] = [];
  const s = t.sample;
  const on = t.side ?? t.label;
  const worst = s.lockWaits[0];
  if (worst)
    out.push({
      alert: 'lock_wait',
      subject: on,
      severity: 'warning',
      value: worst.waitingMs,
      threshold: th.lockWaitMs,
      text: lockText(t.label, worst),
      detail: { waiting: s.lockWaits.length, session: worst },
    });
  if (t.rollbacksPerS !== null && t.rollbacksPerS > th.errorRatePerS)
    out.push({
      alert: 'error_rate',
      subject: on,
      severity: 'critical',
      value: Math.round(t.rollbacksPerS * 10) / 10,
      threshold: th.errorRatePerS,
      text: `error rate on ${t.label}: ${t.rollbacksPerS.toFixed(1)} rolled-back transactions/s (threshold ${th.errorRatePerS}/s; switchyard's own lock-timeout retries not counted)`,
    });
  if (t.deadlocks > 0)
    out.push({
      alert: 'deadlock',
      subject: on,
      severity: 'warning',
      value: t.deadlocks,
      threshold: 0,
      text: `${t.deadlocks} deadlock(s) on ${t.label} since the last sample`,
    });
  if (t.conflicts > 0)
    out.push({
      alert: 'recovery_conflict',
      subject: on,
      severity: 'warning',
      value: t.conflicts,
      threshold: 0,
      text: `${t.conflicts} query(ies) cancelled by recovery conflicts on ${t.label} since the last sample`,
    });
  const long = s.longTransactions.sessions[0];
  if (long)
    out.push({
      alert: 'long_transaction',
      subject: on,
      severity: 'warning',
      value: long.seconds,
      threshold: th.longTransactionS,
      text: `${s.longTransactions.count} transaction(s) open longer than ${th.longTransactionS} s on ${t.label}; longest: pid ${long.pid} (${long.applicationName || 'no application_name'}) for ${long.seconds} s: ${oneLine(long.query)}`,
      detail: { count: s.longTransactions.count, sessions: s.longTransactions.sessions },
    });
  const idle = s.idleInTransaction.sessions[0];
  if (idle)
    out.push({
      alert: 'idle_in_transaction',
      subject: on,
      severity: 'warning',
      value: idle.seconds,
      threshold: th.idleInTransactionS,
      text: `${s.idleInTransaction.count} session(s) idle in a transaction longer than ${th.idleInTransactionS} s on ${t.label}; longest: pid ${idle.pid} (${idle.applicationName || 'no application_name'}) for ${idle.seconds} s after: ${oneLine(idle.query)}`,
      detail: { count: s.idleInTransaction.count, sessions: s.idleInTransaction.sessions },
    });
  const ratio = s.maxConnections > 0 ? s.connections / s.maxConnections : 0;
  if (ratio >= th.connectionRatio)
    out.push({
      alert: 'connections',
      subject: on,
      severity: ratio >= 1 ? 'critical' : 'warning',
      value: Math.round(ratio * 1000) / 1000,
      threshold: th.connectionRatio,
      text: `connections on ${t.label}: ${s.connections} of ${s.maxConnections} available (${Math.round(ratio * 100)}%)`,
    });
  for (const slot of s.slots) {
    if (slot.lagBytes !== null && slot.lagBytes > th.lagBytes)
      out.push({
        alert: 'replication_lag',
        subject: slot.slot,
        severity: 'warning',
        value: slot.lagBytes,
        threshold: th.lagBytes,
        text: `replication lag on ${t.label}: slot ${slot.slot} is ${mib(slot.lagBytes)} behind (threshold ${mib(th.lagBytes)})${slot.active ? '' : '; no subscriber is connected'}`,
      });
    if (slot.retainedBytes !== null && slot.retainedBytes > th.slotRetainedBytes)
      out.push({
        alert: 'slot_retention',
        subject: slot.slot,
        severity: 'warning',
        value: slot.retainedBytes,
        threshold: th.slotRetainedBytes,
        text: `slot ${slot.slot} on ${t.label} keeps ${mib(slot.retainedBytes)} of WAL (threshold ${mib(th.slotRetainedBytes)})`,
      });
  }
  const w = s.watchSlot;
  if (w?.retainedBytes != null && w.retainedBytes > th.slotRetainedBytes)
    out.push({
      alert: 'slot_retention',
      subject: w.name,
      severity: 'warning',
      value: w.retainedBytes,
      threshold: th.slotRetainedBytes,
      text: `watch slot ${w.name} on ${t.label} keeps ${mib(w.retainedBytes)} of WAL: run \`switchyard pair watch\`, which reads it`,
    });
  if (t.splitBrain)
    out.push({
      alert: 'split_brain',
      subject: on,
      severity: 'critical',
      value: t.splitBrain,
      threshold: 0,
      text: `split brain: ${t.splitBrain} write(s) on the fenced side ${t.label} that did not come from replication (\`switchyard pair watch --once\` lists them)`,
    });
  return out;
}

/** The conditions of the run: phase against its estimate, the health check, and the window. */
export function runConditions(
  p: Progress | undefined,
  th: AlertThresholds,
  window: { readonly usedRatio: number; readonly minutes: number } | undefined,
): Condition[] {
  const out: Condition[] = [];
  if (p?.running && p.estimateS !== undefined && p.estimateS > 0 && p.elapsedS > p.estimateS * th.phaseOverrunRatio)
    out.push({
      alert: 'phase_overrun',
      subject: `${p.release}/${p.phase}`,
      severity: 'warning',
      value: Math.round(p.elapsedS),
      threshold: Math.round(p.estimateS * th.phaseOverrunRatio * 10) / 10,
      text: `${p.phase} (release ${p.release}) of ${p.plan} has run ${Math.round(p.elapsedS)} s, over ${th.phaseOverrunRatio}x its estimate of ${p.estimateS} s (${p.stepsDone}/${p.steps} steps done)`,
    });
  if (p?.healthFailed)
    out.push({
      alert: 'health_check',
      subject: `${p.release}/${p.phase}`,
      severity: 'critical',
      value: 1,
      threshold: 0,
      text: `health check failed after ${p.phase} (release ${p.release}) of ${p.plan}: ${p.healthFailed}`,
    });
  if (window)
    for (const point of WINDOW_POINTS)
      if (window.usedRatio >= point) {
        const pct = Math.round(point * 100);
        out.push({
          alert: `window_${pct}` as AlertName,
          subject: 'window',
          severity: point >= 1 ? 'critical' : point >= 0.8 ? 'warning' : 'info',
          value: Math.round(window.usedRatio * 1000) / 1000,
          threshold: point,
          sticky: true,
          text:
            point >= 1
              ? `the ${window.minutes}-minute maintenance window is over (${Math.round(window.usedRatio * 100)}% used)`
              : `${pct}% of the ${window.minutes}-minute maintenance window is used`,
        });
      }
  return out;
}
