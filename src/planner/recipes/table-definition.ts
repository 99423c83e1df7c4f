// What CREATE TABLE brings into existence and needs, and the statements that recreate a table exactly as a
// snapshot has it (for add_table, and for the rollback of drop_table).
import type { Table } from '../../schema/model/model.js';
import { addCheck, comment, createTable, type CommentTarget } from '../../sql/render/index.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext } from '../types.js';
import { columnNeeds, expressionNeeds } from './tables.js';

/** The table, its columns, its checks, and for a primary key or unique constraint both the constraint and its index. */
export function tableObjects(schema: string, t: Table): ObjectKey[] {
  const keyed = [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique];
  return [
    key.table(schema, t.name),
    ...t.columns.map((c) => key.column(schema, t.name, c.name)),
    ...keyed.flatMap((k) => [key.constraint(schema, t.name, k.name), key.index(schema, k.name)]),
    ...t.checks.map((c) => key.constraint(schema, t.name, c.name)),
  ];
}

/** The schema, enum types, sequences and functions the definition uses. */
export function tableNeeds(ctx: PlanContext, schema: string, t: Table): ObjectKey[] {
  const out = new Set<ObjectKey>([key.schema(schema)]);
  for (const c of t.columns) for (const k of columnNeeds(ctx, c)) out.add(k);
  for (const ck of t.checks) for (const k of expressionNeeds(ctx, ck.expression)) out.add(k);
  return [...out];
}

/** Comments on the table, its columns, and the constraints CREATE TABLE makes (primary key, unique, checks). */
export function tableComments(schema: string, t: Table): { readonly target: CommentTarget; readonly text: string }[] {
  return [
    ...(t.comment !== undefined
      ? [{ target: { kind: 'table', schema, table: t.name } as const, text: t.comment }]
      : []),
    ...t.columns.flatMap((c) =>
      c.comment !== undefined
        ? [{ target: { kind: 'column', schema, table: t.name, column: c.name } as const, text: c.comment }]
        : [],
    ),
    ...[...(t.primaryKey ? [t.primaryKey] : []), ...t.unique, ...t.checks].flatMap((k) =>
      k.comment !== undefined
        ? [{ target: { kind: 'constraint', schema, table: t.name, name: k.name } as const, text: k.comment }]
        : [],
    ),
  ];
}

/** Checks CREATE TABLE would create validated: added NOT VALID afterwards, as the snapshot has them. */
export function notValidChecks(schema: string, t: Table): string[] {
  return t.checks.filter((c) => c.notValid).map((c) => addCheck(schema, t.name, c, { notValid: true }));
}

/** CREATE TABLE, its NOT VALID checks, its comments: the table exactly as the snapshot has it, without rows. */
export function recreateTable(schema: string, t: Table): string[] {
  return [
    createTable(schema, t),
    ...notValidChecks(schema, t),
    ...tableComments(schema, t).map((c) => comment(c.target, c.text)),
  ];
}
