// drop_range: in the contract of the next release, after the columns of the type (and of its multirange) are
// gone. The rollback recreates it with its comment.
import type { DropRange } from '../../diff/index.js';
import { comment, createRange, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropRangeHandler: Handler<DropRange> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const r = c.range;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_range',
        description: `drop range type ${qualified(c.schema, r.name)}`,
        sql: dropType(c.schema, r.name),
        rollback: [
          createRange(c.schema, r),
          ...(r.comment !== undefined ? [comment({ kind: 'type', schema: c.schema, name: r.name }, r.comment)] : []),
        ],
        requires: [key.schema(c.schema)],
        drops: [key.type(c.schema, r.name)],
      }),
    ];
  },
};
