import { describe, expect, it } from 'vitest';
import type { Schema } from '../../../src/schema/model/model.js';
import type { Step } from '../../../src/planner/types.js';
import {
  bodyMentions,
  renameSchemaInModel,
  renameSchemaInSql,
  retargetRefusal,
  retargetStep,
  touchesSchema,
} from '../../../src/tenants/rename.js';
import { tokenize } from '../../../src/tenants/sql-lexer.js';

const T = 'tenant_template';
const HOSTILE = `it's; drop "x" y`;
const Q = `"it's; drop ""x"" y"`;

describe('renameSchemaInSql', () => {
  it.each<[string, string, string, string, string]>([
    ['bare qualifier', 'SELECT * FROM tenant_template.orders', T, 'tenant_acme', 'SELECT * FROM tenant_acme.orders'],
    [
      'quoted qualifier',
      'SELECT * FROM "tenant_template"."Orders"',
      T,
      'tenant_acme',
      'SELECT * FROM tenant_acme."Orders"',
    ],
    [
      'upper-case bare name folds',
      'SELECT * FROM TENANT_TEMPLATE.orders',
      T,
      'tenant_acme',
      'SELECT * FROM tenant_acme.orders',
    ],
    [
      'upper-case quoted name is another schema',
      'SELECT * FROM "TENANT_TEMPLATE".orders',
      T,
      'tenant_acme',
      'SELECT * FROM "TENANT_TEMPLATE".orders',
    ],
    [
      'whitespace and a comment before the dot',
      'SELECT tenant_template /* x */ . orders',
      T,
      'b',
      'SELECT b /* x */ . orders',
    ],
    [
      'from needs quotes',
      'ALTER TABLE "Tenant Template".orders ADD COLUMN n int',
      'Tenant Template',
      'tenant_acme',
      'ALTER TABLE tenant_acme.orders ADD COLUMN n int',
    ],
    [
      'bare spelling of a from needing quotes',
      'SELECT * FROM Tenant.orders',
      'Tenant',
      'b',
      'SELECT * FROM Tenant.orders',
    ],
    [
      'hostile to',
      'ALTER TABLE tenant_template.orders ADD COLUMN n int',
      T,
      HOSTILE,
      `ALTER TABLE ${Q}.orders ADD COLUMN n int`,
    ],
    ['keyword to is quoted', 'DROP TABLE tenant_template.orders', T, 'user', 'DROP TABLE "user".orders'],
    [
      'other schema untouched',
      'INSERT INTO central.log SELECT * FROM tenant_template.orders',
      T,
      'b',
      'INSERT INTO central.log SELECT * FROM b.orders',
    ],
    [
      'longer names untouched',
      'SELECT * FROM tenant_templates.orders, my_tenant_template.x',
      T,
      'b',
      'SELECT * FROM tenant_templates.orders, my_tenant_template.x',
    ],
    [
      'column named like the schema',
      'ALTER TABLE tenant_template.t ADD COLUMN tenant_template text',
      T,
      'b',
      'ALTER TABLE b.t ADD COLUMN tenant_template text',
    ],
    [
      'table named like the schema after a dot',
      'SELECT central.tenant_template.id FROM central.tenant_template',
      T,
      'b',
      'SELECT central.tenant_template.id FROM central.tenant_template',
    ],
    [
      'string constant untouched',
      "SELECT 'tenant_template.orders', tenant_template.f()",
      T,
      'b',
      "SELECT 'tenant_template.orders', b.f()",
    ],
    [
      'doubled quote in a string',
      "SELECT 'it''s tenant_template.x' || tenant_template.f()",
      T,
      'b',
      "SELECT 'it''s tenant_template.x' || b.f()",
    ],
    [
      'E string with escaped quote',
      "SELECT E'\\' tenant_template.x', tenant_template.f()",
      T,
      'b',
      "SELECT E'\\' tenant_template.x', b.f()",
    ],
    ['E string ending in a backslash', "SELECT E'a\\\\', tenant_template.f()", T, 'b', "SELECT E'a\\\\', b.f()"],
    ['U& string', "SELECT U&'tenant_template.x', tenant_template.f()", T, 'b', "SELECT U&'tenant_template.x', b.f()"],
    [
      'function body untouched',
      'CREATE FUNCTION h() AS $$ BEGIN PERFORM tenant_template.f(); END $$; SELECT tenant_template.g()',
      T,
      'b',
      'CREATE FUNCTION h() AS $$ BEGIN PERFORM tenant_template.f(); END $$; SELECT b.g()',
    ],
    [
      'tagged dollar body holding $$',
      'SELECT $q$ $$ tenant_template.x $$ $q$, tenant_template.y',
      T,
      'b',
      'SELECT $q$ $$ tenant_template.x $$ $q$, b.y',
    ],
    [
      '$1 is a parameter, not a dollar quote',
      'SELECT tenant_template.f($1, $2) FROM tenant_template.t',
      T,
      'b',
      'SELECT b.f($1, $2) FROM b.t',
    ],
    [
      '$ inside an identifier',
      'SELECT a$b$ FROM tenant_template.t, x$ WHERE tenant_template.ok',
      T,
      'b',
      'SELECT a$b$ FROM b.t, x$ WHERE b.ok',
    ],
    [
      'line comment untouched',
      'SELECT 1 -- tenant_template.x\nFROM tenant_template.t',
      T,
      'b',
      'SELECT 1 -- tenant_template.x\nFROM b.t',
    ],
    [
      'nested block comment untouched',
      'SELECT /* a /* tenant_template.x */ tenant_template.y */ tenant_template.z',
      T,
      'b',
      'SELECT /* a /* tenant_template.x */ tenant_template.y */ b.z',
    ],
    ['numbers', 'SELECT 1.5, .5e3, 0x1F FROM tenant_template.t', T, 'b', 'SELECT 1.5, .5e3, 0x1F FROM b.t'],
    [
      'nextval regclass',
      "nextval('tenant_template.orders_id_seq'::regclass)",
      T,
      'tenant_acme',
      "nextval('tenant_acme.orders_id_seq'::regclass)",
    ],
    [
      'quoted name in a regclass literal',
      `nextval('"tenant_template".seq'::regclass)`,
      T,
      'tenant_acme',
      "nextval('tenant_acme.seq'::regclass)",
    ],
    [
      'regclass literal for a hostile to',
      "nextval('tenant_template.orders_id_seq'::regclass)",
      T,
      HOSTILE,
      `nextval('"it''s; drop ""x"" y".orders_id_seq'::regclass)`,
    ],
    [
      'regclass literal from a hostile from',
      `nextval('"it''s; drop ""x"" y".seq'::regclass)`,
      HOSTILE,
      T,
      "nextval('tenant_template.seq'::regclass)",
    ],
    [
      'pg_catalog.regclass',
      "SELECT 'tenant_template.t'::pg_catalog.regclass",
      T,
      'b',
      "SELECT 'b.t'::pg_catalog.regclass",
    ],
    [
      'regprocedure with argument types',
      "SELECT 'tenant_template.f(tenant_template.mood)'::regprocedure",
      T,
      'b',
      "SELECT 'b.f(b.mood)'::regprocedure",
    ],
    ['regtype', "SELECT 'tenant_template.mood[]'::regtype", T, 'b', "SELECT 'b.mood[]'::regtype"],
    [
      'regnamespace',
      "SELECT 'tenant_template'::regnamespace, 'central'::regnamespace",
      T,
      HOSTILE,
      `SELECT '"it''s; drop ""x"" y"'::regnamespace, 'central'::regnamespace`,
    ],
    [
      'other casts of a literal untouched',
      "SELECT 'tenant_template.x'::text, 'tenant_template'::regrole",
      T,
      'b',
      "SELECT 'tenant_template.x'::text, 'tenant_template'::regrole",
    ],
    [
      'other schema in a regclass literal',
      "nextval('central.seq'::regclass)",
      T,
      'b',
      "nextval('central.seq'::regclass)",
    ],
    ['enum cast', "'ok'::tenant_template.mood", T, HOSTILE, `'ok'::${Q}.mood`],
    ['CREATE SCHEMA', 'CREATE SCHEMA tenant_template', T, HOSTILE, `CREATE SCHEMA ${Q}`],
    [
      'CREATE SCHEMA IF NOT EXISTS',
      'CREATE SCHEMA IF NOT EXISTS tenant_template AUTHORIZATION app',
      T,
      'b',
      'CREATE SCHEMA IF NOT EXISTS b AUTHORIZATION app',
    ],
    [
      'DROP SCHEMA IF EXISTS, in a list',
      'DROP SCHEMA IF EXISTS central, tenant_template CASCADE',
      T,
      'b',
      'DROP SCHEMA IF EXISTS central, b CASCADE',
    ],
    [
      'COMMENT ON SCHEMA',
      "COMMENT ON SCHEMA tenant_template IS 'tenant_template schema'",
      T,
      'b',
      "COMMENT ON SCHEMA b IS 'tenant_template schema'",
    ],
    ['ALTER SCHEMA', 'ALTER SCHEMA tenant_template OWNER TO app', T, 'b', 'ALTER SCHEMA b OWNER TO app'],
    ['SET SCHEMA', 'ALTER TABLE central.t SET SCHEMA tenant_template', T, 'b', 'ALTER TABLE central.t SET SCHEMA b'],
    ['GRANT ON SCHEMA', 'GRANT USAGE ON SCHEMA tenant_template TO app', T, 'b', 'GRANT USAGE ON SCHEMA b TO app'],
    [
      'a name after a column named schema',
      'SELECT schema, tenant_template FROM t',
      T,
      'b',
      'SELECT schema, tenant_template FROM t',
    ],
    [
      'SET search_path',
      "SET search_path TO tenant_template, public; SET search_path = 'tenant_template'",
      T,
      HOSTILE,
      `SET search_path TO ${Q}, public; SET search_path = 'it''s; drop "x" y'`,
    ],
    ['SET LOCAL search_path', 'SET LOCAL search_path TO "tenant_template"', T, 'b', 'SET LOCAL search_path TO b'],
    [
      'search_path read, not set',
      "SELECT current_setting('search_path'), 'tenant_template'",
      T,
      'b',
      "SELECT current_setting('search_path'), 'tenant_template'",
    ],
    ['same names', 'SELECT tenant_template.x', T, T, 'SELECT tenant_template.x'],
    [
      'DO block statements',
      'DO $sy$\nBEGIN\n  LOCK TABLE tenant_template.t IN ACCESS EXCLUSIVE MODE;\nEND\n$sy$',
      T,
      'b',
      'DO $sy$\nBEGIN\n  LOCK TABLE b.t IN ACCESS EXCLUSIVE MODE;\nEND\n$sy$',
    ],
    [
      'DO LANGUAGE block statements',
      "do language plpgsql $$ BEGIN RAISE NOTICE 'tenant_template.t'; DROP TABLE tenant_template.t; END $$",
      T,
      HOSTILE,
      `do language plpgsql $$ BEGIN RAISE NOTICE 'tenant_template.t'; DROP TABLE ${Q}.t; END $$`,
    ],
    [
      'DO block whose new name holds its tag',
      'DO $sy$ BEGIN DROP TABLE tenant_template.t; END $sy$',
      T,
      'a$sy$b',
      'DO $sy0$ BEGIN DROP TABLE "a$sy$b".t; END $sy0$',
    ],
    [
      'a column named schema before a column named like the template',
      'CREATE TABLE tenant_template.t (schema text, tenant_template int)',
      T,
      'b',
      'CREATE TABLE b.t (schema text, tenant_template int)',
    ],
    [
      'GRANT ... IN SCHEMA list',
      'GRANT SELECT ON ALL TABLES IN SCHEMA central, tenant_template TO app',
      T,
      'b',
      'GRANT SELECT ON ALL TABLES IN SCHEMA central, b TO app',
    ],
    [
      'function body not renamed',
      'CREATE FUNCTION tenant_template.f() AS $$ SELECT tenant_template.g() $$',
      T,
      'b',
      'CREATE FUNCTION b.f() AS $$ SELECT tenant_template.g() $$',
    ],
    // The parse tree makes CAST(x AS regclass) the same node as x::regclass, so its literal is renamed the same way.
    [
      'CAST of a literal AS regclass',
      "SELECT CAST('tenant_template.s' AS regclass), CAST('central.s' AS pg_catalog.regclass)",
      T,
      HOSTILE,
      `SELECT CAST('"it''s; drop ""x"" y".s' AS regclass), CAST('central.s' AS pg_catalog.regclass)`,
    ],
    [
      'quoted template name everywhere',
      'SELECT "tenant_template".f() FROM "tenant_template"."T" WHERE x = \'ok\'::"tenant_template".mood',
      T,
      'b',
      'SELECT b.f() FROM b."T" WHERE x = \'ok\'::b.mood',
    ],
    [
      'columns named like the schema',
      'INSERT INTO tenant_template.t (tenant_template) SELECT tenant_template FROM central.u ORDER BY tenant_template',
      T,
      'b',
      'INSERT INTO b.t (tenant_template) SELECT tenant_template FROM central.u ORDER BY tenant_template',
    ],
    [
      'a string that is data is kept',
      "UPDATE tenant_template.t SET note = 'tenant_template.x' WHERE f(E'tenant_template')",
      T,
      'b',
      "UPDATE b.t SET note = 'tenant_template.x' WHERE f(E'tenant_template')",
    ],
    [
      'OWNED BY schema.table.column',
      'ALTER SEQUENCE tenant_template.s OWNED BY tenant_template.t.tenant_template',
      T,
      'b',
      'ALTER SEQUENCE b.s OWNED BY b.t.tenant_template',
    ],
    [
      'publication of the schema',
      'CREATE PUBLICATION p FOR TABLES IN SCHEMA tenant_template, central',
      T,
      'b',
      'CREATE PUBLICATION p FOR TABLES IN SCHEMA b, central',
    ],
    // Names the tree holds twice (objargs and objfuncargs) or as a list (domainname, IN SCHEMA of default privileges).
    [
      'DROP FUNCTION with argument types',
      'DROP FUNCTION tenant_template.f(tenant_template.mood)',
      T,
      'b',
      'DROP FUNCTION b.f(b.mood)',
    ],
    [
      'CREATE DOMAIN',
      'CREATE DOMAIN tenant_template.d AS int CHECK (VALUE > 0)',
      T,
      'b',
      'CREATE DOMAIN b.d AS int CHECK (VALUE > 0)',
    ],
    [
      'default privileges in schemas',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA tenant_template, central GRANT SELECT ON TABLES TO app',
      T,
      'b',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA b, central GRANT SELECT ON TABLES TO app',
    ],
    ['OPERATOR() of the schema', 'SELECT 1 OPERATOR(tenant_template.+) 2', T, 'b', 'SELECT 1 OPERATOR(b.+) 2'],
    ['a tenant named like a keyword', 'CREATE SCHEMA schema', 'schema', 'b', 'CREATE SCHEMA b'],
    [
      'DO block with expressions, an assignment and PERFORM',
      "DO $$ DECLARE n int; BEGIN n := tenant_template.f(); IF tenant_template.g() THEN PERFORM 1 FROM tenant_template.t; END IF; RAISE NOTICE 'tenant_template %', n; END $$",
      T,
      HOSTILE,
      `DO $$ DECLARE n int; BEGIN n := ${Q}.f(); IF ${Q}.g() THEN PERFORM 1 FROM ${Q}.t; END IF; RAISE NOTICE 'tenant_template %', n; END $$`,
    ],
    [
      'DO block with a column named like the schema',
      'DO $$ BEGIN UPDATE tenant_template.t SET tenant_template = 1; END $$',
      T,
      'b',
      'DO $$ BEGIN UPDATE b.t SET tenant_template = 1; END $$',
    ],
  ])('%s', (_, sql, from, to, expected) => {
    expect(renameSchemaInSql(sql, from, to)).toBe(expected);
  });

  it('rewrites a function definition as pg_get_functiondef prints it, but not its body', () => {
    const def = (
      s: string,
      path: string,
    ) => `CREATE OR REPLACE FUNCTION ${s}.order_total(o ${s}.orders, m ${s}.mood DEFAULT 'ok'::${s}.mood)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ${path}, 'public'
AS $function$
BEGIN
  -- orders is tenant_template.orders through the search_path
  RETURN (SELECT sum(total) FROM orders WHERE id = o.id AND note <> 'tenant_template.x');
END
$function$
`;
    expect(renameSchemaInSql(def(T, "'tenant_template'"), T, 'tenant_acme')).toBe(def('tenant_acme', "'tenant_acme'"));
    expect(renameSchemaInSql(def(T, "'tenant_template'"), T, HOSTILE)).toBe(def(Q, `'it''s; drop "x" y'`));
  });

  const TENANT = `tenant o'hara; drop "x" y`;
  const QT = `"tenant o'hara; drop ""x"" y"`;
  it('puts a tenant name needing quotes only where ident() and literal() put it', () => {
    const sql =
      "SET search_path TO 'tenant_template'; SELECT nextval('tenant_template.s'::regclass) FROM tenant_template.t; DO $$ BEGIN DROP TABLE tenant_template.u; END $$";
    expect(renameSchemaInSql(sql, T, TENANT)).toBe(
      `SET search_path TO 'tenant o''hara; drop "x" y'; SELECT nextval('"tenant o''hara; drop ""x"" y".s'::regclass) FROM ${QT}.t; DO $$ BEGIN DROP TABLE ${QT}.u; END $$`,
    );
    expect(renameSchemaInSql(renameSchemaInSql(sql, T, TENANT), TENANT, T)).toBe(sql);
  });

  it('keeps every character of text it does not rename', () => {
    const sql = 'SELECT E\'\\\\\' /* /* */ */ $a$ $$ $a$ U&"x" "q""" 1e5 $1 -- end';
    expect(
      tokenize(sql)
        .map((t) => t.text)
        .join(''),
    ).toBe(sql);
    expect(renameSchemaInSql(sql, T, 'b')).toBe(sql);
  });

  // Statements spelled as ident() prints names, so renaming there and back gives the same text.
  const statements = [
    'CREATE SCHEMA tenant_template',
    'DROP SCHEMA IF EXISTS tenant_template CASCADE',
    "COMMENT ON SCHEMA tenant_template IS 'one per customer'",
    'CREATE TABLE tenant_template.orders (id bigint NOT NULL, tenant_template text)',
    "ALTER TABLE tenant_template.orders ADD COLUMN id bigint DEFAULT nextval('tenant_template.orders_id_seq'::regclass) NOT NULL",
    "ALTER TABLE tenant_template.orders ADD COLUMN status tenant_template.mood DEFAULT 'ok'::tenant_template.mood NOT NULL",
    'ALTER TABLE tenant_template.orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES tenant_template.customers(id) NOT VALID',
    'ALTER TABLE tenant_template.orders ADD CONSTRAINT orders_plan_fkey FOREIGN KEY (plan_id) REFERENCES central.plans(id)',
    "ALTER TABLE tenant_template.orders ADD CONSTRAINT c CHECK ((note <> 'tenant_template.x'::text)) NOT VALID",
    'CREATE INDEX CONCURRENTLY idx ON tenant_template.orders USING btree (lower(email) COLLATE tenant_template.coll tenant_template.ops) WHERE (total > 0)',
    'CREATE TRIGGER t BEFORE UPDATE ON tenant_template.orders FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION tenant_template.touch()',
    'CREATE FUNCTION tenant_template.f() RETURNS trigger LANGUAGE plpgsql AS $sy$ BEGIN NEW.x := tenant_template.g(); RETURN NEW; END $sy$',
    "CREATE OR REPLACE FUNCTION tenant_template.f(a integer)\n RETURNS integer\n LANGUAGE sql\n SET search_path TO 'tenant_template', 'public'\nAS $function$ SELECT $1 + 1 $function$",
    "UPDATE tenant_template.orders SET x = E'it\\'s tenant_template.x' WHERE id = $1 -- tenant_template.y",
    'SELECT /* tenant_template.a /* nested */ */ tenant_template.b, U&"d\\0061t" FROM tenant_template.c',
    "SELECT 'tenant_template.f(tenant_template.mood)'::regprocedure, 'tenant_template'::regnamespace",
    'ALTER TABLE central.moved SET SCHEMA tenant_template',
    'GRANT USAGE ON SCHEMA tenant_template TO app',
    'SET search_path TO tenant_template, public',
    'SELECT 1.5e3, 0x1F, $2, a$b FROM tenant_template.t WHERE tenant_template.t.tenant_template = 1',
    'INSERT INTO central.tenants (schema_name) VALUES ($1)',
    'DO $sy$\nBEGIN\n  DROP TRIGGER zz ON tenant_template.orders;\n  ALTER TABLE tenant_template.orders RENAME COLUMN total TO total__old;\nEND\n$sy$',
  ];

  it.each([['tenant_acme'], ['Tenant Acme'], [HOSTILE], ['user']])(
    'renames there and back to the same text (%s)',
    (to) => {
      for (const s of statements) {
        const there = renameSchemaInSql(s, T, to);
        expect(renameSchemaInSql(there, to, T)).toBe(s);
        if (!s.startsWith('INSERT INTO central')) expect(there).not.toBe(s);
      }
    },
  );
});

