// Bad input, one row per problem: the declared YAML, where the problem must point (line:column of the
// offending key or value, 1-based) and a fragment of `formatProblem` (message and fix). Each row also pins
// how many problems the file has, so that no spurious follow-up problem goes unnoticed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { describe, expect, it } from 'vitest';
import { formatProblem, InvalidSchemaError } from '../../../src/errors.js';
import { analyzeDeclared, parseDeclared } from '../../../src/schema/declared/yaml.js';

/** Lines under table `users` of schema `public`: the first given line is line 5 and starts at column 9. */
const users = (...lines: string[]): string =>
  `${['schemas:', '  public:', '    tables:', '      users:', ...lines.map((l) => `        ${l}`)].join('\n')}\n`;
/** Lines under schema `public`: the first given line is line 3 and starts at column 5. */
const pub = (...lines: string[]): string =>
  `${['schemas:', '  public:', ...lines.map((l) => `    ${l}`)].join('\n')}\n`;
const file = (...lines: string[]): string => `${lines.join('\n')}\n`;

type Row = readonly [title: string, yaml: string, at: string, fragment: string, count?: number];

const rows: readonly Row[] = [
  ['a YAML syntax error', file('schemas:', '  public: { tables: {}', 'tenants: x'), '3:1', 'YAML syntax'],
  ['tabs as indentation', file('schemas:', '\tpublic: {}'), '2:1', 'YAML syntax: Tabs are not allowed'],
  [
    'two YAML documents',
    file('schemas: {}', '---', 'schemas: {}'),
    '2:1',
    'YAML syntax: Source contains multiple documents',
  ],
  [
    'a column declared twice (duplicate YAML key)',
    users('columns:', '  id: { type: bigint }', '  id: { type: text }'),
    '7:11',
    'column "id" of table "public"."users" is declared twice',
  ],
  [
    'a key declared twice inside a column',
    users('columns:', '  id: { type: bigint, type: text }'),
    '6:31',
    'column "id" of table "public"."users": `type` is declared twice',
  ],
  ['an empty file', file(''), '1:1', 'the file is empty'],
  ['a file of comments only', file('# nothing yet'), '1:1', 'the file is empty'],
  ['a list at the top level', file('- schemas'), '1:1', 'the top level must be a mapping with `schemas:`, got a list'],
  ['a scalar at the top level', file('hello'), '1:1', 'the top level must be a mapping with `schemas:`, got "hello"'],
  [
    'no `schemas` key',
    file('tenants: { registry: "select 1", template: t }'),
    '1:1',
    'the file: `schemas` is required',
  ],
  [
    'a key that is a list',
    file('schemas:', '  ? [a, b]', '  : {}'),
    '2:5',
    '`schemas`: a key must be a plain name, not a list or mapping',
  ],
  [
    'the name __proto__',
    pub('tables:', '  __proto__: { columns: { id: { type: bigint } } }'),
    '4:7',
    'table "public"."__proto__": the name `__proto__` is not supported',
  ],
  [
    'an unknown top-level key',
    file('schema:', '  public: {}'),
    '1:1',
    'unknown key `schema` (fix: did you mean `schemas`?)',
    2,
  ],
  [
    'an unknown column key',
    users('columns:', '  id: { type: bigint, nulable: false }'),
    '6:31',
    'column "id" of table "public"."users": unknown key `nulable` (fix: did you mean `nullable`?)',
  ],
  [
    'an unknown table key',
    users('colums: { id: { type: bigint } }'),
    '5:9',
    'unknown key `colums` (fix: did you mean `columns`?)',
    2,
  ],
  [
    'an unknown index key',
    users('columns: { id: { type: bigint } }', 'indexes:', '  users_id_idx: { columns: [id], wher: "id > 0" }'),
    '7:42',
    'index "users_id_idx" of table "public"."users": unknown key `wher` (fix: did you mean `where`?)',
  ],
  [
    'an unknown foreign key key (case)',
    users(
      'columns: { id: { type: bigint } }',
      'primaryKey: { columns: [id] }',
      'foreignKeys:',
      '  users_id_fkey: { columns: [id], references: { table: users }, ondelete: cascade }',
    ),
    '8:73',
    'unknown key `ondelete` (fix: did you mean `onDelete`?)',
  ],
  [
    'an unknown schema key',
    pub('table: {}'),
    '3:5',
    'schema "public": unknown key `table` (fix: did you mean `tables`?)',
  ],
  [
    'an unknown key far from any valid one',
    users('columns:', '  id: { type: bigint, xyzzy: 1 }'),
    '6:31',
    'unknown key `xyzzy` (fix: valid keys here: type, nullable, default',
  ],
  [
    'a boolean written as a string',
    users('columns:', '  id: { type: bigint, nullable: "yes" }'),
    '6:41',
    'column "id" of table "public"."users": `nullable` must be true or false, got "yes"',
  ],
  [
    'columns as a list',
    users('columns: [id, email]'),
    '5:18',
    'table "public"."users": `columns` must be a mapping, got a list',
  ],
  [
    'a column written as just its type',
    users('columns:', '  id: bigint'),
    '6:15',
    'column "id" of table "public"."users" must be a mapping, got "bigint" (fix: write `id: { type: bigint }`)',
  ],
  [
    'a column without a type',
    users('columns:', '  id: { nullable: false }'),
    '6:11',
    'column "id" of table "public"."users": `type` is required (fix: add a PostgreSQL type',
  ],
  [
    'a table without columns key',
    users('primaryKey: { columns: [id] }'),
    '4:7',
    'table "public"."users": `columns` is required',
  ],
  [
    'an empty primary key',
    users('columns: { id: { type: bigint } }', 'primaryKey: { columns: [] }'),
    '6:32',
    'primary key of table "public"."users": `columns` must not be empty',
  ],
  [
    'an invalid identity',
    users('columns:', '  id: { type: bigint, identity: alwayz }'),
    '6:41',
    '`identity` must be one of always, by default; got "alwayz" (fix: did you mean `always`?)',
  ],
  [
    'an unknown index method',
    users('columns: { id: { type: bigint } }', 'indexes:', '  users_id_idx: { columns: [id], method: btre }'),
    '7:50',
    '`method` must be one of btree, hash, gin, gist, brin, spgist; got "btre" (fix: did you mean `btree`?)',
  ],
  [
    'an invalid onDelete action',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tiers }, onDelete: cascad }',
    ),
    '8:87',
    '`onDelete` must be one of no action, restrict, cascade, set null, set default; got "cascad" (fix: did you mean `cascade`?)',
  ],
  [
    'a foreign key without references',
    users('columns: { id: { type: bigint } }', 'foreignKeys:', '  users_id_fkey: { columns: [id] }'),
    '7:11',
    'foreign key "users_id_fkey" of table "public"."users": `references` is required',
  ],
  [
    'a check without expression',
    users('columns: { id: { type: bigint } }', 'checks:', '  users_id_check: { noInherit: true }'),
    '7:11',
    'check constraint "users_id_check" of table "public"."users": `expression` is required',
  ],
  [
    'a blank check expression',
    users('columns: { id: { type: bigint } }', 'checks:', '  users_id_check: { expression: "  " }'),
    '7:41',
    '`expression` must not be empty (fix: write the SQL, or remove the key)',
  ],
  [
    'a fractional sequence start',
    pub('sequences:', '  s: { start: 1.5 }'),
    '4:19',
    'sequence "public"."s": `start` must be a whole number (fix: write an integer, e.g. `1000`)',
  ],
  [
    'an enum that is a number',
    pub('enums:', '  mood: 5'),
    '4:13',
    'enum "public"."mood" must be a list of labels, or `{ values: [...], comment, grants }`; got 5',
  ],
  [
    'an enum mapping without values',
    pub('enums:', '  mood: { comment: sad }'),
    '4:7',
    'enum "public"."mood": `values` is required',
  ],
  [
    'an enum label that is a list',
    pub('enums:', '  mood: [sad, [x]]'),
    '4:19',
    'enum "public"."mood": `[1]` must be text, got a list',
  ],
  [
    'include that is not a list',
    users(
      'columns: { id: { type: bigint }, email: { type: text } }',
      'indexes:',
      '  users_id_idx: { columns: [id], include: email }',
    ),
    '7:51',
    '`include` must be a list, got "email"',
  ],
  [
    'a blank tenant registry',
    file('schemas: { t: {} }', 'tenants: { registry: " ", template: t }'),
    '2:22',
    '`tenants`: `registry` must not be empty',
  ],
  [
    'tenants without a template',
    file('schemas: { t: {} }', 'tenants: { registry: "select 1" }'),
    '2:1',
    '`tenants`: `template` is required',
  ],
  [
    'a schema with nothing under it',
    file('schemas:', '  public:'),
    '2:3',
    'schema "public" must be a mapping, got nothing',
  ],
  [
    'a misspelled type',
    users('columns:', '  id: { type: integr }'),
    '6:23',
    'column "id" of table "public"."users" has unknown type `integr` (fix: did you mean `integer`?)',
  ],
  [
    'a type from another language',
    users('columns:', '  name: { type: string }'),
    '6:25',
    'has unknown type `string` (fix: did you mean `text`?)',
  ],
  [
    'serial',
    users('columns:', '  id: { type: serial }'),
    '6:23',
    '`serial` is not a type (PostgreSQL expands it into integer, a sequence and a default) (fix: use `type: integer` with `identity: by default`)',
  ],
  [
    'bigserial',
    users('columns:', '  id: { type: bigserial }'),
    '6:23',
    '(fix: use `type: bigint` with `identity: by default`)',
  ],
  [
    'a zero-length varchar',
    users('columns:', '  code: { type: varchar(0) }'),
    '6:25',
    'has an invalid type `varchar(0)`: varchar takes a length from 1 to 10485760',
  ],
  [
    'numeric with too much precision',
    users('columns:', '  n: { type: "numeric(1001, 2)" }'),
    '6:22',
    'numeric takes a precision from 1 to 1000',
  ],
  [
    'a modifier on a type without one',
    users('columns:', '  n: { type: "integer(4)" }'),
    '6:22',
    'integer takes no modifier',
  ],
  ['something that is not a type name', users('columns:', '  n: { type: "int((" }'), '6:22', 'this is not a type name'],
  [
    'a misspelled enum',
    pub('enums:', '  feeling: [ok]', 'tables:', '  users:', '    columns:', '      f: { type: feelings }'),
    '8:22',
    'has unknown type `feelings` (fix: did you mean `feeling`?)',
  ],
  [
    'an enum qualified with the wrong schema',
    file(
      'schemas:',
      '  public: { enums: { mood: [ok] } }',
      '  app:',
      '    tables:',
      '      t: { columns: { m: { type: app.mood } } }',
    ),
    '5:34',
    'column "m" of table "app"."t" has unknown type `app.mood`',
  ],
  [
    'a mixed-case enum written unquoted',
    pub('enums:', '  Mood: [ok]', 'tables:', '  t: { columns: { m: { type: Mood } } }'),
    '6:34',
    'write `\'"Mood"\'` to keep the capitals',
  ],
  [
    'identity with a default',
    users('columns:', '  id: { type: bigint, identity: always, default: "1" }'),
    '6:49',
    'has both `identity` and `default`',
  ],
  [
    'identity with generated',
    users('columns:', '  id: { type: bigint, identity: always, generated: "1" }'),
    '6:49',
    'has both `identity` and `generated`',
  ],
  [
    'generated with a default',
    users('columns:', '  t: { type: int, generated: "1", default: "2" }'),
    '6:43',
    'has both `generated` and `default`',
  ],
  [
    'identity on text',
    users('columns:', '  id: { type: text, identity: by default }'),
    '6:29',
    'identity needs smallint, integer or bigint, not `text`',
  ],
  [
    'a nullable primary key column',
    users('columns:', '  id: { type: bigint, nullable: true }', 'primaryKey: { columns: [id] }'),
    '6:41',
    'is in the primary key, so it is NOT NULL and cannot be nullable (fix: remove `nullable: true`)',
  ],
  [
    'a nullable identity column',
    users('columns:', '  id: { type: bigint, identity: always, nullable: true }'),
    '6:59',
    'is an identity column, so it is NOT NULL',
  ],
  [
    'backfill on a nullable column',
    users('columns:', '  tier: { type: bigint, backfill: "1" }'),
    '6:33',
    'has `backfill` but is nullable; backfill fills existing rows of a NOT NULL column',
  ],
  [
    'backfill on a generated column',
    users('columns:', '  t: { type: int, nullable: false, generated: "1", backfill: "1" }'),
    '6:60',
    'is generated, so PostgreSQL computes it; `backfill` cannot fill it',
  ],
  [
    'up on a generated column',
    users('columns:', '  t: { type: int, generated: "1", up: "1" }'),
    '6:43',
    '`up` cannot fill it',
  ],
  [
    'down on a generated column',
    users('columns:', '  t: { type: int, generated: "1", down: "1" }'),
    '6:43',
    '`down` cannot fill it',
  ],
  [
    'a column renamed from itself',
    users('columns:', '  name: { type: text, renamedFrom: name }'),
    '6:44',
    'is renamed from itself',
  ],
  [
    'a column renamed from a name still declared',
    users('columns:', '  full: { type: text, renamedFrom: name }', '  name: { type: text }'),
    '6:44',
    'column "full" of table "public"."users" is renamed from "name", but table "public"."users" still declares a column "name"',
  ],
  [
    'two columns renamed from one name',
    users('columns:', '  a: { type: text, renamedFrom: old }', '  b: { type: text, renamedFrom: old }'),
    '7:41',
    'column "b" of table "public"."users" is renamed from "old", and so is column "a"',
  ],
  [
    'a table renamed from a table still declared',
    pub(
      'tables:',
      '  people: { columns: { id: { type: bigint } } }',
      '  users: { renamedFrom: people, columns: { id: { type: bigint } } }',
    ),
    '5:29',
    'schema "public" still declares a table "people"',
  ],
  [
    'a column name over 63 bytes',
    users('columns:', '  cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc: { type: text }'),
    '6:11',
    'the name is 64 bytes long; PostgreSQL truncates names to 63 bytes',
  ],
  [
    'a table name over 63 bytes of UTF-8',
    pub('tables:', '  éééééééééééééééééééééééééééééééé: { columns: { id: { type: bigint } } }'),
    '4:7',
    'the name is 64 bytes long',
  ],
  ['an empty column name', users('columns:', '  "": { type: text }'), '6:11', 'has an empty name'],
  [
    'a renamedFrom over 63 bytes',
    users(
      'columns:',
      '  a: { type: text, renamedFrom: oooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooo }',
    ),
    '6:41',
    '`renamedFrom`: the name is 70 bytes long',
  ],
  ['a schema named pg_*', file('schemas:', '  pg_stuff: {}'), '2:3', 'names starting with `pg_` are reserved'],
  [
    'an index name over 63 bytes',
    users(
      'columns: { id: { type: bigint } }',
      'indexes:',
      '  iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii: { columns: [id] }',
    ),
    '7:11',
    'the name is 64 bytes long',
  ],
  [
    'a primary key on a missing column',
    users('columns: { id: { type: bigint } }', 'primaryKey: { columns: [ib] }'),
    '6:33',
    'primary key of table "public"."users": column "ib" does not exist in table "public"."users" (fix: did you mean "id"?)',
  ],
  [
    'a unique constraint on a missing column',
    users('columns: { id: { type: bigint } }', 'unique: { users_x_key: { columns: [x] } }'),
    '6:44',
    'unique constraint "users_x_key" of table "public"."users": column "x" does not exist',
  ],
  [
    'a primary key listing a column twice',
    users('columns: { id: { type: bigint } }', 'primaryKey: { columns: [id, id] }'),
    '6:37',
    'lists column "id" twice',
  ],
  [
    'an index on a missing column',
    users(
      'columns: { id: { type: bigint }, email: { type: text } }',
      'indexes:',
      '  users_mail_idx: { columns: [mail] }',
    ),
    '7:39',
    'column "mail" does not exist in table "public"."users" (fix: did you mean "email"?)',
  ],
  [
    'an index with columns and expressions',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { columns: [id], expressions: ["id + 1"] }'),
    '7:31',
    'has both `columns` and `expressions`',
  ],
  [
    'an index without keys',
    users('columns: { id: { type: bigint } }', 'indexes:', '  by_nothing: { unique: true }'),
    '7:11',
    'index "by_nothing" of table "public"."users" has no keys',
  ],
  [
    'an index key with column and expression',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { keys: [{ column: id, expression: "id + 1" }] }'),
    '7:23',
    'must have exactly one of `column` and `expression`',
  ],
  [
    'an index key on a missing column',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { keys: [{ column: ix }] }'),
    '7:33',
    'column "ix" does not exist in table "public"."users"',
  ],
  [
    'include on a hash index',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { columns: [id], method: hash, include: [id] }'),
    '7:45',
    'hash indexes do not support `include`',
  ],
  [
    'a unique gin index',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { columns: [id], method: gin, unique: true }'),
    '7:44',
    'only btree indexes can be unique, not gin',
  ],
  [
    'nullsNotDistinct on a non-unique index',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { columns: [id], nullsNotDistinct: true }'),
    '7:31',
    '`nullsNotDistinct` applies to unique indexes only',
  ],
  [
    'a sort order on a gin index',
    users('columns: { id: { type: bigint } }', 'indexes:', '  i: { method: gin, keys: [{ column: id, order: desc }] }'),
    '7:50',
    '`order` is only supported by btree indexes, not gin',
  ],
  [
    'a hash index on two columns',
    users(
      'columns: { id: { type: bigint }, email: { type: text } }',
      'indexes:',
      '  i: { columns: [id, email], method: hash }',
    ),
    '7:46',
    'hash indexes have exactly one key, not 2',
  ],
  [
    'include of a missing column',
    users(
      'columns: { id: { type: bigint }, email: { type: text } }',
      'indexes:',
      '  i: { columns: [id], include: [emial] }',
    ),
    '7:41',
    'column "emial" does not exist in table "public"."users" (fix: did you mean "email"?)',
  ],
  [
    'a unique constraint initially deferred but not deferrable',
    users('columns: { id: { type: bigint } }', 'unique: { users_id_key: { columns: [id], initiallyDeferred: true } }'),
    '6:50',
    'is initially deferred but not deferrable',
  ],
  [
    'a foreign key to a missing table',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tier } }',
    ),
    '8:68',
    'references table "public"."tier", which is not declared (fix: did you mean "tiers"?)',
  ],
  [
    'a foreign key to a missing schema',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { schema: billing, table: tiers } }',
    ),
    '8:69',
    'references schema "billing", which is not declared',
  ],
  [
    'a foreign key to a missing column',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tiers, columns: [ib] } }',
    ),
    '8:85',
    'column "ib" does not exist in table "public"."tiers"',
  ],
  [
    'a foreign key with a column count mismatch',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier, id], references: { table: tiers } }',
    ),
    '8:39',
    'has 2 column(s) but references 1 ("id")',
  ],
  [
    'a foreign key to columns without a unique key',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tiers, columns: [code] } }',
    ),
    '8:47',
    'the referenced columns ("code") of table "public"."tiers" are not its primary key or a unique key; PostgreSQL requires one',
  ],
  [
    'a foreign key to a table without a primary key',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int } } }',
      '  users:',
      '    columns: { tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tiers } }',
    ),
    '8:47',
    'references table "public"."tiers", which has no primary key',
  ],
  [
    'a foreign key on a missing local column',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tire], references: { table: tiers } }',
    ),
    '8:40',
    'column "tire" does not exist in table "public"."users" (fix: did you mean "tier"?)',
  ],
  [
    'a foreign key initially deferred but not deferrable',
    pub(
      'tables:',
      '  tiers: { columns: { id: { type: int }, code: { type: text } }, primaryKey: { columns: [id] } }',
      '  users:',
      '    columns: { id: { type: int }, tier: { type: int } }',
      '    foreignKeys:',
      '      users_tier_fkey: { columns: [tier], references: { table: tiers }, initiallyDeferred: true }',
    ),
    '8:77',
    'foreign key "users_tier_fkey" of table "public"."users" is initially deferred but not deferrable',
  ],
  [
    'an index named like a table',
    pub(
      'tables:',
      '  users:',
      '    columns: { id: { type: int } }',
      '    indexes: { things: { columns: [id] } }',
      '  things: { columns: { id: { type: int } } }',
    ),
    '7:7',
    'table "public"."things" has the same name as index "things" of table "public"."users"',
  ],
  [
    'a unique constraint named like an index of another table',
    pub(
      'tables:',
      '  a: { columns: { id: { type: int } }, indexes: { dup: { columns: [id] } } }',
      '  b: { columns: { id: { type: int } }, unique: { dup: { columns: [id] } } }',
    ),
    '5:54',
    'unique constraint "dup" of table "public"."b" has the same name as index "dup" of table "public"."a"',
  ],
  [
    'a check named like a foreign key of the same table',
    users(
      'columns: { id: { type: bigint } }',
      'primaryKey: { columns: [id] }',
      'foreignKeys: { same: { columns: [id], references: { table: users } } }',
      'checks: { same: { expression: "id > 0" } }',
    ),
    '8:19',
    'constraint names are unique per table',
  ],
  [
    'an enum named like a table',
    pub('tables: { mood: { columns: { id: { type: bigint } } } }', 'enums: { mood: [ok] }'),
    '4:14',
    'enum "public"."mood" has the same name as table "public"."mood"',
  ],
  [
    'an index named like an implicit primary key',
    pub(
      'tables:',
      '  users: { columns: { id: { type: bigint } }, primaryKey: { columns: [id] } }',
      '  other: { columns: { id: { type: bigint } }, indexes: { users_pkey: { columns: [id] } } }',
    ),
    '5:62',
    'index "users_pkey" of table "public"."other" has the same name as primary key of table "public"."users" ("users_pkey")',
  ],
  [
    'a sequence named like a table',
    pub('sequences: { users: {} }', 'tables: { users: { columns: { id: { type: bigint } } } }'),
    '4:15',
    'table "public"."users" has the same name as sequence "public"."users"',
  ],
  ['an enum label listed twice', pub('enums:', '  mood: [ok, sad, ok]'), '4:23', 'lists the label "ok" twice'],
  [
    'an enum label over 63 bytes',
    pub('enums:', '  mood: [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]'),
    '4:14',
    'is 64 bytes long; PostgreSQL allows 63',
  ],
  [
    'a sequence owned by a missing table',
    pub('sequences:', '  s: { ownedBy: { table: nope, column: id } }'),
    '4:30',
    'sequence "public"."s" is owned by table "public"."nope", which is not declared',
  ],
  [
    'a sequence owned by a missing column',
    pub(
      'sequences:',
      '  s: { ownedBy: { table: users, column: nope } }',
      'tables: { users: { columns: { id: { type: bigint } } } }',
    ),
    '4:45',
    'is owned by column "nope", which table "public"."users" does not declare',
  ],
  [
    'a sequence of type text',
    pub('sequences:', '  s: { type: text }'),
    '4:18',
    'the type must be smallint, integer or bigint, not `text`',
  ],
  [
    'a sequence with increment zero',
    pub('sequences:', '  s: { increment: 0 }'),
    '4:23',
    'the increment cannot be zero',
  ],
  [
    'a sequence with min above max',
    pub('sequences:', '  s: { min: 10, max: 5 }'),
    '4:26',
    'min 10 is greater than max 5',
  ],
  [
    'a sequence start out of its type range',
    pub('sequences:', '  s: { type: smallint, start: 40000 }'),
    '4:35',
    '`start` 40000 is out of range for smallint',
  ],
  [
    'a sequence start outside min..max',
    pub('sequences:', '  s: { start: 0 }'),
    '4:19',
    'start 0 is outside 1..9223372036854775807',
  ],
  [
    'a tenant template that is not declared',
    file('schemas: { tenant: {} }', 'tenants: { registry: "select 1", template: tenants }'),
    '2:44',
    'the template schema "tenants" is not declared under `schemas` (fix: did you mean "tenant"?)',
  ],
  [
    'a row-level truncate trigger',
    users(
      'columns: { id: { type: bigint } }',
      'triggers:',
      '  t: { timing: after, events: [truncate], forEach: row, function: { name: f } }',
    ),
    '7:40',
    'truncate triggers fire for each statement, not each row',
  ],
  [
    'when on a statement trigger',
    users(
      'columns: { id: { type: bigint } }',
      'triggers:',
      '  t: { timing: after, events: [insert], function: { name: f }, when: "true" }',
    ),
    '7:72',
    'only row triggers can have `when`',
  ],
  [
    'a trigger event listed twice',
    users(
      'columns: { id: { type: bigint } }',
      'triggers:',
      '  t: { timing: after, events: [insert, insert], function: { name: f } }',
    ),
    '7:48',
    'lists the event insert twice',
  ],
  [
    'an invalid trigger timing',
    users(
      'columns: { id: { type: bigint } }',
      'triggers:',
      '  t: { timing: later, events: [insert], function: { name: f } }',
    ),
    '7:24',
    '`timing` must be one of before, after, instead of; got "later"',
  ],
  [
    'a function declared twice',
    pub(
      'functions:',
      '  - { name: f, definition: "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS \'SELECT 1\'" }',
      '  - { name: f, definition: "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS \'SELECT 2\'" }',
    ),
    '5:17',
    'schema "public" declares function "f"() twice',
  ],
];

