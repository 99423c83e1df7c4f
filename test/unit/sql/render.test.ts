import { describe, expect, it } from 'vitest';
import {
  emptySchema,
  emptyTable,
  type Column,
  type DatabaseSchema,
  type ForeignKey,
  type Table,
} from '../../../src/schema/model/model.js';
import { createTable, dropTable, renameTable, renderDatabase } from '../../../src/sql/render/index.js';

const col = (name: string, type: string, more: Partial<Column> = {}): Column => ({
  kind: 'column',
  name,
  type,
  nullable: true,
  ...more,
});
const fk = (
  name: string,
  columns: string[],
  schema: string,
  table: string,
  refColumns: string[],
  more: Partial<ForeignKey> = {},
): ForeignKey => ({
  kind: 'foreign_key',
  name,
  columns,
  references: { schema, table, columns: refColumns },
  onDelete: 'no action',
  onUpdate: 'no action',
  match: 'simple',
  deferrable: false,
  initiallyDeferred: false,
  ...more,
});

const orders: Table = {
  ...emptyTable('order', [
    col('id', 'bigint', { nullable: false, identity: 'always' }),
    col('user', 'bigint'),
    col('Total', 'numeric(12,2)', { default: '0' }),
  ]),
  primaryKey: { kind: 'primary_key', name: 'order_pkey', columns: ['id'] },
  unique: [
    {
      kind: 'unique',
      name: 'order_user_key',
      columns: ['user'],
      nullsNotDistinct: true,
      deferrable: true,
      initiallyDeferred: true,
    },
  ],
  checks: [
    { kind: 'check', name: 'total_positive', expression: '("Total" >= (0)::numeric)' },
    { kind: 'check', name: 'user_set', expression: '("user" IS NOT NULL)', notValid: true },
  ],
  foreignKeys: [
    fk('order_user_fk', ['user'], 'app', 'users', ['id']),
    fk('order_late_fk', ['user'], 'app', 'users', ['id'], { notValid: true }),
  ],
};