describe('renameSchemaInSql refuses what it cannot retarget, naming it', () => {
  it.each<[string, string, RegExp]>([
    [
      'set_config of search_path',
      "SELECT set_config('search_path', 'tenant_template', false)",
      /set_config\('search_path', \.\.\.\) at character 8/,
    ],
    [
      'to_regclass of a string',
      "SELECT to_regclass('tenant_template.t')",
      /to_regclass\(\.\.\.\), which reads it as a name or SQL at character 8/,
    ],
    ['nextval of a string without a cast', "SELECT nextval('tenant_template.s')", /nextval\(\.\.\.\)/],
    ['format building names', "SELECT format('%I.%I', 'tenant_template', 't')", /format\(\.\.\.\)/],
    [
      'a cast to regclass of a cast',
      "SELECT 'tenant_template.t'::text::regclass",
      /cast to regclass that is not of a string constant/,
    ],
    [
      'an E string cast to regclass',
      "SELECT E'tenant_template.t'::regclass",
      /cast to regclass and is not a plain '\.\.\.' constant at character 8/,
    ],
    [
      'EXECUTE of a string in a DO block',
      "DO $$ BEGIN EXECUTE 'DROP TABLE tenant_template.t'; END $$",
      /EXECUTE of a string naming the template schema in a DO block at character 4/,
    ],
    [
      'a DO variable of a template type',
      'DO $$ DECLARE m tenant_template.mood; BEGIN NULL; END $$',
      /a variable of the DO block has a type of the template schema/,
    ],
    [
      'set_config in a DO block',
      "DO $$ BEGIN PERFORM set_config('search_path', 'tenant_template', true); END $$",
      /set_config\('search_path', \.\.\.\), in a DO block/,
    ],
    [
      'a DO body in a plain string',
      "DO 'BEGIN DROP TABLE tenant_template.t; END'",
      /DO block whose body is a string constant/,
    ],
    ['a DO block in another language', 'DO LANGUAGE plperl $$ tenant_template $$', /DO block in language plperl/],
    // An operator in an EXCLUDE constraint sits in a nested list the rewrite does not know: refused, not kept.
    [
      'a qualifier in a place the rewrite does not know',
      'ALTER TABLE tenant_template.t ADD CONSTRAINT x EXCLUDE USING gist (c WITH OPERATOR(tenant_template.&&))',
      /reads tenant_template in items, a place this retargeting does not know at character 84/,
    ],
    [
      'a name in a place the rewrite does not know',
      'IMPORT FOREIGN SCHEMA tenant_template FROM SERVER s INTO central',
      /reads tenant_template in ImportForeignSchemaStmt.remote_schema, a place this retargeting does not know at character 23/,
    ],
    [
      'a regnamespace literal that is not the name',
      "SELECT 'tenant_template.x'::regnamespace",
      /regnamespace literal names the template schema but is not its name at character 8/,
    ],
    ['text the parser cannot read', "SELECT tenant_template.x, 'tenant_template.y", /PostgreSQL cannot parse it/],
    ['an unterminated comment', 'SELECT tenant_template.x /* /* */ tenant_template.y', /PostgreSQL cannot parse it/],
  ])('%s', (_, sql, message) => {
    expect(() => renameSchemaInSql(sql, T, 'b')).toThrow(message);
    expect(() => renameSchemaInSql(sql, T, 'b')).toThrow(
      expect.objectContaining({ code: 'TENANT_RETARGET_REFUSED', template: T }),
    );
  });

  it('is not fooled by text that holds its probe name', () => {
    expect(renameSchemaInSql('SELECT sy_probe_name FROM tenant_template.sy_probe_name', T, 'b')).toBe(
      'SELECT sy_probe_name FROM b.sy_probe_name',
    );
  });

  it('keeps text it cannot parse when it does not name the template', () => {
    expect(renameSchemaInSql("SELECT central.x, 'unterminated", T, 'b')).toBe("SELECT central.x, 'unterminated");
  });
});

