// create_range: CREATE TYPE ... AS RANGE in expand (PostgreSQL creates the multirange type with it); the rollback
// drops it, which drops the multirange too.
import type { CreateRange } from '../../diff/index.js';
import { createRange, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { commentSteps } from '../recipes/comments.js';
import { typeKeys } from '../recipes/tables.js';
import type { Handler } from '../types.js';

export const createRangeHandler: Handler<CreateRange> = {
  validate: () => [],
  expand(c, ctx) {
    const r = c.range;
    const type = key.type(c.schema, r.name);
    const what = `range type ${qualified(c.schema, r.name)}`;
    return [
      draft({
        phase: 'expand',
        action: 'create_range',
        description: `create ${what} of ${r.subtype}`,
        sql: createRange(c.schema, r),
        rollback: [dropType(c.schema, r.name)],
        creates: [type],
        requires: [key.schema(c.schema), ...typeKeys(ctx, r.subtype)],
      }),
      ...commentSteps(
        { phase: 'expand', target: { kind: 'type', schema: c.schema, name: r.name }, what, requires: [type] },
        r.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