describe('bad input', () => {
  it('has at least 70 cases', () => {
    expect(rows.length).toBeGreaterThanOrEqual(70);
  });

  it.each(rows.map(([title, yaml, at, fragment, count = 1]) => ({ title, yaml, at, fragment, count })))(
    '$title',
    ({ yaml, at, fragment, count }) => {
      const { problems, model } = analyzeDeclared(yaml, 'bad.yaml');
      expect(model).toBeUndefined();
      const shown = problems.map(formatProblem);
      expect(
        shown.filter((p) => p.startsWith(`bad.yaml:${at}: `) && p.includes(fragment)),
        shown.join('\n'),
      ).toHaveLength(1);
      expect(problems, shown.join('\n')).toHaveLength(count);
    },
  );
});

describe('bad input through the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-bad-'));
  it.each(rows.map(([title, yaml, at, fragment], i) => ({ title, yaml, at, fragment, i })))(
    '$title: exit 2, located, no stack trace',
    async ({ yaml, at, fragment, i }) => {
      const path = join(dir, `bad${i}.yaml`);
      writeFileSync(path, yaml);
      const r = await cli('validate', path);
      expect(r.code).toBe(2);
      const output = r.stdout + r.stderr;
      expect(output).toContain(`${path}:${at}: `);
      expect(output).toContain(fragment);
      expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
    },
  );
});

