// Strings as the yaml library (2.x, `lineWidth: 0`, other options default) prints them: plain when that reads
// back as the same string, else single- or double-quoted, and block literals (`|-`, `|`, `|+`) for multi-line
// values in block context. The rules follow stringifyString.js step by step; emit-identity.test.ts holds this
// to the library's output on hostile strings. Nothing is folded: lineWidth 0 turns folding off. No scalar is
// written at the document's root or as one of its keys (`schemas`, `tenants`), so ctx.indent is never '' and
// the library's rules for document markers (`---`, `...`, `%` at a line start) there never apply.

/** Where a scalar is written. `indent` is the library's ctx.indent: one step deeper than the line it starts on. */
interface ScalarContext {
  readonly indent: string;
  /** A mapping key. */
  readonly implicitKey: boolean;
  /** Inside `{ }` or `[ ]`. */
  readonly inFlow: boolean;
}

const INDENT_STEP = '  ';
/**
 * Strings certainly printed as they are, the common case, checked in one go: a letter or `_` first (no
 * indicator, number or `~`), no `#`, tab or line break, no space or `:` at the end or before a space, not
 * null/true/false in any spelling, and in flow collections none of `,[]{}`.
 */
const SAFE_BLOCK =
  /^(?!(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$)[A-Za-z_](?:[\w.$()'"*+\-/<>=!&|%@`~^?;,[\]{}]|:(?=[^ ])| (?=.))*$/;
const SAFE_FLOW =
  /^(?!(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$)[A-Za-z_](?:[\w.$()'"*+\-/<>=!&|%@`~^?;]|:(?=[^ ])| (?=.))*$/;

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const FLOW_INDICATOR = /[[\]{},]/;
/** Starts with an indicator, is `-`/`?` or starts `- `/`? `, holds `: `, ` #` or a space at a line break, or ends in space or `:`. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** The core schema's null, bool, int (octal, decimal, hex) and float tests: plain text that would not read back as a string. */
const NOT_A_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const DOUBLE_QUOTED_MIN_MULTILINE = 40;
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

// Indentation strings by depth, so that writing a line does not build one.
const INDENTS = [''];
const NEWLINES = ['\n'];
function grow(depth: number): void {
  while (INDENTS.length <= depth) {
    INDENTS.push(INDENT_STEP.repeat(INDENTS.length));
    NEWLINES.push(`\n${INDENT_STEP.repeat(NEWLINES.length)}`);
  }
}

/** The indentation one step (two spaces) deeper. */
export function deeper(indent: string): string {
  grow(indent.length / 2 + 1);
  return INDENTS[indent.length / 2 + 1] ?? '';
}

/** A line break followed by `indent`. */
export function newline(indent: string): string {
  grow(indent.length / 2);
  return NEWLINES[indent.length / 2] ?? '';
}

/** A value that is not a key. Numbers are safe integers (sequence bounds), which the library prints as JSON does, but -0. */
export function scalar(v: string | number | boolean, indent: string, inFlow: boolean): string {
  if (typeof v === 'string') return scalarString(v, indent, false, inFlow);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return Object.is(v, -0) ? '-0' : String(v);
}

export function scalarString(value: string, indent: string, implicitKey: boolean, inFlow: boolean): string {
  if ((inFlow ? SAFE_FLOW : SAFE_BLOCK).test(value)) return value;
  const ctx: ScalarContext = { indent, implicitKey, inFlow };
  return CONTROL.test(value) ? doubleQuoted(value, ctx) : plain(value, ctx);
}

/** A block literal with keep chomping (`|+`): the library then skips the blank line before the next entry. */
export function keepsTrailingNewlines(s: string): boolean {
  return s.charCodeAt(0) === 124 && (s[1] === '+' || s[2] === '+');
}

function plain(value: string, ctx: ScalarContext): string {
  const { implicitKey, inFlow, indent } = ctx;
  const multiline = value.includes('\n');
  if ((implicitKey && multiline) || (inFlow && FLOW_INDICATOR.test(value))) return quoted(value, ctx);
  if (NOT_PLAIN.test(value)) return implicitKey || inFlow || !multiline ? quoted(value, ctx) : block(value, ctx);
  if (!implicitKey && !inFlow && multiline) return block(value, ctx);
  const str = multiline ? value.replace(/\n+/g, `$&\n${indent}`) : value;
  for (const test of NOT_A_STRING) if (test.test(str)) return quoted(value, ctx);
  return str;
}

function quoted(value: string, ctx: ScalarContext): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, ctx) : doubleQuoted(value, ctx);
}

function singleQuoted(value: string, ctx: ScalarContext): string {
  if ((ctx.implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, ctx);
  const { indent } = ctx;
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

/** Short escapes YAML has for the `\u00XX` JSON prints (JSON escapes nothing above U+001F but lone surrogates). */
const YAML_ESCAPES: Readonly<Record<string, string>> = { '0000': '\\0', '0007': '\\a', '000b': '\\v', '001b': '\\e' };

/** JSON, with YAML's escapes, and (outside keys) line breaks written as breaks once the string is 40+ characters. */
function doubleQuoted(value: string, ctx: ScalarContext): string {
  const json = JSON.stringify(value);
  // Everything below happens at a backslash: without one, JSON is already the YAML.
  if (!json.includes('\\')) return json;
  const { implicitKey } = ctx;
  const { indent } = ctx;
  let str = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // a space before a line break is escaped so that it is not folded away
      str += `${json.slice(start, i)}\\ `;
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    const next = json[i + 1];
    if (next === 'u') {
      str += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      str += YAML_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.substr(2)}` : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else if (next === 'n') {
      if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTILINE) {
        i += 1;
      } else {
        str += `${json.slice(start, i)}\n\n`;
        while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
          str += '\n';
          i += 2;
        }
        str += indent;
        if (json[i + 2] === ' ') str += '\\';
        i += 1;
        start = i + 1;
      }
    } else {
      i += 1;
    }
  }
  return start ? str + json.slice(start) : json;
}

/** `|` literal: chomping from the trailing newlines, an indentation indicator when the text starts with a space. */
function block(text: string, ctx: ScalarContext): string {
  if (/\n[\t ]+$/.test(text)) return quoted(text, ctx);
  const { indent } = ctx;
  let value = text;
  let endStart = value.length;
  while (endStart > 0) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
    endStart--;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  const chomp = endNlPos === -1 ? '-' : value === end || endNlPos !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNlPos = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}
