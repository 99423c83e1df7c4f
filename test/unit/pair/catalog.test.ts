// The catalog copy's pure parts: privileges as GRANT/REVOKE from the default ACL, COMMENT ON targets from
// catalog addresses, build order, and the comparison's normalization (white space, owner, public across majors).
import { describe, expect, it } from 'vitest';
import { aclStatements, buildOrder, type Catalog, commentStatement } from '../../../src/pair/catalog.js';
import { catalogDifferences, catalogFingerprint } from '../../../src/pair/catalog-compare.js';

describe('catalog copy', () => {
  it('writes the GRANTs and REVOKEs that turn the default ACL into the object ACL, quoted', () => {
    expect(
      aclStatements(
        'TABLE public.t',
        [
          ['owner', 'SELECT', false],
          ['app writer', 'UPDATE', true],
          ['PUBLIC', 'SELECT', false],
        ],
        [
          ['owner', 'SELECT', false],
          ['owner', 'DELETE', false],
        ],
      ),
    ).toEqual([
      'REVOKE DELETE ON TABLE public.t FROM owner',
      'GRANT UPDATE ON TABLE public.t TO "app writer" WITH GRANT OPTION',
      'GRANT SELECT ON TABLE public.t TO PUBLIC',
    ]);
    expect(aclStatements('TABLE public.t', [['app', 'SELECT', false]], [], 'Note')).toEqual([
      'GRANT SELECT ("Note") ON TABLE public.t TO app',
    ]);
  });

  it('names the COMMENT ON target from the catalog address, and nothing for a class it does not write', () => {
    expect(
      commentStatement({ type: 'policy', names: ['public', 'accounts', 'own rows'], args: [], text: "it's" }),
    ).toEqual({
      key: 'comment on POLICY "own rows" ON public.accounts',
      statement: `COMMENT ON POLICY "own rows" ON public.accounts IS 'it''s'`,
    });
    expect(commentStatement({ type: 'table column', names: ['app', 'T', 'c'], args: [], text: 'x' })?.statement).toBe(
      `COMMENT ON COLUMN app."T".c IS 'x'`,
    );
    expect(
      commentStatement({ type: 'function', names: ['public', 'f'], args: ['integer', 'text'], text: 'x' })?.statement,
    ).toBe(`COMMENT ON FUNCTION public.f(integer, text) IS 'x'`);
    expect(
      commentStatement({ type: 'operator', names: ['public', '==='], args: ['integer', 'integer'], text: 'x' }),
    ).toBeUndefined();
  });

  it('orders the build by phase, then depth (a view after the views it reads), then key', () => {
    const o = (key: string, phase: 'view' | 'table' | 'trigger', depth = 0) => ({
      key,
      phase,
      depth,
      statements: [],
      roles: [],
    });
    expect(
      buildOrder([o('view b', 'view', 1), o('policy p', 'trigger'), o('view a', 'view', 0), o('table t', 'table')]).map(
        (x) => x.key,
      ),
    ).toEqual(['table t', 'view a', 'view b', 'policy p']);
  });

  it('compares every object by its statements and owner, white space aside; public schema only within a major', () => {
    const cat = (major: number, view: string, owner: string, publicOwner = 'pg_database_owner'): Catalog => ({
      major,
      objects: [
        {
          key: 'schema public',
          phase: 'schema',
          depth: 0,
          statements: ['CREATE SCHEMA public'],
          owner: { role: publicOwner, statement: '' },
          roles: [],
        },
        {
          key: 'view public.v',
          phase: 'view',
          depth: 0,
          statements: [view],
          owner: { role: owner, statement: '' },
          roles: [],
        },
      ],
    });
    const live = cat(15, 'CREATE VIEW public.v AS\n SELECT 1', 'app');
    expect(catalogDifferences(live, cat(15, 'CREATE VIEW public.v AS SELECT 1', 'app'))).toEqual([]);
    expect(catalogFingerprint(live)).toBe(catalogFingerprint(cat(15, 'CREATE  VIEW public.v AS SELECT 1', 'app')));
    expect(catalogDifferences(live, cat(15, 'CREATE VIEW public.v AS SELECT 1', 'other'))).toEqual([
      'view public.v: differs (live / the standby: owner app / owner other)',
    ]);
    expect(catalogDifferences(live, cat(15, 'CREATE VIEW public.v AS SELECT 1', 'app', 'postgres'))).toEqual([
      'schema public: differs (live / the standby: owner pg_database_owner / owner postgres)',
    ]);
    expect(catalogDifferences(live, cat(14, 'CREATE VIEW public.v AS SELECT 1', 'app', 'postgres'))).toEqual([]);
    // PostgreSQL 16 prints fewer qualifiers in view definitions: ignored across majors only.
    const v17 = cat(17, 'CREATE VIEW public.v AS SELECT kind FROM public.events', 'app');
    const v15 = cat(15, 'CREATE VIEW public.v AS SELECT events.kind FROM public.events', 'app');
    expect(catalogDifferences(v15, v17)).toEqual([]);
    expect(catalogDifferences(v15, { ...v17, major: 15 })).toHaveLength(1);
    expect(catalogDifferences(live, { major: 15, objects: [] })).toEqual([
      'schema public: missing on the standby',
      'view public.v: missing on the standby',
    ]);
  });
});
