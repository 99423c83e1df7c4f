// Builds a declared schema that touches every model field on a fresh database, one statement at a time,
// then checks the result in the catalog directly (introspection is tested on its own, elsewhere).
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  emptySchema,
  emptyTable,
  type Column,
  type DatabaseSchema,
  type ForeignKey,
  type Index,
  type Table,
  type Trigger,
} from '../../../src/schema/model/model.js';
import { literal, qualified } from '../../../src/db/quote.js';
import { renderDatabase } from '../../../src/sql/render/index.js';
import { freshDatabase } from '../../support/db.js';

const H = 'Tenant "1"; ñ'; // hostile schema name
const HQ = '"Tenant ""1""; ñ"';

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
  ref: [string, string, string[]],
  more: Partial<ForeignKey> = {},
): ForeignKey => ({
  kind: 'foreign_key',
  name,
  columns,
  references: { schema: ref[0], table: ref[1], columns: ref[2] },
  onDelete: 'no action',
  onUpdate: 'no action',
  match: 'simple',
  deferrable: false,
  initiallyDeferred: false,
  ...more,
});
const ix = (name: string, keys: Index['keys'], more: Partial<Index> = {}): Index => ({
  kind: 'index',
  name,
  unique: false,
  method: 'btree',
  keys,
  ...more,
});
const trig = (name: string, more: Partial<Trigger>): Trigger => ({
  kind: 'trigger',
  name,
  timing: 'before',
  events: ['insert', 'update'],
  forEach: 'row',
  function: { schema: 'app', name: 'touch' },
  enabled: 'origin',
  ...more,
});

const touch =
  'CREATE OR REPLACE FUNCTION app.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nbegin\n  new.updated_at := now();\n  return new;\nend\n$function$\n';

const users: Table = {
  ...emptyTable('users', [
    col('id', 'bigint', { nullable: false, identity: 'always', comment: 'Surrogate key' }),
    col('email', 'text', { nullable: false, collation: '"C"' }),
    col('email_lower', 'text', { generated: 'lower(email)' }),
    col('name', 'character varying(200)', { collation: 'POSIX' }),
    col('status', 'app.status', { nullable: false, default: "'active'::app.status" }),
    col('org_id', 'bigint'),
    col('profile', 'jsonb', { default: "'{}'::jsonb" }),
    col('created_at', 'timestamp with time zone', { nullable: false, default: 'now()' }),
    col('updated_at', 'timestamp with time zone'),
  ]),
  primaryKey: { kind: 'primary_key', name: 'users_pkey', columns: ['id'] },
  unique: [
    { kind: 'unique', name: 'users_email_key', columns: ['email'] },
    { kind: 'unique', name: 'users_id_email_key', columns: ['id', 'email'] },
    {
      kind: 'unique',
      name: 'users_name_key',
      columns: ['name'],
      nullsNotDistinct: true,
      deferrable: true,
      initiallyDeferred: true,
    },
  ],
  checks: [
    { kind: 'check', name: 'users_email_check', expression: "(email ~ '@'::text)" },
    { kind: 'check', name: 'users_email_length', expression: '(char_length(email) < 300)', notValid: true },
    { kind: 'check', name: 'users_name_check', expression: "((name)::text <> ''::text)", noInherit: true },
  ],
  indexes: [
    ix('users_created_idx', [{ column: 'created_at', order: 'desc', nulls: 'last' }, { column: 'id' }], {
      include: ['status'],
    }),
    ix('users_email_pattern_idx', [{ column: 'email', opclass: 'text_pattern_ops' }], {
      where: "(status = 'active'::app.status)",
    }),
    ix('users_lower_idx', [{ expression: 'lower((name)::text)', collation: '"C"' }], {
      unique: true,
      nullsNotDistinct: true,
      comment: 'Case-insensitive names',
    }),
    ix('users_org_idx', [{ column: 'org_id', nulls: 'first' }], { invalid: true }),
    ix('users_profile_idx', [{ column: 'profile', opclass: 'jsonb_path_ops' }], { method: 'gin' }),
    ix('users_sum_idx', [{ expression: '((org_id + id))' }]),
  ],
  foreignKeys: [fk('users_org_fk', ['org_id'], ['app', 'orgs', ['id']], { onDelete: 'set null' })],
  triggers: [trig('users_touch', { enabled: 'always' })],
  comment: 'People who log in',
};

