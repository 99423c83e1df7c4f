// Declared SQL is accepted only as exactly what its field means, as PostgreSQL's own parser reads it.
import { describe, expect, it } from 'vitest';
import {
  expressionProblem,
  functionProblem,
  inlineExpression,
  statementProblem,
} from '../../../src/schema/declared/sql-text.js';

const legal: ReadonlyArray<readonly [string, string]> = [
  ['a string holding a semicolon', "'a;b'"],
  ['a string holding a close parenthesis and a statement', "'x''); DROP TABLE t; --'"],
  ['dollar quoting holding a statement', '$$); CREATE ROLE r; $$'],
  ['a tagged dollar quote', "$q$ ') ; COPY (SELECT 1) TO PROGRAM 'id' $q$"],
  ['an escape string', "E'\\'); DROP TABLE t; --'"],
  ['a quoted identifier holding a semicolon', '"a;b" IS NOT NULL'],
  ['a line comment in the middle', '1 -- one\n+ 2'],
  ['a block comment', '1 /* ); DROP TABLE t; */ + 2'],
  ['a function call', "now() + interval '1 day'"],
  ['a cast', 'salary::numeric(12,2)'],
  ['a subquery', '(SELECT max(id) FROM t)'],
  ['CASE', "CASE WHEN a > 0 THEN 'p' ELSE 'n' END"],
  ['non-ASCII text', "'ñandú; 😀'"],
  ['a boolean predicate', "email ~ '@' AND length(email) < 255"],
  ['a backslash in an escape string', "E'a\\\\b' || U&'\\0041'"],
];

describe('declared expressions accepted', () => {
  it.each(legal)('%s', (_, text) => {
    expect(expressionProblem(text)).toBeUndefined();
  });
});

const refused: ReadonlyArray<readonly [string, string, string]> = [
  [
    "the issue's default",
    "'x'); CREATE ROLE intruder; CREATE TABLE tail (a int",
    'a second statement starts at character 7: `CREATE ROLE intruder; CREATE TABLE tail (a int`',
  ],
  [
    'a plain second statement',
    '1; DROP TABLE t',
    'not a single SQL expression: syntax error at or near ";" (at character 2)',
  ],
  [
    'COPY TO PROGRAM after a closed parenthesis',
    "1); COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'; SELECT (1",
    "a second statement starts at character 5: `COPY (SELECT 1) TO PROGRAM 'touch /tmp/x'; SE...`",
  ],
  [
    'a DO block after a closed parenthesis',
    '1); DO $$ BEGIN PERFORM 1; END $$; SELECT (1',
    'a second statement starts at character 5: `DO $$ BEGIN PERFORM 1; END $$; SELECT (1`',
  ],
  ['a second value', '1) , (2', 'not a single SQL expression: the text adds a second value after it'],
  [
    'parentheses that close ours',
    '1) + (2',
    'not a single SQL expression on its own (its parentheses do not balance, or it ends a clause): `1) + (2`',
  ],
  ['a FROM clause', 'x) FROM pg_sleep(10', 'not a single SQL expression: the text adds a clause (fromClause) after it'],
  ['a UNION', 'id > 0 UNION SELECT 1', 'not a single SQL expression: syntax error at or near "UNION" (at character 8)'],
  ['an alias', '1 AS x', 'not a single SQL expression: syntax error at or near "AS" (at character 3)'],
  [
    'SELECT INTO in a subquery',
    '(SELECT 1 INTO foo)',
    'an expression may not contain SELECT ... INTO (it creates a table)',
  ],
  [
    'FOR UPDATE in a subquery',
    '(SELECT 1 FROM t FOR UPDATE)',
    'an expression may not contain FOR UPDATE / FOR SHARE (it locks rows)',
  ],
  [
    'a data-changing CTE',
    '(WITH d AS (DELETE FROM t RETURNING 1) SELECT 1)',
    'an expression may not contain a data-changing statement (DELETE)',
  ],
  [
    'an unterminated string',
    "'abc",
    'not a single SQL expression: unterminated quoted string at or near "\'abc )" (at character 1)',
  ],
  [
    'an unterminated block comment',
    '1 /* )',
    'not a single SQL expression: unterminated /* comment at or near "/* ) )" (at character 3)',
  ],
  [
    'an unterminated dollar quote',
    '$$ x',
    'not a single SQL expression: unterminated dollar-quoted string at or near "$$ x )" (at character 1)',
  ],
  ['a NUL byte', "'a\u0000'); DROP TABLE t; --", 'a NUL character (U+0000) at character 3'],
  [
    'a statement instead of an expression',
    'DROP TABLE t',
    'not a single SQL expression: syntax error at or near "TABLE" (at character 6)',
  ],
  ['a parameter', 'v || $1', 'an expression may not contain a parameter ($1...)'],
  ['an empty expression', '   ', 'not a single SQL expression: syntax error at or near ")" (at character 4)'],
];

