// Flow collections: `{ a: b, c: d }` and `[ a, b ]` on one line, or one entry a line when any entry's text
// spans lines, as stringifyFlowCollection.js lays them out. Only a string with a line break can make an entry
// span lines, whatever the depth; and the depth shows only after line breaks, so one-line text is the same at
// any depth and is written without knowing it.
import { isEmpty, valueOf, type YamlMap, type YamlPair, type YamlSeq, type YamlValue } from './node.js';
import { deeper, scalar, scalarString } from './scalar.js';

const STEP = '  ';
/** The indent one-line text is written with: any will do, as nothing is indented without a line break. */
const NOMINAL = '    ';

/** The collection in flow style; `indent` is its ctx.indent. */
export function flowString(v: YamlMap | YamlSeq, indent: string): string {
  return oneLine(v) ?? lines(v, indent);
}

/** A key inside a one-line flow collection. */
const inlineKey = (key: string): string => scalarString(key, NOMINAL, true, true);

/** A value inside a one-line flow collection; undefined when it is a collection that spans lines. */
export const inlineEntry = (x: YamlValue): string | undefined =>
  typeof x !== 'object' ? scalar(x, NOMINAL, true) : x.kind === 'inline' ? x.text : oneLine(x);

/** The one-line form, or undefined when an entry spans lines. */
function oneLine(v: YamlMap | YamlSeq): string | undefined {
  if (isEmpty(v)) return v.kind === 'map' ? '{}' : '[]';
  let s = v.kind === 'map' ? '{ ' : '[ ';
  const n = v.kind === 'map' ? v.pairs.length : v.items.length;
  for (let i = 0; i < n; i++) {
    let x: YamlValue;
    if (v.kind === 'map') {
      const p = v.pairs[i] as YamlPair;
      s += `${(i > 0 ? ', ' : '') + inlineKey(p.key)}: `;
      x = valueOf(p);
    } else {
      if (i > 0) s += ', ';
      x = v.items[i] as YamlValue;
    }
    const text = inlineEntry(x);
    if (text === undefined) return undefined;
    s += text;
  }
  s += v.kind === 'map' ? ' }' : ' ]';
  return s.includes('\n') ? undefined : s;
}

const entry = (x: YamlValue, indent: string): string =>
  typeof x !== 'object' ? scalar(x, indent, true) : x.kind === 'inline' ? x.text : flowString(x, indent);

/** One entry a line, each entry laid out on its own (a nested collection may still fit on one line). */
function lines(v: YamlMap | YamlSeq, indent: string): string {
  const entries: string[] = [];
  if (v.kind === 'map') {
    const itemIndent = deeper(indent);
    const inner = deeper(itemIndent);
    v.pairs.forEach((p, i) => {
      const key = scalarString(p.key, inner, true, true);
      const x = valueOf(p);
      const s = entry(x, inner);
      const pair = typeof x === 'object' && s.includes('\n') ? `${key}:\n${inner}${s}` : `${key}: ${s}`;
      entries.push(i < v.pairs.length - 1 ? `${pair},` : pair);
    });
  } else {
    const itemIndent = deeper(deeper(indent));
    v.items.forEach((x, i) => {
      entries.push(entry(x, itemIndent) + (i < v.items.length - 1 ? ',' : ''));
    });
  }
  const [start, end] = v.kind === 'map' ? ['{', '}'] : ['[', ']'];
  let out = start;
  for (const line of entries) out += `\n${STEP}${indent}${line}`;
  return `${out}\n${indent}${end}`;
}
