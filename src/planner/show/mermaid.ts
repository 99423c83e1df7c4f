// Releases and phases as subgraphs, steps in order, and the dependency edges between steps.
import { PHASES, type Plan } from '../types.js';
import { stepsOf } from './summary.js';

const label = (s: string) => s.replaceAll('"', '#quot;').replaceAll('\n', ' ');
const nodeId = (id: string) => id.replaceAll('-', '_');

export function mermaid(plan: Plan): string {
  const lines = ['flowchart TD'];
  let previousLast: string | undefined;
  for (const r of plan.releases) {
    for (const phase of PHASES) {
      const steps = r[phase];
      if (!steps.length) continue;
      lines.push(`  subgraph r${r.number}_${phase}["release ${r.number}: ${phase}"]`);
      // A raw SQL step carries its hazards in its label: nobody generated its SQL.
      for (const s of steps) {
        const tags = s.action === 'run_sql' ? ` [${s.hazards.join(', ')}]` : '';
        lines.push(`    ${nodeId(s.id)}["${label(`${s.id}: ${s.description}${tags}`)}"]`);
      }
      lines.push('  end');
      const first = nodeId(steps[0]!.id);
      if (previousLast) lines.push(`  ${previousLast} --> ${first}`);
      for (let i = 1; i < steps.length; i++) lines.push(`  ${nodeId(steps[i - 1]!.id)} --> ${nodeId(steps[i]!.id)}`);
      previousLast = nodeId(steps[steps.length - 1]!.id);
    }
  }
  // Dependencies that are not already the next-step edge: what each step needs from earlier ones.
  const all = stepsOf(plan);
  const creator = new Map<string, string>();
  for (const s of all) for (const k of s.creates) if (!creator.has(k)) creator.set(k, s.id);
  const seen = new Set<string>();
  all.forEach((s, i) => {
    for (const k of s.requires) {
      const from = creator.get(k);
      if (!from || from === s.id || from === all[i - 1]?.id) continue;
      const edge = `  ${nodeId(from)} -.-> ${nodeId(s.id)}`;
      if (!seen.has(edge)) lines.push(edge);
      seen.add(edge);
    }
  });
  return `${lines.join('\n')}\n`;
}
