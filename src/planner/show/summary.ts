// Facts every review format shows: hazards by step, the score's verdict, durations.
import { PHASES, type Hazard, type Plan, type Step } from '../types.js';

export function stepsOf(plan: Plan): Step[] {
  return plan.releases.flatMap((r) => PHASES.flatMap((p) => r[p]));
}

export function hazardIndex(plan: Plan): Map<Hazard, string[]> {
  const out = new Map<Hazard, string[]>();
  for (const s of stepsOf(plan)) for (const h of s.hazards) out.set(h, [...(out.get(h) ?? []), s.id]);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function verdict(score: number): string {
  if (score < 20) return 'routine';
  if (score <= 50) return 'needs a reviewer who knows these tables';
  return 'rehearse on production-size data before applying';
}

export function seconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.round(s / 60)} min`;
}

/** A measured time in milliseconds: `840 ms`, `2.3 s`, `4 min 12 s`; never `0.0 s` for a phase that ran. */
export function duration(ms: number): string {
  if (ms < 1) return 'under 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function costText(s: Step): string {
  if (!s.cost) return '';
  return `${s.cost.rows.toLocaleString('en-US')} rows, ~${seconds(s.cost.seconds)}`;
}
