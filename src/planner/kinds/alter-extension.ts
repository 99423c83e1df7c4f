// alter_extension: a pinned version other than the installed one is ALTER EXTENSION ... UPDATE TO, in the
// expand phase after the extensions are created. Extensions ship upgrade scripts, rarely downgrade ones, so the
// step has no rollback: hazard IRREVERSIBLE, which apply refuses until allowed (`--allow-hazard IRREVERSIBLE`).
// Applying the phase again after a rollback runs it again, which PostgreSQL accepts (already at that version).
// Moving an extension to another schema is refused: ALTER EXTENSION ... SET SCHEMA moves every object it owns,
// and SQL that names them by schema (function bodies, the search_path of roles) breaks without a trace.
import type { AlterExtension } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { updateExtension } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanProblem } from '../types.js';

export const alterExtensionHandler: Handler<AlterExtension> = {
  validate(c): PlanProblem[] {
    if (c.from.schema === c.to.schema) return [];
    return [
      {
        change: c,
        message: `extension ${ident(c.to.name)} is installed in schema ${ident(c.from.schema)}, declared in ${ident(c.to.schema)}: switchyard does not move an extension (ALTER EXTENSION ... SET SCHEMA moves every object it owns, and SQL naming them by schema breaks)`,
        fix: `declare \`schema: ${c.from.schema}\` for it, or move it yourself in a reviewed \`sql:\` step`,
      },
    ];
  },
  expand(c) {
    const version = c.to.version;
    if (version === undefined || c.from.schema !== c.to.schema) return [];
    return [
      draft({
        phase: 'expand',
        action: 'update_extension',
        description: `update extension ${ident(c.to.name)} from version ${c.from.version ?? '?'} to ${version} (no rollback: extensions rarely ship downgrade scripts)`,
        sql: updateExtension(c.to.name, version),
        hazards: ['IRREVERSIBLE'],
        requires: [key.extension(c.to.name)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
