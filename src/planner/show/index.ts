import type { Colors } from './colors.js';
import { sqlFiles } from '../sql-files.js';
import type { Plan } from '../types.js';
import { releaseNotes } from '../release-notes.js';
import { markdown } from './markdown.js';
import { mermaid } from './mermaid.js';
import { text } from './text.js';

import type { ShowFormat } from './formats.js';

export { SHOW_FORMATS, type ShowFormat } from './formats.js';

export function showPlan(plan: Plan, format: ShowFormat, c: Colors): string {
  switch (format) {
    case 'text':
      return text(plan, c);
    case 'markdown':
      return markdown(plan);
    case 'mermaid':
      return mermaid(plan);
    case 'json':
      // The plan as its file has it, and the release notes derived from it (not part of the file nor its checksum).
      return `${JSON.stringify({ ...plan, releaseNotes: releaseNotes(plan) }, null, 2)}\n`;
    case 'sql':
      return sqlFiles(plan)
        .filter((f) => f.name.endsWith('.up.sql'))
        .map((f) => f.text)
        .join('\n');
  }
}
