// create_view: a view or materialized view the source lacks, in expand, after everything it reads (keys from
// recipes/views.ts). A view is built with its comments in one step. A materialized view is created WITH NO DATA
// (with its indexes and comments, nothing reads it yet) and populated by a REFRESH in the backfill phase, where
// reading every row it aggregates belongs; the REFRESH's rollback empties it again (WITH NO DATA).
import type { CreateView } from '../../diff/index.js';
import { dropView, refreshMaterializedView, viewStatements } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { doBlock } from '../recipes/shadow-steps.js';
import { changedColumnsRead, viewLabel, viewObjects, viewRequirements } from '../recipes/views.js';

export const createViewHandler: Handler<CreateView> = {
  validate: () => [],
  expand(c, ctx) {
    const v = c.view;
    return [
      draft({
        phase: 'expand',
        action: v.materialized ? 'create_materialized_view' : 'create_view',
        description: `create ${viewLabel(c.schema, v)}${v.materialized ? ' (empty until the backfill phase refreshes it)' : ''}`,
        sql: doBlock(viewStatements(c.schema, v)),
        rollback: [dropView(c.schema, v)],
        creates: viewObjects(c.schema, v),
        requires: [...viewRequirements(ctx.target, c.schema, v), ...changedColumnsRead(ctx, v)],
      }),
    ];
  },
  backfill(c) {
    const v = c.view;
    if (!v.materialized) return none();
    return [
      draft({
        phase: 'backfill',
        action: 'refresh_materialized_view',
        description: `populate ${viewLabel(c.schema, v)} (REFRESH reads every row it is computed from)`,
        sql: refreshMaterializedView(c.schema, v.name),
        rollback: [`${refreshMaterializedView(c.schema, v.name)} WITH NO DATA`],
        hazards: ['FULL_SCAN'],
        requires: [key.view(c.schema, v.name)],
      }),
    ];
  },
  contract: none,
};
