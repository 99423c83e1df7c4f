// Whether a text names a schema anywhere, strings and comments included: the conservative check behind every
// refusal of tenant retargeting, used where no parse tree says what a piece of text means (a function body, a
// string that is SQL or a name to something at run time).
import { ident } from '../db/quote.js';

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const BARE_NAME = /^[a-z_\u0080-\uffff][a-z0-9_$\u0080-\uffff]*$/;

/** Only ASCII letters fold: PostgreSQL leaves other letters of an unquoted identifier alone in UTF-8. */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether `name` occurs in `text` as a whole word (`name` in lower case, `text` already folded). */
function hasWord(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const prev = text[at - 1];
    const next = text[at + name.length];
    if ((prev === undefined || !IDENT_CHAR.test(prev)) && (next === undefined || !IDENT_CHAR.test(next))) return true;
  }
  return false;
}

/**
 * Whether `text` names schema `name`: bare in any letter case when the name can be written bare, or quoted (also
 * with its quotes doubled, as inside a string constant).
 */
export function mentions(text: string, name: string): boolean {
  const quoted = `"${name.replaceAll('"', '""')}"`;
  return (
    text.includes(quoted) ||
    text.includes(quoted.replaceAll("'", "''")) ||
    (BARE_NAME.test(name) && hasWord(foldAscii(text), name))
  );
}

/**
 * A cheap first look before parsing: false only when no spelling of `name` (bare, quoted, inside a string,
 * or in a U& escape) can be in `text`.
 */
export function mayName(text: string, name: string): boolean {
  const folded = foldAscii(text);
  const q = ident(name);
  return (
    folded.includes(foldAscii(name)) ||
    text.includes(q) ||
    text.includes(q.replaceAll("'", "''")) ||
    folded.includes('u&')
  );
}
