import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from '../../src/schema/model/fingerprint.js';
import { emptySchema, emptyTable } from '../../src/schema/model/model.js';

const sortedStringify = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [3, { d: null, c: 'x"y' }], e: undefined }],
    [[undefined, 1, 'ñ', { z: true, y: false }]],
    ['plain'],
    [42],
    [null],
    [{ nested: { deeper: { k: ['\n', '\u0001', '😀'] } } }],
  ])('equals JSON.stringify with sorted keys: %j', (v) => {
    expect(canonicalJson(v)).toBe(sortedStringify(v));
  });
});

describe('fingerprint', () => {
  it('ignores key order, list order of named objects and column order, but not content', () => {
    const t = emptyTable('t', [
      { kind: 'column', name: 'a', type: 'integer', nullable: true },
      { kind: 'column', name: 'b', type: 'text', nullable: false },
    ]);
    const a = { schemas: [{ ...emptySchema('public'), tables: [t] }] };
    const b = { schemas: [{ ...emptySchema('public'), tables: [{ ...t, columns: [...t.columns].reverse() }] }] };
    expect(fingerprint(a)).toBe(fingerprint(b));
    const c = {
      schemas: [
        {
          ...emptySchema('public'),
          tables: [{ ...t, columns: [t.columns[0]!, { ...t.columns[1]!, nullable: true }] }],
        },
      ],
    };
    expect(fingerprint(c)).not.toBe(fingerprint(a));
  });
});

describe('canonicalSha256', () => {
  it('is the sha256 of canonicalJson, for small and large values', async () => {
    const { canonicalSha256, sha256 } = await import('../../src/schema/model/fingerprint.js');
    const big = { rows: Array.from({ length: 50_000 }, (_, i) => ({ i, s: `v${i}`, n: { b: i % 2 === 0, a: null } })) };
    for (const v of [{ b: 1, a: 2 }, [1, 'x'], big]) expect(canonicalSha256(v)).toBe(sha256(canonicalJson(v)));
  });
});
