// What depends on an enum type, and how to move all of it to another type with the same name text. PostgreSQL
// can neither remove nor reorder enum values, so both the rollback of ADD VALUE and the recreate_enum recipe
// build a second type and convert every user of the first: columns (and arrays) with `USING c::text::new`,
// their defaults (dropped before and set after, in the same ALTER TABLE, or the type change fails on them),
// checks that name the type (PostgreSQL re-parses them against the new column type, and `'x'::old` then has no
// operator), and, in the rollback only, indexes, foreign keys and functions around the conversion.
import { restoreComment } from './comments.js';
import type { Check, Column, DatabaseSchema, Enum, ForeignKey, Function, Index } from '../../schema/model/model.js';
import {
  addCheck,
  addForeignKey,
  alterColumnType,
  comment,
  createEnum,
  createFunction,
  createIndex,
  dropConstraint,
  dropDefault,
  dropFunction,
  dropIndex,
  dropType,
  setDefault,
} from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { allTables, mentions, signatureText } from './objects.js';

/** Temporary names: the old type during the rollback of ADD VALUE, the replacement during recreate_enum. */
export const OLD_SUFFIX = '__sy_old';
export const NEW_SUFFIX = '__sy_new';

export interface EnumTableUse {
  readonly schema: string;
  readonly table: string;
  /** Columns of the type or of an array of it. */
  readonly columns: readonly Column[];
  /** Other columns whose default names the type. */
  readonly defaults: readonly Column[];
  readonly checks: readonly Check[];
}

export interface EnumDependents {
  readonly tables: readonly EnumTableUse[];
  /** Indexes whose expressions or predicate name the type. */
  readonly indexes: readonly { readonly schema: string; readonly table: string; readonly index: Index }[];
  /** Foreign keys with an enum column on either side: the two sides cannot change type one at a time. */
  readonly foreignKeys: readonly { readonly schema: string; readonly table: string; readonly foreignKey: ForeignKey }[];
  /** Functions whose signature names the type. */
  readonly functions: readonly { readonly schema: string; readonly function: Function }[];
  /** Generated columns using the type or an enum column (PostgreSQL cannot change a type under them), described. */
  readonly generated: readonly string[];
}

export const isEnumColumn = (c: Column, schema: string, name: string): boolean =>
  c.type === qualified(schema, name) || c.type === `${qualified(schema, name)}[]`;

const usesWord = (text: string, word: string): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}_$])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_$])`, 'u').test(
    text,
  ) || text.includes(`"${word.replaceAll('"', '""')}"`);

export function enumDependents(db: DatabaseSchema, schema: string, name: string): EnumDependents {
  const tables = allTables(db);
  const enumColumns = new Map(
    tables.map(({ schema: s, table: t }) => [
      `${s}\0${t.name}`,
      new Set(t.columns.filter((c) => isEnumColumn(c, schema, name)).map((c) => c.name)),
    ]),
  );
  const enumCols = (s: string, t: string) => enumColumns.get(`${s}\0${t}`) ?? new Set<string>();
  const named = (text: string | undefined) => mentions(text, schema, name);
  const uses: EnumTableUse[] = [];
  const indexes: EnumDependents['indexes'][number][] = [];
  const foreignKeys: EnumDependents['foreignKeys'][number][] = [];
  const generated: string[] = [];
  for (const { schema: s, table: t } of tables) {
    const own = enumCols(s, t.name);
    const use: EnumTableUse = {
      schema: s,
      table: t.name,
      columns: t.columns.filter((c) => own.has(c.name) && c.generated === undefined),
      defaults: t.columns.filter((c) => !own.has(c.name) && named(c.default)),
      checks: t.checks.filter((ck) => named(ck.expression)),
    };
    if (use.columns.length + use.defaults.length + use.checks.length > 0) uses.push(use);
    for (const c of t.columns) {
      const g = c.generated;
      if (g !== undefined && (own.has(c.name) || named(g) || [...own].some((o) => usesWord(g, o))))
        generated.push(`${qualified(s, t.name)}.${ident(c.name)}`);
    }
    for (const index of t.indexes)
      if (named(index.where) || index.keys.some((k) => named(k.expression)))
        indexes.push({ schema: s, table: t.name, index });
    for (const foreignKey of t.foreignKeys) {
      const r = foreignKey.references;
      const refCols = enumCols(r.schema, r.table);
      if (foreignKey.columns.some((c) => own.has(c)) || r.columns.some((c) => refCols.has(c)))
        foreignKeys.push({ schema: s, table: t.name, foreignKey });
    }
  }
  const functions = db.schemas.flatMap((s) =>
    s.functions.filter((f) => named(signatureText(f))).map((f) => ({ schema: s.name, function: f })),
  );
  return { tables: uses, indexes, foreignKeys, functions, generated };
}

