// Rename hints, resolved once up front. The source is then rewritten under the target's names (tables,
// columns, every structural reference to them, and column names inside expressions), so that the rest of
// the differ compares objects purely by name and sees only what changed beyond the rename, as PostgreSQL
// itself would after ALTER ... RENAME.
//
// A hint `renamedFrom: old` on target object `new` is a rename only when the source has `old`, the source
// has no `new` (otherwise the rename is done: re-planning must give no change), the target has no `old`
// (otherwise the source's `old` is that object), and no earlier target object (by name) claimed `old`.
import type { Column, DatabaseSchema, Schema, Table } from '../schema/model/model.js';
import { findSchema, findTable } from '../schema/model/lookup.js';
import { renameColumnsIn } from './expression.js';

export interface TableRename {
  /** Source name; the same as the target name when only columns are renamed. */
  readonly from: string;
  /** Target column name -> source column name. */
  readonly columns: ReadonlyMap<string, string>;
}

/** Schema name -> target table name -> its rename (only tables with a rename of their own or of a column). */
export type Renames = ReadonlyMap<string, ReadonlyMap<string, TableRename>>;

/** The source name `hint` points to, when it is a rename by the rule above. */
function resolve(
  hint: string | undefined,
  name: string,
  source: ReadonlySet<string>,
  target: ReadonlySet<string>,
  claimed: Set<string>,
): string | undefined {
  if (
    hint === undefined ||
    hint === name ||
    !source.has(hint) ||
    source.has(name) ||
    target.has(hint) ||
    claimed.has(hint)
  )
    return undefined;
  claimed.add(hint);
  return hint;
}

const names = (xs: readonly { readonly name: string }[]): Set<string> => new Set(xs.map((x) => x.name));

/** Renames are asked for by the differ and by many handlers: computed once per pair of (immutable) models. */
const memo = new WeakMap<DatabaseSchema, WeakMap<DatabaseSchema, Renames>>();

export function findRenames(from: DatabaseSchema, to: DatabaseSchema): Renames {
  let inner = memo.get(from);
  if (!inner) memo.set(from, (inner = new WeakMap()));
  const known = inner.get(to);
  if (known) return known;
  const computed = computeRenames(from, to);
  inner.set(to, computed);
  return computed;
}

function computeRenames(from: DatabaseSchema, to: DatabaseSchema): Renames {
  const out = new Map<string, Map<string, TableRename>>();
  for (const target of to.schemas) {
    const source = findSchema(from, target.name);
    if (!source) continue;
    const [sourceNames, targetNames, claimed] = [names(source.tables), names(target.tables), new Set<string>()];
    const tables = new Map<string, TableRename>();
    for (const t of target.tables) {
      const old = resolve(t.renamedFrom, t.name, sourceNames, targetNames, claimed);
      const s = findTable(from, target.name, old ?? t.name);
      if (!s) continue;
      const columns = new Map<string, string>();
      const [sourceCols, targetCols, claimedCols] = [names(s.columns), names(t.columns), new Set<string>()];
      for (const c of t.columns) {
        const oldCol = resolve(c.renamedFrom, c.name, sourceCols, targetCols, claimedCols);
        if (oldCol !== undefined) columns.set(c.name, oldCol);
      }
      if (old !== undefined || columns.size > 0) tables.set(t.name, { from: old ?? t.name, columns });
    }
    if (tables.size > 0) out.set(target.name, tables);
  }
  return out;
}

/** Old name -> new name, for looking up references held by the source. */
interface Reverse {
  table(schema: string, name: string): string;
  /** Old column name -> new, for the table with this (new) name. */
  columns(schema: string, table: string): ReadonlyMap<string, string>;
}

function reverse(renames: Renames): Reverse {
  const tables = new Map<string, string>();
  const columns = new Map<string, Map<string, string>>();
  for (const [schema, byTable] of renames) {
    for (const [name, r] of byTable) {
      tables.set(`${schema}\0${r.from}`, name);
      columns.set(`${schema}\0${name}`, new Map([...r.columns].map(([to, from]) => [from, to])));
    }
  }
  return {
    table: (schema, name) => tables.get(`${schema}\0${name}`) ?? name,
    columns: (schema, table) => columns.get(`${schema}\0${table}`) ?? new Map(),
  };
}

/** The source under the target's names. Identity when there is no rename. */
export function applyRenames(from: DatabaseSchema, renames: Renames): DatabaseSchema {
  if (renames.size === 0) return from;
  const rev = reverse(renames);
  return { ...from, schemas: from.schemas.map((s) => renameInSchema(s, rev)) };
}

function renameInSchema(s: Schema, rev: Reverse): Schema {
  return {
    ...s,
    tables: s.tables.map((t) => renameInTable(s.name, t, rev)),
    sequences: s.sequences.map((q) => {
      if (!q.ownedBy) return q;
      const table = rev.table(s.name, q.ownedBy.table);
      return { ...q, ownedBy: { table, column: rev.columns(s.name, table).get(q.ownedBy.column) ?? q.ownedBy.column } };
    }),
  };
}

function renameInTable(schema: string, t: Table, rev: Reverse): Table {
  const name = rev.table(schema, t.name);
  const cols = rev.columns(schema, name);
  const col = (c: string): string => cols.get(c) ?? c;
  const expr = (e: string): string => renameColumnsIn(e, cols);
  const column = (c: Column): Column => ({
    ...c,
    name: col(c.name),
    ...(c.default !== undefined ? { default: expr(c.default) } : {}),
    ...(c.generated !== undefined ? { generated: expr(c.generated) } : {}),
  });
  return {
    ...t,
    name,
    columns: t.columns.map(column),
    ...(t.primaryKey ? { primaryKey: { ...t.primaryKey, columns: t.primaryKey.columns.map(col) } } : {}),
    unique: t.unique.map((u) => ({ ...u, columns: u.columns.map(col) })),
    indexes: t.indexes.map((i) => ({
      ...i,
      keys: i.keys.map((k) => ({
        ...k,
        ...(k.column !== undefined ? { column: col(k.column) } : {}),
        ...(k.expression !== undefined ? { expression: expr(k.expression) } : {}),
      })),
      ...(i.include ? { include: i.include.map(col) } : {}),
      ...(i.where !== undefined ? { where: expr(i.where) } : {}),
    })),
    foreignKeys: t.foreignKeys.map((fk) => {
      const refTable = rev.table(fk.references.schema, fk.references.table);
      const refCols = rev.columns(fk.references.schema, refTable);
      const references = {
        ...fk.references,
        table: refTable,
        columns: fk.references.columns.map((c) => refCols.get(c) ?? c),
      };
      return { ...fk, columns: fk.columns.map(col), references };
    }),
    checks: t.checks.map((c) => ({ ...c, expression: expr(c.expression) })),
    triggers: t.triggers.map((tr) => (tr.when !== undefined ? { ...tr, when: expr(tr.when) } : tr)),
    ...(t.grants ? { grants: t.grants.map((g) => (g.columns ? { ...g, columns: g.columns.map(col) } : g)) } : {}),
  };
}
