import { describe, expect, it } from 'vitest';
import type { Sequence } from '../../../src/schema/model/model.js';
import { InvalidModelError } from '../../../src/errors.js';
import {
  addEnumValue,
  alterSequenceOwnedBy,
  createEnum,
  createSequence,
  dropSequence,
  dropType,
} from '../../../src/sql/render/index.js';

const seq = (more: Partial<Sequence> = {}): Sequence => ({
  kind: 'sequence',
  name: 'order_seq',
  type: 'bigint',
  start: '1',
  increment: '1',
  min: '1',
  max: '9223372036854775807',
  cache: '1',
  cycle: false,
  ...more,
});

describe('enums', () => {
  it.each<[string, string, string]>([
    [
      'createEnum',
      createEnum('app', { kind: 'enum', name: 'status', values: ['active', 'closed'] }),
      "CREATE TYPE app.status AS ENUM ('active', 'closed')",
    ],
    [
      'createEnum empty',
      createEnum('app', { kind: 'enum', name: 'nothing', values: [] }),
      'CREATE TYPE app.nothing AS ENUM ()',
    ],
    [
      'createEnum hostile',
      createEnum('My Schema', { kind: 'enum', name: 'Mood', values: ["it's", 'a"b', 'x; DROP', 'ñ', ''] }),
      `CREATE TYPE "My Schema"."Mood" AS ENUM ('it''s', 'a"b', 'x; DROP', 'ñ', '')`,
    ],
    [
      'addEnumValue at the end',
      addEnumValue('app', 'status', 'archived'),
      "ALTER TYPE app.status ADD VALUE 'archived'",
    ],
    [
      'addEnumValue before',
      addEnumValue('app', 'status', 'pending', { before: 'active' }),
      "ALTER TYPE app.status ADD VALUE 'pending' BEFORE 'active'",
    ],
    [
      'addEnumValue after',
      addEnumValue('app', 'status', 'paused', { after: 'active' }),
      "ALTER TYPE app.status ADD VALUE 'paused' AFTER 'active'",
    ],
    [
      'addEnumValue hostile',
      addEnumValue('app', 'user', "o'clock", { after: "it's" }),
      `ALTER TYPE app."user" ADD VALUE 'o''clock' AFTER 'it''s'`,
    ],
    ['dropType', dropType('app', 'status'), 'DROP TYPE app.status'],
    ['dropType hostile', dropType('App', 'order'), 'DROP TYPE "App"."order"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});

describe('sequences', () => {
  it.each<[string, string, string]>([
    [
      'createSequence',
      createSequence('app', seq()),
      'CREATE SEQUENCE app.order_seq AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE',
    ],
    [
      'createSequence descending, cycling, hostile name',
      createSequence(
        'Tenant 1',
        seq({
          name: 'Order Seq',
          type: 'smallint',
          start: '-1',
          increment: '-1',
          min: '-32768',
          max: '-1',
          cache: '20',
          cycle: true,
        }),
      ),
      'CREATE SEQUENCE "Tenant 1"."Order Seq" AS smallint INCREMENT BY -1 MINVALUE -32768 MAXVALUE -1 START WITH -1 CACHE 20 CYCLE',
    ],
    [
      'OWNED BY',
      alterSequenceOwnedBy('app', 'order_seq', { table: 'orders', column: 'n' }),
      'ALTER SEQUENCE app.order_seq OWNED BY app.orders.n',
    ],
    [
      'OWNED BY hostile',
      alterSequenceOwnedBy('My S', 'seq', { table: 'order', column: 'User' }),
      'ALTER SEQUENCE "My S".seq OWNED BY "My S"."order"."User"',
    ],
    ['OWNED BY NONE', alterSequenceOwnedBy('app', 'order_seq', null), 'ALTER SEQUENCE app.order_seq OWNED BY NONE'],
    ['dropSequence', dropSequence('app', 'order_seq'), 'DROP SEQUENCE app.order_seq'],
    ['dropSequence hostile', dropSequence('app', 'a;b'), 'DROP SEQUENCE app."a;b"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });

  it('createSequence leaves OWNED BY to alterSequenceOwnedBy (the column does not exist yet)', () => {
    expect(createSequence('app', seq({ ownedBy: { table: 'orders', column: 'n' } }))).toBe(
      createSequence('app', seq()),
    );
  });

  it.each(['start', 'increment', 'min', 'max', 'cache'] as const)('refuses a non-integer %s', (field) => {
    expect(() => createSequence('app', seq({ [field]: '1; DROP TABLE x' }))).toThrow(InvalidModelError);
    expect(() => createSequence('app', seq({ [field]: '1.5' }))).toThrow(/not an integer/);
  });
});
