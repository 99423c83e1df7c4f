// drop_view: a removal, in the contract of the next release like every other, before the tables and columns it
// reads are dropped (it requires them) and after the views reading it (they require it). The rollback builds it
// again as the source had it (a materialized view populated, with its indexes and comments). A view whose
// source reads a view recreated by a replace_view is dropped by that step (recipes/views.ts carriedBy), and one
// reading a column a column step changes is dropped by that step (rebuiltByColumnStep).
import type { DropView } from '../../diff/index.js';
import { dropView, viewStatements } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import type { Handler } from '../types.js';
import { carriedBy, rebuiltByColumnStep, viewLabel, viewObjects, viewRequirements } from '../recipes/views.js';

export const dropViewHandler: Handler<DropView> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const v = c.view;
    if (carriedBy(ctx, c.schema, v.name) || rebuiltByColumnStep(ctx, c.schema, v.name)) return none();
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: v.materialized ? 'drop_materialized_view' : 'drop_view',
        description: `drop ${viewLabel(c.schema, v)}`,
        sql: dropView(c.schema, v),
        rollback: viewStatements(c.schema, v, { withData: true }),
        requires: viewRequirements(ctx.source, c.schema, v),
        drops: viewObjects(c.schema, v),
      }),
    ];
  },
};
