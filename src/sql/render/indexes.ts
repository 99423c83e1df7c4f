// CREATE / DROP INDEX. Never IF NOT EXISTS: a failed CONCURRENTLY build leaves an invalid index under the
// same name, and IF NOT EXISTS would skip the rebuild and keep it (the executor drops and rebuilds instead).
import type { Index, IndexKey } from '../../schema/model/model.js';
import { ident, identList, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';
import { objectName } from './common.js';

export interface CreateIndexOptions {
  /** CONCURRENTLY: on live tables; it cannot run in a transaction block, so the step runs alone. */
  readonly concurrently?: boolean;
  /** Exists only to say no: see the comment at the top of this file. */
  readonly ifNotExists?: false;
}

function key(k: IndexKey, index: string): string {
  const what = `key of index ${ident(index)}`;
  if ((k.column === undefined) === (k.expression === undefined)) {
    throw new InvalidModelError(what, 'an index key needs exactly one of column and expression');
  }
  // pg_get_indexdef prints an expression bare when it is a function call and parenthesized otherwise;
  // wrapping exactly once is valid for both spellings.
  let sql = k.column !== undefined ? ident(k.column) : `(${k.expression})`;
  if (k.collation !== undefined) sql += ` COLLATE ${objectName(k.collation, what)}`;
  if (k.opclass !== undefined) sql += ` ${objectName(k.opclass, what)}`;
  if (k.order === 'desc') sql += ' DESC';
  if (k.nulls !== undefined) sql += ` NULLS ${k.nulls.toUpperCase()}`;
  return sql;
}

/** `ix.invalid` is not rendered: no statement creates an invalid index, so it is built valid. */
export function createIndex(schema: string, table: string, ix: Index, opts: CreateIndexOptions = {}): string {
  if (ix.keys.length === 0) throw new InvalidModelError(`index ${ident(ix.name)}`, 'an index needs at least one key');
  return (
    `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${opts.concurrently ? 'CONCURRENTLY ' : ''}${ident(ix.name)}` +
    ` ON ${qualified(schema, table)} USING ${ident(ix.method)} (${ix.keys.map((k) => key(k, ix.name)).join(', ')})` +
    (ix.include && ix.include.length > 0 ? ` INCLUDE (${identList(ix.include)})` : '') +
    (ix.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '') +
    (ix.where !== undefined ? ` WHERE ${ix.where}` : '')
  );
}

/** Only for indexes that no constraint owns (those go with dropConstraint). */
export function dropIndex(schema: string, name: string, opts: { concurrently?: boolean } = {}): string {
  return `DROP INDEX ${opts.concurrently ? 'CONCURRENTLY ' : ''}${qualified(schema, name)}`;
}
