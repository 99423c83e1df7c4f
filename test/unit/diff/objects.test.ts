// Schema-level objects (enums, sequences, functions) and comments.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/diff/index.js';
import { diff } from '../../../src/diff/index.js';
import { identityTypes } from '../../../src/diff/functions.js';
import type { DatabaseSchema, Enum, Function, Schema, Sequence } from '../../../src/schema/model/model.js';
import { col, db, enumType, fn, schema, sequence, table } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly from: DatabaseSchema;
  readonly to: DatabaseSchema;
  readonly changes: readonly Change[];
}

const inApp = (extra: Partial<Schema>): DatabaseSchema => db(schema('app', extra));
const enums = (...e: Enum[]): DatabaseSchema => inApp({ enums: e });
const sequences = (...s: Sequence[]): DatabaseSchema => inApp({ sequences: s });
const functions = (...f: Function[]): DatabaseSchema => inApp({ functions: f });
const addValue = (e: Enum, value: string, neighbour: { after?: string; before?: string }): Change => ({
  kind: 'add_enum_value',
  schema: 'app',
  enum: e,
  value,
  ...neighbour,
});

const abc = enumType('status', ['a', 'b', 'c']);
const abcd = enumType('status', ['a', 'b', 'c', 'd']);
const enumCases: Case[] = [
  { name: 'create_enum', from: enums(), to: enums(abc), changes: [{ kind: 'create_enum', schema: 'app', enum: abc }] },
  { name: 'drop_enum', from: enums(abc), to: enums(), changes: [{ kind: 'drop_enum', schema: 'app', enum: abc }] },
  {
    name: 'add_enum_value: appended',
    from: enums(enumType('status', ['a', 'b'])),
    to: enums(abc),
    changes: [addValue(abc, 'c', { after: 'b' })],
  },
  {
    name: 'add_enum_value: inserted',
    from: enums(enumType('status', ['a', 'c'])),
    to: enums(abc),
    changes: [addValue(abc, 'b', { after: 'a' })],
  },
  {
    name: 'add_enum_value: first',
    from: enums(enumType('status', ['b', 'c'])),
    to: enums(abc),
    changes: [addValue(abc, 'a', { before: 'b' })],
  },
  {
    name: 'add_enum_value: several, in target order, each after the one before it',
    from: enums(enumType('status', ['c'])),
    to: enums(abcd),
    changes: [
      addValue(abcd, 'a', { before: 'c' }),
      addValue(abcd, 'b', { after: 'a' }),
      addValue(abcd, 'd', { after: 'c' }),
    ],
  },
  {
    name: 'add_enum_value: into an empty enum',
    from: enums(enumType('status', [])),
    to: enums(enumType('status', ['a'])),
    changes: [addValue(enumType('status', ['a']), 'a', {})],
  },
  {
    name: 'recreate_enum: a value removed',
    from: enums(abc),
    to: enums(enumType('status', ['a', 'c'])),
    changes: [{ kind: 'recreate_enum', schema: 'app', from: abc, to: enumType('status', ['a', 'c']) }],
  },
  {
    name: 'recreate_enum: values reordered',
    from: enums(abc),
    to: enums(enumType('status', ['c', 'b', 'a'])),
    changes: [{ kind: 'recreate_enum', schema: 'app', from: abc, to: enumType('status', ['c', 'b', 'a']) }],
  },
  {
    name: 'enum comment',
    from: enums(abc),
    to: enums({ ...abc, comment: 'state' }),
    changes: [
      { kind: 'set_comment', schema: 'app', target: { kind: 'enum', enum: 'status' }, from: null, to: 'state' },
    ],
  },
];

