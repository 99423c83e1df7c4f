// Pieces shared by the key, constraint and index handlers: where a table lives, which tables a statement
// really locks, the checks validate() repeats, and the unique index behind a UNIQUE / PRIMARY KEY constraint.
import { findRelation, findTable } from '../../schema/model/lookup.js';
import type { Change } from '../../diff/index.js';
import type { Index, Table } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { key } from '../keys.js';
import type { ObjectKey, Phase, PlanContext, PlanProblem } from '../types.js';

export { findTable } from '../../schema/model/lookup.js';

export function isNewTable(ctx: PlanContext, schema: string, table: string): boolean {
  return ctx.newTables.has(`${schema}.${table}`);
}

/**
 * The tables among these whose lock blocks someone, once each. In expand, a table created by the plan is
 * still empty and unused; from contract on, the new application version uses it like any other.
 */
export function locked(
  ctx: PlanContext,
  phase: Phase,
  ...tables: (readonly [string, string])[]
): (readonly [string, string])[] {
  const seen = new Set<string>();
  return tables.filter(([s, t]) => {
    const id = JSON.stringify([s, t]);
    if (seen.has(id) || (phase === 'expand' && isNewTable(ctx, s, t))) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Ordering-only key: "column c is NOT NULL from here on". Created by the step that makes a column NOT NULL
 * (set_not_null, or add_column for a NOT NULL column on an existing table); required by ADD PRIMARY KEY USING
 * INDEX, which would otherwise run SET NOT NULL itself (a full scan under ACCESS EXCLUSIVE) and make that
 * step's rollback (DROP NOT NULL) fail while the key exists. Same separator as planner/keys.ts.
 */
export const notNullKey = (schema: string, table: string, column: string): ObjectKey =>
  `not_null:${[schema, table, column].join('\u001f')}`;

export function columnKeys(schema: string, table: string, columns: readonly string[]): ObjectKey[] {
  return [...new Set(columns)].map((c) => key.column(schema, table, c));
}

/**
 * Columns of `table` that an SQL expression (a check, an index expression or predicate) may mention: every
 * column whose name appears in it as a bare word or a quoted identifier. Expressions are never parsed, so
 * this over-approximates; requiring a column that is not really used only costs an ordering edge.
 */
export function mentionedColumns(table: Table | undefined, ...expressions: (string | undefined)[]): string[] {
  const text = expressions.filter((e) => e !== undefined).join(' ');
  if (text === '' || !table) return [];
  const words = new Set(text.match(/[\p{L}_][\p{L}\p{N}_$]*/gu) ?? []);
  return table.columns.map((c) => c.name).filter((c) => words.has(c) || text.includes(`"${c.replaceAll('"', '""')}"`));
}

/** The index a UNIQUE or PRIMARY KEY constraint owns: a plain btree on its columns, in order. */
export function keyIndex(name: string, columns: readonly string[], nullsNotDistinct?: true): Index {
  return {
    kind: 'index',
    name,
    unique: true,
    method: 'btree',
    keys: columns.map((column) => ({ column })),
    ...(nullsNotDistinct ? { nullsNotDistinct } : {}),
  };
}

/**
 * Whether `ALTER TABLE ... ADD CONSTRAINT n UNIQUE / PRIMARY KEY USING INDEX n` can take this existing index
 * as is: PostgreSQL accepts only a valid, non-partial btree on plain columns with default ordering, and the
 * constraint then has exactly the index's columns in the index's order.
 */
export function adoptable(ix: Index, columns: readonly string[], nullsNotDistinct: boolean): boolean {
  return (
    ix.unique &&
    ix.method === 'btree' &&
    ix.where === undefined &&
    ix.invalid === undefined &&
    (ix.include?.length ?? 0) === 0 &&
    (ix.nullsNotDistinct === true) === nullsNotDistinct &&
    ix.keys.length === columns.length &&
    ix.keys.every(
      (k, i) =>
        k.column === columns[i] &&
        k.expression === undefined &&
        k.order === undefined &&
        k.nulls === undefined &&
        k.opclass === undefined &&
        k.collation === undefined,
    )
  );
}

/** The source index of this name on this table that a new constraint takes over, if there is one. */
export function adoptedIndex(
  ctx: PlanContext,
  schema: string,
  table: string,
  name: string,
  columns: readonly string[],
  nullsNotDistinct: boolean,
): Index | undefined {
  const ix = findTable(ctx.source, schema, table)?.indexes.find((i) => i.name === name);
  return ix && adoptable(ix, columns, nullsNotDistinct) ? ix : undefined;
}

/** What already uses `name` in the schema's relation namespace (tables, indexes, constraint indexes, sequences) in the source. */
export function relationNamedInSource(
  ctx: PlanContext,
  schema: string,
  name: string,
): { readonly what: string; readonly table?: string; readonly index?: Index } | undefined {
  const r = findRelation(ctx.source, schema, name);
  if (!r) return undefined;
  if (r.kind === 'table' || r.kind === 'sequence') return { what: `${r.kind} ${qualified(schema, name)}` };
  if (r.kind === 'index')
    return {
      what: `index ${qualified(schema, name)} on ${qualified(schema, r.table!)}`,
      table: r.table!,
      index: r.index!,
    };
  return { what: `the index of constraint ${ident(name)} on ${qualified(schema, r.table!)}`, table: r.table! };
}

/** A constraint of this name already on the source table (constraint names are unique per table). */
export function constraintNamedInSource(ctx: PlanContext, schema: string, table: string, name: string): boolean {
  const t = findTable(ctx.source, schema, table);
  if (!t) return false;
  return t.primaryKey?.name === name || [...t.unique, ...t.foreignKeys, ...t.checks].some((c) => c.name === name);
}

/** The same name for a new definition: the old object is dropped only one release later, so both cannot coexist. */
export function sameNameProblem(change: Change, what: string, taken: string): PlanProblem {
  return {
    change,
    message: `${what} cannot be created while ${taken} exists: the old definition is dropped only in the next release, so the new one needs its own name`,
    fix: `give the new definition a new name (the old one is dropped after a release of bake time)`,
  };
}

/** PostgreSQL 14.0 to 14.3 could corrupt indexes built or rebuilt CONCURRENTLY. */
export function concurrentBuildProblems(change: Change, ctx: PlanContext, what: string): PlanProblem[] {
  const v = ctx.serverVersionNum;
  if (v < 140000 || v >= 140004) return [];
  return [
    {
      change,
      message: `${what} needs CREATE INDEX CONCURRENTLY, which can silently corrupt indexes on PostgreSQL 14.0 to 14.3 (this server is ${v})`,
      fix: 'upgrade to 14.4+',
    },
  ];
}

export function nullsNotDistinctProblems(
  change: Change,
  ctx: PlanContext,
  what: string,
  nullsNotDistinct: boolean | undefined,
): PlanProblem[] {
  if (!nullsNotDistinct || ctx.serverVersionNum >= 150000) return [];
  return [
    {
      change,
      message: `${what} is NULLS NOT DISTINCT, which needs PostgreSQL 15 (this server is ${ctx.serverVersionNum})`,
      fix: 'upgrade to PostgreSQL 15+, or drop `nullsNotDistinct`',
    },
  ];
}