const orgs: Table = {
  ...emptyTable('orgs', [col('id', 'integer', { nullable: false, identity: 'by default' }), col('owner_id', 'bigint')]),
  primaryKey: { kind: 'primary_key', name: 'orgs_pkey', columns: ['id'] },
  // Cycle with users.org_id: only possible because every foreign key comes after every table.
  foreignKeys: [
    fk('orgs_owner_fk', ['owner_id'], ['app', 'users', ['id']], { deferrable: true, initiallyDeferred: true }),
  ],
};

const orders: Table = {
  ...emptyTable('orders', [
    col('n', 'bigint', { nullable: false, default: "nextval('app.orders_n_seq'::regclass)" }),
    col('invoice', 'bigint', { default: "nextval('app.invoice_seq'::regclass)" }),
    col('user_id', 'bigint'),
    col('user_email', 'text'),
    col('org_id', 'integer', { default: '0' }),
    col('amount', 'numeric(12,2)', { nullable: false, default: '0' }),
  ]),
  primaryKey: { kind: 'primary_key', name: 'orders_pkey', columns: ['n'] },
  foreignKeys: [
    fk('orders_user_fk', ['user_id'], ['app', 'users', ['id']], { onDelete: 'cascade', onUpdate: 'restrict' }),
    fk('orders_user_email_fk', ['user_id', 'user_email'], ['app', 'users', ['id', 'email']], {
      match: 'full',
      onUpdate: 'cascade',
    }),
    fk('orders_org_fk', ['org_id'], ['app', 'orgs', ['id']], { onDelete: 'set default', notValid: true }),
  ],
  checks: [
    {
      kind: 'check',
      name: 'orders_amount_check',
      expression: '(amount >= (0)::numeric)',
      notValid: true,
      noInherit: true,
    },
  ],
  triggers: [
    trig('orders_audit', {
      timing: 'after',
      events: ['truncate'],
      forEach: 'statement',
      enabled: 'replica',
      function: { schema: H, name: 'Audit' },
    }),
  ],
};

// Every name here needs quoting.
const hostile: Table = {
  ...emptyTable('order', [
    col('user', 'bigint', { comment: "the buyer's id; -- not a comment" }),
    col('a"b', 'text', { collation: 'C' }),
    col("it's", `${HQ}."Mood"`, { default: `'so''so'::${HQ}."Mood"` }),
    col('ñandú', 'integer', { nullable: false, default: `nextval(${literal(qualified(H, 'Seq ñ'))}::regclass)` }),
    col('Select', 'integer', { generated: '("ñandú" * 2)' }),
  ]),
  primaryKey: { kind: 'primary_key', name: 'Order PK', columns: ['ñandú'] },
  unique: [{ kind: 'unique', name: 'order;uq', columns: ['user', 'a"b'], deferrable: true }],
  checks: [{ kind: 'check', name: 'Check "it"', expression: `("it's" <> 'meh'::${HQ}."Mood")` }],
  indexes: [
    ix('Idx "a"', [{ column: 'a"b', order: 'desc' }, { expression: 'upper("a""b")' }], {
      include: ['user'],
      where: '("user" > 0)',
      comment: "it's an index",
    }),
  ],
  foreignKeys: [fk('Order→User', ['user'], ['app', 'users', ['id']], { onDelete: 'restrict' })],
  triggers: [
    trig('Touch "x"', {
      events: ['update'],
      when: '(old."user" IS DISTINCT FROM new."user")',
      function: { schema: H, name: 'Audit' },
      enabled: 'disabled',
    }),
  ],
  comment: "Ünïcode and 'quotes'",
};

