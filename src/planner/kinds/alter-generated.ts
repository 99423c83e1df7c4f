// alter_generated: a stored generated column's expression added, changed or removed.
//
// - Changed: PostgreSQL 17+ `ALTER COLUMN c SET EXPRESSION AS (...)`, which recomputes every row (rewrite
//   under ACCESS EXCLUSIVE); older servers drop and re-add the column in one ALTER TABLE. Expand: both
//   application versions only read it.
// - Removed (generated -> plain): `DROP EXPRESSION`, catalog only, in expand (the new version may write
//   it). Its rollback has no in-place form: the column is dropped and re-added generated (a rewrite).
// - Added (plain -> generated): no in-place form on any version: drop and re-add in one ALTER TABLE, which
//   replaces the stored values by computed ones (DELETES_DATA) and refuses writes from then on, so it waits for
//   contract, after the deploy. The rollback re-adds the plain column filled with the computed values.
// Dropping and re-adding loses what depends on the column (indexes, constraints), so validate() refuses those
// cases when something does: the derived values themselves lose nothing.
import type { AlterGenerated } from '../../diff/index.js';
import type { Column } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import { columnDefinition, comment, setNotNull } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { indexUses, mentions, shadowKind } from '../recipes/shadow-plan.js';
import { lockOn, sourceTable } from '../recipes/tables.js';

const setExpression = (s: string, t: string, c: string, e: string) =>
  alterTable(s, t, `ALTER COLUMN ${ident(c)} SET EXPRESSION AS (${e})`);
const dropExpression = (s: string, t: string, c: string) =>
  alterTable(s, t, `ALTER COLUMN ${ident(c)} DROP EXPRESSION`);

/** DROP COLUMN and ADD COLUMN in one statement: the column never appears missing. Its comment comes back after. */
function readd(s: string, t: string, c: Column): string[] {
  const { comment: text, default: _d, ...def } = c;
  return [
    alterTable(s, t, `DROP COLUMN ${ident(c.name)}, ADD COLUMN ${columnDefinition(def)}`),
    ...(text !== undefined ? [comment({ kind: 'column', schema: s, table: t, column: c.name }, text)] : []),
  ];
}

/** A plain column back, NOT NULL last, filled with what the generated expression computed. */
function readdPlain(s: string, t: string, c: Column, values: string): string[] {
  const [first, ...rest] = readd(s, t, { ...c, nullable: true });
  return [
    first ?? '',
    `UPDATE ${qualified(s, t)} SET ${ident(c.name)} = (${values})`,
    ...(c.nullable ? [] : [setNotNull(s, t, c.name)]),
    ...rest,
  ];
}

type Recipe = 'set_expression' | 'readd' | 'drop_expression' | 'make_generated';

function recipe(c: AlterGenerated, ctx: PlanContext): Recipe {
  if (c.from !== undefined && c.to !== undefined) return ctx.serverVersionNum >= 170000 ? 'set_expression' : 'readd';
  // DROP EXPRESSION exists from PostgreSQL 13, below every supported server.
  if (c.to === undefined) return 'drop_expression';
  return 'make_generated';
}

/** What would be lost by dropping the column: its indexes, keys, checks, and triggers testing it. */
function dependents(c: AlterGenerated, ctx: PlanContext): string[] {
  const t = sourceTable(ctx, c.schema, c.table);
  const name = c.previous.name;
  if (!t) return [];
  return [
    ...t.indexes.filter((i) => indexUses(i, name)).map((i) => `index ${ident(i.name)}`),
    ...[...(t.primaryKey ? [t.primaryKey] : []), ...t.unique, ...t.foreignKeys]
      .filter((k) => k.columns.includes(name))
      .map((k) => `constraint ${ident(k.name)}`),
    ...t.checks.filter((k) => mentions(k.expression, name)).map((k) => `check ${ident(k.name)}`),
    ...t.triggers.filter((k) => mentions(k.when, name)).map((k) => `trigger ${ident(k.name)}`),
  ];
}

