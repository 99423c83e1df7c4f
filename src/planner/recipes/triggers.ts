// Pieces shared by the trigger handlers: what a trigger needs to exist, and the statements recreating it.
import { restoreComment } from './comments.js';
import type { Trigger } from '../../schema/model/model.js';
import { createTrigger, enableTrigger } from '../../sql/render/index.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext } from '../types.js';
import { findFunction, findTable } from './objects.js';
import { sourceTable } from './tables.js';

const unquote = (name: string): string => (name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name);

/** Columns a WHEN condition reads: pg_get_triggerdef prints them as `new.c` / `old.c` (never inside a literal). */
export function whenColumns(when: string | undefined): string[] {
  if (when === undefined) return [];
  const code = when.replace(/'(?:[^']|'')*'/g, "''");
  const names = [
    ...code.matchAll(/(?<![\w$".])(?:new|old)\.("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/gi),
  ].map((m) => unquote(m[1] ?? ''));
  return [...new Set(names)];
}

/**
 * The table, the trigger function (when the model has it: a function from pg_catalog or an extension is always
 * there) and the columns of its WHEN condition, looked up in `db`.
 */
export function triggerRequirements(
  ctx: PlanContext,
  db: 'source' | 'target',
  schema: string,
  table: string,
  tr: Trigger,
): ObjectKey[] {
  const snapshot = ctx[db];
  const fn = tr.function;
  const t = findTable(snapshot, schema, table);
  return [
    key.table(schema, table),
    ...(findFunction(snapshot, fn.schema, fn.name, '') ? [key.function(fn.schema, fn.name, '')] : []),
    ...[...new Set([...whenColumns(tr.when), ...(tr.columns ?? [])])]
      .filter((c) => t?.columns.some((x) => x.name === c))
      .map((c) => key.column(schema, table, c)),
  ];
}

/** CREATE [OR REPLACE] TRIGGER, then its mode when it is not the default. */
export function recreateTrigger(schema: string, table: string, tr: Trigger, o: { orReplace?: boolean } = {}): string[] {
  return [
    createTrigger(schema, table, tr, o),
    ...(tr.enabled !== 'origin' ? [enableTrigger(schema, table, tr.name, tr.enabled)] : []),
    ...restoreComment({ kind: 'trigger', schema, table, name: tr.name }, tr.comment),
  ];
}

/** CREATE OR REPLACE TRIGGER is PostgreSQL 14+; older servers drop the old definition just before the new one. */
export const replacesInPlace = (ctx: PlanContext): boolean => ctx.serverVersionNum >= 140000;

/**
 * Whether `from` is swapped for `to` by CREATE OR REPLACE TRIGGER: PostgreSQL 14+, and neither is a constraint
 * trigger (CREATE OR REPLACE CONSTRAINT TRIGGER is not supported, nor replacing one kind with the other).
 */
export const swapsInPlace = (ctx: PlanContext, from: Trigger | undefined, to: Trigger | undefined): boolean =>
  replacesInPlace(ctx) && !from?.constraint && !to?.constraint;

const onExistingTable = (ctx: PlanContext, schema: string, table: string): boolean =>
  !ctx.newTables.has(`${schema}.${table}`);

/**
 * The source definition that create_trigger replaces: a trigger of the same name on the same table (through a
 * rename of the table). Two triggers of one name cannot coexist on a table, so a redefinition cannot create the
 * new one and drop the old one a release later: create_trigger swaps it, and drop_trigger leaves it alone.
 */
export function replacedTrigger(ctx: PlanContext, schema: string, table: string, name: string): Trigger | undefined {
  if (!onExistingTable(ctx, schema, table)) return undefined;
  return sourceTable(ctx, schema, table)?.triggers.find((t) => t.name === name);
}

/** For drop_trigger: the target trigger of the same name on the same table that takes this one's place. */
export function replacingTrigger(ctx: PlanContext, schema: string, table: string, name: string): Trigger | undefined {
  if (!onExistingTable(ctx, schema, table)) return undefined;
  return findTable(ctx.target, schema, table)?.triggers.find((t) => t.name === name);
}
