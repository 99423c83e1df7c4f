// Sequence handlers: exact SQL of every step and of its rollback, owners, hostile names.
import { describe, expect, it } from 'vitest';
import type { DatabaseSchema, Sequence } from '../../../src/schema/model/model.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { col, context, db, keys, schema, sequence, shown, steps, table } from './objects-fixtures.js';

const x = context(db());
const S = 'Seq Ü';
const QS = '"Seq Ü"."the ""one"""';
const hostile = sequence('the "one"', {
  start: '10',
  min: '-5',
  cache: '20',
  cycle: true,
  ownedBy: { table: 'T t', column: 'Id' },
});
const FULL = `AS bigint INCREMENT BY 1 MINVALUE -5 MAXVALUE 9223372036854775807 START WITH 10 CACHE 20 CYCLE`;
const expand = { phase: 'expand', releaseOffset: 0, transactional: true, hazards: [] };

describe('create_sequence', () => {
  it('without an owner: one step', () => {
    const drafts = steps(H.create_sequence, { kind: 'create_sequence', schema: 'app', sequence: sequence('s') }, x);
    expect(drafts.map(shown)).toEqual([
      {
        ...expand,
        action: 'create_sequence',
        sql: 'CREATE SEQUENCE app.s AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE',
        rollback: ['DROP SEQUENCE app.s'],
        lock: 'none',
        lockedTables: [],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({ creates: [key.sequence('app', 's')], requires: [key.schema('app')], drops: [] });
  });

  it('with an owner, hostile names: OWNED BY is a second step that needs the column', () => {
    const drafts = steps(H.create_sequence, { kind: 'create_sequence', schema: S, sequence: hostile }, x);
    expect(drafts.map(shown)).toEqual([
      {
        ...expand,
        action: 'create_sequence',
        sql: `CREATE SEQUENCE ${QS} ${FULL}`,
        rollback: [`DROP SEQUENCE ${QS}`],
        lock: 'none',
        lockedTables: [],
      },
      {
        ...expand,
        action: 'set_sequence_owner',
        sql: `ALTER SEQUENCE ${QS} OWNED BY "Seq Ü"."T t"."Id"`,
        rollback: [`ALTER SEQUENCE ${QS} OWNED BY NONE`],
        lock: 'none',
        lockedTables: [],
      },
    ]);
    expect(drafts[1]!.requires).toEqual([
      key.sequence(S, 'the "one"'),
      key.table(S, 'T t'),
      key.column(S, 'T t', 'Id'),
    ]);
  });
});

describe('drop_sequence', () => {
  const contract = { phase: 'contract', releaseOffset: 1, transactional: true };
  it('without an owner: the value is lost (DELETES_DATA)', () => {
    const drafts = steps(
      H.drop_sequence,
      { kind: 'drop_sequence', schema: 'app', sequence: sequence('s', { type: 'integer', max: '2147483647' }) },
      x,
    );
    expect(drafts.map(shown)).toEqual([
      {
        ...contract,
        action: 'drop_sequence',
        sql: 'DROP SEQUENCE app.s',
        rollback: [
          'CREATE SEQUENCE app.s AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE',
        ],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: [],
        hazards: ['DELETES_DATA'],
      },
    ]);
    expect(drafts[0]!.description).toBe(
      'drop sequence app.s (its current value is lost: the rollback recreates it at its START value)',
    );
    expect(keys(drafts[0]!)).toEqual({ creates: [], requires: [key.schema('app')], drops: [key.sequence('app', 's')] });
  });

  const owned = (target: DatabaseSchema) =>
    steps(H.drop_sequence, { kind: 'drop_sequence', schema: S, sequence: hostile }, context(db(), target));
  it('owned by a column that stays: the rollback restores the owner, so it runs while the owner exists', () => {
    const drafts = owned(db(schema(S, { tables: [table('T t', [col('Id')])] })));
    expect(drafts.map(shown)).toEqual([
      {
        ...contract,
        action: 'drop_sequence',
        sql: `DROP SEQUENCE ${QS}`,
        rollback: [`CREATE SEQUENCE ${QS} ${FULL}`, `ALTER SEQUENCE ${QS} OWNED BY "Seq Ü"."T t"."Id"`],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: [],
        hazards: ['DELETES_DATA'],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [],
      requires: [key.schema(S), key.table(S, 'T t'), key.column(S, 'T t', 'Id')],
      drops: [key.sequence(S, 'the "one"')],
    });
  });

  it('owned by a column dropped by the plan: that drop releases and restores the ownership', () => {
    const drafts = owned(db(schema(S, { tables: [table('T t', [])] })));
    expect(drafts.map((d) => d.rollback)).toEqual([[`CREATE SEQUENCE ${QS} ${FULL}`]]);
    expect(drafts[0]!.requires).toEqual([key.schema(S)]);
  });
});

describe('alter_sequence', () => {
  const base = sequence('s', { type: 'integer', max: '2147483647' });
  const alter = (to: Partial<Sequence>, from: Partial<Sequence> = {}) =>
    steps(
      H.alter_sequence,
      { kind: 'alter_sequence', schema: 'app', from: { ...base, ...from }, to: { ...base, ...to } },
      x,
    );
  it.each([
    { name: 'increment', to: { increment: '5' }, sql: 'INCREMENT BY 5', back: 'INCREMENT BY 1', hazards: [] },
    {
      name: 'cache and cycle',
      to: { cache: '10', cycle: true },
      sql: 'CACHE 10 CYCLE',
      back: 'CACHE 1 NO CYCLE',
      hazards: [],
    },
    { name: 'start', to: { start: '100' }, sql: 'START WITH 100', back: 'START WITH 1', hazards: [] },
    // AS changes bounds that were the type's own, so both are always spelled out.
    {
      name: 'type widened',
      to: { type: 'bigint' as const },
      sql: 'AS bigint MINVALUE 1 MAXVALUE 2147483647',
      back: 'AS integer MINVALUE 1 MAXVALUE 2147483647',
      hazards: [],
    },
    {
      name: 'type narrowed with its bounds: fails if the value is beyond them',
      to: { type: 'smallint' as const, max: '32767' },
      sql: 'AS smallint MINVALUE 1 MAXVALUE 32767',
      back: 'AS integer MINVALUE 1 MAXVALUE 2147483647',
      hazards: ['CORRECTNESS'],
    },
    {
      name: 'negative minimum raised',
      to: { min: '10' },
      from: { min: '-10' },
      sql: 'MINVALUE 10',
      back: 'MINVALUE -10',
      hazards: ['CORRECTNESS'],
    },
    {
      name: 'owner set',
      to: { ownedBy: { table: 'T', column: 'id' } },
      sql: 'OWNED BY app."T".id',
      back: 'OWNED BY NONE',
      hazards: [],
    },
    {
      name: 'owner moved, with another option',
      to: { increment: '2', ownedBy: { table: 't', column: 'b' } },
      from: { ownedBy: { table: 't', column: 'a' } },
      sql: 'INCREMENT BY 2 OWNED BY app.t.b',
      back: 'INCREMENT BY 1 OWNED BY app.t.a',
      hazards: [],
    },
  ])('$name', ({ to, from, sql, back, hazards }) => {
    const drafts = alter(to, from);
    expect(drafts.map(shown)).toEqual([
      {
        ...expand,
        action: 'alter_sequence',
        sql: `ALTER SEQUENCE app.s ${sql}`,
        rollback: [`ALTER SEQUENCE app.s ${back}`],
        lock: 'SHARE ROW EXCLUSIVE',
        lockedTables: [],
        hazards,
      },
    ]);
  });

  // Issue #14: a never-used sequence sits on its old START, which MINVALUE 1000 excluded.
  it('a minimum raised above the old start: an unused sequence is moved to the new start first', () => {
    const drafts = alter({ min: '1000', start: '1000' });
    const unused = (v: string) => `SELECT setval('app.s', ${v}, false) FROM app.s WHERE NOT is_called`;
    expect(drafts.map((d) => [d.action, d.sql, d.rollback])).toEqual([
      ['restart_unused_sequence', unused('1000'), [unused('1')]],
      [
        'alter_sequence',
        'ALTER SEQUENCE app.s MINVALUE 1000 START WITH 1000',
        ['ALTER SEQUENCE app.s MINVALUE 1 START WITH 1'],
      ],
    ]);
  });

  it('a new owner is required to exist first', () => {
    const [d] = alter({ ownedBy: { table: 't', column: 'b' } });
    expect(keys(d!)).toEqual({
      creates: [],
      requires: [key.sequence('app', 's'), key.table('app', 't'), key.column('app', 't', 'b')],
      drops: [],
    });
  });

  it('refuses to render a number that is not an integer', () => {
    expect(() => alter({ increment: '1; DROP TABLE x' })).toThrow(/increment "1; DROP TABLE x" is not an integer/);
  });
});