const db: DatabaseSchema = {
  schemas: [
    {
      ...emptySchema('app'),
      comment: 'Application',
      enums: [{ kind: 'enum', name: 'status', values: ['active', 'closed', "it's"], comment: 'Account states' }],
      sequences: [
        {
          kind: 'sequence',
          name: 'invoice_seq',
          type: 'bigint',
          start: '1000',
          increment: '10',
          min: '1',
          max: '9223372036854775807',
          cache: '5',
          cycle: false,
        },
        {
          kind: 'sequence',
          name: 'orders_n_seq',
          type: 'bigint',
          start: '1',
          increment: '1',
          min: '1',
          max: '9223372036854775807',
          cache: '1',
          cycle: false,
          ownedBy: { table: 'orders', column: 'n' },
        },
      ],
      functions: [{ kind: 'function', name: 'touch', args: '', definition: touch }],
      tables: [orders, orgs, users],
    },
    {
      ...emptySchema(H),
      comment: 'Hostile',
      enums: [{ kind: 'enum', name: 'Mood', values: ["so'so", 'meh', 'ñ'] }],
      sequences: [
        {
          kind: 'sequence',
          name: 'Seq ñ',
          type: 'integer',
          start: '-1',
          increment: '-1',
          min: '-2147483648',
          max: '-1',
          cache: '1',
          cycle: true,
          ownedBy: { table: 'order', column: 'ñandú' },
        },
      ],
      functions: [
        {
          kind: 'function',
          name: 'Audit',
          args: '',
          definition: `CREATE OR REPLACE FUNCTION ${HQ}."Audit"() RETURNS trigger LANGUAGE plpgsql AS $$begin return null; end$$;`,
        },
      ],
      tables: [hostile],
    },
    { ...emptySchema('public'), tables: [emptyTable('empty')] },
  ],
};

async function build(client: pg.Client): Promise<string[]> {
  const script = renderDatabase(db);
  for (const sql of script) {
    await client.query(sql).catch((e: Error) => {
      throw new Error(`${e.message}\n  in: ${sql}`);
    });
  }
  return script;
}

async function one<T>(client: pg.Client, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await client.query(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0] as T;
}

