// add_column on an existing table (a new table's columns are in its CREATE TABLE).
//
// - Nullable, or with a non-volatile default (even NOT NULL): one ADD COLUMN in expand; PostgreSQL 11+ stores
//   the default in the catalog and rewrites nothing (brief ACCESS EXCLUSIVE).
// - Identity or stored generated: one ADD COLUMN that rewrites the table under ACCESS EXCLUSIVE
//   (TABLE_REWRITE, which lint refuses unless allowed): there is no batched form.
// - With a `backfill` hint, or a volatile default (random(), nextval()...: ADD COLUMN would compute it for every
//   row in a rewrite): ADD COLUMN nullable without default, SET DEFAULT, fill the existing rows in batches
//   (the hint, else the default), and for NOT NULL the NOT VALID constraint / VALIDATE dance (not-null.ts).
//   A NOT NULL column without a default also gets a fill trigger until the next release: the previous
//   application version inserts rows without the column, and the NOT VALID constraint would refuse them.
// - NOT NULL without default nor backfill: refused (it fails on a populated table).
import type { AddColumn } from '../../diff/index.js';
import type { Column } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { addColumn, comment, dropColumn, dropDefault, setDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem, StepDraft } from '../types.js';
import { addNotNullNotValid, enforceNotNull, fillNullsStep } from '../recipes/not-null.js';
import { enabledAlways, fillFunction, fillNames, installSteps, removeSteps } from '../recipes/sync-trigger.js';
import { backfillKey, columnNeeds, expressionNeeds, lockOn, sourceTable } from '../recipes/tables.js';
import { isVolatile } from '../recipes/volatility.js';

/** The expression that fills existing rows in batches, when the column needs one. */
function fillExpression(c: Column, ctx: PlanContext): string | undefined {
  if (c.identity !== undefined || c.generated !== undefined) return undefined;
  if (c.backfill !== undefined) return c.backfill;
  return c.default !== undefined && isVolatile(c.default, ctx.target, ctx.source) ? c.default : undefined;
}

/** A NOT NULL column without default: rows of the previous application version need the fill trigger. */
const needsFillTrigger = (c: Column, ctx: PlanContext) =>
  !c.nullable && c.default === undefined && fillExpression(c, ctx) !== undefined;

function commentStep(schema: string, table: string, c: Column): StepDraft[] {
  if (c.comment === undefined) return [];
  const target = { kind: 'column', schema, table, column: c.name } as const;
  return [
    draft({
      phase: 'expand',
      action: 'comment_column',
      description: `comment on column ${qualified(schema, table)}.${ident(c.name)}`,
      sql: comment(target, c.comment),
      rollback: [comment(target, null)],
      requires: [key.column(schema, table, c.name)],
    }),
  ];
}

