// Reading the few pieces of catalog text that have no catalog column of their own. The scanners skip
// string literals ('...') and quoted identifiers ("..."): PostgreSQL prints an embedded quote doubled, so
// toggling on each quote character keeps track of both, whatever the literal contains.
import { ident, qualified } from '../db/quote.js';

/** Index of the `)` matching the `(` at `open`, or -1. */
export function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The items of an expression list as pg_get_expr prints it (`lower(a), (b + 1)`): split at the commas
 * outside quotes, parentheses and brackets (`ARRAY[1, 2]`, `numeric(10,2)`, `f(a, b)` keep theirs). The
 * separator is ", ", except before an item that starts on a new line (a CASE removes the space before
 * its newline). Each item is then exactly the text pg_get_indexdef prints for that key alone, without the
 * parentheses it adds around expressions that do not look like a function call.
 */
export function splitExpressionList(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '(' || ch === '[') {
      depth++;
    } else if (ch === ')' || ch === ']') {
      depth--;
    } else if (ch === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = list[i + 1] === ' ' ? i + 2 : i + 1;
    }
  }
  items.push(list.slice(start));
  return items;
}

/** The first `WHEN (` outside quotes, as the index of its `(`, or -1. */
function whenClause(definition: string): number {
  let quote: string | undefined;
  for (let i = 0; i < definition.length; i++) {
    const ch = definition[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === 'W' && definition.startsWith(' WHEN (', i - 1)) {
      return i + 5;
    }
  }
  return -1;
}

/**
 * The condition of a trigger from its pg_get_triggerdef text (`... FOR EACH ROW WHEN (cond) EXECUTE ...`),
 * without the surrounding parentheses: the same text a CHECK expression has, e.g.
 * `(old.status IS DISTINCT FROM new.status)`. Names and arguments containing `WHEN (` are quoted, so the
 * first unquoted occurrence is the clause.
 */
export function triggerCondition(definition: string): string | undefined {
  const open = whenClause(definition);
  if (open < 0) return undefined;
  const close = matchingParen(definition, open);
  return close < 0 ? undefined : definition.slice(open + 1, close);
}

/** A collation or operator class name as SQL spells it: bare when in pg_catalog, else schema-qualified. */
export function catalogName(schema: string | null, name: string): string {
  return schema === null || schema === 'pg_catalog' ? ident(name) : qualified(schema, name);
}