describe('declared expressions refused', () => {
  it.each(refused)('%s', (_, text, message) => {
    expect(expressionProblem(text)?.message).toBe(message);
  });
});

describe('declared statements', () => {
  it.each([
    ['SELECT schema_name FROM central.tenants WHERE active', 'SelectStmt', undefined],
    [
      'SELECT 1; DROP TABLE central.tenants',
      'SelectStmt',
      'a second statement starts at character 11: `DROP TABLE central.tenants`',
    ],
    [
      'SELECT schema_name INTO stolen FROM central.tenants',
      'SelectStmt',
      'the SELECT may not contain SELECT ... INTO (it creates a table)',
    ],
    [
      'WITH d AS (UPDATE central.tenants SET active = false RETURNING schema_name) SELECT * FROM d',
      'SelectStmt',
      'the SELECT may not contain a data-changing statement (UPDATE)',
    ],
    ['DELETE FROM central.tenants', 'SelectStmt', 'expected one SELECT, found DELETE'],
    ["SELECT E'a\\\\b', 'c\\d'", 'SelectStmt', undefined],
    ['', 'SelectStmt', 'not a valid SELECT: Query cannot be empty'],
    ['-- only a comment', 'SelectStmt', 'no statement: expected one SELECT'],
    ['INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)', 'InsertStmt', undefined],
    [
      'INSERT INTO central.tenants (schema_name) VALUES ($1) ON CONFLICT (schema_name) DO UPDATE SET active = true',
      'InsertStmt',
      undefined,
    ],
    [
      'WITH d AS (DELETE FROM central.tenants RETURNING 1) INSERT INTO central.tenants VALUES ($1)',
      'InsertStmt',
      'the INSERT may not contain a data-changing statement (DELETE)',
    ],
    [
      'INSERT INTO central.tenants VALUES ($1); DROP ROLE app',
      'InsertStmt',
      'a second statement starts at character 42: `DROP ROLE app`',
    ],
  ] as const)('%s (%s)', (text, kind, message) => {
    expect(statementProblem(text, kind)?.message).toBe(message);
  });
});

describe('declared function definitions', () => {
  const fn =
    'CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$';
  it.each([
    [fn, 'app', 'touch', undefined],
    ['CREATE FUNCTION public.one() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$', 'public', 'one', undefined],
    ['CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$', 'public', 'one', undefined],
    [`${fn}; DROP TABLE app.t`, 'app', 'touch', 'a second statement starts at character 122: `DROP TABLE app.t`'],
    [
      `${fn}; CREATE ROLE intruder SUPERUSER`,
      'app',
      'touch',
      'a second statement starts at character 122: `CREATE ROLE intruder SUPERUSER`',
    ],
    [
      'CREATE FUNCTION touch() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'app',
      'touch',
      'the definition creates `touch` without a schema, so it would land in the search_path, not in app',
    ],
    [fn, 'app', 'other', 'the definition creates `app.touch`, but the entry declares `app.other`'],
    [
      fn.replace('app.touch', 'public.touch'),
      'app',
      'touch',
      'the definition creates `public.touch`, but the entry declares `app.touch`',
    ],
    [
      'CREATE PROCEDURE app.touch() LANGUAGE sql AS $$ SELECT 1 $$',
      'app',
      'touch',
      'expected a CREATE FUNCTION, found CREATE PROCEDURE',
    ],
    ['DO $$ BEGIN RAISE NOTICE $q$x$q$; END $$', 'app', 'touch', 'expected one CREATE FUNCTION, found DO'],
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'app', 'touch', 'expected one CREATE FUNCTION, found COPY'],
    [
      "CREATE FUNCTION app.touch() RETURNS int LANGUAGE c AS '/tmp/evil.so', 'f'",
      'app',
      'touch',
      'the function is LANGUAGE c, which runs native code or reaches outside the server, and creating it loads or checks that code: switchyard builds only trusted languages (sql, plpgsql...)',
    ],
    [
      'CREATE FUNCTION app.touch() RETURNS int LANGUAGE plpython3u AS $$ import os $$',
      'app',
      'touch',
      'the function is LANGUAGE plpython3u, which runs native code or reaches outside the server, and creating it loads or checks that code: switchyard builds only trusted languages (sql, plpgsql...)',
    ],
  ] as const)('%s as %s.%s', (text, schema, name, message) => {
    expect(functionProblem(text, schema, name)?.message).toBe(message);
  });
});

describe('expressions rendered inline', () => {
  it.each([
    ['  now()  ', 'now()'],
    ["'a--b'", "'a--b'"],
    ['1 -- one\n+ 2', '1 -- one\n+ 2'],
    ["'x' -- the rest of the line would be swallowed", "'x' -- the rest of the line would be swallowed\n"],
  ])('%j -> %j', (text, rendered) => {
    expect(inlineExpression(text)).toBe(rendered);
  });
});
