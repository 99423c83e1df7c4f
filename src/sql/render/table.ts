// CREATE / RENAME / DROP TABLE. Indexes, triggers and comments are separate statements (see database.ts).
import type { Table } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { columnDefinition } from './columns.js';
import { checkClause, foreignKeyClause, named, primaryKeyClause, uniqueClause } from './constraints.js';

export interface CreateTableOptions {
  /** Inline the table's foreign keys; only when every referenced table (and its unique key) already exists. */
  readonly foreignKeys?: boolean;
}

/**
 * CREATE TABLE with its columns, primary key, unique constraints and checks (then foreign keys on request),
 * each as `CONSTRAINT name ...`, one element per line. Constraints marked `notValid` are left out, because
 * CREATE TABLE would silently create them validated: render them with addCheck / addForeignKey afterwards.
 */
export function createTable(schema: string, t: Table, opts: CreateTableOptions = {}): string {
  const elements = [
    ...t.columns.map(columnDefinition),
    ...(t.primaryKey ? [named(t.primaryKey.name, primaryKeyClause(t.primaryKey))] : []),
    ...t.unique.map((u) => named(u.name, uniqueClause(u))),
    ...t.checks.filter((c) => !c.notValid).map((c) => named(c.name, checkClause(c))),
    ...(opts.foreignKeys
      ? t.foreignKeys.filter((f) => !f.notValid).map((f) => named(f.name, foreignKeyClause(f)))
      : []),
  ];
  const body = elements.length === 0 ? '()' : `(\n${elements.map((e) => `  ${e}`).join(',\n')}\n)`;
  return `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE ${qualified(schema, t.name)} ${body}`;
}

export function renameTable(schema: string, from: string, to: string): string {
  return `ALTER TABLE ${qualified(schema, from)} RENAME TO ${ident(to)}`;
}

/** Never CASCADE: whatever depends on the table (foreign keys from other tables) is dropped first. */
export function dropTable(schema: string, name: string): string {
  return `DROP TABLE ${qualified(schema, name)}`;
}
