// COMMENT ON: the text is always a literal; null removes the comment.
import { ident, literal, qualified } from '../../db/quote.js';

export type CommentTarget =
  | { readonly kind: 'schema'; readonly schema: string }
  | { readonly kind: 'table'; readonly schema: string; readonly table: string }
  | { readonly kind: 'column'; readonly schema: string; readonly table: string; readonly column: string }
  | { readonly kind: 'index'; readonly schema: string; readonly name: string }
  | { readonly kind: 'view'; readonly schema: string; readonly name: string }
  | { readonly kind: 'materialized view'; readonly schema: string; readonly name: string }
  | { readonly kind: 'type'; readonly schema: string; readonly name: string }
  | { readonly kind: 'sequence'; readonly schema: string; readonly name: string }
  | { readonly kind: 'constraint'; readonly schema: string; readonly table: string; readonly name: string }
  | { readonly kind: 'trigger'; readonly schema: string; readonly table: string; readonly name: string }
  | { readonly kind: 'policy'; readonly schema: string; readonly table: string; readonly name: string }
  /** `args`: the identity arguments as pg_get_function_identity_arguments prints them (SQL text, from the catalog). */
  | { readonly kind: 'function'; readonly schema: string; readonly name: string; readonly args: string };

function object(t: CommentTarget): string {
  switch (t.kind) {
    case 'schema':
      return `SCHEMA ${ident(t.schema)}`;
    case 'table':
      return `TABLE ${qualified(t.schema, t.table)}`;
    case 'column':
      return `COLUMN ${qualified(t.schema, t.table)}.${ident(t.column)}`;
    case 'index':
      return `INDEX ${qualified(t.schema, t.name)}`;
    case 'view':
      return `VIEW ${qualified(t.schema, t.name)}`;
    case 'materialized view':
      return `MATERIALIZED VIEW ${qualified(t.schema, t.name)}`;
    case 'type':
      return `TYPE ${qualified(t.schema, t.name)}`;
    case 'sequence':
      return `SEQUENCE ${qualified(t.schema, t.name)}`;
    case 'constraint':
      return `CONSTRAINT ${ident(t.name)} ON ${qualified(t.schema, t.table)}`;
    case 'trigger':
      return `TRIGGER ${ident(t.name)} ON ${qualified(t.schema, t.table)}`;
    case 'policy':
      return `POLICY ${ident(t.name)} ON ${qualified(t.schema, t.table)}`;
    case 'function':
      return `FUNCTION ${qualified(t.schema, t.name)}(${t.args})`;
  }
}

export function comment(target: CommentTarget, text: string | null): string {
  return `COMMENT ON ${object(target)} IS ${text === null ? 'NULL' : literal(text)}`;
}