describe('bodyMentions', () => {
  it.each<[string, string, string, boolean]>([
    ['bare name in a body', 'CREATE FUNCTION f() AS $$ SELECT * FROM tenant_template.t $$', T, true],
    ['upper case in a body', 'CREATE FUNCTION f() AS $f$ SELECT * FROM TENANT_TEMPLATE.t $f$', T, true],
    ['quoted name in a body', 'CREATE FUNCTION f() AS $f$ SELECT * FROM "tenant_template".t $f$', T, true],
    ['dynamic SQL in a string of the body', "DO $$ BEGIN EXECUTE 'SELECT 1 FROM tenant_template.t'; END $$", T, true],
    ['name outside the body only', 'CREATE FUNCTION tenant_template.f() AS $$ SELECT 1 $$', T, false],
    ['no body', 'SELECT * FROM tenant_template.t', T, false],
    ['longer word', 'CREATE FUNCTION f() AS $$ SELECT my_tenant_template, tenant_templates $$', T, false],
    ['name needing quotes, bare spelling', 'CREATE FUNCTION f() AS $$ SELECT * FROM Tenant.t $$', 'Tenant', false],
    ['name needing quotes, quoted', 'CREATE FUNCTION f() AS $$ SELECT * FROM "Tenant".t $$', 'Tenant', true],
    ['hostile name', `CREATE FUNCTION f() AS $$ SELECT * FROM ${Q}.t $$`, HOSTILE, true],
    ['$1 is no body', "SELECT f($1, 'tenant_template') FROM tenant_template.t", T, false],
    ['DO with a plain string body naming the template', "DO 'BEGIN PERFORM 1 FROM tenant_template.t; END'", T, true],
    [
      'DO LANGUAGE with an E string body',
      "DO LANGUAGE plpgsql E'BEGIN PERFORM 1 FROM tenant_template.t; END'",
      T,
      true,
    ],
    ['a string that is not a DO body', "SELECT 'tenant_template.t'", T, false],
    [
      'statements of a DO block are renamed',
      'DO $sy$ BEGIN ALTER TABLE tenant_template.t RENAME COLUMN a TO b; END $sy$',
      T,
      false,
    ],
    ['DO LANGUAGE plpgsql', 'DO LANGUAGE plpgsql $$ BEGIN LOCK TABLE tenant_template.t; END $$', T, false],
    [
      'function body inside a DO block',
      'DO $d$ BEGIN CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 FROM tenant_template.t $$ LANGUAGE sql; END $d$',
      T,
      true,
    ],
  ])('%s', (_, sql, name, expected) => {
    expect(bodyMentions(sql, name)).toBe(expected);
  });
});

