// replace_function: CREATE OR REPLACE with the target definition, in expand; the rollback replaces it with the
// source definition. CREATE OR REPLACE cannot change the result type (RETURNS, printed by pg_get_functiondef
// on its own line) nor remove parameter defaults, in either direction, so validate() refuses those.
import type { ReplaceFunction } from '../../diff/index.js';
import { createFunction } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanProblem } from '../types.js';
import { functionRequirements, returnsClause } from '../recipes/objects.js';

const NEW_FUNCTION =
  'give the new version another name (add it, move callers to it, drop the old one in a later release)';

/** Parameters with a DEFAULT in the header line (defaults can only be trailing, so the count says which). */
const defaults = (definition: string): number =>
  (
    definition
      .trimStart()
      .split('\n', 1)[0]
      ?.match(/ DEFAULT /g) ?? []
  ).length;

export const replaceFunctionHandler: Handler<ReplaceFunction> = {
  validate(c) {
    const name = `${qualified(c.schema, c.to.name)}(${c.to.args})`;
    const problems: PlanProblem[] = [];
    const [from, to] = [returnsClause(c.from.definition), returnsClause(c.to.definition)];
    if (from !== to) {
      problems.push({
        change: c,
        message: `function ${name} changes its result type from ${from ?? '(none)'} to ${to ?? '(none)'}, which CREATE OR REPLACE cannot do (and DROP FUNCTION would break its callers)`,
        fix: NEW_FUNCTION,
      });
    }
    if (defaults(c.from.definition) !== defaults(c.to.definition)) {
      problems.push({
        change: c,
        message: `function ${name} changes which parameters have defaults; CREATE OR REPLACE cannot remove a default, so either the change or its rollback would fail`,
        fix: NEW_FUNCTION,
      });
    }
    return problems;
  },
  expand(c, ctx) {
    return [
      draft({
        phase: 'expand',
        action: 'replace_function',
        description: `replace the definition of function ${qualified(c.schema, c.to.name)}(${c.to.args})`,
        sql: createFunction(c.to),
        rollback: [createFunction(c.from)],
        hazards: ['USER_SQL'],
        requires: [key.function(c.schema, c.to.name, c.to.args), ...functionRequirements(c.to, ctx.target)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
