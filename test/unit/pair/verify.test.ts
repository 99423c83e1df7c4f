// pair verify's SQL (exact text: key values as parameters cast to the key's type, identifiers quoted) and the
// cutover gate's verdict on the last recorded verify.
import { describe, expect, it } from 'vitest';
import { verifyGateCheck, type VerifyGateInput, type VerifyRow } from '../../../src/pair/verify-record.js';
import { boundariesSql, chunkSql, multisetSql, rowsSql, type VerifyTable } from '../../../src/pair/verify-sql.js';

const items: VerifyTable = {
  schema: 'shop',
  name: 'Line Items',
  key: [
    { name: 'order_ref', type: 'text' },
    { name: 'line', type: 'integer' },
  ],
  columns: ['order_ref', 'line', 'qty'],
};

describe('pair verify SQL', () => {
  it('chunk boundaries: every n-th key in key order, as text', () => {
    expect(boundariesSql(items)).toBe(
      'SELECT order_ref::text AS k0, line::text AS k1 FROM (SELECT order_ref, line, row_number() OVER (ORDER BY order_ref, line) AS rn FROM shop."Line Items") s WHERE rn > 1 AND rn % $1 = 1 ORDER BY rn',
    );
  });

  it('with --sample, boundaries from a block sample', () => {
    expect(boundariesSql(items, true)).toContain(
      'row_number() OVER (ORDER BY order_ref, line) AS rn FROM shop."Line Items" TABLESAMPLE SYSTEM ($2)) s',
    );
  });

  it('a chunk: count and the sum of 64-bit row hashes over a key range, values as parameters', () => {
    expect(chunkSql(items, { from: ['o-1', '2'], to: ['o-9', '0'] })).toEqual({
      sql: 'SELECT count(*)::text AS n, coalesce(sum(hashtextextended(ROW(order_ref, line, qty)::text, 0)), 0)::text AS h FROM shop."Line Items" WHERE (order_ref, line) >= ($1::text, $2::integer) AND (order_ref, line) < ($3::text, $4::integer)',
      params: ['o-1', '2', 'o-9', '0'],
    });
    expect(chunkSql(items, { from: null, to: ['o-1', '2'] }).sql).toMatch(
      / WHERE \(order_ref, line\) < \(\$1::text, \$2::integer\)$/,
    );
    expect(chunkSql({ ...items, key: [] }, { from: null, to: null }).sql).toMatch(/FROM shop."Line Items"$/);
  });

  it('rows of a chunk by key, and a table without a key as a multiset', () => {
    expect(rowsSql(items, { from: ['o-1', '2'], to: null }).sql).toBe(
      'SELECT order_ref::text AS k0, line::text AS k1, hashtextextended(ROW(order_ref, line, qty)::text, 0)::text AS h FROM shop."Line Items" WHERE (order_ref, line) >= ($1::text, $2::integer)',
    );
    expect(multisetSql({ ...items, key: [] })).toBe(
      'SELECT ROW(order_ref, line, qty)::text AS r, count(*)::int AS n FROM shop."Line Items" GROUP BY 1',
    );
  });
});

describe('cutover gate: requireVerify', () => {
  const at = (iso: string) => new Date(iso);
  const last: VerifyRow = {
    generation: 3,
    position: '0/3000000',
    clean: true,
    paused: false,
    filtered: false,
    sample: null,
    liveFingerprint: 'L',
    standbyFingerprint: 'S',
    startedAt: at('2026-12-08T10:00:00Z'),
    finishedAt: at('2026-12-08T10:05:00Z'),
  };
  const input: VerifyGateInput = {
    live: 'blue',
    standby: 'green',
    generation: 3,
    fingerprints: { live: 'L', standby: 'S' },
    lastPhaseAt: at('2026-12-08T09:00:00Z'),
    maxAgeHours: 24,
    now: at('2026-12-08T12:00:00Z'),
  };

  it('passes a clean, full, recent verify of the schemas as they are', () => {
    expect(verifyGateCheck(last, input)).toEqual({
      check: 'verify',
      ok: true,
      detail: 'clean pair verify at 2026-12-08T10:05:00.000Z (position 0/3000000)',
    });
    expect(verifyGateCheck({ ...last, sample: 5 }, input).detail).toContain('5% sample');
  });

  it.each([
    ['none', undefined, input, 'no pair verify recorded for blue live at generation 3'],
    ['differences', { ...last, clean: false }, input, 'found differences'],
    ['--table', { ...last, filtered: true }, input, 'compared only some tables'],
    ['paused', { ...last, paused: true }, input, 'subscription was disabled'],
    [
      'a phase since',
      last,
      { ...input, lastPhaseAt: at('2026-12-08T10:01:00Z') },
      'a phase ran at 2026-12-08T10:01:00.000Z, after the last pair verify',
    ],
    [
      'standby schema changed',
      last,
      { ...input, fingerprints: { live: 'L', standby: 'S2' } },
      'the schema of green changed',
    ],
    [
      'too old',
      last,
      { ...input, now: at('2026-12-09T12:00:00Z') },
      '25.9 h old, more than cutover.verifyMaxAgeHours (24)',
    ],
  ] as const)('refuses: %s, naming the fix', (_, row, g, why) => {
    const r = verifyGateCheck(row, g);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain(why);
    expect(r.detail).toContain('(cutover.requireVerify: true); fix: run switchyard pair verify');
  });
});
