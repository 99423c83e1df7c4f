// replace_function: CREATE OR REPLACE with the target definition, in expand; the rollback replaces it with the
// source definition. CREATE OR REPLACE cannot rename a parameter, change the result type (RETURNS, printed by
// pg_get_functiondef on its own line) or remove a parameter default, in either direction: such a change is a
// DROP FUNCTION and a CREATE FUNCTION in expand, with the column defaults calling it dropped before and set
// again after (recipes/function-dependents.ts). Callers of the old version break from then on (BREAKS_OLD_APP).
import type { ReplaceFunction } from '../../diff/index.js';
import { createFunction, dropDefault, dropFunction, setDefault } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';
import { functionRequirements } from '../recipes/objects.js';
import { commentSteps, restoreComment } from '../recipes/comments.js';
import { milestone } from '../recipes/dependents.js';
import { functionDependents, replaceableInPlace } from '../recipes/function-dependents.js';

const signature = (c: ReplaceFunction): string => `${qualified(c.schema, c.to.name)}(${c.to.args})`;

export const replaceFunctionHandler: Handler<ReplaceFunction> = {
  validate(c, ctx) {
    if (replaceableInPlace(c.from, c.to)) return [];
    return functionDependents(ctx, c.schema, c.from).refused.map((what) => ({
      change: c,
      message: `function ${signature(c)} changes its parameters or result type, so it is dropped and created again, which ${what} does not survive`,
      fix: 'give the new version another name (add it, move its users to it, drop the old one in a later release)',
    }));
  },
  expand(c, ctx) {
    const fn = key.function(c.schema, c.to.name, c.to.args);
    const old = key.function(c.schema, c.from.name, c.from.args);
    const requires = [fn, ...functionRequirements(c.to, ctx.target)];
    if (replaceableInPlace(c.from, c.to)) {
      return [
        draft({
          phase: 'expand',
          action: 'replace_function',
          description: `replace the definition of function ${signature(c)}`,
          sql: createFunction(c.to),
          rollback: [createFunction(c.from)],
          hazards: ['USER_SQL'],
          alters: [old],
          requires,
        }),
      ];
    }
    const defaults = functionDependents(ctx, c.schema, c.from).defaults;
    const column = (d: (typeof defaults)[number]) => `${ident(d.column)} of ${qualified(d.schema, d.table)}`;
    const unset = defaults.map(
      (d): StepDraft =>
        draft({
          phase: 'expand',
          action: 'drop_default',
          description: `drop the default of ${column(d)} while function ${signature(c)} is recreated`,
          sql: dropDefault(d.schema, d.table, d.column),
          rollback: [setDefault(d.schema, d.table, d.column, d.expression)],
          lock: 'ACCESS EXCLUSIVE',
          locks: [[d.schema, d.table]],
          creates: [milestone.gone(`${key.column(d.schema, d.table, d.column)}:default`)],
          requires: [key.column(d.schema, d.table, d.column)],
        }),
    );
    const reset = defaults.map(
      (d): StepDraft =>
        draft({
          phase: 'expand',
          action: 'set_default',
          description: `set the default of ${column(d)} again`,
          sql: setDefault(d.schema, d.table, d.column, d.expression),
          rollback: [dropDefault(d.schema, d.table, d.column)],
          lock: 'ACCESS EXCLUSIVE',
          locks: [[d.schema, d.table]],
          requires: [milestone.readded(fn), key.column(d.schema, d.table, d.column)],
        }),
    );
    return [
      ...unset,
      draft({
        phase: 'expand',
        action: 'drop_function',
        description: `drop function ${signature(c)}: its parameters or result type change`,
        sql: dropFunction(c.schema, c.from.name, c.from.args),
        rollback: [
          createFunction(c.from),
          ...restoreComment(
            { kind: 'function', schema: c.schema, name: c.from.name, args: c.from.args },
            c.from.comment,
          ),
        ],
        hazards: ['BREAKS_OLD_APP'],
        alters: [old],
        creates: [milestone.gone(old)],
        requires: [old, ...unset.flatMap((s) => s.creates)],
      }),
      draft({
        phase: 'expand',
        action: 'create_function',
        description: `create function ${signature(c)} with its new parameters or result type`,
        sql: createFunction(c.to),
        rollback: [dropFunction(c.schema, c.to.name, c.to.args)],
        hazards: ['USER_SQL'],
        // Under new parameter names the key is new: what the target calls it by waits for this step.
        creates: [...(fn !== old ? [fn] : []), milestone.readded(fn)],
        requires: [milestone.gone(old), ...functionRequirements(c.to, ctx.target)],
      }),
      // DROP FUNCTION took the comment along.
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'function', schema: c.schema, name: c.to.name, args: c.to.args },
          what: `function ${signature(c)}`,
          requires: [milestone.readded(fn)],
        },
        c.to.comment,
      ),
      ...reset,
    ];
  },
  backfill: none,
  contract: none,
};
