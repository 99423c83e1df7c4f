// add_enum_value: ALTER TYPE ... ADD VALUE in expand. The value cannot be used in the transaction that adds it
// (lint rule 15): the planner runs every step in its own transaction, and this step `creates` the type's key so
// that every step using the type is ordered after it. Before PostgreSQL 12 the statement cannot run in a
// transaction block at all.
//
// PostgreSQL cannot remove an enum value, so the rollback recreates the type with the values it had before
// this step (the source's, plus values this plan added before this one) and converts every user of it: it
// rewrites each table with a column of the type under ACCESS EXCLUSIVE, and it fails, leaving everything as
// it was, if any row holds the new value.
import type { AddEnumValue } from '../../diff/index.js';
import type { Enum } from '../../schema/model/model.js';
import { addEnumValue, type EnumValuePosition } from '../../sql/render/index.js';
import { literal, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import { findSchema, temporaryNameProblems } from '../recipes/objects.js';
import { OLD_SUFFIX, enumDependents, recreateInPlace } from '../recipes/enums.js';

/** The enum as it is just before this value is added. */
function enumBefore(c: AddEnumValue, ctx: PlanContext): Enum {
  const source = findSchema(ctx.source, c.schema)?.enums.find((e) => e.name === c.enum.name);
  const existing = new Set(source?.values ?? []);
  // Values are added in target order, so the ones added before this one are the new values in front of it.
  const at = c.enum.values.indexOf(c.value);
  const values = c.enum.values.filter((v, i) => existing.has(v) || i < at);
  return {
    kind: 'enum',
    name: c.enum.name,
    values,
    ...(source?.comment !== undefined ? { comment: source.comment } : {}),
  };
}

function position(c: AddEnumValue): EnumValuePosition | undefined {
  if (c.after !== undefined) return { after: c.after };
  if (c.before !== undefined) return { before: c.before };
  return undefined;
}

export const addEnumValueHandler: Handler<AddEnumValue> = {
  validate(c, ctx) {
    const what = `the rollback of adding ${literal(c.value)} to enum ${qualified(c.schema, c.enum.name)}`;
    const problems: PlanProblem[] = temporaryNameProblems(
      c,
      [ctx.source, ctx.target],
      c.schema,
      c.enum.name + OLD_SUFFIX,
      what,
    );
    const { generated } = enumDependents(ctx.source, c.schema, c.enum.name);
    if (generated.length > 0) {
      problems.push({
        change: c,
        message: `${what} must recreate the type, and PostgreSQL cannot change a column's type under the generated column(s) ${generated.join(', ')}`,
        fix: 'make those generated columns plain columns (or drop them) in a plan before this one',
      });
    }
    return problems;
  },
  expand(c, ctx) {
    const name = qualified(c.schema, c.enum.name);
    const deps = enumDependents(ctx.source, c.schema, c.enum.name);
    const tables = deps.tables.filter((u) => u.columns.length > 0).length;
    return [
      draft({
        phase: 'expand',
        action: 'add_enum_value',
        description:
          `add value ${literal(c.value)} to enum ${name} (the rollback recreates the type` +
          (tables > 0
            ? ` and rewrites ${tables} table(s) using it; it fails if any row holds ${literal(c.value)})`
            : ')'),
        sql: addEnumValue(c.schema, c.enum.name, c.value, position(c)),
        rollback: recreateInPlace(c.schema, enumBefore(c, ctx), deps),
        transactional: ctx.serverVersionNum >= 120000,
        creates: [key.type(c.schema, c.enum.name)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
