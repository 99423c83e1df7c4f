// create_composite: a new type is additive, created in expand with its comment; the rollback drops it.
import type { CreateComposite } from '../../diff/index.js';
import { createComposite, dropType } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { commentSteps } from '../recipes/comments.js';
import { typeKeys } from '../recipes/tables.js';
import type { Handler } from '../types.js';

export const createCompositeHandler: Handler<CreateComposite> = {
  validate: () => [],
  expand(c, ctx) {
    const t = c.type;
    const type = key.type(c.schema, t.name);
    const what = `composite type ${qualified(c.schema, t.name)}`;
    return [
      draft({
        phase: 'expand',
        action: 'create_composite',
        description: `create ${what}`,
        sql: createComposite(c.schema, t),
        rollback: [dropType(c.schema, t.name)],
        creates: [type],
        requires: [key.schema(c.schema), ...t.attributes.flatMap((a) => typeKeys(ctx, a.type))],
      }),
      ...commentSteps(
        { phase: 'expand', target: { kind: 'type', schema: c.schema, name: t.name }, what, requires: [type] },
        t.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
