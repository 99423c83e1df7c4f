// The terminal view of a plan.
import type { Colors } from './colors.js';
import { planBaseName } from '../file.js';
import { noteLines, releaseNotes, templateNote } from '../release-notes.js';
import { PHASES, type Plan } from '../types.js';
import { costText, hazardIndex, seconds, verdict } from './summary.js';

export function text(plan: Plan, c: Colors): string {
  const sc = plan.score;
  const out = [
    `${c.bold(`plan ${planBaseName(plan)}`)}  ${c.dim(`${plan.checksum.slice(0, 19)}…`)}  for ${plan.server.version.split(' on ')[0]}`,
    `complexity ${c.bold(String(sc.score))} (${verdict(sc.score)}); ${sc.releases} release(s); estimate ${seconds(sc.estimatedSeconds)}, window at least ${seconds(sc.recommendedWindowSeconds)}`,
  ];
  const hz = hazardIndex(plan);
  if (hz.size) out.push(`hazards: ${[...hz].map(([h, ids]) => `${c.yellow(h)} (${ids.length})`).join(', ')}`);
  const notes = releaseNotes(plan);
  for (const r of plan.releases) {
    const groups = noteLines(notes.find((n) => n.release === r.number)!);
    if (groups.length) {
      const tenants = templateNote(plan);
      out.push('', c.cyan(c.bold(`release ${r.number} · application`)) + (tenants ? c.dim(`  (${tenants})`) : ''));
      for (const g of groups) out.push(`  ${g.heading}:`, ...g.items.map((x) => `    - ${x}`));
    }
    for (const phase of PHASES) {
      const steps = r[phase];
      if (!steps.length) continue;
      out.push('', c.cyan(c.bold(`release ${r.number} · ${phase}`)));
      for (const s of steps) {
        const tags = [
          s.lock !== 'none' ? s.lock : '',
          s.transactional ? '' : 'alone',
          ...s.hazards,
          costText(s),
        ].filter(Boolean);
        out.push(`  ${c.dim(s.id)}  ${s.description}${tags.length ? `  ${c.dim(`[${tags.join(', ')}]`)}` : ''}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
