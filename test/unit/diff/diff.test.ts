// One row per change kind for schemas, tables and columns: model fragments in, the exact changes out.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/diff/index.js';
import { diff } from '../../../src/diff/index.js';
import type { Column, DatabaseSchema } from '../../../src/schema/model/model.js';
import { app, col, db, fk, idx, notNull, schema, table, trigger, users } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly from: DatabaseSchema;
  readonly to: DatabaseSchema;
  readonly changes: readonly Change[];
}

/** The table `app.t` with these columns. */
const t = (...columns: Column[]): DatabaseSchema => app(table('t', columns));
const on = { schema: 'app', table: 't' } as const;

const schemaCases: Case[] = [
  {
    name: 'create_schema, with its comment',
    from: db(),
    to: db(schema('app', { comment: 'hi' })),
    changes: [{ kind: 'create_schema', schema: 'app', comment: 'hi' }],
  },
  {
    name: 'drop_schema, with its comment for the rollback',
    from: db(schema('app', { comment: 'hi' })),
    to: db(),
    changes: [{ kind: 'drop_schema', schema: 'app', comment: 'hi' }],
  },
  {
    name: 'a new schema brings one change per object in it',
    from: db(),
    to: app(users),
    changes: [
      { kind: 'create_schema', schema: 'app' },
      { kind: 'add_table', schema: 'app', table: 'users', definition: users },
    ],
  },
  {
    name: 'a dropped schema drops each object in it',
    from: app(users),
    to: db(),
    changes: [
      { kind: 'drop_schema', schema: 'app' },
      { kind: 'drop_table', schema: 'app', table: 'users', definition: users },
    ],
  },
];

const parent = table('parent', [notNull('id')]);
const child = table('child', [notNull('id'), col('parent_id')], {
  indexes: [idx('child_parent_id_idx', ['parent_id'])],
  foreignKeys: [fk('child_parent_id_fkey', ['parent_id'], 'parent', ['id'])],
  triggers: [trigger('child_touch')],
  comment: 'kids',
});
const childDefinition = { ...child, indexes: [], foreignKeys: [], triggers: [] };

const tableCases: Case[] = [
  {
    name: 'add_table carries the CREATE TABLE part; indexes, foreign keys and triggers are changes of their own',
    from: app(parent),
    to: app(child, parent),
    changes: [
      { kind: 'add_table', schema: 'app', table: 'child', definition: childDefinition },
      { kind: 'add_foreign_key', schema: 'app', table: 'child', foreignKey: child.foreignKeys[0]! },
      { kind: 'add_index', schema: 'app', table: 'child', index: child.indexes[0]! },
      { kind: 'create_trigger', schema: 'app', table: 'child', trigger: child.triggers[0]! },
    ],
  },
  {
    name: 'drop_table carries the source table; its indexes, foreign keys and triggers are dropped one by one',
    from: app(child, parent),
    to: app(parent),
    changes: [
      { kind: 'drop_table', schema: 'app', table: 'child', definition: childDefinition },
      { kind: 'drop_foreign_key', schema: 'app', table: 'child', foreignKey: child.foreignKeys[0]! },
      { kind: 'drop_index', schema: 'app', table: 'child', index: child.indexes[0]! },
      { kind: 'drop_trigger', schema: 'app', table: 'child', trigger: child.triggers[0]! },
    ],
  },
  {
    name: 'add_table keeps the declared column order',
    from: db(schema('app')),
    to: app(table('t', [col('z'), col('a')])),
    changes: [{ kind: 'add_table', ...on, definition: table('t', [col('z'), col('a')]) }],
  },
];

