// Statements for identity columns. PostgreSQL has no renderer-level need for them beyond the recipes here.
import { ident, literal, qualified } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import type { Identity } from '../../schema/model/model.js';

const GENERATED: Record<Identity, string> = { always: 'ALWAYS', 'by default': 'BY DEFAULT' };

export function addIdentity(schema: string, table: string, column: string, identity: Identity): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} ADD GENERATED ${GENERATED[identity]} AS IDENTITY`);
}

export function setGenerated(schema: string, table: string, column: string, identity: Identity): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} SET GENERATED ${GENERATED[identity]}`);
}

export function dropIdentity(schema: string, table: string, column: string): string {
  return alterTable(schema, table, `ALTER COLUMN ${ident(column)} DROP IDENTITY`);
}

/**
 * Moves the identity's sequence past the values already in the column, so the next generated value is free.
 * pg_get_serial_sequence parses its first argument as SQL (hence the quoted, qualified name) and takes the
 * column name literally.
 */
export function restartAfterMax(schema: string, table: string, column: string): string {
  const seq = `pg_get_serial_sequence(${literal(qualified(schema, table))}, ${literal(column)})`;
  return `SELECT setval(${seq}, greatest(coalesce(max(${ident(column)}), 0) + 1, 1), false) FROM ${qualified(schema, table)}`;
}