const template: Schema = {
  kind: 'schema',
  name: T,
  comment: 'the tenant_template.orders schema',
  enums: [{ kind: 'enum', name: 'mood', values: ['ok', 'sad'] }],
  sequences: [
    {
      kind: 'sequence',
      name: 'orders_id_seq',
      type: 'bigint',
      start: '1',
      increment: '1',
      min: '1',
      max: '9223372036854775807',
      cache: '1',
      cycle: false,
      ownedBy: { table: 'orders', column: 'id' },
    },
  ],
  tables: [
    {
      kind: 'table',
      name: 'orders',
      comment: 'see tenant_template.orders',
      columns: [
        {
          kind: 'column',
          name: 'id',
          type: 'bigint',
          nullable: false,
          default: "nextval('tenant_template.orders_id_seq'::regclass)",
        },
        {
          kind: 'column',
          name: 'status',
          type: 'tenant_template.mood',
          nullable: false,
          default: "'ok'::tenant_template.mood",
        },
        { kind: 'column', name: 'email', type: 'text', nullable: false, collation: 'tenant_template.ci' },
        { kind: 'column', name: 'total', type: 'integer', nullable: false, generated: 'tenant_template.price(id)' },
        { kind: 'column', name: 'tenant_template', type: 'text', nullable: true, comment: 'tenant_template.x' },
      ],
      primaryKey: { kind: 'primary_key', name: 'orders_pkey', columns: ['id'] },
      unique: [],
      indexes: [
        {
          kind: 'index',
          name: 'orders_email_idx',
          unique: false,
          method: 'btree',
          keys: [
            {
              expression: 'tenant_template.norm(email)',
              opclass: 'tenant_template.ops',
              collation: 'tenant_template.ci',
            },
            { column: 'id', order: 'desc' },
          ],
          where: "(status <> 'sad'::tenant_template.mood)",
        },
      ],
      foreignKeys: [
        {
          kind: 'foreign_key',
          name: 'orders_customer_fkey',
          columns: ['id'],
          references: { schema: T, table: 'customers', columns: ['id'] },
          onDelete: 'cascade',
          onUpdate: 'no action',
          match: 'simple',
          deferrable: false,
          initiallyDeferred: false,
        },
        {
          kind: 'foreign_key',
          name: 'orders_plan_fkey',
          columns: ['id'],
          references: { schema: 'central', table: 'plans', columns: ['id'] },
          onDelete: 'no action',
          onUpdate: 'no action',
          match: 'simple',
          deferrable: false,
          initiallyDeferred: false,
        },
      ],
      checks: [{ kind: 'check', name: 'orders_status_check', expression: "(status <> 'sad'::tenant_template.mood)" }],
      triggers: [
        {
          kind: 'trigger',
          name: 'audit',
          timing: 'after',
          events: ['update'],
          forEach: 'row',
          function: { schema: 'central', name: 'audit' },
          enabled: 'origin',
        },
        {
          kind: 'trigger',
          name: 'touch',
          timing: 'before',
          events: ['insert', 'update'],
          forEach: 'row',
          function: { schema: T, name: 'touch' },
          when: '(new.status IS DISTINCT FROM tenant_template.default_mood())',
          enabled: 'always',
        },
      ],
    },
  ],
  functions: [
    {
      kind: 'function',
      name: 'touch',
      args: 'm tenant_template.mood',
      definition:
        'CREATE OR REPLACE FUNCTION tenant_template.touch(m tenant_template.mood)\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN RETURN tenant_template.x; END $function$\n',
    },
  ],
};

