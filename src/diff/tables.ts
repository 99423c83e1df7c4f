// Tables are matched by name (after renames). A new or dropped table is one add_table/drop_table for what
// CREATE TABLE says, plus one change per index, foreign key and trigger, so that the planner can order each of
// them by its own dependencies (a foreign key after the table it references, a trigger after its function).
import type { Table } from '../schema/model/model.js';
import { sortByName } from '../schema/model/normalize.js';
import { diffColumns } from './columns.js';
import { diffComment } from './comments.js';
import { diffChecks, diffExclusions, diffForeignKeys, diffPrimaryKey, diffUnique } from './constraints.js';
import { diffIndexes } from './indexes.js';
import { byName, pairByKey } from './list.js';
import type { Emit } from './order.js';
import type { TableRename } from './renames.js';
import { diffSecurity } from './security.js';
import { diffTriggers } from './triggers.js';

/** `renames`: this schema's renames, by target table name. */
export function diffTables(
  emit: Emit,
  schema: string,
  from: readonly Table[],
  to: readonly Table[],
  renames: ReadonlyMap<string, TableRename> | undefined,
): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    if (f && t) alterTable(emit, schema, f, t, renames?.get(t.name));
    else if (t) addTable(emit, schema, t);
    else if (f) dropTable(emit, schema, f);
  }
}

/** The CREATE TABLE part of a table: without the objects that become changes of their own. */
function definition(t: Table): Table {
  const { exclusions: _x, rowSecurity: _r, forceRowSecurity: _f, policies: _p, replicaIdentity: _i, ...rest } = t;
  return { ...rest, indexes: [], foreignKeys: [], triggers: [] };
}

function addTable(emit: Emit, schema: string, t: Table): void {
  emit({ kind: 'add_table', schema, table: t.name, definition: definition(t) });
  diffIndexes(emit, schema, t.name, [], t.indexes);
  diffForeignKeys(emit, schema, t.name, [], t.foreignKeys);
  diffTriggers(emit, schema, t.name, [], t.triggers);
  diffExclusions(emit, schema, t.name, [], t.exclusions ?? []);
  diffSecurity(emit, schema, t.name, undefined, t);
}

function dropTable(emit: Emit, schema: string, f: Table): void {
  emit({ kind: 'drop_table', schema, table: f.name, definition: definition(f) });
  diffIndexes(emit, schema, f.name, f.indexes, []);
  diffForeignKeys(emit, schema, f.name, f.foreignKeys, []);
  diffTriggers(emit, schema, f.name, f.triggers, []);
  diffExclusions(emit, schema, f.name, f.exclusions ?? [], []);
  diffSecurity(emit, schema, f.name, f, undefined);
}

function alterTable(emit: Emit, schema: string, f: Table, t: Table, rename: TableRename | undefined): void {
  const table = t.name;
  if (rename && rename.from !== table) emit({ kind: 'rename_table', schema, table, from: rename.from, to: table });
  diffColumns(emit, schema, table, f.columns, t.columns, rename?.columns ?? new Map());
  diffPrimaryKey(emit, schema, table, f.primaryKey, t.primaryKey);
  diffUnique(emit, schema, table, f.unique, t.unique);
  diffForeignKeys(emit, schema, table, f.foreignKeys, t.foreignKeys);
  diffChecks(emit, schema, table, f.checks, t.checks);
  diffIndexes(emit, schema, table, f.indexes, t.indexes);
  diffTriggers(emit, schema, table, f.triggers, t.triggers);
  diffExclusions(emit, schema, table, f.exclusions ?? [], t.exclusions ?? []);
  diffSecurity(emit, schema, table, f, t);
  diffComment(emit, schema, { kind: 'table', table }, f.comment, t.comment);
  // CREATE TABLE says them for a new table (and a dropped one's rollback); here only their changes.
  const storage = (x: Table) => JSON.stringify(sortByName(x.storage ?? []));
  if (storage(f) !== storage(t))
    emit({ kind: 'set_storage', schema, table, from: f.storage ?? [], to: t.storage ?? [] });
}
