// Looking keys up in the document must not scan a mapping per lookup: validate looks up every table of a
// schema, so a scan made it quadratic (issue #13: 272 s for 65,000 tables). Counted, not timed: the pairs
// of the big mapping that lookups read. bench/validate.ts times the whole command.
import { isMap, type Pair } from 'yaml';
import { describe, expect, it } from 'vitest';
import { keysInOrder, offsetOf, readYaml } from '../../../src/schema/declared/yaml-ast.js';

const TABLES = 2000;
const text =
  'schemas:\n  public:\n    tables:\n' +
  Array.from(
    { length: TABLES },
    (_, i) => `      t${i}: { columns: { id: { type: bigint }, name: { type: text } } }\n`,
  ).join('');

/** The document, with the `tables` mapping's pairs counting every read of one of them. */
function counted(): { source: ReturnType<typeof readYaml>['source']; reads: () => number } {
  const { source } = readYaml(text);
  const tables = source.doc.getIn(['schemas', 'public', 'tables'], true);
  if (!isMap(tables)) throw new Error('no tables mapping');
  let reads = 0;
  tables.items = new Proxy(tables.items as Pair[], {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
  return { source, reads: () => reads };
}

describe('key lookups in a large mapping', () => {
  it('read each pair about once for the key order of every table (a scan per lookup reads 2,000,000)', () => {
    const { source, reads } = counted();
    for (let i = 0; i < TABLES; i++)
      expect(keysInOrder(source, ['schemas', 'public', 'tables', `t${i}`, 'columns'])).toEqual(['id', 'name']);
    expect(reads()).toBeLessThanOrEqual(2 * TABLES);
  });

  it('read each pair about once for the position of every table', () => {
    const { source, reads } = counted();
    const offsets = Array.from({ length: TABLES }, (_, i) =>
      offsetOf(source, ['schemas', 'public', 'tables', `t${i}`, 'columns', 'name'], 'key'),
    );
    expect(offsets.every((o, i) => i === 0 || o > (offsets[i - 1] ?? 0))).toBe(true);
    expect(reads()).toBeLessThanOrEqual(2 * TABLES);
  });
});