export const alterGeneratedHandler: Handler<AlterGenerated> = {
  validate(c, ctx) {
    if (shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined) return [];
    if (recipe(c, ctx) === 'set_expression') return [];
    const deps = dependents(c, ctx);
    if (deps.length === 0) return [];
    return [
      {
        change: c,
        message: `changing the generation of ${qualified(c.schema, c.table)}.${ident(c.column.name)} drops and re-adds the column (forward or in its rollback), which would lose ${deps.join(', ')}`,
        fix:
          'drop those in an earlier plan and re-create them in a later one' +
          (c.from !== undefined && c.to !== undefined ? ', or use PostgreSQL 17+ (SET EXPRESSION)' : ''),
      },
    ];
  },
  expand(c, ctx) {
    const r = recipe(c, ctx);
    return r === 'make_generated' || shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined
      ? none()
      : steps(c, ctx, r);
  },
  backfill: none,
  contract(c, ctx) {
    const r = recipe(c, ctx);
    return r !== 'make_generated' || shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined
      ? none()
      : steps(c, ctx, r);
  },
};

function steps(c: AlterGenerated, ctx: PlanContext, r: Recipe): StepDraft[] {
  const { schema, table, column, previous } = c;
  const on = `${qualified(schema, table)}.${ident(column.name)}`;
  const base = {
    lock: 'ACCESS EXCLUSIVE',
    locks: lockOn(ctx, schema, table),
    requires: [key.table(schema, table), key.column(schema, table, column.name)],
    alters: [key.column(schema, table, column.name)],
  } as const;
  const rewrite = { costTable: { schema, table, work: 'rewrite' as const } };
  const rollback =
    c.from === undefined
      ? readdPlain(schema, table, previous, c.to ?? 'NULL')
      : r === 'set_expression'
        ? [setExpression(schema, table, column.name, c.from)]
        : readd(schema, table, previous);
  if (r === 'set_expression') {
    return [
      draft({
        ...base,
        ...rewrite,
        phase: 'expand',
        action: r,
        description: `compute ${on} as ${c.to} (every row is recomputed under ACCESS EXCLUSIVE)`,
        sql: setExpression(schema, table, column.name, c.to ?? ''),
        rollback,
        hazards: ['TABLE_REWRITE'],
      }),
    ];
  }
  if (r === 'drop_expression') {
    return [
      draft({
        ...base,
        phase: 'expand',
        action: r,
        description: `make ${on} a plain column keeping its values (the rollback re-adds it generated, rewriting the table)`,
        sql: dropExpression(schema, table, column.name),
        rollback,
      }),
    ];
  }
  const phase = r === 'make_generated' ? 'contract' : 'expand';
  const [sql, ...commentSql] = readd(schema, table, column);
  const main =
    r === 'make_generated'
      ? draft({
          ...base,
          ...rewrite,
          phase,
          action: r,
          description: `turn ${on} into a column GENERATED ALWAYS AS (${c.to}) STORED: drop and re-add it in one statement, replacing its values and refusing writes from now on`,
          sql: sql ?? '',
          rollback,
          hazards: ['TABLE_REWRITE', 'DELETES_DATA'],
        })
      : draft({
          ...base,
          ...rewrite,
          phase,
          action: 'readd_generated_column',
          description: `re-create ${on} as ${c.to === undefined ? 'a plain column' : `GENERATED ALWAYS AS (${c.to}) STORED`}: drop and re-add it in one statement (a rewrite under ACCESS EXCLUSIVE; derived values lose nothing)`,
          sql: sql ?? '',
          rollback,
          hazards: ['TABLE_REWRITE'],
        });
  // The re-added column lost its comment: put the target's back, as a step of its own.
  const target = { kind: 'column', schema, table, column: column.name } as const;
  const comments = commentSql.map((text) =>
    draft({
      phase,
      action: 'comment_column',
      description: `comment on column ${on} again`,
      sql: text,
      rollback: [comment(target, null)],
      requires: [key.column(schema, table, column.name)],
    }),
  );
  return [main, ...comments];
}
