// renamedFrom hints: when they are renames, what else is diffed against the renamed object, and when they are
// ignored (the rename is done, or it points at nothing).
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/diff/index.js';
import { diff } from '../../../src/diff/index.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { app, check, col, db, fk, idx, notNull, pk, schema, sequence, table, trigger, uq } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly from: DatabaseSchema;
  readonly to: DatabaseSchema;
  readonly changes: readonly Change[];
}

const people = table('people', [notNull('id'), col('name', 'text')], { primaryKey: pk('people_pkey', ['id']) });
const on = (table: string) => ({ schema: 'app', table }) as const;

const tableCases: Case[] = [
  {
    name: 'rename_table',
    from: app(people),
    to: app({ ...people, name: 'persons', renamedFrom: 'people' }),
    changes: [{ kind: 'rename_table', ...on('persons'), from: 'people', to: 'persons' }],
  },
  {
    name: 'rename_table with other changes: they are diffed against the old table, under the new name',
    from: app(people),
    to: app({ ...people, name: 'persons', renamedFrom: 'people', columns: [...people.columns, col('age')] }),
    changes: [
      { kind: 'rename_table', ...on('persons'), from: 'people', to: 'persons' },
      { kind: 'add_column', ...on('persons'), column: col('age') },
    ],
  },
  {
    name: 'foreign keys pointing at a renamed table follow it: no change',
    from: app(
      people,
      table('pets', [col('owner')], { foreignKeys: [fk('pets_owner_fkey', ['owner'], 'people', ['id'])] }),
    ),
    to: app(
      { ...people, name: 'persons', renamedFrom: 'people' },
      table('pets', [col('owner')], { foreignKeys: [fk('pets_owner_fkey', ['owner'], 'persons', ['id'])] }),
    ),
    changes: [{ kind: 'rename_table', ...on('persons'), from: 'people', to: 'persons' }],
  },
  {
    name: 'rename already done (new name in the source): no change',
    from: app(people),
    to: app({ ...people, renamedFrom: 'humans' }),
    changes: [],
  },
  {
    name: 'rename already done, old name recreated in the source: the hint is ignored, the stray table dropped',
    from: app(people, table('humans', [col('x')])),
    to: app({ ...people, renamedFrom: 'humans' }),
    changes: [{ kind: 'drop_table', ...on('humans'), definition: table('humans', [col('x')]) }],
  },
  {
    name: 'renamedFrom pointing at nothing: a new table, the hint dropped',
    from: db(schema('app')),
    to: app({ ...people, renamedFrom: 'nobody' }),
    changes: [{ kind: 'add_table', ...on('people'), definition: people }],
  },
  {
    name: 'renamedFrom an old name the target still declares: not a rename',
    from: app(people),
    to: app(people, table('persons', [col('x')], { renamedFrom: 'people' })),
    changes: [{ kind: 'add_table', ...on('persons'), definition: table('persons', [col('x')]) }],
  },
  {
    name: 'two tables claiming one old name: the first by name gets it',
    from: app(people),
    to: app(
      { ...people, name: 'b_persons', renamedFrom: 'people' },
      { ...people, name: 'c_persons', renamedFrom: 'people', primaryKey: pk('c_pkey', ['id']) },
    ),
    changes: [
      { kind: 'rename_table', ...on('b_persons'), from: 'people', to: 'b_persons' },
      {
        kind: 'add_table',
        ...on('c_persons'),
        definition: { ...people, name: 'c_persons', primaryKey: pk('c_pkey', ['id']) },
      },
    ],
  },
];

const t = (...columns: Parameters<typeof table>[1]) => app(table('t', columns));
const tWith = (columns: Parameters<typeof table>[1], extra: Parameters<typeof table>[2]) =>
  app(table('t', columns, extra));
