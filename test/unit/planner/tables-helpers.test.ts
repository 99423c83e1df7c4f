// The table family's helpers: volatility of defaults, derived names within 63 bytes, the key a backfill walks,
// what a column definition depends on, and the generated PL/pgSQL and DO blocks.
import { describe, expect, it } from 'vitest';
import { key } from '../../../src/planner/keys.js';
import { doBlock } from '../../../src/planner/recipes/shadow-steps.js';
import { shadowKind } from '../../../src/planner/recipes/shadow-plan.js';
import { dollarQuote, fillFunction, syncFunction, syncNames } from '../../../src/planner/recipes/sync-trigger.js';
import { backfillKey, columnNeeds, derivedName } from '../../../src/planner/recipes/tables.js';
import { calledFunctions, isVolatile } from '../../../src/planner/recipes/volatility.js';
import { identifierBytes } from '../../../src/db/quote.js';
import {
  H,
  HQ,
  col,
  context,
  db,
  enumType,
  fn,
  hostile,
  idx,
  notNull,
  pk,
  schema,
  sequence,
  table,
  uq,
} from './tables-fixtures.js';

describe('volatility', () => {
  const stable = fn('stable_f', '', 'SELECT 1');
  const withFns = db(
    schema('app', {
      functions: [
        { ...fn('mine'), name: 'mine' },
        { ...stable, definition: stable.definition.replace('LANGUAGE plpgsql', 'LANGUAGE sql\n STABLE') },
      ],
    }),
  );

  it.each([
    ['0', false],
    ["'new'::text", false],
    ['now()', false],
    ['CURRENT_TIMESTAMP', false],
    ["(now() + '1 day'::interval)", false],
    ["'random()'::text", false],
    ['random()', true],
    ['gen_random_uuid()', true],
    ['clock_timestamp()', true],
    ["nextval('app.s'::regclass)", true],
    ['public.uuid_generate_v4()', true],
    ['"NextVal"(1)', false],
    ['app.mine()', true],
    ['app.stable_f()', false],
  ])('%s volatile: %s', (expression, volatile) => {
    expect(isVolatile(expression, withFns)).toBe(volatile);
  });

  it('finds called functions outside string literals', () => {
    expect(calledFunctions(`coalesce(a, 'f(x)') + "My F"(1) + s.g ()`)).toEqual(['coalesce', 'My F', 'g']);
  });
});

describe('derivedName', () => {
  it('appends a suffix when it fits', () => {
    expect(derivedName('amount', '__new')).toBe('amount__new');
  });

  it.each([
    ['ASCII', 'a'.repeat(70)],
    ['multibyte', 'ñ'.repeat(40)],
  ])('cuts a long %s base on a character boundary, adds a hash, keeps the suffix, within 63 bytes', (_what, base) => {
    const name = derivedName(base, '__new');
    expect(identifierBytes(name)).toBeLessThanOrEqual(63);
    expect(name.endsWith('__new')).toBe(true);
    expect(name).toMatch(/_[0-9a-f]{8}__new$/);
    expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
    expect(derivedName(base, '__new')).toBe(name);
    expect(derivedName(`${base}x`, '__new')).not.toBe(name);
  });
});

describe('backfillKey', () => {
  it.each([
    ['the primary key', table('t', [notNull('a'), notNull('b')], { primaryKey: pk('t_pkey', ['b', 'a']) }), ['b', 'a']],
    [
      'a unique constraint on NOT NULL columns',
      table('t', [col('a'), notNull('b')], { unique: [uq('ua', ['a']), uq('ub', ['b'])] }),
      ['b'],
    ],
    [
      'a plain unique index on NOT NULL columns',
      table('t', [notNull('a')], { indexes: [idx('i', ['a'], { unique: true })] }),
      ['a'],
    ],
    [
      'nothing for a partial unique index',
      table('t', [notNull('a')], { indexes: [idx('i', ['a'], { unique: true, where: '(a > 0)' })] }),
      undefined,
    ],
    ['nothing for a nullable unique key', table('t', [col('a')], { unique: [uq('ua', ['a'])] }), undefined],
  ])('%s', (_what, t, expected) => {
    expect(backfillKey(t)).toEqual(expected);
  });
});

