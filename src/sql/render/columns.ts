// Column definitions and the ALTER TABLE ... column actions. Types and expressions are canonical SQL text
// (format_type / pg_get_expr output) and are inserted verbatim; names always go through ident().
import type { Column } from '../../schema/model/model.js';
import { ident } from '../../db/quote.js';
import { alterTable, objectName } from './common.js';

/** `name type [COLLATE c] [GENERATED ...] [DEFAULT e] [NOT NULL]`, as inside CREATE TABLE or ADD COLUMN. */
export function columnDefinition(c: Column): string {
  const parts = [ident(c.name), c.type];
  if (c.collation !== undefined)
    parts.push(`COLLATE ${objectName(c.collation, `collation of column ${ident(c.name)}`)}`);
  if (c.identity !== undefined)
    parts.push(`GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  // pg_dump's spelling; the expression is parenthesized by the syntax, so it is wrapped exactly once.
  if (c.generated !== undefined) parts.push(`GENERATED ALWAYS AS (${c.generated}) STORED`);
  if (c.default !== undefined) parts.push(`DEFAULT ${c.default}`);
  if (!c.nullable) parts.push('NOT NULL');
  return parts.join(' ');
}

export function addColumn(schema: string, table: string, c: Column): string {
  return alterTable(schema, table, `ADD COLUMN ${columnDefinition(c)}`);
}

export function dropColumn(schema: string, table: string, column: string): string {
  return alterTable(schema, table, `DROP COLUMN ${ident(column)}`);
}

export function renameColumn(schema: string, table: string, from: string, to: string): string {
  return alterTable(schema, table, `RENAME COLUMN ${ident(from)} TO ${ident(to)}`);
}

/** `using` is an expression over the old row (user-supplied raw SQL), e.g. `amount::numeric(12,2)`. */
export function alterColumnType(schema: string, table: string, column: string, type: string, using?: string): string {
  const tail = using === undefined ? '' : ` USING ${using}`;
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} TYPE ${type}${tail}`);
}

export function setNotNull(schema: string, table: string, column: string): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} SET NOT NULL`);
}

export function dropNotNull(schema: string, table: string, column: string): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} DROP NOT NULL`);
}

export function setDefault(schema: string, table: string, column: string, expression: string): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} SET DEFAULT ${expression}`);
}

export function dropDefault(schema: string, table: string, column: string): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} DROP DEFAULT`);
}