const seq = sequence('s');
const sequenceCases: Case[] = [
  {
    name: 'create_sequence',
    from: sequences(),
    to: sequences(seq),
    changes: [{ kind: 'create_sequence', schema: 'app', sequence: seq }],
  },
  {
    name: 'drop_sequence',
    from: sequences(seq),
    to: sequences(),
    changes: [{ kind: 'drop_sequence', schema: 'app', sequence: seq }],
  },
  {
    name: 'alter_sequence: increment',
    from: sequences(seq),
    to: sequences({ ...seq, increment: '10' }),
    changes: [{ kind: 'alter_sequence', schema: 'app', from: seq, to: { ...seq, increment: '10' } }],
  },
  {
    name: 'alter_sequence: ownership',
    from: sequences(seq),
    to: sequences({ ...seq, ownedBy: { table: 't', column: 'id' } }),
    changes: [
      { kind: 'alter_sequence', schema: 'app', from: seq, to: { ...seq, ownedBy: { table: 't', column: 'id' } } },
    ],
  },
];

const touch = fn('touch');
const functionCases: Case[] = [
  {
    name: 'create_function',
    from: functions(),
    to: functions(touch),
    changes: [{ kind: 'create_function', schema: 'app', function: touch }],
  },
  {
    name: 'drop_function',
    from: functions(touch),
    to: functions(),
    changes: [{ kind: 'drop_function', schema: 'app', function: touch }],
  },
  {
    name: 'replace_function: definition changed',
    from: functions(touch),
    to: functions(fn('touch', '', 'BEGIN RETURN OLD; END')),
    changes: [{ kind: 'replace_function', schema: 'app', from: touch, to: fn('touch', '', 'BEGIN RETURN OLD; END') }],
  },
  {
    name: 'an overload with other arguments is another function',
    from: functions(fn('f', 'a integer')),
    to: functions(fn('f', 'a integer'), fn('f', 'a bigint')),
    changes: [{ kind: 'create_function', schema: 'app', function: fn('f', 'a bigint') }],
  },
];

const commented = (schemaComment?: string, tableComment?: string, columnComment?: string): DatabaseSchema =>
  db(
    schema('app', {
      ...(schemaComment ? { comment: schemaComment } : {}),
      tables: [
        table(
          't',
          [col('c', 'integer', columnComment ? { comment: columnComment } : {})],
          tableComment ? { comment: tableComment } : {},
        ),
      ],
    }),
  );
const commentCases: Case[] = [
  {
    name: 'set_comment on a schema',
    from: commented(),
    to: commented('app'),
    changes: [{ kind: 'set_comment', schema: 'app', target: { kind: 'schema' }, from: null, to: 'app' }],
  },
  {
    name: 'set_comment on a table, changed',
    from: commented(undefined, 'old'),
    to: commented(undefined, 'new'),
    changes: [{ kind: 'set_comment', schema: 'app', target: { kind: 'table', table: 't' }, from: 'old', to: 'new' }],
  },
  {
    name: 'set_comment on a column, removed',
    from: commented(undefined, undefined, 'gone'),
    to: commented(),
    changes: [
      {
        kind: 'set_comment',
        schema: 'app',
        target: { kind: 'column', table: 't', column: 'c' },
        from: 'gone',
        to: null,
      },
    ],
  },
];

describe('diff', () => {
  describe.each([
    ['enums', enumCases],
    ['sequences', sequenceCases],
    ['functions', functionCases],
    ['comments', commentCases],
  ] as const)('%s', (_family, cases) => {
    it.each(cases)('$name', ({ from, to, changes }) => {
      expect(diff(from, to)).toStrictEqual(changes);
    });
  });
});

// Parameter names are no part of a function's identity: a renamed parameter pairs the two versions.
it.each([
  ['', ''],
  ['a integer', 'integer'],
  ['double precision', 'double precision'],
  ['x double precision, "y, z" timestamp with time zone[]', 'double precision, timestamp with time zone[]'],
  ['VARIADIC parts text[]', 'VARIADIC text[]'],
  ['INOUT n bigint, app."my type"', 'INOUT bigint, app."my type"'],
  ['character varying', 'character varying'],
])('identityTypes(%j)', (args, types) => {
  expect(identityTypes(args)).toBe(types);
});
