// The extensions come back in the order they can be created: a required extension first, whatever the names.
import { describe, expect, it } from 'vitest';
import { readExtensions } from '../../../src/introspect/extensions.js';

const row = (name: string, requires: string[] = []) => ({ name, schema: 'public', version: '1.0', requires });

/** A client whose catalog query returns `rows` (sorted by name, as the query sorts them). */
const catalog = (rows: ReturnType<typeof row>[]) =>
  ({ query: async () => ({ rows }) }) as unknown as Parameters<typeof readExtensions>[0];

describe('readExtensions', () => {
  it.each<[string, ReturnType<typeof row>[], string[]]>([
    ['none', [], []],
    ['by name when independent', [row('citext'), row('pg_trgm')], ['citext', 'pg_trgm']],
    ['a required extension first', [row('a_geo', ['z_cube']), row('z_cube')], ['z_cube', 'a_geo']],
    ['a chain, each once', [row('a', ['m']), row('b', ['a', 'm']), row('m', ['z']), row('z')], ['z', 'm', 'a', 'b']],
    ['a requirement that is not installed is not invented', [row('a', ['gone'])], ['a']],
  ])('%s', async (_, rows, names) => {
    const got = await readExtensions(catalog(rows));
    expect(got.map((e) => e.name)).toEqual(names);
    for (const e of got) expect(Object.keys(e)).toEqual(['name', 'schema', 'version']);
  });
});
