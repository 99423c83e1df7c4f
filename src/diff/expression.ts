// Column renames inside SQL expression text. PostgreSQL stores expressions as parse trees, so after a rename
// pg_get_expr() prints the new name; the source snapshot still spells the old one. Rewriting the source's
// expressions lets a check or index on a renamed column compare equal instead of being dropped and re-added.
//
// This is a tokenizer, not a parser. It skips string literals, function names (followed by `(`) and type
// names (after `::`). A token it rewrites wrongly (a keyword such as `day` in EXTRACT(day FROM ...) that
// happens to be a renamed column's old name) can only make the pair look different, never hide a difference:
// the target's canonical text cannot contain the wrongly rewritten spelling.
import { ident } from '../db/quote.js';

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const AFTER_CAST = /::\s*(?:(?:"(?:[^"]|"")*"|[\w$]+)\s*\.\s*)?$/;

/** `expr` with every column reference named in `renames` (old name -> new name) spelled with the new name. */
export function renameColumnsIn(expr: string, renames: ReadonlyMap<string, string>): string {
  if (renames.size === 0) return expr;
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i] as string;
    if (ch === "'") {
      const end = endOfQuoted(expr, i, "'");
      out += expr.slice(i, end);
      i = end;
    } else if (ch === '"' || IDENT_START.test(ch)) {
      const end = ch === '"' ? endOfQuoted(expr, i, '"') : endOfWord(expr, i);
      const raw = expr.slice(i, end);
      // Unquoted identifiers fold to lower case; quoted ones are taken literally.
      const name = ch === '"' ? raw.slice(1, -1).replaceAll('""', '"') : raw.toLowerCase();
      const renamed = renames.get(name);
      out += renamed !== undefined && isColumnReference(expr, i, end) ? ident(renamed) : raw;
      i = end;
    } else if (/[0-9]/.test(ch)) {
      // Numbers such as 1e5 must not yield an identifier `e5`.
      const end = endOfWord(expr, i);
      out += expr.slice(i, end);
      i = end;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

function endOfWord(expr: string, start: number): number {
  let i = start + 1;
  while (i < expr.length && IDENT_PART.test(expr[i] as string)) i += 1;
  return i;
}

/** Index just past the closing quote; a doubled quote is an escaped one. */
function endOfQuoted(expr: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < expr.length) {
    if (expr[i] === quote) {
      if (expr[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return expr.length;
}

function isColumnReference(expr: string, start: number, end: number): boolean {
  const next = expr.slice(end).trimStart()[0];
  if (next === '(') return false;
  return !AFTER_CAST.test(expr.slice(0, start));
}
