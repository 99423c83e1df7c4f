import { describe, expect, it } from 'vitest';
import type { Index } from '../../../src/schema/model/model.js';
import { InvalidModelError } from '../../../src/errors.js';
import { createIndex, dropIndex } from '../../../src/sql/render/index.js';

const ix = (more: Partial<Index> = {}): Index => ({
  kind: 'index',
  name: 'users_email_idx',
  unique: false,
  method: 'btree',
  keys: [{ column: 'email' }],
  ...more,
});

describe('createIndex', () => {
  it.each<[string, string, string]>([
    ['plain', createIndex('app', 'users', ix()), 'CREATE INDEX users_email_idx ON app.users USING btree (email)'],
    [
      'concurrently',
      createIndex('app', 'users', ix(), { concurrently: true }),
      'CREATE INDEX CONCURRENTLY users_email_idx ON app.users USING btree (email)',
    ],
    [
      'not concurrently',
      createIndex('app', 'users', ix(), { concurrently: false, ifNotExists: false }),
      'CREATE INDEX users_email_idx ON app.users USING btree (email)',
    ],
    [
      'unique',
      createIndex('app', 'users', ix({ unique: true })),
      'CREATE UNIQUE INDEX users_email_idx ON app.users USING btree (email)',
    ],
    [
      'unique concurrently nulls not distinct',
      createIndex('app', 'users', ix({ unique: true, nullsNotDistinct: true }), { concurrently: true }),
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON app.users USING btree (email) NULLS NOT DISTINCT',
    ],
    [
      'DESC',
      createIndex('app', 'users', ix({ keys: [{ column: 'created_at', order: 'desc' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (created_at DESC)',
    ],
    [
      'NULLS FIRST on asc',
      createIndex('app', 'users', ix({ keys: [{ column: 'a', nulls: 'first' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (a NULLS FIRST)',
    ],
    [
      'DESC NULLS LAST',
      createIndex('app', 'users', ix({ keys: [{ column: 'a', order: 'desc', nulls: 'last' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (a DESC NULLS LAST)',
    ],
    [
      'opclass',
      createIndex('app', 'users', ix({ keys: [{ column: 'email', opclass: 'text_pattern_ops' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email text_pattern_ops)',
    ],
    [
      'qualified opclass',
      createIndex('app', 'users', ix({ keys: [{ column: 'email', opclass: 'app."My_ops"' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email app."My_ops")',
    ],
    [
      'collation, opclass, order and nulls in SQL order',
      createIndex(
        'app',
        'users',
        ix({
          keys: [{ column: 'email', collation: '"C"', opclass: 'text_pattern_ops', order: 'desc', nulls: 'last' }],
        }),
      ),
      'CREATE INDEX users_email_idx ON app.users USING btree (email COLLATE "C" text_pattern_ops DESC NULLS LAST)',
    ],
    [
      'function expression wrapped once',
      createIndex('app', 'users', ix({ keys: [{ expression: 'lower(email)' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree ((lower(email)))',
    ],
    [
      'operator expression as pg_get_indexdef prints it',
      createIndex('app', 't', ix({ keys: [{ expression: '((a + b))', order: 'desc' }] })),
      'CREATE INDEX users_email_idx ON app.t USING btree ((((a + b))) DESC)',
    ],
    [
      'INCLUDE',
      createIndex('app', 'users', ix({ include: ['name', 'Created At'] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email) INCLUDE (name, "Created At")',
    ],
    [
      'empty INCLUDE left out',
      createIndex('app', 'users', ix({ include: [] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email)',
    ],
    [
      'partial',
      createIndex('app', 'users', ix({ where: '(deleted_at IS NULL)' })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email) WHERE (deleted_at IS NULL)',
    ],
    [
      'gin method, multiple keys',
      createIndex(
        'app',
        'docs',
        ix({ name: 'docs_idx', method: 'gin', keys: [{ column: 'body' }, { column: 'tags', opclass: 'array_ops' }] }),
      ),
      'CREATE INDEX docs_idx ON app.docs USING gin (body, tags array_ops)',
    ],
    [
      'everything',
      createIndex(
        'app',
        'users',
        ix({
          unique: true,
          keys: [{ column: 'tenant' }, { expression: 'lower(email)', order: 'desc' }],
          include: ['id'],
          nullsNotDistinct: true,
          where: '(active AND (NOT deleted))',
        }),
        { concurrently: true },
      ),
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON app.users USING btree (tenant, (lower(email)) DESC) INCLUDE (id) NULLS NOT DISTINCT WHERE (active AND (NOT deleted))',
    ],
    [
      'a bare opclass with odd characters is quoted, not trusted',
      createIndex('app', 'users', ix({ keys: [{ column: 'a', opclass: 'x) WHERE (true' }] })),
      'CREATE INDEX users_email_idx ON app.users USING btree (a "x) WHERE (true")',
    ],
    [
      'invalid index is created normally',
      createIndex('app', 'users', ix({ invalid: true })),
      'CREATE INDEX users_email_idx ON app.users USING btree (email)',
    ],
    [
      'hostile names',
      createIndex(
        'My Schema',
        'order',
        ix({ name: 'ix "1"; drop', keys: [{ column: 'user' }, { column: 'ñandú' }], include: ["it's"] }),
      ),
      `CREATE INDEX "ix ""1""; drop" ON "My Schema"."order" USING btree ("user", "ñandú") INCLUDE ("it's")`,
    ],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });

  it.each<[string, Index]>([
    ['a key with neither column nor expression', ix({ keys: [{}] })],
    ['a key with both', ix({ keys: [{ column: 'a', expression: 'lower(a)' }] })],
    ['no keys', ix({ keys: [] })],
    ['a quoted opclass with SQL after it', ix({ keys: [{ column: 'a', opclass: '"x") WHERE (true' }] })],
  ])('refuses %s', (_, index) => {
    expect(() => createIndex('app', 't', index)).toThrow(InvalidModelError);
  });
});

describe('dropIndex', () => {
  it.each<[string, string, string]>([
    ['plain', dropIndex('app', 'users_email_idx'), 'DROP INDEX app.users_email_idx'],
    [
      'concurrently',
      dropIndex('app', 'users_email_idx', { concurrently: true }),
      'DROP INDEX CONCURRENTLY app.users_email_idx',
    ],
    ['hostile', dropIndex('Tenant 1', 'Index"x'), 'DROP INDEX "Tenant 1"."Index""x"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});
