// Characters PostgreSQL cannot take, found while the YAML is read so that each problem points at its node.
// A NUL cannot be stored in any text, nor sent inside a query; an unpaired surrogate (`"\ud800"`) has no
// UTF-8 form. Names, enum labels and comments must also be free of control characters: there they only
// come from a damaged file or a mistyped escape. Such files used to pass `validate` and fail later as an
// "internal error" (issue #13).
import { subject } from './describe.js';
import { finding, type Finding } from './finding.js';
import type { Path } from './zod-walk.js';

/** C0 controls except tab, newline and carriage return (YAML text may hold them), DEL and C1 controls. */
const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/;
const NEVER = /\0|\p{Cs}/u;
const IN_CATALOG_TEXT = new RegExp(`${CONTROL.source}|\\p{Cs}`, 'u');
const ESCAPE = new RegExp(`${CONTROL.source}|\\p{Cs}`, 'gu');

/** `U+0007`: a character as problems name it. */
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Text safe to print on a terminal: control characters and unpaired surrogates as `\u0000` escapes. */
export function visible(text: string): string {
  return text.replace(ESCAPE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/**
 * The problem with a name (`at: 'key'`) or a value of the file, if it holds a character PostgreSQL cannot
 * take. `catalogText`: the text is a name, label or comment, which must be free of control characters too.
 * `pathOf` is called only for a problem: the check runs on every key and scalar of the file.
 */
export function badText(
  text: string,
  catalogText: boolean,
  pathOf: () => Path,
  at: 'key' | 'value',
  offset: number,
): Finding | undefined {
  const match = (catalogText ? IN_CATALOG_TEXT : NEVER).exec(text);
  if (!match) return undefined;
  const path = pathOf();
  const char = match[0];
  // Characters, not UTF-16 units, so that the position is the one an editor shows.
  const position = [...text.slice(0, match.index)].length + 1;
  const where = at === 'key' ? `${subject(path)}: the name contains` : `${subject(path)} contains`;
  const found =
    char === '\0'
      ? finding(path, at, `${where} U+0000 (NUL) at character ${position}; PostgreSQL cannot store a NUL`, 'remove it')
      : /\p{Cs}/u.test(char)
        ? finding(
            path,
            at,
            `${where} an unpaired surrogate ${codePoint(char)} at character ${position}, which has no UTF-8 form`,
            'remove it, or escape the whole character (`\\U0001F600`)',
          )
        : finding(
            path,
            at,
            `${where} the control character ${codePoint(char)} at character ${position}`,
            'remove it: names, enum labels and comments cannot hold control characters',
          );
  return { ...found, offset };
}
