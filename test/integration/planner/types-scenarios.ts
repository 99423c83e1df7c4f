// Scenario data for kinds.test.ts: domains, composite types and range types, each change kind ALTER DOMAIN and
// ALTER TYPE make in place, and columns of such types. Targets are mostly SQL read back as YAML, so each one
// also goes through introspect -> YAML -> validate -> shadow.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import type { KindScenario } from './kinds-scenarios.js';

const actions = (p: Plan) => allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`);
const sqlOf = (p: Plan, action: string) => allSteps(p).find((s) => s.action === action);

const EMAIL = `CREATE DOMAIN email_address AS text COLLATE "C" DEFAULT 'nobody@example.com'
  CONSTRAINT email_has_at CHECK (VALUE ~ '@');`;
const CONTACTS = (emailType: string) => `
CREATE TABLE contacts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email ${emailType} NOT NULL);
INSERT INTO contacts (email) VALUES ('ana@example.com'), ('bo@example.org');`;

const PAIR = 'CREATE TYPE pair AS (a text, b integer);';
const SPAN = 'CREATE TYPE span AS RANGE (subtype = float8, subtype_diff = float8mi);';

const AUDIT = `
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL DEFAULT 0);
INSERT INTO accounts VALUES (1, 'ana', 10), (2, 'bo', 0);
CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text NOT NULL);
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.audit (what) VALUES (TG_ARGV[0] || ':' || TG_NARGS::text);
  RETURN NULL;
END
$$;
CREATE FUNCTION audit_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.audit (what) SELECT 'moved ' || count(*) FROM changed;
  RETURN NULL;