const columnCases: Case[] = [
  {
    name: 'rename_column',
    from: t(col('mail', 'text')),
    to: t(col('email', 'text', { renamedFrom: 'mail' })),
    changes: [{ kind: 'rename_column', ...on('t'), column: col('email', 'text'), from: 'mail', to: 'email' }],
  },
  {
    name: 'rename_column carries the up/down hints; a type change follows under the new name',
    from: t(col('cents')),
    to: t(
      col('amount', 'numeric(12,2)', { renamedFrom: 'cents', up: 'cents / 100.0', down: '(amount * 100)::integer' }),
    ),
    changes: [
      {
        kind: 'rename_column',
        ...on('t'),
        column: col('amount', 'numeric(12,2)', { up: 'cents / 100.0', down: '(amount * 100)::integer' }),
        from: 'cents',
        to: 'amount',
      },
      {
        kind: 'alter_column_type',
        ...on('t'),
        column: col('amount', 'numeric(12,2)', { up: 'cents / 100.0', down: '(amount * 100)::integer' }),
        previous: col('amount'),
        from: 'integer',
        to: 'numeric(12,2)',
        using: 'cents / 100.0',
        down: '(amount * 100)::integer',
        binaryCoercible: false,
      },
    ],
  },
  {
    name: 'column rename already done: no change',
    from: t(col('email', 'text')),
    to: t(col('email', 'text', { renamedFrom: 'mail' })),
    changes: [],
  },
  {
    name: 'column renamedFrom pointing at nothing: add_column without the hint',
    from: t(col('id')),
    to: t(col('id'), col('email', 'text', { renamedFrom: 'mail' })),
    changes: [{ kind: 'add_column', ...on('t'), column: col('email', 'text') }],
  },
  {
    name: 'keys, indexes, checks and triggers on a renamed column follow it: only the rename',
    from: tWith([notNull('mail', 'text')], {
      primaryKey: pk('t_pkey', ['mail']),
      unique: [uq('t_mail_key', ['mail'])],
      checks: [check('t_mail_check', "(mail <> ''::text)")],
      indexes: [
        idx('t_lower_idx', [], {
          keys: [{ expression: 'lower(mail)' }],
          include: ['mail'],
          where: '(mail IS NOT NULL)',
        }),
      ],
      triggers: [trigger('t_touch', { when: '(new.mail IS DISTINCT FROM old.mail)' })],
    }),
    to: tWith([notNull('email', 'text', { renamedFrom: 'mail' })], {
      primaryKey: pk('t_pkey', ['email']),
      unique: [uq('t_mail_key', ['email'])],
      checks: [check('t_mail_check', "(email <> ''::text)")],
      indexes: [
        idx('t_lower_idx', [], {
          keys: [{ expression: 'lower(email)' }],
          include: ['email'],
          where: '(email IS NOT NULL)',
        }),
      ],
      triggers: [trigger('t_touch', { when: '(new.email IS DISTINCT FROM old.email)' })],
    }),
    changes: [{ kind: 'rename_column', ...on('t'), column: notNull('email', 'text'), from: 'mail', to: 'email' }],
  },
  {
    name: 'a check on a renamed column that also changed: drop + add under the new name',
    from: tWith([col('n')], { checks: [check('t_n_check', '(n > 0)')] }),
    to: tWith([col('m', 'integer', { renamedFrom: 'n' })], { checks: [check('t_n_check', '(m > 1)')] }),
    changes: [
      { kind: 'rename_column', ...on('t'), column: col('m'), from: 'n', to: 'm' },
      { kind: 'drop_check', ...on('t'), check: check('t_n_check', '(m > 0)') },
      { kind: 'add_check', ...on('t'), check: check('t_n_check', '(m > 1)') },
    ],
  },
  {
    name: 'a table and its columns renamed, referenced from another table and a sequence: only the renames',
    from: db(
      schema('app', {
        sequences: [sequence('people_id_seq', { ownedBy: { table: 'people', column: 'id' } })],
        tables: [
          people,
          table('pets', [col('owner')], { foreignKeys: [fk('pets_owner_fkey', ['owner'], 'people', ['id'])] }),
        ],
      }),
    ),
    to: db(
      schema('app', {
        sequences: [sequence('people_id_seq', { ownedBy: { table: 'persons', column: 'person_id' } })],
        tables: [
          table('persons', [notNull('person_id', 'integer', { renamedFrom: 'id' }), col('name', 'text')], {
            renamedFrom: 'people',
            primaryKey: pk('people_pkey', ['person_id']),
          }),
          table('pets', [col('owner')], { foreignKeys: [fk('pets_owner_fkey', ['owner'], 'persons', ['person_id'])] }),
        ],
      }),
    ),
    changes: [
      { kind: 'rename_table', ...on('persons'), from: 'people', to: 'persons' },
      { kind: 'rename_column', ...on('persons'), column: notNull('person_id'), from: 'id', to: 'person_id' },
    ],
  },
];

describe('diff with rename hints', () => {
  describe.each([
    ['tables', tableCases],
    ['columns', columnCases],
  ] as const)('%s', (_family, cases) => {
    it.each(cases)('$name', ({ from, to, changes }) => {
      expect(diff(from, to)).toStrictEqual(changes);
    });
  });
});