export const addColumnHandler: Handler<AddColumn> = {
  validate(ch, ctx) {
    const c = ch.column;
    const what = `${qualified(ch.schema, ch.table)}.${ident(c.name)}`;
    const problems: PlanProblem[] = [];
    if (
      !c.nullable &&
      c.default === undefined &&
      c.identity === undefined &&
      c.generated === undefined &&
      c.backfill === undefined
    ) {
      problems.push({
        change: ch,
        message: `new column ${what} is NOT NULL without a default: adding it fails on a populated table`,
        fix: 'add `backfill:` (an expression filling existing rows) or a default',
      });
    }
    if (fillExpression(c, ctx) !== undefined && !backfillKey(sourceTable(ctx, ch.schema, ch.table))) {
      problems.push({
        change: ch,
        message: `filling the existing rows of ${what} in batches needs a primary key or a unique NOT NULL key on ${qualified(ch.schema, ch.table)}`,
        fix: 'add a primary key to the table in an earlier plan, or use a non-volatile default',
      });
    }
    return problems;
  },

  expand(ch, ctx) {
    const { schema, table, column: c } = ch;
    const on = `${qualified(schema, table)}.${ident(c.name)}`;
    const locks = lockOn(ctx, schema, table);
    const common = {
      lock: 'ACCESS EXCLUSIVE',
      locks,
      requires: [key.table(schema, table), ...columnNeeds(ctx, c)],
    } as const;
    const fill = fillExpression(c, ctx);
    if (fill === undefined) {
      const rewrite =
        c.identity !== undefined ||
        c.generated !== undefined ||
        (c.default !== undefined && ctx.serverVersionNum < 110000);
      const why =
        c.identity !== undefined
          ? 'identity values are generated for every row'
          : 'generated values are computed for every row';
      return [
        draft({
          ...common,
          phase: 'expand',
          action: 'add_column',
          description:
            `add column ${on}` +
            (rewrite
              ? ` (rewrites the table under ACCESS EXCLUSIVE: ${c.default !== undefined ? 'defaults are stored only from PostgreSQL 11' : why})`
              : ''),
          sql: addColumn(schema, table, c),
          rollback: [dropColumn(schema, table, c.name)],
          hazards: rewrite ? ['TABLE_REWRITE'] : [],
          creates: [key.column(schema, table, c.name)],
          ...(rewrite ? { costTable: { schema, table, work: 'rewrite' as const } } : {}),
        }),
        ...commentStep(schema, table, c),
      ];
    }
    const { default: _default, backfill: _backfill, ...rest } = c;
    const steps: StepDraft[] = [
      draft({
        ...common,
        phase: 'expand',
        action: 'add_column',
        description: `add column ${on} nullable and without default (existing rows are filled in batches)`,
        sql: addColumn(schema, table, { ...rest, nullable: true }),
        rollback: [dropColumn(schema, table, c.name)],
        creates: [key.column(schema, table, c.name)],
      }),
    ];
    if (c.default !== undefined) {
      steps.push(
        draft({
          phase: 'expand',
          action: 'set_default',
          description: `set the default of ${on} to ${c.default}: new rows get it, existing rows are not touched`,
          sql: setDefault(schema, table, c.name, c.default),
          rollback: [dropDefault(schema, table, c.name)],
          lock: 'ACCESS EXCLUSIVE',
          locks,
          requires: [key.column(schema, table, c.name), ...expressionNeeds(ctx, c.default)],
        }),
      );
    }
    const trigger = needsFillTrigger(c, ctx);
    if (trigger) {
      const names = fillNames(table, c.name);
      steps.push(
        ...installSteps(ctx, schema, table, fillFunction(schema, table, c.name, fill), names, {
          purpose: `give ${on} its backfill value on rows written without it`,
          userSql: true,
          columns: [c.name],
        }),
      );
    }
    if (!c.nullable) {
      const nn = addNotNullNotValid(ctx, schema, table, c.name);
      const after = trigger ? [enabledAlways(key.trigger(schema, table, fillNames(table, c.name).trigger))] : [];
      steps.push({ ...nn, requires: [...nn.requires, ...after] });
    }
    return [...steps, ...commentStep(schema, table, c)];
  },

  backfill(ch, ctx) {
    const fill = fillExpression(ch.column, ctx);
    if (fill === undefined) return none();
    return [
      fillNullsStep(ctx, ch.schema, ch.table, ch.column.name, fill, { userSql: ch.column.backfill !== undefined }),
    ];
  },

  contract(ch, ctx) {
    const { schema, table, column: c } = ch;
    const fill = fillExpression(c, ctx);
    if (fill === undefined) return none();
    const steps = c.nullable ? [] : enforceNotNull(ctx, schema, table, c.name);
    if (needsFillTrigger(c, ctx)) {
      const fn = fillFunction(schema, table, c.name, fill);
      steps.push(
        ...removeSteps(ctx, schema, table, fn, fillNames(table, c.name), { releaseOffset: 1, columns: [c.name] }),
      );
    }
    return steps;
  },
};
