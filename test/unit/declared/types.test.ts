import { describe, expect, it } from 'vitest';
import { classifyType, normalizeType } from '../../../src/schema/model/types.js';

// Right-hand sides are what PostgreSQL's format_type() prints for the declared spelling.
const rows: ReadonlyArray<readonly [string, string]> = [
  ['int', 'integer'],
  ['int4', 'integer'],
  ['integer', 'integer'],
  ['INTEGER', 'integer'],
  ['int8', 'bigint'],
  ['bigint', 'bigint'],
  ['int2', 'smallint'],
  ['smallint', 'smallint'],
  ['float8', 'double precision'],
  ['double   precision', 'double precision'],
  ['float', 'double precision'],
  ['float(24)', 'real'],
  ['float(25)', 'double precision'],
  ['float4', 'real'],
  ['real', 'real'],
  ['bool', 'boolean'],
  ['Boolean', 'boolean'],
  ['varchar', 'character varying'],
  ['varchar(20)', 'character varying(20)'],
  ['character varying ( 20 )', 'character varying(20)'],
  ['char', 'character(1)'],
  ['char(3)', 'character(3)'],
  ['character', 'character(1)'],
  ['bpchar', 'bpchar'],
  ['bpchar(5)', 'character(5)'],
  ['decimal', 'numeric'],
  ['decimal(12, 2)', 'numeric(12,2)'],
  ['numeric(12,2)', 'numeric(12,2)'],
  ['numeric(10)', 'numeric(10,0)'],
  ['timestamptz', 'timestamp with time zone'],
  ['timestamp with time zone', 'timestamp with time zone'],
  ['Timestamp  With Time Zone', 'timestamp with time zone'],
  ['timestamptz(3)', 'timestamp(3) with time zone'],
  ['timestamp(6) with time zone', 'timestamp(6) with time zone'],
  ['timestamp', 'timestamp without time zone'],
  ['timestamp without time zone', 'timestamp without time zone'],
  ['timestamp(0)', 'timestamp(0) without time zone'],
  ['time', 'time without time zone'],
  ['timetz', 'time with time zone'],
  ['time(3) with time zone', 'time(3) with time zone'],
  ['interval', 'interval'],
  ['interval(3)', 'interval(3)'],
  ['interval day to second', 'interval day to second'],
  ['interval hour to second(2)', 'interval hour to second(2)'],
  ['text', 'text'],
  ['TEXT', 'text'],
  ['bytea', 'bytea'],
  ['uuid', 'uuid'],
  ['json', 'json'],
  ['jsonb', 'jsonb'],
  ['date', 'date'],
  ['inet', 'inet'],
  ['cidr', 'cidr'],
  ['macaddr', 'macaddr'],
  ['money', 'money'],
  ['xml', 'xml'],
  ['bit', 'bit(1)'],
  ['bit(8)', 'bit(8)'],
  ['varbit', 'bit varying'],
  ['bit varying(16)', 'bit varying(16)'],
  ['tsvector', 'tsvector'],
  ['pg_catalog.int4', 'integer'],
  ['int[]', 'integer[]'],
  ['integer[]', 'integer[]'],
  ['int [ ]', 'integer[]'],
  ['text[][]', 'text[]'],
  ['int[3]', 'integer[]'],
  ['integer array', 'integer[]'],
  ['varchar(20)[]', 'character varying(20)[]'],
  ['timestamptz[]', 'timestamp with time zone[]'],
  ['"char"', '"char"'],
  ['mood', 'mood'],
  ['Mood', 'mood'],
  ['"Mood"', '"Mood"'],
  ['public.mood', 'public.mood'],
  ['public."Mood"[]', 'public."Mood"[]'],
  ['citext', 'citext'],
  ['vector(1536)', 'vector(1536)'],
  ['geometry(Point, 4326)', 'geometry(Point,4326)'],
  ['public.geometry(Point,4326)', 'public.geometry(Point,4326)'],
  ['Extensions.CITEXT[]', 'extensions.citext[]'],
];

describe('normalizeType', () => {
  it.each(rows)('%s -> %s', (declared, expected) => {
    expect(normalizeType(declared)).toBe(expected);
  });

  it('is idempotent on every canonical spelling', () => {
    for (const [, canonical] of rows) expect(normalizeType(canonical)).toBe(canonical);
  });
});

describe('classifyType', () => {
  it.each([
    ['serial', 'serial'],
    ['bigserial', 'serial'],
    ['smallserial', 'serial'],
    ['integr', 'user'],
    ['varchar(0)', 'invalid'],
    ['numeric(1001)', 'invalid'],
    ['integer(4)', 'invalid'],
    ['timestamp(7)', 'invalid'],
    ['timestamptz with time zone', 'invalid'],
    ['interval week', 'invalid'],
    ['int(((', 'invalid'],
    ['a.b.c', 'invalid'],
    ['', 'invalid'],
    ['uuid', 'builtin'],
    ['hstore', 'extension'],
  ])('%s is %s', (declared, kind) => {
    expect(classifyType(declared).kind).toBe(kind);
  });

  it('keeps the element type of arrays', () => {
    expect(classifyType('bigint[]')).toEqual({ kind: 'builtin', canonical: 'bigint[]', base: 'bigint', array: true });
    expect(classifyType('public.mood[]')).toEqual({
      kind: 'user',
      canonical: 'public.mood[]',
      schema: 'public',
      name: 'mood',
      array: true,
    });
  });
});