describe('renameSchemaInModel', () => {
  it('renames the schema and every reference to it, and nothing else', () => {
    const acme = renameSchemaInModel(template, HOSTILE);
    const orders = acme.tables[0]!;
    expect(acme.name).toBe(HOSTILE);
    expect(acme.comment).toBe(template.comment);
    expect(acme.enums).toEqual(template.enums);
    expect(acme.sequences).toEqual(template.sequences);
    expect(orders.comment).toBe('see tenant_template.orders');
    expect(orders.columns).toEqual([
      {
        kind: 'column',
        name: 'id',
        type: 'bigint',
        nullable: false,
        default: `nextval('"it''s; drop ""x"" y".orders_id_seq'::regclass)`,
      },
      { kind: 'column', name: 'status', type: `${Q}.mood`, nullable: false, default: `'ok'::${Q}.mood` },
      { kind: 'column', name: 'email', type: 'text', nullable: false, collation: `${Q}.ci` },
      { kind: 'column', name: 'total', type: 'integer', nullable: false, generated: `${Q}.price(id)` },
      { kind: 'column', name: 'tenant_template', type: 'text', nullable: true, comment: 'tenant_template.x' },
    ]);
    expect(orders.indexes[0]).toEqual({
      ...template.tables[0]!.indexes[0],
      keys: [
        { expression: `${Q}.norm(email)`, opclass: `${Q}.ops`, collation: `${Q}.ci` },
        { column: 'id', order: 'desc' },
      ],
      where: `(status <> 'sad'::${Q}.mood)`,
    });
    expect(orders.foreignKeys.map((fk) => fk.references.schema)).toEqual([HOSTILE, 'central']);
    expect(orders.checks[0]!.expression).toBe(`(status <> 'sad'::${Q}.mood)`);
    expect(orders.triggers.map((t) => t.function.schema)).toEqual(['central', HOSTILE]);
    expect(orders.triggers[1]!.when).toBe(`(new.status IS DISTINCT FROM ${Q}.default_mood())`);
    expect(acme.functions[0]).toEqual({
      kind: 'function',
      name: 'touch',
      args: `m ${Q}.mood`,
      definition: `CREATE OR REPLACE FUNCTION ${Q}.touch(m ${Q}.mood)\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN RETURN tenant_template.x; END $function$\n`,
    });
  });

  it("renames a view's query, its indexes and what it reads; other schemas stay", () => {
    const withView: Schema = {
      ...template,
      views: [
        {
          kind: 'view',
          name: 'totals',
          materialized: true,
          definition:
            ' SELECT o.id, p.name\n   FROM (tenant_template.orders o\n     JOIN central.plans p ON ((p.id = o.id)))',
          indexes: [
            {
              kind: 'index',
              name: 'totals_id',
              unique: true,
              method: 'btree',
              keys: [{ expression: 'tenant_template.norm(name)' }],
            },
          ],
          derived: {
            columns: [
              { name: 'id', type: 'bigint' },
              { name: 'name', type: 'tenant_template.mood' },
            ],
            reads: [
              { schema: 'central', relation: 'plans', columns: ['id', 'name'] },
              { schema: T, relation: 'orders', columns: ['id'] },
            ],
          },
        },
      ],
    };
    const acme = renameSchemaInModel(withView, HOSTILE);
    const v = acme.views![0]!;
    expect(v.definition).toBe(
      ` SELECT o.id, p.name\n   FROM (${Q}.orders o\n     JOIN central.plans p ON ((p.id = o.id)))`,
    );
    expect(v.indexes![0]!.keys).toEqual([{ expression: `${Q}.norm(name)` }]);
    expect(v.derived).toEqual({
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: `${Q}.mood` },
      ],
      reads: [
        { schema: 'central', relation: 'plans', columns: ['id', 'name'] },
        { schema: HOSTILE, relation: 'orders', columns: ['id'] },
      ],
    });
    expect(renameSchemaInModel(acme, T)).toStrictEqual(withView);
  });

  it("renames a policy's expressions and what it reads; roles, other schemas and its table's flags stay", () => {
    const withPolicy: Schema = {
      ...template,
      tables: [
        {
          ...template.tables[0]!,
          rowSecurity: true,
          replicaIdentity: 'full',
          policies: [
            {
              kind: 'policy',
              name: 'own',
              command: 'select',
              roles: ['tenant_template'],
              using: '(id IN ( SELECT o.id FROM tenant_template.orders o WHERE tenant_template.price(o.id) > 0))',
              withCheck: '(central.allowed(id))',
              derived: { reads: [{ schema: T, relation: 'orders', columns: ['id'] }] },
            },
          ],
        },
      ],
    };
    const acme = renameSchemaInModel(withPolicy, HOSTILE);
    const t = acme.tables[0]!;
    expect(t.rowSecurity).toBe(true);
    expect(t.replicaIdentity).toBe('full');
    expect(t.policies).toEqual([
      {
        kind: 'policy',
        name: 'own',
        command: 'select',
        roles: ['tenant_template'],
        using: `(id IN ( SELECT o.id FROM ${Q}.orders o WHERE ${Q}.price(o.id) > 0))`,
        withCheck: '(central.allowed(id))',
        derived: { reads: [{ schema: HOSTILE, relation: 'orders', columns: ['id'] }] },
      },
    ]);
    expect(renameSchemaInModel(acme, T)).toStrictEqual(withPolicy);
  });

  it('adds no undefined fields and shares nothing with the template', () => {
    const acme = renameSchemaInModel(template, 'tenant_acme');
    expect(Object.keys(acme.tables[0]!.columns[0]!)).toEqual(Object.keys(template.tables[0]!.columns[0]!));
    expect(Object.keys(acme.tables[0]!.triggers[0]!)).toEqual(Object.keys(template.tables[0]!.triggers[0]!));
    expect(acme.tables[0]!.primaryKey).not.toBe(template.tables[0]!.primaryKey);
    expect(acme.enums[0]!.values).not.toBe(template.enums[0]!.values);
  });

  it.each([['tenant_acme'], ['Tenant Acme'], [HOSTILE]])('renames there and back to an equal model (%s)', (to) => {
    expect(renameSchemaInModel(renameSchemaInModel(template, to), T)).toStrictEqual(template);
  });
});

