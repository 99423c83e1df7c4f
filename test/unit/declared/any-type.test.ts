// Column types the server knows are accepted without a list of names: validate has no server, so it checks
// only that PostgreSQL's parser reads the text as one type name; the shadow database checks that it exists.
import { describe, expect, it } from 'vitest';
import { InvalidSchemaError } from '../../../src/errors.js';
import { typeProblem } from '../../../src/schema/declared/sql-text.js';
import { parseDeclared } from '../../../src/schema/declared/yaml.js';

const column = (type: string): string =>
  `schemas:\n  public:\n    tables:\n      t:\n        columns:\n          c: { type: ${JSON.stringify(type)} }\n`;

function problems(yaml: string): string[] {
  try {
    parseDeclared(yaml, 'test.yaml');
    return [];
  } catch (e) {
    if (e instanceof InvalidSchemaError) return e.problems.map((p) => p.message);
    throw e;
  }
}

describe('column types without a name list', () => {
  it.each([
    'public.descr_type',
    'information_schema.cardinal_number',
    'information_schema.cardinal_number[]',
    'public.geometry(Point,4326)',
    'extensions.my_type(3)[]',
    'aclitem',
    'ext.ltree[]',
  ])('accepts %s and keeps it as written', (type) => {
    const model = parseDeclared(column(type), 'test.yaml');
    expect(model.schemas[0]?.tables[0]?.columns[0]?.type).toBe(type);
  });

  it.each([
    ['int) INHERITS (x', 'not a single type name: the text adds a clause to the type'],
    ['text COLLATE "C"', 'not a single type name: the text adds a clause to the type'],
    ['int); DROP TABLE x; CREATE TABLE y (c int', 'not a single type name: the text adds a clause to the type'],
    ['int PRIMARY KEY', 'not a single type name: the text adds a clause to the type'],
  ])('refuses %s: %s', (type, message) => {
    expect(typeProblem(type)?.message).toBe(message);
    expect(problems(column(type)).join('\n')).toContain('has an invalid type');
  });

  it('still names a slip for a known type in a declared schema', () => {
    expect(problems(column('public.integr'))).toEqual([
      'column "c" of table "public"."t" has unknown type `public.integr`',
    ]);
  });
});

describe('domains, composite and range types, exclusion constraints in the declared file', () => {
  const file = (lines: string) => `schemas:\n  public:\n${lines}`;

  it('reads them into the model, a column of each accepted', () => {
    const model = parseDeclared(
      file(
        [
          '    domains:',
          '      year: { type: int4, checks: { year_check: { expression: "VALUE >= 1901" } } }',
          '    composites:',
          '      pair: { attributes: { a: { type: text }, b: { type: year } } }',
          '    ranges:',
          '      span: { subtype: float8, subtypeDiff: pg_catalog.float8mi }',
          '    tables:',
          '      t:',
          '        columns: { y: { type: year }, p: { type: "pair[]" }, s: { type: span }, m: { type: span_multirange } }',
          '        exclusions: { t_no_overlap: { definition: "EXCLUDE USING gist (s WITH &&)" } }',
        ].join('\n'),
      ),
      'test.yaml',
    );
    const s = model.schemas[0]!;
    expect(s.domains).toEqual([
      { kind: 'domain', name: 'year', type: 'integer', checks: [{ name: 'year_check', expression: 'VALUE >= 1901' }] },
    ]);
    expect(s.composites?.[0]?.attributes.map((a) => a.type)).toEqual(['text', 'year']);
    expect(s.ranges).toEqual([
      { kind: 'range', name: 'span', subtype: 'double precision', subtypeDiff: 'pg_catalog.float8mi' },
    ]);
    expect(s.tables[0]?.exclusions).toEqual([
      { kind: 'exclusion', name: 't_no_overlap', definition: 'EXCLUDE USING gist (s WITH &&)' },
    ]);
  });

  it('names what is wrong in each', () => {
    expect(
      problems(
        file(
          [
            '    domains:',
            '      d: { type: integr, checks: { k: { expression: "VALUE > 0); DROP TABLE x; SELECT (1" } } }',
            '      pair: { type: text }',
            '    composites:',
            '      pair: { attributes: { a: { type: text } } }',
            '    tables:',
            '      t:',
            '        columns: { s: { type: int4range } }',
            '        exclusions: { t_x: { definition: "CHECK (true)" } }',
          ].join('\n'),
        ),
      ).sort(),
    ).toEqual(
      [
        'check "k" of domain "public"."d": `expression`: a second statement starts at character 13: `DROP TABLE x; SELECT (1`',
        'composite type "public"."pair" has the same name as domain "public"."pair"; a table has a row type of its name, and types share one namespace per schema',
        'exclusion constraint "t_x" of table "public"."t": `definition`: not a single exclusion constraint: write `EXCLUDE USING <method> (<element> WITH <operator>, ...)`',
        'domain "public"."d" has unknown type `integr`',
      ].sort(),
    );
  });
});
