// drop_function: a removal, in the contract of the next release, after the triggers using it are dropped (they
// require it) and before the enums and tables it names are (it requires them), so that the rollback finds them.
import type { DropFunction } from '../../diff/index.js';
import { createFunction, dropFunction } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { restoreComment } from '../recipes/comments.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { functionRequirements } from '../recipes/objects.js';

export const dropFunctionHandler: Handler<DropFunction> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const f = c.function;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_function',
        description: `drop function ${qualified(c.schema, f.name)}(${f.args})`,
        sql: dropFunction(c.schema, f.name, f.args),
        rollback: [
          createFunction(f),
          ...restoreComment({ kind: 'function', schema: c.schema, name: f.name, args: f.args }, f.comment),
        ],
        requires: [key.schema(c.schema), ...functionRequirements(f, ctx.source)],
        drops: [key.function(c.schema, f.name, f.args)],
      }),
    ];
  },
};