const K = (kind: string, ...parts: string[]) => `${kind}:${parts.join('\u001f')}`;

// r1-backfill-001 of plans/0002_runbook.plan.yaml, moved to the template schema.
const backfillStep: Step = {
  id: 'r1-backfill-001',
  release: 1,
  change: 'alter_column_type',
  phase: 'backfill',
  action: 'backfill',
  description:
    'fill tenant_template.employees.salary__new from salary in batches (a value that does not convert fails the batch)',
  sql: 'UPDATE tenant_template.employees SET salary__new = salary::numeric(12,2) WHERE salary__new IS DISTINCT FROM (salary::numeric(12,2))',
  rollback: [],
  lock: 'ROW EXCLUSIVE',
  lockedTables: ['tenant_template.employees'],
  transactional: true,
  hazards: ['CORRECTNESS', 'USER_SQL'],
  creates: [],
  requires: [
    K('column', T, 'employees', 'salary__new'),
    `enabled_always:${K('trigger', T, 'employees', 'zz_sy_sync_salary')}`,
  ],
  drops: [],
  backfill: {
    schema: T,
    table: 'employees',
    key: ['id'],
    set: [{ column: 'salary__new', expression: "salary::numeric(12,2) + tenant_template.bonus('tenant_template.x')" }],
    where: 'salary__new IS DISTINCT FROM (salary::numeric(12,2))',
  },
  lockTimeoutMs: 2000,
  statementTimeoutMs: 3600000,
};

