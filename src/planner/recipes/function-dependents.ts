// What depends on a function that must be dropped and created again (CREATE OR REPLACE cannot rename its
// parameters, change its result type or remove a default): the column defaults calling it are dropped before
// and set again after. Other dependents PostgreSQL records (checks, index expressions, generated columns)
// would need a rebuild or a revalidation of their own, so the planner refuses those with the objects named.
import type { Function } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { allTables, findTable, mentions, returnsClause } from './objects.js';
import type { PlanContext } from '../types.js';

/** A column default calling the function, the same in source and target. */
export interface DependentDefault {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly expression: string;
}

export interface FunctionDependents {
  readonly defaults: readonly DependentDefault[];
  /** Dependents that cannot be moved around the drop, described for the problem message. */
  readonly refused: readonly string[];
}

/** Whether CREATE OR REPLACE can take `from` to `to`: same header line (names, defaults) and result type. */
export function replaceableInPlace(from: Function, to: Function): boolean {
  const header = (f: Function) => f.definition.trimStart().split('\n', 1)[0];
  return header(from) === header(to) && returnsClause(from.definition) === returnsClause(to.definition);
}

export function functionDependents(ctx: PlanContext, schema: string, f: Function): FunctionDependents {
  const defaults: DependentDefault[] = [];
  const refused: string[] = [];
  const calls = (text: string | undefined) => mentions(text, schema, f.name);
  for (const { schema: s, table: t } of allTables(ctx.source)) {
    const where = (what: string) => `${what} on ${qualified(s, t.name)}`;
    for (const c of t.columns) {
      if (calls(c.generated)) refused.push(where(`generated column ${ident(c.name)}`));
      if (!calls(c.default) || c.default === undefined) continue;
      const target = findTable(ctx.target, s, t.name)?.columns.find((x) => x.name === c.name);
      if (target?.default === c.default)
        defaults.push({ schema: s, table: t.name, column: c.name, expression: c.default });
      else refused.push(where(`the default of column ${ident(c.name)}, which changes too`));
    }
    for (const ch of t.checks) if (calls(ch.expression)) refused.push(where(`check ${ident(ch.name)}`));
    for (const ix of t.indexes)
      if (ix.keys.some((k) => calls(k.expression)) || calls(ix.where))
        refused.push(where(`index ${qualified(s, ix.name)}`));
  }
  return { defaults, refused };
}
