import { describe, expect, it } from 'vitest';
import type { Function, Trigger, TriggerEnabled } from '../../../src/schema/model/model.js';
import { InvalidModelError } from '../../../src/errors.js';
import {
  comment,
  createFunction,
  createSchema,
  createTrigger,
  dropFunction,
  dropSchema,
  dropTrigger,
  enableTrigger,
  type CommentTarget,
} from '../../../src/sql/render/index.js';

const tr = (more: Partial<Trigger> = {}): Trigger => ({
  kind: 'trigger',
  name: 'users_sync',
  timing: 'before',
  events: ['insert', 'update'],
  forEach: 'row',
  function: { schema: 'app', name: 'users_sync_fn' },
  enabled: 'origin',
  ...more,
});

describe('triggers', () => {
  it('refuses to replace a constraint trigger in place', () => {
    expect(() => createTrigger('app', 'users', tr({ timing: 'after', constraint: true }), { orReplace: true })).toThrow(
      InvalidModelError,
    );
  });

  it.each<[string, string, string]>([
    [
      'before insert or update',
      createTrigger('app', 'users', tr()),
      'CREATE TRIGGER users_sync BEFORE INSERT OR UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'after delete, statement',
      createTrigger('app', 'users', tr({ timing: 'after', events: ['delete', 'truncate'], forEach: 'statement' })),
      'CREATE TRIGGER users_sync AFTER DELETE OR TRUNCATE ON app.users FOR EACH STATEMENT EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'instead of',
      createTrigger('app', 'v', tr({ timing: 'instead of', events: ['insert'] })),
      'CREATE TRIGGER users_sync INSTEAD OF INSERT ON app.v FOR EACH ROW EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'WHEN, wrapped once',
      createTrigger('app', 'users', tr({ events: ['update'], when: '(old.email IS DISTINCT FROM new.email)' })),
      'CREATE TRIGGER users_sync BEFORE UPDATE ON app.users FOR EACH ROW WHEN ((old.email IS DISTINCT FROM new.email)) EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'hostile names, function in another schema',
      createTrigger('My Schema', 'order', tr({ name: 'Sync "1"', function: { schema: 'ñ', name: 'user' } })),
      'CREATE TRIGGER "Sync ""1""" BEFORE INSERT OR UPDATE ON "My Schema"."order" FOR EACH ROW EXECUTE FUNCTION "ñ"."user"()',
    ],
    [
      'arguments as literals, UPDATE OF columns',
      createTrigger(
        'app',
        'users',
        tr({ timing: 'after', events: ['insert', 'update'], columns: ['email', 'Name'], args: ["it's", '', '\\x'] }),
      ),
      `CREATE TRIGGER users_sync AFTER INSERT OR UPDATE OF email, "Name" ON app.users FOR EACH ROW EXECUTE FUNCTION app.users_sync_fn('it''s', '', '\\x')`,
    ],
    [
      'REFERENCING transition tables',
      createTrigger(
        'app',
        'users',
        tr({ timing: 'after', events: ['update'], forEach: 'statement', oldTable: 'old rows', newTable: 'new_rows' }),
      ),
      'CREATE TRIGGER users_sync AFTER UPDATE ON app.users REFERENCING OLD TABLE AS "old rows" NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'a constraint trigger, not deferrable',
      createTrigger('app', 'users', tr({ timing: 'after', events: ['insert'], constraint: true })),
      'CREATE CONSTRAINT TRIGGER users_sync AFTER INSERT ON app.users NOT DEFERRABLE FOR EACH ROW EXECUTE FUNCTION app.users_sync_fn()',
    ],
    [
      'a constraint trigger, deferrable initially deferred',
      createTrigger(
        'app',
        'users',
        tr({ timing: 'after', events: ['insert'], constraint: true, deferrable: true, initiallyDeferred: true }),
      ),
      'CREATE CONSTRAINT TRIGGER users_sync AFTER INSERT ON app.users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.users_sync_fn()',
    ],
    ['dropTrigger', dropTrigger('app', 'users', 'users_sync'), 'DROP TRIGGER users_sync ON app.users'],
    ['dropTrigger hostile', dropTrigger('app', 'order', "it's"), `DROP TRIGGER "it's" ON app."order"`],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });

  it.each<[TriggerEnabled, string]>([
    ['origin', 'ALTER TABLE app.users ENABLE TRIGGER users_sync'],
    ['always', 'ALTER TABLE app.users ENABLE ALWAYS TRIGGER users_sync'],
    ['replica', 'ALTER TABLE app.users ENABLE REPLICA TRIGGER users_sync'],
    ['disabled', 'ALTER TABLE app.users DISABLE TRIGGER users_sync'],
  ])('enableTrigger %s', (mode, sql) => {
    expect(enableTrigger('app', 'users', 'users_sync', mode)).toBe(sql);
  });

  it('enableTrigger quotes', () => {
    expect(enableTrigger('S', 'user', 'a;b', 'always')).toBe('ALTER TABLE "S"."user" ENABLE ALWAYS TRIGGER "a;b"');
  });

  it('refuses a trigger without events', () => {
    expect(() => createTrigger('app', 'users', tr({ events: [] }))).toThrow(InvalidModelError);
  });
});