const id = notNull('id');
const columnCases: Case[] = [
  {
    name: 'add_column',
    from: t(id),
    to: t(id, col('note', 'text')),
    changes: [{ kind: 'add_column', ...on, column: col('note', 'text') }],
  },
  {
    name: 'add_column NOT NULL carries its backfill hint on the column',
    from: t(id),
    to: t(id, notNull('n', 'integer', { backfill: 'id * 2' })),
    changes: [{ kind: 'add_column', ...on, column: notNull('n', 'integer', { backfill: 'id * 2' }) }],
  },
  {
    name: 'add_column: several, in the declared order',
    from: t(id),
    to: t(col('z'), id, col('a')),
    changes: [
      { kind: 'add_column', ...on, column: col('z') },
      { kind: 'add_column', ...on, column: col('a') },
    ],
  },
  {
    name: 'drop_column carries the source column',
    from: t(id, col('old', 'text', { default: "'x'::text" })),
    to: t(id),
    changes: [{ kind: 'drop_column', ...on, column: col('old', 'text', { default: "'x'::text" }) }],
  },
  {
    name: 'reordered columns are no change',
    from: t(id, col('a'), col('b')),
    to: t(col('b'), id, col('a')),
    changes: [],
  },
  {
    name: 'alter_column_type without hints: no using, a rewrite',
    from: t(col('n')),
    to: t(col('n', 'bigint')),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: col('n', 'bigint'),
        previous: col('n'),
        from: 'integer',
        to: 'bigint',
        binaryCoercible: false,
      },
    ],
  },
  {
    name: 'alter_column_type with up and down hints',
    from: t(col('price', 'text')),
    to: t(col('price', 'numeric(12,2)', { up: 'price::numeric(12,2)', down: 'price::text' })),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: col('price', 'numeric(12,2)', { up: 'price::numeric(12,2)', down: 'price::text' }),
        previous: col('price', 'text'),
        from: 'text',
        to: 'numeric(12,2)',
        using: 'price::numeric(12,2)',
        down: 'price::text',
        binaryCoercible: false,
      },
    ],
  },
  {
    name: 'alter_column_type, binary-coercible',
    from: t(col('s', 'character varying(20)')),
    to: t(col('s', 'text')),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: col('s', 'text'),
        previous: col('s', 'character varying(20)'),
        from: 'character varying(20)',
        to: 'text',
        binaryCoercible: true,
      },
    ],
  },
  {
    name: 'alter_column_type: an up expression rewrites even between coercible types',
    from: t(col('s', 'character varying(20)')),
    to: t(col('s', 'text', { up: 'lower(s)' })),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: col('s', 'text', { up: 'lower(s)' }),
        previous: col('s', 'character varying(20)'),
        from: 'character varying(20)',
        to: 'text',
        using: 'lower(s)',
        binaryCoercible: false,
      },
    ],
  },
  {
    name: 'alter_column_type covers a collation change with it (no alter_collation)',
    from: t(col('s', 'character varying(20)')),
    to: t(col('s', 'text', { collation: '"C"' })),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: col('s', 'text', { collation: '"C"' }),
        previous: col('s', 'character varying(20)'),
        from: 'character varying(20)',
        to: 'text',
        binaryCoercible: true,
      },
    ],
  },
  {
    name: 'up/down hints on an unchanged type are no change (already applied)',
    from: t(col('s', 'text')),
    to: t(col('s', 'text', { up: 'lower(s)', down: 's' })),
    changes: [],
  },
  {
    name: 'alter_collation',
    from: t(col('s', 'text')),
    to: t(col('s', 'text', { collation: '"C"' })),
    changes: [{ kind: 'alter_collation', ...on, column: col('s', 'text', { collation: '"C"' }), to: '"C"' }],
  },
  {
    name: 'alter_collation back to the default',
    from: t(col('s', 'text', { collation: '"C"' })),
    to: t(col('s', 'text')),
    changes: [{ kind: 'alter_collation', ...on, column: col('s', 'text'), from: '"C"' }],
  },
  {
    name: 'alter_generated: expression changed',
    from: t(col('a'), col('g', 'integer', { generated: '(a * 2)' })),
    to: t(col('a'), col('g', 'integer', { generated: '(a * 3)' })),
    changes: [
      {
        kind: 'alter_generated',
        ...on,
        column: col('g', 'integer', { generated: '(a * 3)' }),
        previous: col('g', 'integer', { generated: '(a * 2)' }),
        from: '(a * 2)',
        to: '(a * 3)',
      },
    ],
  },
  {
    name: 'alter_generated: becomes a plain column',
    from: t(col('g', 'integer', { generated: '(1 + 1)' })),
    to: t(col('g')),
    changes: [
      {
        kind: 'alter_generated',
        ...on,
        column: col('g'),
        previous: col('g', 'integer', { generated: '(1 + 1)' }),
        from: '(1 + 1)',
      },
    ],
  },
  {
    name: 'set_default: new',
    from: t(col('n')),
    to: t(col('n', 'integer', { default: '0' })),
    changes: [{ kind: 'set_default', ...on, column: col('n', 'integer', { default: '0' }), to: '0' }],
  },
  {
    name: 'set_default: changed',
    from: t(col('n', 'integer', { default: '0' })),
    to: t(col('n', 'integer', { default: '1' })),
    changes: [{ kind: 'set_default', ...on, column: col('n', 'integer', { default: '1' }), from: '0', to: '1' }],
  },
  {
    name: 'drop_default',
    from: t(col('n', 'integer', { default: '0' })),
    to: t(col('n')),
    changes: [{ kind: 'drop_default', ...on, column: col('n'), from: '0' }],
  },
  {
    name: 'set_identity: added',
    from: t(notNull('id')),
    to: t(notNull('id', 'integer', { identity: 'by default' })),
    changes: [
      { kind: 'set_identity', ...on, column: notNull('id', 'integer', { identity: 'by default' }), to: 'by default' },
    ],
  },
  {
    name: 'set_identity: changed',
    from: t(notNull('id', 'integer', { identity: 'by default' })),
    to: t(notNull('id', 'integer', { identity: 'always' })),
    changes: [
      {
        kind: 'set_identity',
        ...on,
        column: notNull('id', 'integer', { identity: 'always' }),
        from: 'by default',
        to: 'always',
      },
    ],
  },
  {
    name: 'drop_identity',
    from: t(notNull('id', 'integer', { identity: 'always' })),
    to: t(notNull('id')),
    changes: [{ kind: 'drop_identity', ...on, column: notNull('id'), from: 'always' }],
  },
  {
    name: 'serial to identity: the default goes before the identity comes',
    from: t(notNull('id', 'integer', { default: "nextval('app.t_id_seq'::regclass)" })),
    to: t(notNull('id', 'integer', { identity: 'always' })),
    changes: [
      {
        kind: 'drop_default',
        ...on,
        column: notNull('id', 'integer', { identity: 'always' }),
        from: "nextval('app.t_id_seq'::regclass)",
      },
      { kind: 'set_identity', ...on, column: notNull('id', 'integer', { identity: 'always' }), to: 'always' },
    ],
  },
  {
    name: 'set_not_null without backfill',
    from: t(col('n')),
    to: t(notNull('n')),
    changes: [{ kind: 'set_not_null', ...on, column: notNull('n') }],
  },
  {
    name: 'set_not_null carries the backfill hint',
    from: t(col('n')),
    to: t(notNull('n', 'integer', { backfill: '0' })),
    changes: [{ kind: 'set_not_null', ...on, column: notNull('n', 'integer', { backfill: '0' }), backfill: '0' }],
  },
  {
    name: 'a backfill hint on a column already NOT NULL is no change',
    from: t(notNull('n')),
    to: t(notNull('n', 'integer', { backfill: '0' })),
    changes: [],
  },
  {
    name: 'drop_not_null',
    from: t(notNull('n')),
    to: t(col('n')),
    changes: [{ kind: 'drop_not_null', ...on, column: col('n') }],
  },
  {
    name: 'several changes of one column, in a fixed order',
    from: t(col('n', 'integer', { default: '0' })),
    to: t(notNull('n', 'bigint', { default: '1' })),
    changes: [
      {
        kind: 'alter_column_type',
        ...on,
        column: notNull('n', 'bigint', { default: '1' }),
        previous: col('n', 'integer', { default: '0' }),
        from: 'integer',
        to: 'bigint',
        binaryCoercible: false,
      },
      { kind: 'set_default', ...on, column: notNull('n', 'bigint', { default: '1' }), from: '0', to: '1' },
      { kind: 'set_not_null', ...on, column: notNull('n', 'bigint', { default: '1' }) },
    ],
  },
];

describe('diff', () => {
  describe.each([
    ['schemas', schemaCases],
    ['tables', tableCases],
    ['columns', columnCases],
  ] as const)('%s', (_family, cases) => {
    it.each(cases)('$name', ({ from, to, changes }) => {
      expect(diff(from, to)).toStrictEqual(changes);
    });
  });
});
