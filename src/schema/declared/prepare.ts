// The document made to read as the declared format expects, in one walk before it becomes plain data. The
// walk visits every node of files of 10 MB and more (issue #13), so it allocates a path only for a problem
// and resolves each mapping's schema once rather than once per key.
import { isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { z } from 'zod';
import { isCatalogText } from './declared.js';
import { subject } from './describe.js';
import { finding, type Finding } from './finding.js';
import { badText } from './hygiene.js';
import { keyText } from './yaml-ast.js';
import { child, childrenOf, expectsText, pick, type Segment } from './zod-walk.js';

type Schema = z.ZodType;

/**
 * Makes the document read as the schema expects before it becomes plain data: keys are names, and a scalar
 * where text is expected keeps its spelling (`default: 0`, `start: 9223372036854775807`, `[yes, 1.50]`).
 * Reports duplicate keys (the last one wins, as in most YAML readers), keys that are not plain scalars, and
 * text with characters PostgreSQL cannot take (hygiene.ts), at the node that holds them.
 */
export function prepare(doc: Document.Parsed, root: Schema): Finding[] {
  const found: Finding[] = [];
  /** The path of the node being walked; copied only into findings. */
  const path: Segment[] = [];
  const here = (key: Segment): Segment[] => [...path, key];
  /** How a scalar under each schema reads, worked out once per schema (a file has a few dozen). */
  const scalars = new Map<Schema, { text: boolean; catalog: boolean }>();
  const scalarKind = (schema: Schema) => {
    let kind = scalars.get(schema);
    if (!kind)
      scalars.set(schema, (kind = { text: expectsText(schema), catalog: isCatalogText(pick(schema, 'scalar')) }));
    return kind;
  };

  const walkPair = (
    pair: Pair<Node>,
    key: string,
    keys: ReturnType<typeof childrenOf> | undefined,
    seen: Set<string>,
  ): void => {
    // Every mapping the format keys by name (a zod record) is a list of names: tables, columns, indexes...
    const bad = badText(key, keys?.names === true, () => here(key), 'key', pair.key.range?.[0] ?? 0);
    if (bad) found.push(bad);
    if (seen.has(key))
      found.push(finding(here(key), 'key', `${subject(here(key))} is declared twice`, 'keep only one of them'));
    // JavaScript objects (and zod records) cannot hold this key: it would vanish without a word.
    if (key === '__proto__')
      found.push(
        finding(
          here(key),
          'key',
          `${subject(here(key))}: the name \`__proto__\` is not supported`,
          'choose another name',
        ),
      );
    seen.add(key);
    path.push(key);
    walk(pair.value, keys?.of(key));
    path.pop();
  };

  const walk = (node: unknown, schema: Schema | undefined): void => {
    if (isMap<Node, Node>(node)) {
      const keys = schema && childrenOf(schema);
      const seen = new Set<string>();
      let dropped = false;
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          found.push({
            ...finding(
              [...path],
              'key',
              `${subject(path)}: a key must be a plain name, not a list or mapping`,
              'write the name as a plain or quoted string',
            ),
            offset: pair.key?.range?.[0] ?? 0,
          });
          dropped = true;
          continue;
        }
        const key = keyText(pair.key);
        pair.key.value = key;
        walkPair(pair, key, keys, seen);
      }
      if (dropped) node.items = node.items.filter((pair) => isScalar(pair.key));
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        path.push(i);
        walk(item, schema && child(schema, i, 'list'));
        path.pop();
      });
    } else if (isScalar(node)) {
      const kind = schema && scalarKind(schema);
      if (kind?.text && node.value !== null && typeof node.value !== 'string')
        node.value = node.source ?? String(node.value);
      const bad =
        typeof node.value === 'string' &&
        badText(node.value, kind?.catalog === true, () => [...path], 'value', node.range?.[0] ?? 0);
      if (bad) found.push(bad);
    }
  };
  walk(doc.contents, root);
  return found;
}