// r1-expand-004 of the same plan, moved to the template schema, with a shared requirement added.
const triggerStep: Step = {
  id: 'r1-expand-004',
  release: 1,
  change: 'alter_column_type',
  phase: 'expand',
  action: 'create_sync_trigger',
  description:
    "create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on tenant_template.employees (the schema's copy)",
  sql: 'CREATE TRIGGER zz_sy_sync_salary BEFORE INSERT OR UPDATE ON tenant_template.employees FOR EACH ROW EXECUTE FUNCTION tenant_template._sy_sync_employees_salary()',
  rollback: ['DROP TRIGGER zz_sy_sync_salary ON tenant_template.employees'],
  lock: 'SHARE ROW EXCLUSIVE',
  lockedTables: ['tenant_template.employees'],
  transactional: true,
  hazards: [],
  creates: [K('trigger', T, 'employees', 'zz_sy_sync_salary')],
  requires: [
    K('function', T, '_sy_sync_employees_salary', 'm tenant_template.mood'),
    K('table', T, 'employees'),
    K('table', 'central', 'plans'),
    'schema:tenant_template',
  ],
  drops: [],
  lockTimeoutMs: 2000,
  statementTimeoutMs: 30000,
};

describe('retargetStep', () => {
  it('retargets a backfill step', () => {
    expect(retargetStep(backfillStep, T, HOSTILE)).toStrictEqual({
      ...backfillStep,
      description: `fill ${Q}.employees.salary__new from salary in batches (a value that does not convert fails the batch)`,
      sql: `UPDATE ${Q}.employees SET salary__new = salary::numeric(12,2) WHERE salary__new IS DISTINCT FROM (salary::numeric(12,2))`,
      lockedTables: [`${Q}.employees`],
      requires: [
        K('column', HOSTILE, 'employees', 'salary__new'),
        `enabled_always:${K('trigger', HOSTILE, 'employees', 'zz_sy_sync_salary')}`,
      ],
      backfill: {
        schema: HOSTILE,
        table: 'employees',
        key: ['id'],
        set: [{ column: 'salary__new', expression: `salary::numeric(12,2) + ${Q}.bonus('tenant_template.x')` }],
        where: 'salary__new IS DISTINCT FROM (salary::numeric(12,2))',
      },
    });
  });

  it('retargets a trigger step, keeping shared keys and prose', () => {
    expect(retargetStep(triggerStep, T, 'tenant_acme')).toStrictEqual({
      ...triggerStep,
      description:
        "create trigger zz_sy_sync_salary BEFORE INSERT OR UPDATE on tenant_acme.employees (the schema's copy)",
      sql: 'CREATE TRIGGER zz_sy_sync_salary BEFORE INSERT OR UPDATE ON tenant_acme.employees FOR EACH ROW EXECUTE FUNCTION tenant_acme._sy_sync_employees_salary()',
      rollback: ['DROP TRIGGER zz_sy_sync_salary ON tenant_acme.employees'],
      lockedTables: ['tenant_acme.employees'],
      creates: [K('trigger', 'tenant_acme', 'employees', 'zz_sy_sync_salary')],
      requires: [
        K('function', 'tenant_acme', '_sy_sync_employees_salary', 'm tenant_acme.mood'),
        K('table', 'tenant_acme', 'employees'),
        K('table', 'central', 'plans'),
        'schema:tenant_acme',
      ],
    });
  });

  it('retargets descriptions of schema steps and of quoted names, and only whole names', () => {
    const step = (description: string): Step => ({ ...triggerStep, description });
    expect(retargetStep(step('create schema tenant_template'), T, HOSTILE).description).toBe(`create schema ${Q}`);
    expect(retargetStep(step('comment on schema "Tenant T"'), 'Tenant T', 'b').description).toBe('comment on schema b');
    expect(retargetStep(step('add "Tenant T".t and "x""Tenant T".u'), 'Tenant T', 'b').description).toBe(
      'add b.t and "x""Tenant T".u',
    );
    expect(
      retargetStep(step('drop my_tenant_template.t, central.tenant_template.c, tenant_templates'), T, 'b').description,
    ).toBe('drop my_tenant_template.t, central.tenant_template.c, tenant_templates');
  });

  it('tells before a run whether a step can be retargeted, naming what it cannot', () => {
    expect(retargetRefusal(triggerStep, T)).toBeUndefined();
    const bad = { ...backfillStep, rollback: ["SELECT set_config('search_path', 'tenant_template', true)"] };
    expect(retargetRefusal(bad, T)?.message).toMatch(/set_config\('search_path', \.\.\.\) at character 8/);
  });

  it('renames there and back to the same step', () => {
    for (const s of [backfillStep, triggerStep])
      expect(retargetStep(retargetStep(s, T, HOSTILE), HOSTILE, T)).toStrictEqual(s);
  });
});

describe('touchesSchema', () => {
  it.each<[string, readonly string[], string, boolean]>([
    ['a table of the schema', [K('table', T, 'orders')], T, true],
    ['the schema itself', ['schema:tenant_template'], T, true],
    ['a wrapped key', [`validated:${K('constraint', T, 'orders', 'c')}`], T, true],
    ['a doubly wrapped key', [`gone:enabled_always:${K('trigger', T, 'orders', 't')}`], T, true],
    ['another schema', [K('table', 'central', 'plans'), 'schema:central'], T, false],
    ['a longer schema name', [K('table', 'tenant_template2', 'orders')], T, false],
    ['a schema name holding a colon', [K('table', 'gone:x', 'orders')], 'gone:x', true],
    ['a hostile schema', [K('column', HOSTILE, 't', 'c')], HOSTILE, true],
  ])('%s', (_, keys, name, expected) => {
    expect(touchesSchema({ ...triggerStep, creates: [], drops: [], requires: keys }, name)).toBe(expected);
    expect(touchesSchema({ ...triggerStep, creates: [], requires: [], drops: keys }, name)).toBe(expected);
  });
});
