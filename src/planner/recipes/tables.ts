// Pieces shared by the schema, table and column handlers: finding a change's table and column in the source
// (through a rename in the same plan), the key a backfill walks, what a column definition depends on, the
// locks a statement really takes, and names derived from user names within PostgreSQL's 63 bytes.
import { createHash } from 'node:crypto';
import { applyRenames, findRenames, type Renames } from '../../diff/renames.js';
import type { Column, DatabaseSchema, Table } from '../../schema/model/model.js';
import { identifierParts } from '../../schema/model/names.js';
import { identifierBytes, MAX_IDENTIFIER_BYTES } from '../../db/quote.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext } from '../types.js';
import { calledFunctions } from './volatility.js';

import { findTable } from '../../schema/model/lookup.js';

export { findTable };

export function isNewTable(ctx: PlanContext, schema: string, table: string): boolean {
  return ctx.newTables.has(`${schema}.${table}`);
}

/** `[[schema, table]]` when the table exists before the plan (its lock blocks someone), else nothing. */
export function lockOn(ctx: PlanContext, schema: string, table: string): (readonly [string, string])[] {
  return isNewTable(ctx, schema, table) ? [] : [[schema, table]];
}

// The target keeps the declared `renamedFrom` hints; resolving them is the differ's rule, computed once per plan.
const renameCache = new WeakMap<DatabaseSchema, WeakMap<DatabaseSchema, Renames>>();

function renames(ctx: PlanContext): Renames {
  let byTarget = renameCache.get(ctx.source);
  if (!byTarget) renameCache.set(ctx.source, (byTarget = new WeakMap()));
  let r = byTarget.get(ctx.target);
  if (!r) byTarget.set(ctx.target, (r = findRenames(ctx.source, ctx.target)));
  return r;
}

const renamedCache = new WeakMap<Renames, DatabaseSchema>();

/** The source under the target's names, as the differ compares it. */
export function renamedSource(ctx: PlanContext): DatabaseSchema {
  const r = renames(ctx);
  let db = renamedCache.get(r);
  if (!db) renamedCache.set(r, (db = applyRenames(ctx.source, r)));
  return db;
}

/** The source name of a target table (itself unless renamed in this plan). */
export function sourceTableName(ctx: PlanContext, schema: string, table: string): string {
  return renames(ctx).get(schema)?.get(table)?.from ?? table;
}

/** The source table behind a target table, through a rename in this plan. */
export function sourceTable(ctx: PlanContext, schema: string, table: string): Table | undefined {
  return findTable(ctx.source, schema, sourceTableName(ctx, schema, table));
}

/** Target column name -> source column name, for the columns of this target table renamed in this plan. */
export function renamedColumns(ctx: PlanContext, schema: string, table: string): ReadonlyMap<string, string> {
  return renames(ctx).get(schema)?.get(table)?.columns ?? new Map();
}

/** The source column behind a target column, through renames of its table and of itself. */
export function sourceColumn(ctx: PlanContext, schema: string, table: string, column: string): Column | undefined {
  const name = renamedColumns(ctx, schema, table).get(column) ?? column;
  return sourceTable(ctx, schema, table)?.columns.find((c) => c.name === name);
}

export function targetColumn(ctx: PlanContext, schema: string, table: string, column: string): Column | undefined {
  return findTable(ctx.target, schema, table)?.columns.find((c) => c.name === column);
}

/**
 * The columns a backfill walks in keyset batches: the primary key, else a unique constraint (or plain,
 * non-partial unique index on columns) whose columns are all NOT NULL. Undefined when there is none.
 */
export function backfillKey(t: Table | undefined): readonly string[] | undefined {
  if (!t) return undefined;
  if (t.primaryKey) return t.primaryKey.columns;
  const notNull = (cols: readonly (string | undefined)[]) =>
    cols.every((c) => t.columns.some((x) => x.name === c && !x.nullable));
  const u = t.unique.find((x) => notNull(x.columns));
  if (u) return u.columns;
  const ix = t.indexes.find(
    (i) => i.unique && i.where === undefined && !i.invalid && notNull(i.keys.map((k) => k.column)),
  );
  return ix?.keys.map((k) => k.column as string);
}

/** Every object a column definition needs besides its table: enum types, nextval() sequences, called functions. */
export function columnNeeds(ctx: PlanContext, c: Column): ObjectKey[] {
  const out = new Set<ObjectKey>();
  for (const t of typeKeys(ctx, c.type)) out.add(t);
  for (const e of [c.default, c.generated]) if (e !== undefined) for (const k of expressionNeeds(ctx, e)) out.add(k);
  return [...out];
}

const dbs = (ctx: PlanContext) => [ctx.target, ctx.source];

/** key.type of an enum, domain, composite or range type named by a column type (`app.status`, `"My S"."T"[]`, or a bare name found in one schema). */
export function typeKeys(ctx: PlanContext, type: string): ObjectKey[] {
  const parts = identifierParts(type.replace(/(\[\])+$/, ''));
  if (!parts) return [];
  const [a, b] = parts;
  for (const db of dbs(ctx)) {
    for (const s of db.schemas) {
      const types = [...s.enums, ...(s.domains ?? []), ...(s.composites ?? []), ...(s.ranges ?? [])];
      const hit = b !== undefined ? s.name === a && types.some((e) => e.name === b) : types.some((e) => e.name === a);
      if (hit) return [key.type(s.name, (b ?? a) as string)];
    }
  }
  return [];
}

/** Sequences read by nextval('...') and functions of the snapshots called in an expression. */
export function expressionNeeds(ctx: PlanContext, expression: string): ObjectKey[] {
  const out = new Set<ObjectKey>();
  for (const m of expression.matchAll(/nextval\('((?:[^']|'')+)'(?:::regclass)?\)/g)) {
    const parts = identifierParts((m[1] as string).replaceAll("''", "'"));
    if (!parts) continue;
    const [a, b] = parts;
    for (const db of dbs(ctx)) {
      const s = db.schemas.find((x) => (b !== undefined ? x.name === a : x.sequences.some((q) => q.name === a)));
      if (s?.sequences.some((q) => q.name === (b ?? a))) out.add(key.sequence(s.name, (b ?? a) as string));
    }
  }
  const called = new Set(calledFunctions(expression));
  for (const db of dbs(ctx)) {
    for (const s of db.schemas)
      for (const f of s.functions) if (called.has(f.name)) out.add(key.function(s.name, f.name, f.args));
  }
  return [...out];
}

/**
 * `base + suffix` when it fits in 63 bytes; otherwise base cut on a character boundary, then `_` and 8 hex
 * digits of a hash of the whole base, then the suffix: deterministic, and distinct for distinct long bases.
 */
export function derivedName(base: string, suffix = ''): string {
  const whole = base + suffix;
  if (identifierBytes(whole) <= MAX_IDENTIFIER_BYTES) return whole;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  const room = MAX_IDENTIFIER_BYTES - identifierBytes(suffix) - 9;
  let cut = '';
  for (const ch of base) {
    if (identifierBytes(cut + ch) > room) break;
    cut += ch;
  }
  return `${cut}_${hash}${suffix}`;
}
