// The YAML document as parsed, kept for positions: every problem points at a line and column of the file.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { finding, type Finding } from './finding.js';
import type { Path, Segment } from './zod-walk.js';

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
    ...finding(
      [],
      'key',
      `YAML syntax: ${e.message.replace(/\.$/, '')}`,
      SYNTAX_FIXES[e.code] ?? 'fix the YAML syntax here',
    ),
    offset: e.pos[0],
  }));
  return { source: { doc, lines, pairs: new WeakMap() }, syntax };
}

/** A key as a name: numbers, booleans and nulls keep their source spelling (`1.50:` is the name "1.50"). */
export function keyText(key: unknown): string {
  if (!isScalar(key)) return '';
  return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value ?? ''));
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
      if (!pair) {
        complete = false;
        break;
      }
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
