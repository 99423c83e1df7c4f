// Constraints, indexes and triggers: adds, drops, VALIDATE, and drop + add of the same name when changed.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../../src/diff/index.js';
import { diff } from '../../../src/diff/index.js';
import type { DatabaseSchema, Table } from '../../../src/schema/model/model.js';
import { app, check, col, fk, idx, notNull, pk, table, trigger, uq } from './fixtures.js';

interface Case {
  readonly name: string;
  readonly from: DatabaseSchema;
  readonly to: DatabaseSchema;
  readonly changes: readonly Change[];
}

const columns = [notNull('id'), col('a'), col('b'), col('parent_id')];
const parent = table('parent', [notNull('id'), notNull('code')], {
  primaryKey: pk('parent_pkey', ['id']),
  unique: [uq('parent_code_key', ['code'])],
});
/** `app.t` with these extras, next to a parent table that foreign keys can point to. */
const t = (extra: Partial<Table> = {}): DatabaseSchema => app(parent, table('t', columns, extra));
const on = { schema: 'app', table: 't' } as const;

const toParent = fk('t_parent_id_fkey', ['parent_id'], 'parent', ['id']);
const positive = check('t_a_check', '(a > 0)');
const byA = idx('t_a_idx', ['a']);

const constraintCases: Case[] = [
  {
    name: 'add_primary_key',
    from: t(),
    to: t({ primaryKey: pk('t_pkey', ['id']) }),
    changes: [{ kind: 'add_primary_key', ...on, primaryKey: pk('t_pkey', ['id']) }],
  },
  {
    name: 'drop_primary_key',
    from: t({ primaryKey: pk('t_pkey', ['id']) }),
    to: t(),
    changes: [{ kind: 'drop_primary_key', ...on, primaryKey: pk('t_pkey', ['id']) }],
  },
  {
    name: 'primary key columns changed: drop, then add',
    from: t({ primaryKey: pk('t_pkey', ['id']) }),
    to: t({ primaryKey: pk('t_pkey', ['id', 'a']) }),
    changes: [
      { kind: 'drop_primary_key', ...on, primaryKey: pk('t_pkey', ['id']) },
      { kind: 'add_primary_key', ...on, primaryKey: pk('t_pkey', ['id', 'a']) },
    ],
  },
  {
    name: 'primary key renamed: the old one is dropped first, whatever the names sort like',
    from: t({ primaryKey: pk('z_pkey', ['id']) }),
    to: t({ primaryKey: pk('a_pkey', ['id']) }),
    changes: [
      { kind: 'drop_primary_key', ...on, primaryKey: pk('z_pkey', ['id']) },
      { kind: 'add_primary_key', ...on, primaryKey: pk('a_pkey', ['id']) },
    ],
  },
  {
    name: 'add_unique',
    from: t(),
    to: t({ unique: [uq('t_a_key', ['a'])] }),
    changes: [{ kind: 'add_unique', ...on, unique: uq('t_a_key', ['a']) }],
  },
  {
    name: 'drop_unique',
    from: t({ unique: [uq('t_a_key', ['a'])] }),
    to: t(),
    changes: [{ kind: 'drop_unique', ...on, unique: uq('t_a_key', ['a']) }],
  },
  {
    name: 'unique columns changed: drop + add of the same name',
    from: t({ unique: [uq('t_a_key', ['a'])] }),
    to: t({ unique: [uq('t_a_key', ['a', 'b'])] }),
    changes: [
      { kind: 'drop_unique', ...on, unique: uq('t_a_key', ['a']) },
      { kind: 'add_unique', ...on, unique: uq('t_a_key', ['a', 'b']) },
    ],
  },
  {
    name: 'add_foreign_key',
    from: t(),
    to: t({ foreignKeys: [toParent] }),
    changes: [{ kind: 'add_foreign_key', ...on, foreignKey: toParent }],
  },
  {
    name: 'drop_foreign_key',
    from: t({ foreignKeys: [toParent] }),
    to: t(),
    changes: [{ kind: 'drop_foreign_key', ...on, foreignKey: toParent }],
  },
  {
    name: 'validate_foreign_key: NOT VALID in the source, valid in the target',
    from: t({ foreignKeys: [{ ...toParent, notValid: true }] }),
    to: t({ foreignKeys: [toParent] }),
    changes: [{ kind: 'validate_foreign_key', ...on, foreignKey: toParent }],
  },
  {
    name: 'foreign key NOT VALID and changed otherwise: drop + add, not validate',
    from: t({ foreignKeys: [{ ...toParent, notValid: true }] }),
    to: t({ foreignKeys: [{ ...toParent, onDelete: 'cascade' }] }),
    changes: [
      { kind: 'drop_foreign_key', ...on, foreignKey: { ...toParent, notValid: true } },
      { kind: 'add_foreign_key', ...on, foreignKey: { ...toParent, onDelete: 'cascade' } },
    ],
  },
  {
    name: 'foreign key action changed: drop + add of the same name',
    from: t({ foreignKeys: [toParent] }),
    to: t({ foreignKeys: [{ ...toParent, onDelete: 'set null' }] }),
    changes: [
      { kind: 'drop_foreign_key', ...on, foreignKey: toParent },
      { kind: 'add_foreign_key', ...on, foreignKey: { ...toParent, onDelete: 'set null' } },
    ],
  },
  {
    name: 'foreign key valid in the source but NOT VALID in the target: drop + add (structures must end equal)',
    from: t({ foreignKeys: [toParent] }),
    to: t({ foreignKeys: [{ ...toParent, notValid: true }] }),
    changes: [
      { kind: 'drop_foreign_key', ...on, foreignKey: toParent },
      { kind: 'add_foreign_key', ...on, foreignKey: { ...toParent, notValid: true } },
    ],
  },
  {
    name: 'add_check',
    from: t(),
    to: t({ checks: [positive] }),
    changes: [{ kind: 'add_check', ...on, check: positive }],
  },
  {
    name: 'drop_check',
    from: t({ checks: [positive] }),
    to: t(),
    changes: [{ kind: 'drop_check', ...on, check: positive }],
  },
  {
    name: 'validate_check',
    from: t({ checks: [{ ...positive, notValid: true }] }),
    to: t({ checks: [positive] }),
    changes: [{ kind: 'validate_check', ...on, check: positive }],
  },
  {
    name: 'check expression changed: drop + add of the same name',
    from: t({ checks: [positive] }),
    to: t({ checks: [check('t_a_check', '(a >= 0)')] }),
    changes: [
      { kind: 'drop_check', ...on, check: positive },
      { kind: 'add_check', ...on, check: check('t_a_check', '(a >= 0)') },
    ],
  },
];

