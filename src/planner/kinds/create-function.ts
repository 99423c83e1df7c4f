// create_function: additive, in expand: the stored CREATE OR REPLACE FUNCTION statement as it is. It needs the
// enums and tables its signature names (and, for an SQL-language function, that its body names: those bodies
// are parsed at creation). The body is user SQL that switchyard does not analyze.
import type { CreateFunction } from '../../diff/index.js';
import { createFunction, dropFunction } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { functionRequirements } from '../recipes/objects.js';
import { commentSteps } from '../recipes/comments.js';

export const createFunctionHandler: Handler<CreateFunction> = {
  validate: () => [],
  expand(c, ctx) {
    const f = c.function;
    return [
      draft({
        phase: 'expand',
        action: 'create_function',
        description: `create function ${qualified(c.schema, f.name)}(${f.args})`,
        sql: createFunction(f),
        rollback: [dropFunction(c.schema, f.name, f.args)],
        hazards: ['USER_SQL'],
        creates: [key.function(c.schema, f.name, f.args)],
        requires: [key.schema(c.schema), ...functionRequirements(f, ctx.target)],
      }),
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'function', schema: c.schema, name: f.name, args: f.args },
          what: `function ${qualified(c.schema, f.name)}(${f.args})`,
          requires: [key.function(c.schema, f.name, f.args)],
        },
        f.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