END
$$;`;

const BOOKINGS_DDL = `CREATE TABLE bookings (id bigint PRIMARY KEY, during tstzrange NOT NULL, cancelled boolean NOT NULL DEFAULT false);`;
const BOOKINGS = `${BOOKINGS_DDL}
INSERT INTO bookings VALUES (1, '[2026-01-01 10:00, 2026-01-01 11:00)', false), (2, '[2026-01-01 11:00, 2026-01-01 12:00)', false);`;
const changes = (p: Plan) => allSteps(p).map((s) => s.change);

/**
 * Pagila's own statements (../shared/corpus/pagila-schema.sql, PostgreSQL 18): its two domains (one named
 * `bıgınt`), its enum, and its film table with the full-text trigger passing arguments to a pg_catalog function.
 * The film table's PostgreSQL 18 virtual generated column is left out: these scenarios run on PostgreSQL 15.
 */
function pagila(): string {
  const text = readFileSync('/work/shared/corpus/pagila-schema.sql', 'utf8');
  const statement = (start: string): string => {
    const from = text.indexOf(start);
    if (from < 0) throw new Error(`pagila-schema.sql has no ${start}`);
    return text.slice(from, text.indexOf(';\n', from) + 1);
  };
  const film = statement('CREATE TABLE public.film (').replace(/,\n\s+length_hours [^\n]+ VIRTUAL\n/, '\n');
  return [
    statement('CREATE DOMAIN public."bıgınt"'),
    statement('CREATE TYPE public.mpaa_rating'),
    statement('CREATE DOMAIN public.year'),
    statement('CREATE SEQUENCE public.film_film_id_seq'),
    film,
    statement('CREATE TRIGGER film_fulltext_trigger'),
    `INSERT INTO public.film (title, language_id, release_year, fulltext) VALUES ('ACADEMY DINOSAUR', 1, 2006, '');`,
  ].join('\n');
}
const PAGILA = pagila();

type Decl = Record<string, unknown>;
const declare = (publicSchema: Decl): string => stringify({ schemas: { public: publicSchema } });

export const TYPE_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'a domain with a collation, a default and a named check, and a new table using it',
    kind: 'create_domain',
    source: '',
    target: { sql: EMAIL + CONTACTS('email_address') },
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_domain', '1 expand create_table']);
      expect(sqlOf(p, 'create_domain')?.sql).toBe(
        `CREATE DOMAIN public.email_address AS text COLLATE "C" DEFAULT 'nobody@example.com'::text CONSTRAINT email_has_at CHECK ((VALUE ~ '@'::text))`,
      );
    },
  },
  {
    name: 'a domain no column uses any more',
    kind: 'drop_domain',
    source: `${EMAIL} COMMENT ON DOMAIN email_address IS 'An address'; ${CONTACTS('text')}`,
    target: { sql: CONTACTS('text') },
    plan: (p) => {
      expect(actions(p)).toEqual(['2 contract drop_domain']);
      expect(sqlOf(p, 'drop_domain')?.rollback).toEqual([
        `CREATE DOMAIN public.email_address AS text COLLATE "C" DEFAULT 'nobody@example.com'::text CONSTRAINT email_has_at CHECK ((VALUE ~ '@'::text))`,
        "COMMENT ON TYPE public.email_address IS 'An address'",
      ]);
    },
  },
  {
    name: 'a new check on a domain in use: NOT VALID, then VALIDATE',
    kind: 'add_domain_check',
    source: `CREATE DOMAIN email_address AS text; ${CONTACTS('email_address')}`,
    target: {
      sql: `CREATE DOMAIN email_address AS text CONSTRAINT short CHECK (length(VALUE) < 100); ${CONTACTS('email_address')}`,
    },
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand add_domain_check_not_valid', '1 contract validate_domain_check']);
      const [add, validate] = allSteps(p);
      expect(add?.sql).toBe(
        'ALTER DOMAIN public.email_address ADD CONSTRAINT short CHECK ((length(VALUE) < 100)) NOT VALID',
      );
      expect(add?.lockedTables).toEqual([]);
      expect(validate?.sql).toBe('ALTER DOMAIN public.email_address VALIDATE CONSTRAINT short');
      expect(validate?.lock).toBe('SHARE');
      expect(validate?.lockedTables).toEqual(['public.contacts']);
      expect(validate?.hazards).toEqual(['CORRECTNESS', 'FULL_SCAN', 'SHARE_LOCK', 'USER_SQL']);
      expect(validate?.rollback).toEqual([
        'ALTER DOMAIN public.email_address DROP CONSTRAINT short',
        'ALTER DOMAIN public.email_address ADD CONSTRAINT short CHECK ((length(VALUE) < 100)) NOT VALID',
      ]);
    },
  },
  {
    name: 'a check redefined under the same name',
    kind: 'drop_domain_check',
    source: EMAIL + CONTACTS('email_address'),
    target: {
      sql: `CREATE DOMAIN email_address AS text COLLATE "C" DEFAULT 'nobody@example.com'
        CONSTRAINT email_has_at CHECK (VALUE ~ '^[^@]+@[^@]+$'); ${CONTACTS('email_address')}`,
    },
    plan: (p) =>
      expect(actions(p)).toEqual([
        '1 expand drop_domain_check',
        '1 expand add_domain_check_not_valid',
        '1 contract validate_domain_check',
      ]),
  },
  {
    name: 'a check left NOT VALID by a previous plan',
    kind: 'validate_domain_check',
    source: `CREATE DOMAIN email_address AS text; ${CONTACTS('email_address')}
      ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE ~ '@') NOT VALID;`,
    target: {
      sql: `CREATE DOMAIN email_address AS text CONSTRAINT email_has_at CHECK (VALUE ~ '@'); ${CONTACTS('email_address')}`,
    },
    plan: (p) => expect(actions(p)).toEqual(['1 contract validate_domain_check']),
  },
  {
    name: 'a default set on a domain',
    kind: 'set_domain_default',
    source: `CREATE DOMAIN email_address AS text; ${CONTACTS('email_address')}`,
    target: { sql: `CREATE DOMAIN email_address AS text DEFAULT 'x@example.com'; ${CONTACTS('email_address')}` },
    plan: (p) => {
      const [step] = allSteps(p);
      expect(step?.sql).toBe("ALTER DOMAIN public.email_address SET DEFAULT 'x@example.com'::text");
      expect(step?.rollback).toEqual(['ALTER DOMAIN public.email_address DROP DEFAULT']);
    },
  },
  {
    name: 'NOT NULL set on a domain in use: a scan in contract',
    kind: 'set_domain_not_null',
    source: `CREATE DOMAIN email_address AS text; ${CONTACTS('email_address')}`,
    target: { sql: `CREATE DOMAIN email_address AS text NOT NULL; ${CONTACTS('email_address')}` },
    plan: (p) => {
      expect(actions(p)).toEqual(['1 contract set_domain_not_null']);
      expect(allSteps(p)[0]?.hazards).toEqual(['CORRECTNESS', 'FULL_SCAN', 'SHARE_LOCK']);
    },
  },
  {
    name: 'a composite type, a table with a column of it and one of an array of an enum',
    kind: 'create_composite',
    source: '',
    target: {
      sql: `${PAIR} CREATE TYPE mood AS ENUM ('ok', 'meh');
        CREATE TABLE things (id bigint PRIMARY KEY, p pair, moods mood[] NOT NULL DEFAULT '{}');`,
    },
    plan: (p) =>
      expect(actions(p)).toEqual(['1 expand create_enum', '1 expand create_composite', '1 expand create_table']),
  },
  {
    name: 'a composite type no column uses any more',
    kind: 'drop_composite',
    source: PAIR,
    target: declare({}),
  },
  {
    name: 'an attribute added to a composite type in use',
    kind: 'add_attribute',
    source: `${PAIR} CREATE TABLE things (id bigint PRIMARY KEY, p pair); INSERT INTO things VALUES (1, ('x', 2));`,
    target: {
      sql: `CREATE TYPE pair AS (a text, b integer, c timestamptz); CREATE TABLE things (id bigint PRIMARY KEY, p pair);`,
    },
    plan: (p) => expect(allSteps(p)[0]?.sql).toBe('ALTER TYPE public.pair ADD ATTRIBUTE c timestamp with time zone'),
  },
  {
    name: 'an attribute dropped from a composite type',
    kind: 'drop_attribute',
    source: PAIR,
    target: { sql: 'CREATE TYPE pair AS (a text);' },
    plan: (p) => {
      expect(actions(p)).toEqual(['2 contract drop_attribute']);
      expect(allSteps(p)[0]?.rollback).toEqual(['ALTER TYPE public.pair ADD ATTRIBUTE b integer']);
    },
  },
  {
    name: 'an attribute renamed with renamedFrom',
    kind: 'rename_attribute',
    source: PAIR,
    target: declare({
      composites: { pair: { attributes: { a: { type: 'text' }, count: { type: 'integer', renamedFrom: 'b' } } } },
    }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 contract rename_attribute']);
      expect(allSteps(p)[0]?.sql).toBe('ALTER TYPE public.pair RENAME ATTRIBUTE b TO count');
    },
  },
  {
    name: 'a range type with a subtype_diff, and a table with a column of it and of its multirange',
    kind: 'create_range',
    source: '',
    target: { sql: `${SPAN} CREATE TABLE prices (id bigint PRIMARY KEY, valid span, gaps span_multirange);` },
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_range', '1 expand create_table']);
      expect(sqlOf(p, 'create_range')?.sql).toBe(
        'CREATE TYPE public.span AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = pg_catalog.float8mi)',
      );
    },
  },
  {
    name: 'a range type no column uses any more',
    kind: 'drop_range',
    source: SPAN,
    target: declare({}),
  },
  {
    name: 'a column of a domain added to a table',
    kind: 'add_column',
    source: `${EMAIL} CREATE TABLE people (id bigint PRIMARY KEY); INSERT INTO people VALUES (1);`,
    target: {
      sql: `${EMAIL} CREATE TABLE people (id bigint PRIMARY KEY, email email_address, emails email_address[]);`,
    },
  },
  {
    name: 'a trigger with arguments, UPDATE OF columns and a WHEN condition',
    kind: 'create_trigger',
    source: AUDIT,
    target: {
      sql: `${AUDIT} CREATE TRIGGER accounts_balance AFTER UPDATE OF balance, owner ON accounts FOR EACH ROW
        WHEN (old.balance IS DISTINCT FROM new.balance) EXECUTE FUNCTION audit_row('balance', 'it''s', '42');`,
    },
    plan: (p) =>
      expect(allSteps(p)[0]?.sql).toBe(
        `CREATE TRIGGER accounts_balance AFTER UPDATE OF balance, owner ON public.accounts FOR EACH ROW WHEN ((old.balance IS DISTINCT FROM new.balance)) EXECUTE FUNCTION public.audit_row('balance', 'it''s', '42')`,
      ),
  },
  {
    name: 'a statement trigger with a REFERENCING transition table',
    kind: 'create_trigger',
    source: AUDIT,
    target: {
      sql: `${AUDIT} CREATE TRIGGER accounts_moved AFTER UPDATE ON accounts REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION audit_batch();`,
    },
    plan: (p) =>
      expect(allSteps(p)[0]?.sql).toBe(
        'CREATE TRIGGER accounts_moved AFTER UPDATE ON public.accounts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.audit_batch()',
      ),
  },
  {
    name: 'a deferrable constraint trigger',
    kind: 'create_trigger',
    source: AUDIT,
    target: {
      sql: `${AUDIT} CREATE CONSTRAINT TRIGGER accounts_check AFTER INSERT OR UPDATE ON accounts
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_row('deferred');`,
    },
    plan: (p) =>
      expect(allSteps(p)[0]?.sql).toBe(
        "CREATE CONSTRAINT TRIGGER accounts_check AFTER INSERT OR UPDATE ON public.accounts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.audit_row('deferred')",
      ),
  },
  {
    name: 'a constraint trigger redefined: dropped and created in expand (it cannot be replaced in place)',
    kind: 'drop_trigger',
    source: `${AUDIT} CREATE CONSTRAINT TRIGGER accounts_check AFTER INSERT ON accounts
      FOR EACH ROW EXECUTE FUNCTION audit_row('immediate');`,
    target: {
      sql: `${AUDIT} CREATE CONSTRAINT TRIGGER accounts_check AFTER INSERT ON accounts
        DEFERRABLE FOR EACH ROW EXECUTE FUNCTION audit_row('deferrable');`,
    },
    plan: (p) => expect(actions(p)).toEqual(['1 expand drop_trigger', '1 expand create_trigger']),
  },
  {
    name: 'an exclusion constraint on an existing table: one statement under ACCESS EXCLUSIVE, said so',
    kind: 'add_exclusion',
    source: BOOKINGS,
    target: {
      sql: `${BOOKINGS_DDL} ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled);`,
    },
    plan: (p) => {
      const [step] = allSteps(p);
      expect(step?.sql).toBe(
        'ALTER TABLE public.bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE ((NOT cancelled))',
      );
      expect(step?.hazards).toEqual(['ACCESS_EXCLUSIVE_LOCK', 'CORRECTNESS', 'FULL_SCAN', 'INDEX_BUILD', 'USER_SQL']);
      expect(step?.description).toContain('no NOT VALID form exists');
    },
  },
  {
    name: 'an exclusion constraint dropped in the next release',
    kind: 'drop_exclusion',
    source: `${BOOKINGS} ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) DEFERRABLE;
      COMMENT ON CONSTRAINT bookings_no_overlap ON bookings IS 'one at a time';`,
    target: { sql: BOOKINGS_DDL },
    plan: (p) => expect(actions(p)).toEqual(['2 contract drop_exclusion']),
  },
  {
    name: 'a deferrable unique constraint and a foreign key initially deferred',
    kind: 'add_foreign_key',
    source: `${BOOKINGS} CREATE TABLE rooms (id bigint PRIMARY KEY, code text NOT NULL); ALTER TABLE bookings ADD COLUMN room_id bigint;`,
    target: {
      sql: `${BOOKINGS_DDL} CREATE TABLE rooms (id bigint PRIMARY KEY, code text NOT NULL CONSTRAINT rooms_code_key UNIQUE DEFERRABLE);
        ALTER TABLE bookings ADD COLUMN room_id bigint CONSTRAINT bookings_room_id_fkey REFERENCES rooms DEFERRABLE INITIALLY DEFERRED;`,
    },
    plan: (p) => {
      expect(allSteps(p).find((s) => s.action === 'add_foreign_key_not_valid')?.sql).toBe(
        'ALTER TABLE public.bookings ADD CONSTRAINT bookings_room_id_fkey FOREIGN KEY (room_id) REFERENCES public.rooms (id) DEFERRABLE INITIALLY DEFERRED NOT VALID',
      );
      expect(changes(p)).toContain('add_unique');
    },
  },
  {
    name: 'pagila: a check added to its domain public.year, which public.film uses',
    kind: 'add_domain_check',
    source: PAGILA,
    target: { sql: `${PAGILA} ALTER DOMAIN public.year ADD CONSTRAINT year_not_future CHECK (VALUE <= 2100);` },
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand add_domain_check_not_valid', '1 contract validate_domain_check']);
      expect(allSteps(p)[1]?.lockedTables).toEqual(['public.film']);
    },
  },
];