describe('columnNeeds', () => {
  const snapshot = db(
    schema(H, { enums: [enumType('Mood', ['ok'])], sequences: [sequence('My Seq')], functions: [fn('calc')] }),
  );
  const ctx = context(snapshot, snapshot);

  it.each([
    ['an enum type, qualified and quoted', col('m', `${HQ}."Mood"`), [key.type(H, 'Mood')]],
    ['an array of it', col('m', `${HQ}."Mood"[]`), [key.type(H, 'Mood')]],
    [
      'a sequence read by nextval',
      col('n', 'bigint', { default: `nextval('${HQ.replaceAll("'", "''")}."My Seq"'::regclass)` }),
      [key.sequence(H, 'My Seq')],
    ],
    ['a function of the snapshot', col('c', 'integer', { generated: `${HQ}.calc(x)` }), [key.function(H, 'calc', '')]],
    ['nothing for built-in types', col('x', 'character varying(20)'), []],
  ])('%s', (_what, column, expected) => {
    expect(columnNeeds(ctx, column)).toEqual(expected);
  });
});

describe('shadowKind', () => {
  const t = (c: ReturnType<typeof col>) => hostile(table('T', [c]));
  it.each([
    ['a rename', t(col('a')), t(col('b', 'integer', { renamedFrom: 'a' })), 'b', 'rename'],
    ['a rewrite type change', t(col('a', 'integer')), t(col('a', 'bigint')), 'a', 'type'],
    ['a binary-coercible change', t(col('a', 'character varying(5)')), t(col('a', 'text')), 'a', undefined],
    [
      'a binary-coercible change computed by `up`',
      t(col('a', 'character varying(5)')),
      t(col('a', 'text', { up: 'lower(a)' })),
      'a',
      'type',
    ],
    ['an unchanged column', t(col('a')), t(col('a')), 'a', undefined],
  ])('%s', (_what, source, target, column, expected) => {
    expect(shadowKind(context(source, target), H, 'T', column)).toBe(expected);
  });
});

describe('generated PL/pgSQL', () => {
  it('quotes with a tag that the body does not contain', () => {
    expect(dollarQuote('x')).toBe('$sy$');
    expect(dollarQuote('a $sy$ b $sy1$')).toBe('$sy2$');
    const f = fillFunction('s', 't', 'c', "'$sy$'");
    expect(
      f.definition.startsWith('CREATE FUNCTION s._sy_fill_t_c() RETURNS trigger LANGUAGE plpgsql AS $sy1$\n'),
    ).toBe(true);
    expect(f.definition.endsWith('$sy1$')).toBe(true);
  });

  it('evaluates user expressions over the row, bare column references directly', () => {
    const f = syncFunction({
      schema: 's',
      names: syncNames('t', 'b'),
      oldColumn: 'a',
      newColumn: 'b',
      up: 'lower(a)',
      down: 'b',
    });
    expect(f.definition).toContain('NEW.b := (SELECT (lower(a)) FROM (SELECT NEW.*) AS _sy_row);');
    expect(f.definition).toContain('NEW.a := NEW.b;');
    expect(f.name).toBe('_sy_sync_t_b');
  });
});

describe('doBlock', () => {
  it('runs several statements as one, and one statement as itself', () => {
    expect(doBlock(['SELECT 1'])).toBe('SELECT 1');
    expect(doBlock(['SELECT 1', 'SELECT\n2'])).toBe('DO $sy$\nBEGIN\n  SELECT 1;\n  SELECT\n  2;\nEND\n$sy$');
  });
});