describe('renderDatabase on a real PostgreSQL', () => {
  it('builds every object, statement by statement, with the declared properties', async () => {
    const { client } = await freshDatabase();
    await build(client);
    const hq = (name: string) => qualified(H, name);

    // Foreign keys: NOT VALID exactly where declared; actions, MATCH FULL and deferral as pg_get_constraintdef prints them.
    const fks = await client.query<{ name: string; def: string; valid: boolean }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def, convalidated AS valid FROM pg_constraint WHERE contype = 'f' AND connamespace <> 'pg_catalog'::regnamespace ORDER BY 1`,
    );
    expect(fks.rows).toEqual([
      { name: 'Order→User', def: 'FOREIGN KEY ("user") REFERENCES app.users(id) ON DELETE RESTRICT', valid: true },
      {
        name: 'orders_org_fk',
        def: 'FOREIGN KEY (org_id) REFERENCES app.orgs(id) ON DELETE SET DEFAULT NOT VALID',
        valid: false,
      },
      {
        name: 'orders_user_email_fk',
        def: 'FOREIGN KEY (user_id, user_email) REFERENCES app.users(id, email) MATCH FULL ON UPDATE CASCADE',
        valid: true,
      },
      {
        name: 'orders_user_fk',
        def: 'FOREIGN KEY (user_id) REFERENCES app.users(id) ON UPDATE RESTRICT ON DELETE CASCADE',
        valid: true,
      },
      {
        name: 'orgs_owner_fk',
        def: 'FOREIGN KEY (owner_id) REFERENCES app.users(id) DEFERRABLE INITIALLY DEFERRED',
        valid: true,
      },
      { name: 'users_org_fk', def: 'FOREIGN KEY (org_id) REFERENCES app.orgs(id) ON DELETE SET NULL', valid: true },
    ]);

    // Checks: canonical expressions survive unchanged; NOT VALID and NO INHERIT as declared.
    const checks = await client.query<{ name: string; expr: string; valid: boolean; noinherit: boolean }>(
      `SELECT conname AS name, pg_get_expr(conbin, conrelid) AS expr, convalidated AS valid, connoinherit AS noinherit
         FROM pg_constraint WHERE contype = 'c' AND conrelid <> 0 AND connamespace <> 'pg_catalog'::regnamespace ORDER BY 1`,
    );
    const declared = [...users.checks, ...orders.checks, ...hostile.checks].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(checks.rows).toEqual(
      declared.map((c) => ({ name: c.name, expr: c.expression, valid: !c.notValid, noinherit: c.noInherit === true })),
    );

    // Unique constraints: deferral and NULLS NOT DISTINCT.
    const uniques = await client.query(
      `SELECT c.conname, c.condeferrable, c.condeferred, i.indnullsnotdistinct FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
        WHERE c.contype = 'u' AND c.connamespace <> 'pg_catalog'::regnamespace ORDER BY 1`,
    );
    expect(uniques.rows).toEqual([
      { conname: 'order;uq', condeferrable: true, condeferred: false, indnullsnotdistinct: false },
      { conname: 'users_email_key', condeferrable: false, condeferred: false, indnullsnotdistinct: false },
      { conname: 'users_id_email_key', condeferrable: false, condeferred: false, indnullsnotdistinct: false },
      { conname: 'users_name_key', condeferrable: true, condeferred: true, indnullsnotdistinct: true },
    ]);

    // Columns: types, defaults, identity, generated and collations read back as declared.
    const cols = await client.query<{
      rel: string;
      name: string;
      type: string;
      notnull: boolean;
      def: string | null;
      identity: string;
      generated: string;
      coll: string | null;
    }>(
      `SELECT a.attrelid::regclass::text AS rel, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS identity, a.attgenerated AS generated,
              CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS coll
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text <> 'pg_catalog' AND c.relnamespace <> 'information_schema'::regnamespace
          AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
    );
    const expected = [
      ...orders.columns.map((c) => ['app.orders', c] as const),
      ...orgs.columns.map((c) => ['app.orgs', c] as const),
      ...users.columns.map((c) => ['app.users', c] as const),
      ...hostile.columns.map((c) => [hq('order'), c] as const),
    ].map(([rel, c]) => ({
      rel,
      name: c.name,
      type: c.type,
      notnull: !c.nullable,
      def: c.default ?? c.generated ?? null,
      identity: c.identity === 'always' ? 'a' : c.identity === 'by default' ? 'd' : '',
      generated: c.generated !== undefined ? 's' : '',
      coll: c.collation?.replaceAll('"', '') ?? null,
    }));
    expect(cols.rows.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0))).toEqual(
      expected.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)),
    );
  });

  it('builds indexes, sequences, triggers and comments as declared', async () => {
    const { client } = await freshDatabase();
    await build(client);

    // Index keys as pg_get_indexdef prints them one by one, plus the predicate: the renderer wrapped nothing twice.
    const keys = await client.query<{ name: string; k: number; key: string }>(
      `SELECT c.relname AS name, k, pg_get_indexdef(i.indexrelid, k, false) AS key
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid, generate_series(1, i.indnatts) k
        WHERE c.relname IN ('users_lower_idx', 'users_sum_idx', 'Idx "a"') ORDER BY 1, 2`,
    );
    expect(keys.rows).toEqual([
      { name: 'Idx "a"', k: 1, key: '"a""b"' },
      { name: 'Idx "a"', k: 2, key: 'upper("a""b")' },
      { name: 'Idx "a"', k: 3, key: '"user"' },
      { name: 'users_lower_idx', k: 1, key: 'lower((name)::text)' },
      { name: 'users_sum_idx', k: 1, key: '((org_id + id))' },
    ]);
    const defs = await client.query<{ def: string }>(
      `SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('users_created_idx', 'users_email_pattern_idx', 'users_lower_idx', 'users_org_idx', 'users_profile_idx', 'Idx "a"') ORDER BY c.relname`,
    );
    expect(defs.rows.map((r) => r.def)).toEqual([
      `CREATE INDEX "Idx ""a""" ON ${qualified(H, 'order')} USING btree ("a""b" DESC, upper("a""b")) INCLUDE ("user") WHERE ("user" > 0)`,
      'CREATE INDEX users_created_idx ON app.users USING btree (created_at DESC NULLS LAST, id) INCLUDE (status)',
      "CREATE INDEX users_email_pattern_idx ON app.users USING btree (email text_pattern_ops) WHERE (status = 'active'::app.status)",
      'CREATE UNIQUE INDEX users_lower_idx ON app.users USING btree (lower((name)::text) COLLATE "C") NULLS NOT DISTINCT',
      'CREATE INDEX users_org_idx ON app.users USING btree (org_id NULLS FIRST)',
      'CREATE INDEX users_profile_idx ON app.users USING gin (profile jsonb_path_ops)',
    ]);
    const invalid = await one<{ n: string }>(client, `SELECT count(*) AS n FROM pg_index WHERE NOT indisvalid`);
    expect(invalid.n).toBe('0');

    // Sequences: options spelled out, OWNED BY where declared and only there.
    const seqs = await client.query(
      `SELECT s.seqrelid::regclass::text AS seq, s.seqstart::text AS start, s.seqincrement::text AS inc, s.seqmin::text AS min,
              s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle, d.refobjid::regclass::text AS owner
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
         LEFT JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
        WHERE NOT EXISTS (SELECT FROM pg_depend i WHERE i.objid = s.seqrelid AND i.deptype = 'i') ORDER BY 1`,
    );
    expect(seqs.rows).toEqual([
      {
        seq: qualified(H, 'Seq ñ'),
        start: '-1',
        inc: '-1',
        min: '-2147483648',
        max: '-1',
        cache: '1',
        cycle: true,
        owner: qualified(H, 'order'),
      },
      {
        seq: 'app.invoice_seq',
        start: '1000',
        inc: '10',
        min: '1',
        max: '9223372036854775807',
        cache: '5',
        cycle: false,
        owner: null,
      },
      {
        seq: 'app.orders_n_seq',
        start: '1',
        inc: '1',
        min: '1',
        max: '9223372036854775807',
        cache: '1',
        cycle: false,
        owner: 'app.orders',
      },
    ]);

    // Triggers: enabled modes, and the function called (across schemas).
    const trigs = await client.query(
      `SELECT tgname, tgenabled, tgfoid::regproc::text AS fn FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
    );
    expect(trigs.rows).toEqual([
      { tgname: 'Touch "x"', tgenabled: 'D', fn: qualified(H, 'Audit') },
      { tgname: 'orders_audit', tgenabled: 'R', fn: qualified(H, 'Audit') },
      { tgname: 'users_touch', tgenabled: 'A', fn: 'app.touch' },
    ]);

    // Comments on every kind the model carries; public's built-in comment was reset.
    const comments = await client.query(
      `SELECT d.classoid::regclass::text AS catalog, d.objsubid AS sub, d.description AS text FROM pg_description d
        WHERE d.classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass, 'pg_type'::regclass)
          AND (d.classoid <> 'pg_namespace'::regclass OR d.objoid NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%' OR nspname = 'information_schema'))
          AND (d.classoid = 'pg_namespace'::regclass OR d.objoid >= 16384)
          AND d.description <> 'standard public schema' ORDER BY 3`,
    );
    expect(comments.rows).toEqual([
      { catalog: 'pg_type', sub: 0, text: 'Account states' },
      { catalog: 'pg_namespace', sub: 0, text: 'Application' },
      { catalog: 'pg_class', sub: 0, text: 'Case-insensitive names' },
      { catalog: 'pg_namespace', sub: 0, text: 'Hostile' },
      { catalog: 'pg_class', sub: 0, text: 'People who log in' },
      { catalog: 'pg_class', sub: 1, text: 'Surrogate key' },
      { catalog: 'pg_class', sub: 0, text: "it's an index" },
      { catalog: 'pg_class', sub: 1, text: "the buyer's id; -- not a comment" },
      { catalog: 'pg_class', sub: 0, text: "Ünïcode and 'quotes'" },
    ]);
  });

  it('gives working objects: the trigger fires, the deferred cycle commits, the sequences feed defaults', async () => {
    const { client } = await freshDatabase();
    await build(client);
    await client.query('BEGIN');
    await client.query(`INSERT INTO app.orgs (id, owner_id) VALUES (1, 1)`); // owner does not exist yet: deferred
    await client.query(`INSERT INTO app.users (email, name, org_id) VALUES ('a@b.c', 'A', 1)`);
    await client.query('COMMIT');
    const u = await one<{ email_lower: string; touched: boolean; status: string }>(
      client,
      `SELECT email_lower, updated_at IS NOT NULL AS touched, status::text FROM app.users`,
    );
    expect(u).toEqual({ email_lower: 'a@b.c', touched: true, status: 'active' });
    await client.query(`INSERT INTO app.orders (user_id, user_email, org_id) VALUES (1, 'a@b.c', 1), (1, 'a@b.c', 1)`);
    const o = await client.query(`SELECT n::int, invoice::int FROM app.orders ORDER BY n`);
    expect(o.rows).toEqual([
      { n: 1, invoice: 1000 },
      { n: 2, invoice: 1010 },
    ]);
    // MATCH FULL: a user id without its e-mail is refused.
    await expect(client.query(`INSERT INTO app.orders (user_id, org_id) VALUES (1, 1)`)).rejects.toThrow(
      /orders_user_email_fk/,
    );
    await client.query(`INSERT INTO ${qualified(H, 'order')} ("user", "a""b") VALUES (1, 'x')`);
    const h = await one<{ n: number; s: number; mood: string }>(
      client,
      `SELECT "ñandú" AS n, "Select" AS s, "it's"::text AS mood FROM ${qualified(H, 'order')}`,
    );
    expect(h).toEqual({ n: -1, s: -2, mood: "so'so" });
  });
});
