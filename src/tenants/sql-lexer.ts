// A PostgreSQL tokenizer just precise enough to find words in SQL text: it cuts the text into tokens whose texts
// concatenate back to the input exactly, so a caller can replace a few tokens and copy everything else
// verbatim. It does not decide what a word is: tenant retargeting asks PostgreSQL's parser (retarget-sql.ts),
// and a word this tokenizer misses is refused there, since the tree's count of schema names must match. It
// follows scan.l where it matters for finding identifiers (strings, dollar quotes, nested comments, `$1`
// parameters, `$` inside identifiers) and never fails: unterminated constructs run to the end.

import { foldAscii } from './mentions.js';

export type TokenKind =
  | 'space'
  | 'comment'
  /** '...' and its B'', X'', N'' variants: '' doubles a quote. */
  | 'string'
  /** E'...': backslash escapes too. Its content is never decoded. */
  | 'estring'
  /** U&'...': the content is never decoded. */
  | 'ustring'
  | 'dollar'
  /** A bare identifier or keyword. */
  | 'ident'
  /** "...", with "" doubling. */
  | 'quoted'
  /** U&"...": its escapes are not decoded, so it never equals a name. */
  | 'uquoted'
  | 'number'
  | 'param'
  /** One character of punctuation or of an operator, or `::`. */
  | 'op';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const SPACE = /[ \t\n\r\f\v]/;
// scan.l's ident_start and ident_cont: any non-ASCII character counts as a letter.
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
// A dollar-quote tag cannot hold `$` or start with a digit: `$1` is a parameter, `$a$` opens a string.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const PARAM = /\$[0-9]+/y;
const NUMBER =
  /(?:0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?)/y;

/** Whether the word at `i` qualifies a name (`word.x`, not `x.word.y`): what the tree must agree is a schema. */
export function isQualifier(tokens: readonly Token[], i: number): boolean {
  const near = (step: 1 | -1) => {
    for (let j = i + step; j >= 0 && j < tokens.length; j += step) if (!isTrivia(tokens[j]!)) return tokens[j];
    return undefined;
  };
  const dot = (t: Token | undefined) => t?.kind === 'op' && t.text === '.';
  return dot(near(1)) && !dot(near(-1));
}

/** The name an identifier token stands for, or undefined for any other token. */
export function identValue(t: Token): string | undefined {
  if (t.kind === 'ident') return foldAscii(t.text);
  if (t.kind === 'quoted') return t.text.slice(1, -1).replaceAll('""', '"');
  return undefined;
}

/** The content of a plain '...' string token, undoubled; undefined for other tokens. */
export function stringValue(t: Token): string | undefined {
  return t.kind === 'string' && t.text.startsWith("'") ? t.text.slice(1, -1).replaceAll("''", "'") : undefined;
}

/** The text of a dollar-quoted token between its delimiters. */
export function dollarBody(t: Token): string {
  const tag = match(DOLLAR_TAG, t.text, 0) ?? '$$';
  return t.text.slice(tag.length, t.text.endsWith(tag) && t.text.length >= 2 * tag.length ? -tag.length : undefined);
}

export function isTrivia(t: Token): boolean {
  return t.kind === 'space' || t.kind === 'comment';
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const [kind, end] = next(sql, i);
    out.push({ kind, text: sql.slice(i, end) });
    i = end;
  }
  return out;
}

function next(s: string, i: number): [TokenKind, number] {
  const c = s[i]!;
  const c2 = s[i + 1];
  if (SPACE.test(c)) {
    let j = i + 1;
    while (j < s.length && SPACE.test(s[j]!)) j++;
    return ['space', j];
  }
  if (c === '-' && c2 === '-') {
    const nl = s.slice(i).search(/[\n\r]/);
    return ['comment', nl < 0 ? s.length : i + nl];
  }
  if (c === '/' && c2 === '*') return ['comment', blockComment(s, i)];
  if (c === "'") return ['string', quotedEnd(s, i + 1, "'", false)];
  if (c === '"') return ['quoted', quotedEnd(s, i + 1, '"', false)];
  if ((c === 'U' || c === 'u') && c2 === '&' && (s[i + 2] === "'" || s[i + 2] === '"')) {
    const q = s[i + 2]!;
    return [q === "'" ? 'ustring' : 'uquoted', quotedEnd(s, i + 3, q, false)];
  }
  if (c2 === "'" && /[eE]/.test(c)) return ['estring', quotedEnd(s, i + 2, "'", true)];
  if (c2 === "'" && /[bBxXnN]/.test(c)) return ['string', quotedEnd(s, i + 2, "'", false)];
  if (c === '$') {
    const param = match(PARAM, s, i);
    if (param) return ['param', i + param.length];
    const tag = match(DOLLAR_TAG, s, i);
    if (tag) {
      const close = s.indexOf(tag, i + tag.length);
      return ['dollar', close < 0 ? s.length : close + tag.length];
    }
    return ['op', i + 1];
  }
  if (IDENT_START.test(c)) {
    let j = i + 1;
    while (j < s.length && IDENT_CONT.test(s[j]!)) j++;
    return ['ident', j];
  }
  if (/[0-9]/.test(c) || (c === '.' && c2 !== undefined && /[0-9]/.test(c2))) {
    // `1..5` does not occur in SQL, but a range like `a[1:2]` does; the pattern never takes a second dot.
    return ['number', i + (match(NUMBER, s, i)?.length || 1)];
  }
  if (c === ':' && c2 === ':') return ['op', i + 2];
  return ['op', i + 1];
}

/** The text a sticky pattern matches at `i`, if any. */
function match(re: RegExp, s: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(s)?.[0];
}

/** End of a quoted construct whose body starts at `i`; a doubled quote continues it. */
function quotedEnd(s: string, i: number, q: string, backslash: boolean): number {
  let j = i;
  while (j < s.length) {
    const c = s[j]!;
    if (backslash && c === '\\') j += 2;
    else if (c === q && s[j + 1] === q) j += 2;
    else if (c === q) return j + 1;
    else j++;
  }
  return s.length;
}

/** Block comments nest in PostgreSQL, unlike in the SQL standard's C-like reading. */
function blockComment(s: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    if (s[j] === '/' && s[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (s[j] === '*' && s[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return s.length;
}
