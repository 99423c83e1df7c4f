import { describe, expect, it } from 'vitest';
import type { Check, FkAction, ForeignKey, UniqueConstraint } from '../../../src/schema/model/model.js';
import {
  addCheck,
  addForeignKey,
  addPrimaryKey,
  addUnique,
  dropConstraint,
  validateConstraint,
} from '../../../src/sql/render/index.js';

const fk = (more: Partial<ForeignKey> = {}): ForeignKey => ({
  kind: 'foreign_key',
  name: 'orders_user_fk',
  columns: ['user_id'],
  references: { schema: 'app', table: 'users', columns: ['id'] },
  onDelete: 'no action',
  onUpdate: 'no action',
  match: 'simple',
  deferrable: false,
  initiallyDeferred: false,
  ...more,
});
const uq = (more: Partial<UniqueConstraint> = {}): UniqueConstraint => ({
  kind: 'unique',
  name: 'users_email_key',
  columns: ['email'],
  ...more,
});
const ck = (more: Partial<Check> = {}): Check => ({
  kind: 'check',
  name: 'users_email_check',
  expression: "(email ~ '@'::text)",
  ...more,
});

describe('addPrimaryKey / addUnique', () => {
  it.each<[string, string, string]>([
    [
      'primary key',
      addPrimaryKey('app', 'users', { kind: 'primary_key', name: 'users_pkey', columns: ['id'] }),
      'ALTER TABLE app.users ADD CONSTRAINT users_pkey PRIMARY KEY (id)',
    ],
    [
      'composite primary key, hostile names',
      addPrimaryKey('My Schema', 'order', { kind: 'primary_key', name: 'Order PK', columns: ['user', 'a"b'] }),
      'ALTER TABLE "My Schema"."order" ADD CONSTRAINT "Order PK" PRIMARY KEY ("user", "a""b")',
    ],
    [
      'primary key USING INDEX',
      addPrimaryKey(
        'app',
        'users',
        { kind: 'primary_key', name: 'users_pkey', columns: ['id'] },
        { usingIndex: 'users_id_idx' },
      ),
      'ALTER TABLE app.users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx',
    ],
    ['unique', addUnique('app', 'users', uq()), 'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email)'],
    [
      'unique composite',
      addUnique('app', 'users', uq({ columns: ['tenant', 'email'] })),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (tenant, email)',
    ],
    [
      'unique nulls not distinct',
      addUnique('app', 'users', uq({ nullsNotDistinct: true })),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT (email)',
    ],
    [
      'unique deferrable',
      addUnique('app', 'users', uq({ deferrable: true })),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email) DEFERRABLE',
    ],
    [
      'unique deferrable initially deferred',
      addUnique('app', 'users', uq({ deferrable: true, initiallyDeferred: true })),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE (email) DEFERRABLE INITIALLY DEFERRED',
    ],
    [
      'unique USING INDEX',
      addUnique('app', 'users', uq(), { usingIndex: 'users_email_idx' }),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx',
    ],
    [
      'unique USING INDEX keeps the deferral, leaves NULLS NOT DISTINCT to the index',
      addUnique('app', 'users', uq({ nullsNotDistinct: true, deferrable: true, initiallyDeferred: true }), {
        usingIndex: 'Email IDX',
      }),
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX "Email IDX" DEFERRABLE INITIALLY DEFERRED',
    ],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});

describe('addForeignKey', () => {
  const base = 'ALTER TABLE app.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES app.users (id)';
  it.each<[string, string, string]>([
    ['defaults left out', addForeignKey('app', 'orders', fk()), base],
    ['NOT VALID on request', addForeignKey('app', 'orders', fk(), { notValid: true }), `${base} NOT VALID`],
    ['NOT VALID from the model', addForeignKey('app', 'orders', fk({ notValid: true })), `${base} NOT VALID`],
    ['option overrides the model', addForeignKey('app', 'orders', fk({ notValid: true }), { notValid: false }), base],
    ['MATCH FULL', addForeignKey('app', 'orders', fk({ match: 'full' })), `${base} MATCH FULL`],
    ['deferrable', addForeignKey('app', 'orders', fk({ deferrable: true })), `${base} DEFERRABLE`],
    [
      'initially deferred',
      addForeignKey('app', 'orders', fk({ deferrable: true, initiallyDeferred: true })),
      `${base} DEFERRABLE INITIALLY DEFERRED`,
    ],
    [
      'everything, in pg_get_constraintdef order',
      addForeignKey(
        'app',
        'orders',
        fk({ match: 'full', onUpdate: 'cascade', onDelete: 'set null', deferrable: true, initiallyDeferred: true }),
        { notValid: true },
      ),
      `${base} MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED NOT VALID`,
    ],
    [
      'composite, cross-schema, hostile names',
      addForeignKey(
        'Tenant 1',
        'order',
        fk({
          name: 'fk;x',
          columns: ['user', 'Org'],
          references: { schema: 'ñ', table: "it's", columns: ['id', 'a"b'] },
        }),
      ),
      `ALTER TABLE "Tenant 1"."order" ADD CONSTRAINT "fk;x" FOREIGN KEY ("user", "Org") REFERENCES "ñ"."it's" (id, "a""b")`,
    ],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });

  it.each<[FkAction, string]>([
    ['no action', ''],
    ['restrict', ' RESTRICT'],
    ['cascade', ' CASCADE'],
    ['set null', ' SET NULL'],
    ['set default', ' SET DEFAULT'],
  ])('actions: %s', (a, sql) => {
    const onDelete = sql === '' ? '' : ` ON DELETE${sql}`;
    const onUpdate = sql === '' ? '' : ` ON UPDATE${sql}`;
    expect(addForeignKey('app', 'orders', fk({ onDelete: a }))).toBe(base + onDelete);
    expect(addForeignKey('app', 'orders', fk({ onUpdate: a }))).toBe(base + onUpdate);
  });
});

describe('checks and other constraint statements', () => {
  it.each<[string, string, string]>([
    [
      'check',
      addCheck('app', 'users', ck()),
      `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK ((email ~ '@'::text))`,
    ],
    [
      'check NOT VALID on request',
      addCheck('app', 'users', ck(), { notValid: true }),
      `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK ((email ~ '@'::text)) NOT VALID`,
    ],
    [
      'check NOT VALID from the model',
      addCheck('app', 'users', ck({ notValid: true })),
      `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK ((email ~ '@'::text)) NOT VALID`,
    ],
    [
      'option overrides the model',
      addCheck('app', 'users', ck({ notValid: true }), { notValid: false }),
      `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK ((email ~ '@'::text))`,
    ],
    [
      'check NO INHERIT',
      addCheck('app', 'users', ck({ noInherit: true })),
      `ALTER TABLE app.users ADD CONSTRAINT users_email_check CHECK ((email ~ '@'::text)) NO INHERIT`,
    ],
    [
      'check NO INHERIT NOT VALID, hostile name',
      addCheck(
        'app',
        'user',
        ck({ name: 'Email "ok"', expression: '("user" IS NOT NULL)', noInherit: true, notValid: true }),
      ),
      'ALTER TABLE app."user" ADD CONSTRAINT "Email ""ok""" CHECK (("user" IS NOT NULL)) NO INHERIT NOT VALID',
    ],
    [
      'validateConstraint',
      validateConstraint('app', 'orders', 'orders_user_fk'),
      'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_user_fk',
    ],
    [
      'validateConstraint hostile',
      validateConstraint('app', 'order', "it's; x"),
      `ALTER TABLE app."order" VALIDATE CONSTRAINT "it's; x"`,
    ],
    [
      'dropConstraint, never CASCADE',
      dropConstraint('app', 'orders', 'orders_user_fk'),
      'ALTER TABLE app.orders DROP CONSTRAINT orders_user_fk',
    ],
    ['dropConstraint hostile', dropConstraint('Ñ', 'T', 'Check'), 'ALTER TABLE "Ñ"."T" DROP CONSTRAINT "Check"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});
