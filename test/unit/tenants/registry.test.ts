// Which tenants a command works on: `--shard I/N` parsed strictly, a tenant's shard fixed by its name alone
// (the hash must not change between versions: two jobs of different switchyard builds sharing one fleet would
// otherwise both skip or both take a tenant), `--tenants` values, and the selection over the registry.
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../../src/introspect/registry.js';
import { parseShard, parseTenantsFlag, selectTenants, shardOf } from '../../../src/tenants/registry.js';
import { thrown } from '../../support/thrown.js';

const HOSTILE = `tenant o'hara; drop "x" y`;
const TEMPLATE = 'tenant_template';

describe('parseShard', () => {
  it.each<[string, number, number]>([
    ['1/1', 1, 1],
    ['1/2', 1, 2],
    ['2/2', 2, 2],
    ['3/4', 3, 4],
    ['16/16', 16, 16],
    [' 2/4 ', 2, 4], // a stray space from a CI matrix template
    ['02/04', 2, 4],
  ])('%j is shard %i of %i', (text, index, count) => {
    expect(parseShard(text)).toStrictEqual({ index, count });
  });

  it.each([
    '0/2',
    '3/2',
    '1/0',
    '0/0',
    '-1/2',
    '1/-2',
    '1.5/2',
    '1/2.0',
    '1-2',
    '1 / 2',
    '1/2/3',
    'a/b',
    '1/',
    '/2',
    '',
    '2',
    'all',
  ])('refuses %j as a usage error naming the flag and the form', (text) => {
    const e = thrown(() => parseShard(text));
    expect(e.code).toBe('USAGE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(
      `--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4 for the second of four jobs`,
    );
  });
});

describe('shardOf', () => {
  // Fixed assignments: the first four bytes of sha256(name), big-endian, modulo N, plus one. A change of hash,
  // byte order or base breaks these, as it would break a fleet shared by jobs of two switchyard versions.
  it.each<[string, number, number, number]>([
    ['tenant_001', 1, 1, 3],
    ['tenant_002', 1, 2, 1],
    ['tenant_003', 2, 1, 4],
    ['acme', 2, 2, 2],
    ['globex', 2, 1, 2],
    [HOSTILE, 2, 3, 2],
    [TEMPLATE, 1, 2, 1],
  ])('%j is in shard %i of 2, %i of 3, %i of 4', (name, of2, of3, of4) => {
    expect(shardOf(name, 2)).toBe(of2);
    expect(shardOf(name, 3)).toBe(of3);
    expect(shardOf(name, 4)).toBe(of4);
    expect(shardOf(name, 1)).toBe(1);
  });

  const fleet = Array.from({ length: 1000 }, (_, i) => `tenant_${String(i + 1).padStart(4, '0')}`);

  it('puts every tenant in exactly one shard of N, whatever the registry order', () => {
    for (const n of [1, 2, 3, 4, 7, 16]) {
      const shards = Array.from({ length: n }, (_, i) => i + 1);
      const reg: Registry = { tenants: fleet, missing: [], templateExists: false };
      const reversed: Registry = { ...reg, tenants: [...fleet].reverse() };
      const parts = shards.map((index) => selectTenants(reg, TEMPLATE, 'all', { index, count: n }));
      // Disjoint and covering.
      expect(parts.flat().sort()).toEqual(fleet);
      expect(new Set(parts.flat()).size).toBe(fleet.length);
      for (const [i, part] of parts.entries()) {
        for (const t of part) expect(shardOf(t, n)).toBe(i + 1);
        // The same set when the registry lists the tenants in another order.
        expect(selectTenants(reversed, TEMPLATE, 'all', { index: i + 1, count: n }).sort()).toEqual([...part].sort());
      }
    }
  });

  it('balances 1000 tenants roughly evenly', () => {
    const counts = (n: number) => {
      const c = new Array<number>(n).fill(0);
      for (const t of fleet) c[shardOf(t, n) - 1]!++;
      return c;
    };
    expect(counts(2)).toEqual([528, 472]);
    expect(counts(4)).toEqual([229, 240, 299, 232]);
    for (const n of [2, 3, 4, 8, 10]) {
      for (const c of counts(n)) {
        // Within 30 % of the mean (a binomial spread is ~3 standard deviations inside that for these N).
        expect(c, `a shard of ${n}`).toBeGreaterThan((1000 / n) * 0.7);
        expect(c, `a shard of ${n}`).toBeLessThan((1000 / n) * 1.3);
      }
    }
  });

  it('does not move a tenant when others are added to the fleet', () => {
    const small: Registry = { tenants: fleet.slice(0, 10), missing: [], templateExists: false };
    const big: Registry = { tenants: fleet, missing: [], templateExists: false };
    const before = selectTenants(small, TEMPLATE, 'all', { index: 2, count: 3 });
    const after = selectTenants(big, TEMPLATE, 'all', { index: 2, count: 3 });
    expect(after.filter((t) => small.tenants.includes(t))).toEqual(before);
  });
});

