// A column type as ALTER COLUMN TYPE writes it, shared by alter_column_type and alter_collation.
import { ident } from '../../db/quote.js';
import { objectName } from '../../sql/render/common.js';

/** `type [COLLATE c]`: ALTER COLUMN TYPE resets the collation to the type's default unless it is stated. */
export function typeWithCollation(type: string, collation: string | undefined, column: string): string {
  return collation === undefined
    ? type
    : `${type} COLLATE ${objectName(collation, `collation of column ${ident(column)}`)}`;
}