const indexCases: Case[] = [
  { name: 'add_index', from: t(), to: t({ indexes: [byA] }), changes: [{ kind: 'add_index', ...on, index: byA }] },
  { name: 'drop_index', from: t({ indexes: [byA] }), to: t(), changes: [{ kind: 'drop_index', ...on, index: byA }] },
  {
    name: 'index definition changed: drop + add of the same name',
    from: t({ indexes: [byA] }),
    to: t({ indexes: [idx('t_a_idx', ['a'], { where: '(b IS NOT NULL)' })] }),
    changes: [
      { kind: 'drop_index', ...on, index: byA },
      { kind: 'add_index', ...on, index: idx('t_a_idx', ['a'], { where: '(b IS NOT NULL)' }) },
    ],
  },
  {
    name: 'invalid index in the source (failed concurrent build): drop + rebuild',
    from: t({ indexes: [{ ...byA, invalid: true }] }),
    to: t({ indexes: [byA] }),
    changes: [
      { kind: 'drop_index', ...on, index: { ...byA, invalid: true } },
      { kind: 'add_index', ...on, index: byA },
    ],
  },
  {
    name: 'index comment alone: set_comment, no rebuild',
    from: t({ indexes: [byA] }),
    to: t({ indexes: [{ ...byA, comment: 'hot path' }] }),
    changes: [
      {
        kind: 'set_comment',
        schema: 'app',
        target: { kind: 'index', table: 't', index: 't_a_idx' },
        from: null,
        to: 'hot path',
      },
    ],
  },
  {
    name: 'index rebuilt with a new comment: the add carries it, no set_comment',
    from: t({ indexes: [byA] }),
    to: t({ indexes: [{ ...byA, unique: true, comment: 'hot path' }] }),
    changes: [
      { kind: 'drop_index', ...on, index: byA },
      { kind: 'add_index', ...on, index: { ...byA, unique: true, comment: 'hot path' } },
    ],
  },
];

const touch = trigger('t_touch');
const triggerCases: Case[] = [
  {
    name: 'create_trigger',
    from: t(),
    to: t({ triggers: [touch] }),
    changes: [{ kind: 'create_trigger', ...on, trigger: touch }],
  },
  {
    name: 'drop_trigger',
    from: t({ triggers: [touch] }),
    to: t(),
    changes: [{ kind: 'drop_trigger', ...on, trigger: touch }],
  },
  {
    name: 'enable_trigger: only the enabled mode differs',
    from: t({ triggers: [touch] }),
    to: t({ triggers: [{ ...touch, enabled: 'always' }] }),
    changes: [
      { kind: 'enable_trigger', ...on, trigger: { ...touch, enabled: 'always' }, from: 'origin', to: 'always' },
    ],
  },
  {
    name: 'trigger events changed: drop + create of the same name',
    from: t({ triggers: [touch] }),
    to: t({ triggers: [{ ...touch, events: ['update'] }] }),
    changes: [
      { kind: 'drop_trigger', ...on, trigger: touch },
      { kind: 'create_trigger', ...on, trigger: { ...touch, events: ['update'] } },
    ],
  },
  {
    name: 'trigger changed in mode and function: drop + create (the new one carries the mode)',
    from: t({ triggers: [touch] }),
    to: t({ triggers: [{ ...touch, enabled: 'always', function: { schema: 'app', name: 'sync' } }] }),
    changes: [
      { kind: 'drop_trigger', ...on, trigger: touch },
      {
        kind: 'create_trigger',
        ...on,
        trigger: { ...touch, enabled: 'always', function: { schema: 'app', name: 'sync' } },
      },
    ],
  },
];

describe('diff', () => {
  describe.each([
    ['constraints', constraintCases],
    ['indexes', indexCases],
    ['triggers', triggerCases],
  ] as const)('%s', (_family, cases) => {
    it.each(cases)('$name', ({ from, to, changes }) => {
      expect(diff(from, to)).toStrictEqual(changes);
    });
  });
});
