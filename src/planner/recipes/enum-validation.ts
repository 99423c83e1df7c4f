// What the recreate_enum recipe refuses: users of the type it cannot move in one ALTER TABLE per table
// without breaking the graph's order, and changes to those users planned in the same plan.
import type { RecreateEnum } from '../../diff/index.js';
import type { Check } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import type { PlanContext, PlanProblem } from '../types.js';
import { allTables, findTable, temporaryNameProblems } from './objects.js';
import { NEW_SUFFIX, enumDependents, isEnumColumn } from './enums.js';

const SEPARATELY = 'in a plan before this one, and add it back in a plan after it';

export function recreateEnumProblems(c: RecreateEnum, ctx: PlanContext): PlanProblem[] {
  const { schema } = c;
  const name = c.to.name;
  const q = qualified(schema, name);
  const what = `recreating enum ${q}`;
  const problems = new Map<string, PlanProblem>();
  const add = (message: string, fix: string) => problems.set(message, { change: c, message, fix });
  for (const p of temporaryNameProblems(c, [ctx.source, ctx.target], schema, name + NEW_SUFFIX, what))
    problems.set(p.message, p);

  const checks = new Map<string, Check | undefined>();
  for (const [side, db] of [
    ['source', ctx.source],
    ['target', ctx.target],
  ] as const) {
    const deps = enumDependents(db, schema, name);
    for (const g of deps.generated)
      add(
        `${what}: PostgreSQL cannot change the type of a column used by the generated column ${g}`,
        `drop the generated column or make it a plain column ${SEPARATELY}`,
      );
    for (const f of deps.foreignKeys) {
      add(
        `${what}: foreign key ${ident(f.foreignKey.name)} on ${qualified(f.schema, f.table)} joins columns of the enum, whose two sides cannot change type one at a time`,
        `drop the foreign key ${SEPARATELY}`,
      );
    }
    for (const i of deps.indexes)
      add(
        `${what}: index ${qualified(i.schema, i.index.name)} names the enum in its expression or predicate`,
        `drop the index ${SEPARATELY}`,
      );
    for (const f of deps.functions) {
      add(
        `${what}: function ${qualified(f.schema, f.function.name)}(${f.function.args}) has the enum in its signature`,
        `drop the function (or make it take text) ${SEPARATELY}`,
      );
    }
    for (const u of deps.tables) {
      for (const ck of u.checks) {
        const id = `${qualified(u.schema, u.table)} ${ident(ck.name)}`;
        if (side === 'source') checks.set(id, ck);
        else if (!sameCheck(checks.get(id), ck)) checks.set(id, undefined);
        else checks.delete(id);
      }
    }
  }
  // Left: checks naming the enum that are added, dropped or changed by this plan.
  for (const id of checks.keys())
    add(`${what}: check ${id} names the enum and changes in the same plan`, 'change the check in a separate plan');

  for (const { schema: s, table: t } of allTables(ctx.source)) {
    const target = findTable(ctx.target, s, t.name);
    for (const col of t.columns) {
      const after = target?.columns.find((x) => x.name === col.name);
      if (after && isEnumColumn(col, schema, name) !== isEnumColumn(after, schema, name)) {
        add(
          `${what}: column ${qualified(s, t.name)}.${ident(col.name)} changes between the enum and another type in the same plan`,
          'change the column type in a separate plan',
        );
      }
    }
  }
  return [...problems.values()];
}

function sameCheck(a: Check | undefined, b: Check): boolean {
  return a !== undefined && a.expression === b.expression && a.noInherit === b.noInherit;
}
