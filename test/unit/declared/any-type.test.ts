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
