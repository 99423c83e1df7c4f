// drop_composite: a removal, in the contract of the next release, after the columns of the type are gone
// (they require it). The rollback recreates it with its comment.
import type { DropComposite } from '../../diff/index.js';
import { comment, createComposite, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropCompositeHandler: Handler<DropComposite> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const t = c.type;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_composite',
        description: `drop composite type ${qualified(c.schema, t.name)}`,
        sql: dropType(c.schema, t.name),
        rollback: [
          createComposite(c.schema, t),
          ...(t.comment !== undefined ? [comment({ kind: 'type', schema: c.schema, name: t.name }, t.comment)] : []),
        ],
        requires: [key.schema(c.schema)],
        drops: [key.type(c.schema, t.name)],
      }),
    ];
  },
};
