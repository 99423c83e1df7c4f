// Markdown for a pull request: what a reviewer needs to approve a schema change.
import { PHASES, type Plan } from '../types.js';
import { planBaseName } from '../file.js';
import { noteLines, releaseNotes, templateNote } from '../release-notes.js';
import { mermaid } from './mermaid.js';
import { costText, hazardIndex, seconds, verdict } from './summary.js';

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdown(plan: Plan): string {
  const sc = plan.score;
  const out: string[] = [
    `# Plan ${planBaseName(plan)}`,
    '',
    `Planned for ${plan.server.version}. Source \`${plan.source.fingerprint.slice(0, 19)}…\` → target \`${plan.target.fingerprint.slice(0, 19)}…\`; checksum \`${plan.checksum.slice(0, 19)}…\`.`,
    '',
    `## Complexity: ${sc.score} (${verdict(sc.score)})`,
    '',
    '| releases | tables touched | foreign keys | unique indexes | rows scanned | rows rewritten | ACCESS EXCLUSIVE steps | non-transactional steps | estimate | window |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${sc.releases} | ${sc.tablesTouched} | ${sc.foreignKeys} | ${sc.uniqueIndexes} | ${sc.rowsScanned} | ${sc.rowsRewritten} | ${sc.accessExclusiveLocks} | ${sc.nonTransactionalSteps} | ${seconds(sc.estimatedSeconds)} | ${seconds(sc.recommendedWindowSeconds)} |`,
    '',
    '## Hazards',
    '',
  ];
  const hz = hazardIndex(plan);
  if (hz.size === 0) out.push('None.', '');
  else out.push(...[...hz].map(([h, ids]) => `- **${h}**: ${ids.join(', ')}`), '');
  const notes = releaseNotes(plan);
  for (const r of plan.releases) {
    out.push(`## Release ${r.number}`, '');
    const groups = noteLines(notes.find((n) => n.release === r.number)!);
    out.push('### Application', '');
    if (!groups.length) out.push('Nothing asked of the application.', '');
    else if (templateNote(plan)) out.push(`(${templateNote(plan)})`, '');
    for (const g of groups)
      out.push(`${g.heading[0]!.toUpperCase()}${g.heading.slice(1)}:`, '', ...g.items.map((x) => `- ${x}`), '');
    for (const phase of PHASES) {
      const steps = r[phase];
      if (!steps.length) continue;
      out.push(
        `### ${phase}`,
        '',
        '| step | what | lock | transaction | hazards | cost |',
        '|---|---|---|---|---|---|',
      );
      for (const s of steps) {
        out.push(
          `| ${s.id} | ${cell(s.description)} | ${s.lock} | ${s.transactional ? 'yes' : 'alone'} | ${s.hazards.join(', ')} | ${costText(s)} |`,
        );
      }
      out.push('', '<details><summary>SQL and rollback</summary>', '', '```sql');
      for (const s of steps)
        out.push(
          `-- ${s.id}`,
          `${s.sql};`,
          `-- rollback of ${s.id}`,
          ...(s.rollback.length
            ? s.rollback.map((x) => `${x};`)
            : [
                s.hazards.includes('IRREVERSIBLE')
                  ? '-- (IRREVERSIBLE: declared without rollbackSql)'
                  : '-- (nothing to undo)',
              ]),
          '',
        );
      out.push('```', '', '</details>', '');
    }
  }
  out.push('## Diagram', '', '```mermaid', mermaid(plan).trimEnd(), '```', '');
  return out.join('\n');
}
