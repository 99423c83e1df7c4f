// drop_enum: a removal, so it waits for the contract of the next release. Columns of the type are dropped by
// their own changes first (they require the type); the rollback recreates the type with its comment.
import type { DropEnum } from '../../diff/index.js';
import { comment, createEnum, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropEnumHandler: Handler<DropEnum> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const e = c.enum;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_enum',
        description: `drop enum ${qualified(c.schema, e.name)}`,
        sql: dropType(c.schema, e.name),
        rollback: [
          createEnum(c.schema, e),
          ...(e.comment !== undefined ? [comment({ kind: 'type', schema: c.schema, name: e.name }, e.comment)] : []),
        ],
        requires: [key.schema(c.schema)],
        drops: [key.type(c.schema, e.name)],
      }),
    ];
  },
};
