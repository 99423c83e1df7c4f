// Building the tree: mappings of fields, lists, and name -> entry mappings, with the rules that choose flow
// style. Flow collections that fit on one line are written out here (YamlInline), most of them without
// building their tree at all.
import { InvalidModelError } from '../../errors.js';
import { inlineEntry } from './flow.js';
import { valueOf, type YamlInline, type YamlMap, type YamlPair, type YamlSeq, type YamlValue } from './node.js';
import { q } from '../model/names.js';

/** A field of a mapping: undefined leaves it out (defaults are passed as undefined); lists become sequences. */
export type Field = YamlValue | readonly YamlValue[] | undefined;

/** Objects shorter than this (as JSON) go on one line, as in `id: { type: bigint, nullable: false }`. */
const FLOW_LIMIT = 90;
/** Characters JSON.stringify escapes (or may: lone surrogates); strings without them are `"` + s + `"`. */
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A list: on one line when it holds only one-line strings (lists of names and labels read best that way). */
export function seq(items: readonly YamlValue[]): YamlSeq | YamlInline {
  if (!items.every((x) => typeof x === 'string' && !x.includes('\n'))) return { kind: 'seq', flow: false, items };
  let w = 1;
  let text = '[ ';
  items.forEach((x, i) => {
    w += width(x) + 1;
    text += (i > 0 ? ', ' : '') + inlineEntry(x);
  });
  return items.length === 0
    ? { kind: 'inline', text: '[]', width: 2 }
    : { kind: 'inline', text: `${text} ]`, width: w };
}

const asValue = (v: YamlValue | readonly YamlValue[]): YamlValue => (Array.isArray(v) ? seq(v) : (v as YamlValue));

function pairsOf(fields: Readonly<Record<string, Field>>): YamlPair[] {
  const pairs: YamlPair[] = [];
  for (const key in fields) {
    const v = fields[key];
    if (v !== undefined) pairs.push({ key, value: asValue(v), spaceBefore: false });
  }
  return pairs;
}

/**
 * A mapping of the defined fields, in the order given. Field names are lower camelCase words, which YAML
 * writes as they are and JSON in quotes (names from the model go in `keyed` mappings). `auto` puts it on one
 * line when its JSON is at most FLOW_LIMIT characters and holds no `\n` escape: the rule the emitter has
 * always applied, kept exactly because its output is committed by users. One pass measures the JSON and
 * writes the line; the tree is built only for a mapping that does not go on one line.
 */
export function map(
  fields: Readonly<Record<string, Field>>,
  style: 'block' | 'auto' | 'flow' = 'block',
): YamlMap | YamlInline {
  if (style === 'block') return { kind: 'map', flow: false, pairs: pairsOf(fields) };
  let w = 1;
  let text = '{ ';
  let n = 0;
  for (const key in fields) {
    const field = fields[key];
    if (field === undefined) continue;
    const v = asValue(field);
    w += key.length + width(v) + 4;
    if (style === 'auto' && w > FLOW_LIMIT) return { kind: 'map', flow: false, pairs: pairsOf(fields) };
    text += `${(n++ > 0 ? ', ' : '') + key}: ${inlineEntry(v) ?? '\n'}`;
  }
  if (n === 0) return { kind: 'inline', text: '{}', width: 2 };
  text += ' }';
  // A line break means one entry a line, laid out at the mapping's depth by the writer.
  return text.includes('\n') ? { kind: 'map', flow: true, pairs: pairsOf(fields) } : { kind: 'inline', text, width: w };
}

/** name -> entry mappings, a blank line between entries when `spaced`; undefined when there are none. */
export function named<T extends { readonly name: string }>(
  items: readonly T[],
  make: (item: T) => Exclude<Field, undefined>,
  spaced = false,
): YamlMap | undefined {
  if (items.length === 0) return undefined;
  return keyed(
    items.map((item, i) => ({ key: item.name, value: () => asValue(make(item)), spaceBefore: spaced && i > 0 })),
  );
}

/** A block mapping of entries keyed by name; a repeated name is a broken model, not something to write twice. */
export function keyed(pairs: readonly YamlPair[]): YamlMap {
  // Named lists come sorted (normalized), and strictly increasing names cannot repeat; columns need a set.
  let increasing = true;
  for (let i = 1; i < pairs.length && increasing; i++)
    increasing = (pairs[i - 1] as YamlPair).key < (pairs[i] as YamlPair).key;
  if (!increasing) {
    const seen = new Set<string>();
    for (const { key } of pairs) {
      if (seen.has(key)) throw repeated(key);
      seen.add(key);
    }
  }
  return { kind: 'map', flow: false, pairs };
}

const repeated = (key: string): Error =>
  new InvalidModelError('the declared YAML', `two entries named ${q(key)} in one mapping`);

/** The length of JSON.stringify of the data, without building it; Infinity when it would hold a `\n` escape. */
function width(v: YamlValue): number {
  if (typeof v === 'string') {
    if (!JSON_ESCAPED.test(v)) return v.length + 2;
    const json = JSON.stringify(v);
    return json.includes('\\n') ? Infinity : json.length;
  }
  if (typeof v === 'number') return JSON.stringify(v).length;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v.kind === 'inline') return v.width;
  let n = Math.max(2, (v.kind === 'map' ? v.pairs.length : v.items.length) + 1);
  if (v.kind === 'seq') for (const x of v.items) n += width(x);
  else for (const p of v.pairs) n += width(p.key) + 1 + width(valueOf(p));
  return n;
}