describe('several problems', () => {
  const yaml = file(
    'schemas:',
    '  public:',
    '    enums:',
    '      mood: [ok, ok]',
    '    tables:',
    '      users:',
    '        columns:',
    '          id: { type: integr, nulable: false }',
    '          email: { type: text, nullable: maybe }',
    '          note: { type: text, generated: "1", down: "note" }',
    '        primaryKey: { columns: [id, ib] }',
    '        indexes:',
    '          users_email_idx: { columns: [email], method: btre }',
    '          users_note_idx: { columns: [note] }',
    '      orders:',
    '        columns:',
    '          user_id: { type: bigint }',
    '        foreignKeys:',
    '          orders_user_fkey: { columns: [user_id], references: { table: user } }',
    'tenants: { registry: "select 1", template: tenant }',
  );

  it('are all reported at once, in file order, each with its place', () => {
    const { problems } = analyzeDeclared(yaml, 'schema.yaml');
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '4:18 schemas.public.enums.mood.1',
      '8:23 schemas.public.tables.users.columns.id.type',
      '8:31 schemas.public.tables.users.columns.id.nulable',
      '9:42 schemas.public.tables.users.columns.email.nullable',
      '10:47 schemas.public.tables.users.columns.note.down',
      '11:37 schemas.public.tables.users.primaryKey.columns.1',
      '13:56 schemas.public.tables.users.indexes.users_email_idx.method',
      '19:72 schemas.public.tables.orders.foreignKeys.orders_user_fkey.references.table',
      '20:44 tenants.template',
    ]);
  });

  it('stay silent about references into a broken part', () => {
    // `email` is malformed (reported), so the index on it must not also say the column is missing.
    const { problems } = analyzeDeclared(yaml, 'schema.yaml');
    expect(problems.some((p) => p.message.includes('"email" does not exist'))).toBe(false);
    const broken = file(
      'schemas:',
      '  public:',
      '    tables:',
      '      a: { columns: { id: { type: int } }, primaryKey: { columns: [id], bogus: 1 } }',
      '      b: { columns: { a_id: { type: int } }, foreignKeys: { b_a_fkey: { columns: [a_id], references: { table: a } } } }',
    );
    expect(analyzeDeclared(broken, 'x.yaml').problems.map(formatProblem)).toEqual([
      'x.yaml:4:73: primary key of table "public"."a": unknown key `bogus` (fix: valid keys here: name, columns, comment)',
    ]);
    const brokenTable = file(
      'schemas:',
      '  public:',
      '    tables:',
      '      a: { columns: { id: { type: int } }, primaryKey: 5 }',
      '      b: { columns: { a_id: { type: int } }, foreignKeys: { b_a_fkey: { columns: [a_id], references: { table: a } } } }',
    );
    expect(analyzeDeclared(brokenTable, 'x.yaml').problems.map((p) => p.path)).toEqual([
      'schemas.public.tables.a.primaryKey',
    ]);
  });

  it('are thrown together by parseDeclared as an InvalidSchemaError (exit code 2)', () => {
    let error: unknown;
    try {
      parseDeclared(yaml, 'schema.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSchemaError);
    const e = error as InvalidSchemaError;
    expect(e.exitCode).toBe(2);
    expect(e.problems).toHaveLength(9);
    expect(e.message.split('\n')[0]).toBe('9 problems in the declared schema:');
    expect(e.message).toContain(
      '  schema.yaml:8:23: column "id" of table "public"."users" has unknown type `integr` (fix: did you mean `integer`?)',
    );
  });
});
