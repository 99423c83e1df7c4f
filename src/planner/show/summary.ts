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

export function costText(s: Step): string {
  if (!s.cost) return '';
  return `${s.cost.rows.toLocaleString('en-US')} rows, ~${seconds(s.cost.seconds)}`;
}
