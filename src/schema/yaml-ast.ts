// The YAML document as parsed, kept for positions: every problem points at a line and column of the file.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { isCatalogText } from './declared.js';
import { subject } from './describe.js';
import { finding, type Finding } from './finding.js';
import { badText } from './hygiene.js';
import { child, expectsText, pick, slot, type Path, type Segment } from './zod-walk.js';
import type { z } from 'zod';

export interface YamlSource {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /**
   * Each mapping's pairs by key, built on its first lookup. Paths are looked up once per table (its column
   * order) and per problem; scanning the items instead made `validate` quadratic in the number of tables
   * (issue #13: 65,000 tables in one schema took 272 s). Keyed by the items array, which prepare() replaces
   * when it drops pairs, so an index never outlives the items it was built from.
   */
  readonly pairs: WeakMap<readonly Pair[], ReadonlyMap<string, Pair>>;
}

const SYNTAX_FIXES: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'align the indentation of this line with its siblings',
  MISSING_CHAR: 'add the missing character',
  MULTIPLE_DOCS: 'keep one YAML document per file (remove the extra `---`)',
  BLOCK_AS_IMPLICIT_KEY: 'put a nested mapping on its own, more indented lines',
};

export function readYaml(text: string): { source: YamlSource; syntax: Finding[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true });
  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({
    ...finding([], 'key', `YAML syntax: ${e.message.replace(/\.$/, '')}`, SYNTAX_FIXES[e.code] ?? 'fix the YAML syntax here'),
    offset: e.pos[0],
  }));
  return { source: { doc, lines, pairs: new WeakMap() }, syntax };
}

/** A key as a name: numbers, booleans and nulls keep their source spelling (`1.50:` is the name "1.50"). */
function keyText(key: unknown): string {
  if (!isScalar(key)) return '';
  return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value ?? ''));
}

/**
 * Makes the document read as the schema expects before it becomes plain data: keys are names, and a scalar
 * where text is expected keeps its spelling (`default: 0`, `start: 9223372036854775807`, `[yes, 1.50]`).
 * Reports duplicate keys (the last one wins, as in most YAML readers), keys that are not plain scalars, and
 * text with characters PostgreSQL cannot take (hygiene.ts), at the node that holds them.
 */
export function prepare(doc: Document.Parsed, root: z.ZodType): Finding[] {
  const found: Finding[] = [];
  const walk = (node: unknown, schema: z.ZodType | undefined, path: Segment[]): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      node.items = node.items.filter((pair: Pair) => {
        if (!isScalar(pair.key)) {
          found.push({ ...finding(path, 'key', `${subject(path)}: a key must be a plain name, not a list or mapping`, 'write the name as a plain or quoted string'), offset: (pair.key as Node | null)?.range?.[0] ?? 0 });
          return false;
        }
        const key = keyText(pair.key);
        pair.key.value = key;
        // Every mapping the format keys by name (a zod record) is a list of names: tables, columns, indexes...
        const isName = schema !== undefined && slot(schema, key, 'map') === 'entry';
        const bad = badText(key, isName, [...path, key], 'key', pair.key.range?.[0] ?? 0);
        if (bad) found.push(bad);
        if (seen.has(key)) found.push(finding([...path, key], 'key', `${subject([...path, key])} is declared twice`, 'keep only one of them'));
        // JavaScript objects (and zod records) cannot hold this key: it would vanish without a word.
        if (key === '__proto__') found.push(finding([...path, key], 'key', `${subject([...path, key])}: the name \`__proto__\` is not supported`, 'choose another name'));
        seen.add(key);
        walk(pair.value, schema && child(schema, key, 'map'), [...path, key]);
        return true;
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, schema && child(schema, i, 'list'), [...path, i]));
    } else if (isScalar(node)) {
      if (expectsText(schema) && node.value !== null && typeof node.value !== 'string') node.value = node.source ?? String(node.value);
      const bad = typeof node.value === 'string' && badText(node.value, schema !== undefined && isCatalogText(pick(schema, 'scalar')), path, 'value', node.range?.[0] ?? 0);
      if (bad) found.push(bad);
    }
  };
  walk(doc.contents, root, []);
  return found;
}

/** The pair under key `seg` (the last one when the key is repeated, as the YAML reader keeps the last). */
function pairAt(source: YamlSource, map: YAMLMap, seg: Segment): Pair | undefined {
  let index = source.pairs.get(map.items);
  if (!index) {
    const built = new Map<string, Pair>();
    for (const pair of map.items) built.set(keyText(pair.key), pair);
    source.pairs.set(map.items, (index = built));
  }
  return index.get(String(seg));
}

/** Offset of the key or value at `path`; when the path does not exist, of the deepest key that does. */
export function offsetOf(source: YamlSource, path: Path, at: 'key' | 'value'): number {
  const { doc } = source;
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let complete = true;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = pairAt(source, node, seg);
      if (!pair) { complete = false; break; }
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = key = node.items[seg] as Node;
    } else {
      complete = false;
      break;
    }
  }
  const start = (n: unknown): number | undefined => (n as Node | null | undefined)?.range?.[0];
  const empty = isScalar(node) && node.value === null && !node.source;
  if (complete && at === 'value' && !empty) return start(node) ?? start(key) ?? 0;
  return start(key) ?? start(doc.contents) ?? 0;
}

/** Keys of the mapping at `path` in document order (JS objects put integer-like keys first). */
export function keysInOrder(source: YamlSource, path: Path): string[] | undefined {
  let node: unknown = source.doc.contents;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(source.doc);
    if (!isMap(node)) return undefined;
    node = pairAt(source, node, seg)?.value;
  }
  if (isAlias(node)) node = node.resolve(source.doc);
  if (!isMap(node)) return undefined;
  return [...new Set(node.items.map((p) => keyText(p.key)))];
}

export function position(source: YamlSource, offset: number): { line: number; column: number } {
  const { line, col } = source.lines.linePos(offset);
  return { line, column: col };
}