/** ALTER TYPE ... RENAME TO (no renderer has it yet). */
export function renameType(schema: string, from: string, to: string): string {
  return `ALTER TYPE ${qualified(schema, from)} RENAME TO ${ident(to)}`;
}

/** Several ALTER TABLE statements of one table as one statement: one lock, one rewrite. */
export function combineAlterTable(schema: string, table: string, statements: readonly string[]): string {
  const prefix = `ALTER TABLE ${qualified(schema, table)} `;
  const actions = statements.map((s) => {
    if (!s.startsWith(prefix)) throw new Error(`not an ALTER TABLE of ${qualified(schema, table)}: ${s}`);
    return s.slice(prefix.length);
  });
  return prefix + actions.join(', ');
}

/**
 * One ALTER TABLE moving a table's users of the enum to type `schema.to`. `text` adapts each default and check
 * to the moment it is re-added (while the target type still has a temporary name, its mentions must say so).
 */
export function convertTable(
  use: EnumTableUse,
  schema: string,
  to: string,
  text: (sql: string) => string = (s) => s,
): string {
  const { schema: s, table: t } = use;
  const type = qualified(schema, to);
  return combineAlterTable(s, t, [
    ...use.checks.map((ck) => dropConstraint(s, t, ck.name)),
    ...use.columns.flatMap((c) => {
      const target = c.type.endsWith('[]') ? `${type}[]` : type;
      const convert = alterColumnType(s, t, c.name, target, `${ident(c.name)}::text::${target}`);
      return c.default === undefined
        ? [convert]
        : [dropDefault(s, t, c.name), convert, setDefault(s, t, c.name, text(c.default))];
    }),
    ...use.defaults.map((c) => setDefault(s, t, c.name, text(c.default ?? 'NULL'))),
    ...use.checks.map((ck) => addCheck(s, t, { ...ck, expression: text(ck.expression) })),
  ]);
}

/**
 * Statements that give enum `e` exactly the values and comment of `e` again, keeping its name: rename the
 * current type away, create `e`, convert every user, drop the old type, then put back what had to go.
 */
export function recreateInPlace(schema: string, e: Enum, deps: EnumDependents): string[] {
  const old = e.name + OLD_SUFFIX;
  return [
    ...deps.foreignKeys.map((f) => dropConstraint(f.schema, f.table, f.foreignKey.name)),
    ...deps.indexes.map((i) => dropIndex(i.schema, i.index.name)),
    ...deps.functions.map((f) => dropFunction(f.schema, f.function.name, f.function.args)),
    renameType(schema, e.name, old),
    createEnum(schema, e),
    ...deps.tables.map((u) => convertTable(u, schema, e.name)),
    dropType(schema, old),
    ...(e.comment !== undefined ? [comment({ kind: 'type', schema, name: e.name }, e.comment)] : []),
    ...deps.functions.flatMap((f) => [
      createFunction(f.function),
      ...restoreComment(
        { kind: 'function', schema: f.schema, name: f.function.name, args: f.function.args },
        f.function.comment,
      ),
    ]),
    ...deps.indexes.flatMap((i) => [
      createIndex(i.schema, i.table, i.index),
      ...(i.index.comment !== undefined
        ? [comment({ kind: 'index', schema: i.schema, name: i.index.name }, i.index.comment)]
        : []),
    ]),
    ...deps.foreignKeys.flatMap((f) => [
      addForeignKey(f.schema, f.table, f.foreignKey),
      ...restoreComment(
        { kind: 'constraint', schema: f.schema, table: f.table, name: f.foreignKey.name },
        f.foreignKey.comment,
      ),
    ]),
  ];
}