describe('parseTenantsFlag', () => {
  it.each<[readonly string[] | undefined, 'all' | string[]]>([
    [undefined, 'all'],
    [[], 'all'],
    [['all'], 'all'],
    [['tenant_a'], ['tenant_a']],
    [
      ['tenant_b', 'tenant_a'],
      ['tenant_b', 'tenant_a'],
    ],
    [[HOSTILE], [HOSTILE]],
    [['All'], ['All']], // a schema may be called All; only the exact word is the keyword
  ])('%j -> %j', (values, expected) => {
    expect(parseTenantsFlag(values)).toStrictEqual(expected);
  });

  it('refuses all combined with names', () => {
    for (const v of [
      ['all', 'tenant_a'],
      ['tenant_a', 'all'],
      ['all', 'all'],
    ]) {
      const e = thrown(() => parseTenantsFlag(v));
      expect([e.code, e.exitCode, e.message]).toEqual([
        'USAGE',
        2,
        '--tenants all cannot be combined with tenant names',
      ]);
    }
  });
});

describe('selectTenants', () => {
  const registry: Registry = {
    tenants: ['tenant_001', 'tenant_002', 'tenant_003', HOSTILE],
    missing: ['tenant_ghost'],
    templateExists: false,
  };
  const withTemplate: Registry = { ...registry, templateExists: true };

  it('all: the registry tenants, and the template schema first when it exists', () => {
    expect(selectTenants(registry, TEMPLATE, 'all')).toEqual(['tenant_001', 'tenant_002', 'tenant_003', HOSTILE]);
    expect(selectTenants(withTemplate, TEMPLATE, 'all')).toEqual([
      TEMPLATE,
      'tenant_001',
      'tenant_002',
      'tenant_003',
      HOSTILE,
    ]);
  });

  it('a list: the names given, in their order, once each; the template only when it exists', () => {
    expect(selectTenants(registry, TEMPLATE, ['tenant_003', HOSTILE, 'tenant_003'])).toEqual(['tenant_003', HOSTILE]);
    expect(selectTenants(withTemplate, TEMPLATE, [TEMPLATE, 'tenant_001'])).toEqual([TEMPLATE, 'tenant_001']);
    const e = thrown(() => selectTenants(registry, TEMPLATE, [TEMPLATE]));
    expect(e.message).toBe(
      '--tenants: tenant_template is not an active tenant with a schema (the registry query does not list it)\nfix: switchyard tenants list shows the tenants',
    );
  });

  it('refuses unknown names, quoted, saying which the registry lists without a schema', () => {
    const one = thrown(() => selectTenants(registry, TEMPLATE, ['tenant_001', 'tenant_nope']));
    expect([one.code, one.exitCode]).toEqual(['USAGE', 2]);
    expect(one.message).toBe(
      '--tenants: tenant_nope is not an active tenant with a schema (the registry query does not list it)\nfix: switchyard tenants list shows the tenants',
    );
    const two = thrown(() => selectTenants(registry, TEMPLATE, ['tenant_ghost', 'Bad Name']));
    expect(two.message).toBe(
      '--tenants: tenant_ghost, "Bad Name" are not an active tenant with a schema (tenant_ghost: listed by the registry, but no such schema exists)\nfix: switchyard tenants list shows the tenants',
    );
  });

  it('narrows all, or a list, to one shard', () => {
    // From the fixed assignments above: shard 1 of 2 holds tenant_001, tenant_002 and the template.
    expect(selectTenants(registry, TEMPLATE, 'all', { index: 1, count: 2 })).toEqual(['tenant_001', 'tenant_002']);
    expect(selectTenants(registry, TEMPLATE, 'all', { index: 2, count: 2 })).toEqual(['tenant_003', HOSTILE]);
    expect(selectTenants(withTemplate, TEMPLATE, 'all', { index: 1, count: 2 })).toEqual([
      TEMPLATE,
      'tenant_001',
      'tenant_002',
    ]);
    expect(selectTenants(registry, TEMPLATE, ['tenant_001', 'tenant_003'], { index: 2, count: 2 })).toEqual([
      'tenant_003',
    ]);
    expect(selectTenants(registry, TEMPLATE, 'all', { index: 1, count: 1 })).toEqual(registry.tenants);
    // A shard may be empty; that is not an error.
    expect(selectTenants(registry, TEMPLATE, ['tenant_001'], { index: 2, count: 2 })).toEqual([]);
  });
});
