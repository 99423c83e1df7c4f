// CREATE / RENAME / DROP TABLE, and its storage parameters. Indexes, triggers and comments are separate
// statements (see database.ts).
import type { StorageParameter, Table } from '../../schema/model/model.js';
import { ident, literal, qualified } from '../../db/quote.js';
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
  const storage = t.storage?.length ? ` WITH (${storageList(t.storage)})` : '';
  return `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE ${qualified(schema, t.name)} ${body}${storage}`;
}

/**
 * `name = 'value'` pairs. A name is checked to be `[toast.]word` when declared (and read from the catalog
 * otherwise); each part goes through ident all the same, and the value is always a quoted literal.
 */
export function storageList(params: readonly StorageParameter[]): string {
  return params.map((p) => `${storageName(p.name)} = ${literal(p.value)}`).join(', ');
}

const storageName = (name: string) => name.split('.').map(ident).join('.');

/**
 * ALTER TABLE ... RESET (...), SET (...): the parameters `reset` are removed, then `set` appended in their order
 * (PostgreSQL applies the two in turn, and keeps reloptions in the order they were set: resetting what is
 * there and setting a whole list gives exactly that list, in that order).
 */
export function alterStorage(
  schema: string,
  table: string,
  reset: readonly string[],
  set: readonly StorageParameter[],
): string {
  const parts = [
    ...(reset.length ? [`RESET (${reset.map(storageName).join(', ')})`] : []),
    ...(set.length ? [`SET (${storageList(set)})`] : []),
  ];
  return `ALTER TABLE ${qualified(schema, table)} ${parts.join(', ')}`;
}

export function renameTable(schema: string, from: string, to: string): string {
  return `ALTER TABLE ${qualified(schema, from)} RENAME TO ${ident(to)}`;
}

/** Never CASCADE: whatever depends on the table (foreign keys from other tables) is dropped first. */
export function dropTable(schema: string, name: string): string {
  return `DROP TABLE ${qualified(schema, name)}`;
}