describe('createTable', () => {
  it('renders columns, then primary key, unique and valid checks, one per line', () => {
    expect(createTable('My Schema', orders)).toBe(
      [
        'CREATE TABLE "My Schema"."order" (',
        '  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,',
        '  "user" bigint,',
        '  "Total" numeric(12,2) DEFAULT 0,',
        '  CONSTRAINT order_pkey PRIMARY KEY (id),',
        '  CONSTRAINT order_user_key UNIQUE NULLS NOT DISTINCT ("user") DEFERRABLE INITIALLY DEFERRED,',
        '  CONSTRAINT total_positive CHECK (("Total" >= (0)::numeric))',
        ')',
      ].join('\n'),
    );
  });

  it('inlines valid foreign keys on request, never NOT VALID ones', () => {
    expect(createTable('app', orders, { foreignKeys: true }).split('\n').slice(-3)).toEqual([
      '  CONSTRAINT total_positive CHECK (("Total" >= (0)::numeric)),',
      '  CONSTRAINT order_user_fk FOREIGN KEY ("user") REFERENCES app.users (id)',
      ')',
    ]);
  });

  it.each<[string, string, string]>([
    ['no columns', createTable('app', emptyTable('t')), 'CREATE TABLE app.t ()'],
    [
      'NO INHERIT check',
      createTable('app', {
        ...emptyTable('t', [col('a', 'int')]),
        checks: [{ kind: 'check', name: 'c', expression: '(a > 0)', noInherit: true }],
      }),
      'CREATE TABLE app.t (\n  a int,\n  CONSTRAINT c CHECK ((a > 0)) NO INHERIT\n)',
    ],
    [
      'hostile names',
      createTable('x; DROP', emptyTable("it's ñ", [col('a"b', 'text')])),
      `CREATE TABLE "x; DROP"."it's ñ" (\n  "a""b" text\n)`,
    ],
    ['renameTable', renameTable('app', 'users', 'people'), 'ALTER TABLE app.users RENAME TO people'],
    ['renameTable hostile', renameTable('app', 'user', 'Order'), 'ALTER TABLE app."user" RENAME TO "Order"'],
    ['dropTable, never CASCADE', dropTable('app', 'users'), 'DROP TABLE app.users'],
    ['dropTable hostile', dropTable('My S', 'a;b'), 'DROP TABLE "My S"."a;b"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});

describe('renderDatabase', () => {
  const users: Table = {
    ...emptyTable('users', [
      col('id', 'bigint', { nullable: false, default: "nextval('app.users_id_seq'::regclass)", comment: 'Key' }),
      col('email', 'text'),
    ]),
    primaryKey: { kind: 'primary_key', name: 'users_pkey', columns: ['id'] },
    indexes: [
      {
        kind: 'index',
        name: 'users_email_idx',
        unique: true,
        method: 'btree',
        keys: [{ column: 'email' }],
        comment: 'Login',
      },
    ],
    triggers: [
      {
        kind: 'trigger',
        name: 'b_plain',
        timing: 'after',
        events: ['insert'],
        forEach: 'row',
        function: { schema: 'app', name: 'touch' },
        enabled: 'origin',
      },
      {
        kind: 'trigger',
        name: 'a_sync',
        timing: 'before',
        events: ['update'],
        forEach: 'row',
        function: { schema: 'app', name: 'touch' },
        enabled: 'always',
      },
    ],
    foreignKeys: [fk('users_self_fk', ['id'], 'app', 'users', ['id'])],
    comment: 'People',
  };
  const app = {
    ...emptySchema('app'),
    comment: 'Application',
    enums: [{ kind: 'enum' as const, name: 'status', values: ['on', 'off'], comment: 'States' }],
    sequences: [
      {
        kind: 'sequence' as const,
        name: 'users_id_seq',
        type: 'bigint' as const,
        start: '1',
        increment: '1',
        min: '1',
        max: '100',
        cache: '1',
        cycle: false,
        ownedBy: { table: 'users', column: 'id' },
      },
    ],
    functions: [
      {
        kind: 'function' as const,
        name: 'touch',
        args: '',
        definition:
          'CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$begin return new; end$$\n',
      },
    ],
    tables: [users, orders],
  };
  const db: DatabaseSchema = { schemas: [app, emptySchema('public')] };

  it('orders the whole script by phase, each phase across every schema', () => {
    expect(renderDatabase(db)).toEqual([
      'CREATE SCHEMA app',
      "COMMENT ON SCHEMA app IS 'Application'",
      "CREATE TYPE app.status AS ENUM ('on', 'off')",
      'CREATE SEQUENCE app.users_id_seq AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 100 START WITH 1 CACHE 1 NO CYCLE',
      'CREATE OR REPLACE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$begin return new; end$$',
      createTable('app', orders),
      createTable('app', users),
      'ALTER SEQUENCE app.users_id_seq OWNED BY app.users.id',
      'ALTER TABLE app."order" ADD CONSTRAINT user_set CHECK (("user" IS NOT NULL)) NOT VALID',
      'CREATE UNIQUE INDEX users_email_idx ON app.users USING btree (email)',
      'ALTER TABLE app."order" ADD CONSTRAINT order_late_fk FOREIGN KEY ("user") REFERENCES app.users (id) NOT VALID',
      'ALTER TABLE app."order" ADD CONSTRAINT order_user_fk FOREIGN KEY ("user") REFERENCES app.users (id)',
      'ALTER TABLE app.users ADD CONSTRAINT users_self_fk FOREIGN KEY (id) REFERENCES app.users (id)',
      'CREATE TRIGGER a_sync BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
      'ALTER TABLE app.users ENABLE ALWAYS TRIGGER a_sync',
      'CREATE TRIGGER b_plain AFTER INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch()',
      "COMMENT ON TYPE app.status IS 'States'",
      "COMMENT ON TABLE app.users IS 'People'",
      "COMMENT ON COLUMN app.users.id IS 'Key'",
      "COMMENT ON INDEX app.users_email_idx IS 'Login'",
    ]);
  });

  it('is deterministic: input order does not matter', () => {
    const shuffled: DatabaseSchema = {
      schemas: [
        emptySchema('public'),
        {
          ...app,
          tables: [orders, { ...users, triggers: [...users.triggers].reverse(), foreignKeys: [...users.foreignKeys] }],
        },
      ],
    };
    expect(renderDatabase(shuffled)).toEqual(renderDatabase(db));
  });

  it('leaves public and its built-in comment alone when it has no declared comment', () => {
    expect(renderDatabase({ schemas: [emptySchema('public')] })).toEqual([]);
  });

  it('keeps a comment on public and does not create it', () => {
    expect(renderDatabase({ schemas: [{ ...emptySchema('public'), comment: 'Main' }] })).toEqual([
      "COMMENT ON SCHEMA public IS 'Main'",
    ]);
  });

  it('gives nothing for an empty declaration and never ends a statement with a semicolon', () => {
    expect(renderDatabase({ schemas: [] })).toEqual([]);
    expect(renderDatabase(db).filter((s) => s.trimEnd().endsWith(';'))).toEqual([]);
  });
});