describe('functions', () => {
  const def =
    'CREATE OR REPLACE FUNCTION app.f()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$begin return new; end$function$\n';
  const fn = (definition: string): Function => ({ kind: 'function', name: 'f', args: '', definition });
  it.each<[string, string, string]>([
    ['as pg_get_functiondef prints it', createFunction(fn(def)), def.trimEnd()],
    [
      'trailing semicolon removed',
      createFunction(fn('CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS $$select 1;$$;\n')),
      'CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS $$select 1;$$',
    ],
    [
      'BEGIN ATOMIC body keeps its inner semicolons',
      createFunction(fn('create function app.one() returns int begin atomic select 1; end;')),
      'create function app.one() returns int begin atomic select 1; end',
    ],
    ['dropFunction', dropFunction('app', 'f', ''), 'DROP FUNCTION app.f()'],
    ['dropFunction with args', dropFunction('app', 'f', 'a integer, b text'), 'DROP FUNCTION app.f(a integer, b text)'],
    ['dropFunction hostile', dropFunction('My S', 'User Fn', 'integer'), 'DROP FUNCTION "My S"."User Fn"(integer)'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });

  it('refuses a definition that is not a CREATE FUNCTION statement', () => {
    expect(() => createFunction(fn('begin return new; end'))).toThrow(InvalidModelError);
    expect(() => createFunction(fn('DROP TABLE x'))).toThrow(/not a CREATE \[OR REPLACE\] FUNCTION/);
  });
});

describe('comments and schemas', () => {
  it.each<[string, CommentTarget, string | null, string]>([
    ['schema', { kind: 'schema', schema: 'app' }, 'Application', "COMMENT ON SCHEMA app IS 'Application'"],
    ['table', { kind: 'table', schema: 'app', table: 'users' }, 'People', "COMMENT ON TABLE app.users IS 'People'"],
    [
      'column',
      { kind: 'column', schema: 'app', table: 'users', column: 'email' },
      'Login',
      "COMMENT ON COLUMN app.users.email IS 'Login'",
    ],
    [
      'index',
      { kind: 'index', schema: 'app', name: 'users_email_idx' },
      'Lookup',
      "COMMENT ON INDEX app.users_email_idx IS 'Lookup'",
    ],
    ['type', { kind: 'type', schema: 'app', name: 'status' }, 'States', "COMMENT ON TYPE app.status IS 'States'"],
    [
      'sequence',
      { kind: 'sequence', schema: 'app', name: 'order_seq' },
      'Numbers',
      "COMMENT ON SEQUENCE app.order_seq IS 'Numbers'",
    ],
    [
      'constraint',
      { kind: 'constraint', schema: 'app', table: 'users', name: 'users_pkey' },
      'Key',
      "COMMENT ON CONSTRAINT users_pkey ON app.users IS 'Key'",
    ],
    ['removal', { kind: 'table', schema: 'app', table: 'users' }, null, 'COMMENT ON TABLE app.users IS NULL'],
    ['empty text', { kind: 'table', schema: 'app', table: 'users' }, '', "COMMENT ON TABLE app.users IS ''"],
    [
      'hostile names and text',
      { kind: 'column', schema: 'My Schema', table: 'order', column: 'user' },
      'it\'s; DROP TABLE x; -- ñ \\ "q"\nline 2',
      `COMMENT ON COLUMN "My Schema"."order"."user" IS 'it''s; DROP TABLE x; -- ñ \\ "q"\nline 2'`,
    ],
    [
      'hostile constraint',
      { kind: 'constraint', schema: 'S', table: 'T', name: 'a"b' },
      'x',
      `COMMENT ON CONSTRAINT "a""b" ON "S"."T" IS 'x'`,
    ],
  ])('%s', (_, target, text, sql) => {
    expect(comment(target, text)).toBe(sql);
  });

  it.each<[string, string, string]>([
    ['createSchema', createSchema('app'), 'CREATE SCHEMA app'],
    ['createSchema hostile', createSchema('Tenant 1; x'), 'CREATE SCHEMA "Tenant 1; x"'],
    ['createSchema keyword', createSchema('user'), 'CREATE SCHEMA "user"'],
    ['dropSchema, never CASCADE', dropSchema('app'), 'DROP SCHEMA app'],
    ['dropSchema hostile', dropSchema('ñ'), 'DROP SCHEMA "ñ"'],
  ])('%s', (_, actual, sql) => {
    expect(actual).toBe(sql);
  });
});
