// No object class is silently skipped: a database holding one object of every class pg_dump knows, and every
// entry of `pg_dump --schema-only`'s table of contents (`-Fc`, then `pg_restore -l`) is either in the
// introspected model or in the inventory's "not modeled" list. A second pass reads the entries' SQL
// (`pg_restore -f -`) for the properties pg_dump writes inside an entry (UNLOGGED, WITH (...), SET STATISTICS,
// CLUSTER ON...), which the table of contents does not show.
//
// The mapping from a TOC entry type to where switchyard holds it is explicit and exhaustive: an entry type
// missing from TOC_RULES fails the test, so a new pg_dump object class cannot go unnoticed. Every rule
// accepts the model OR the list, so the test stays green when an object class moves from one to the other.
//
// pg_dump here is version 15 and refuses newer servers, so this file runs its own PostgreSQL 15 (as
// planner/kinds.test.ts does). The server's user is a superuser, which foreign data wrappers, base types,
// text search parsers and templates, access methods and C-language handlers need.
import { readExtensions } from '../../../src/introspect/extensions.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import { introspect, inventory, type NotModeled } from '../../../src/introspect/index.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';
import type { DatabaseSchema, DefaultPrivilege } from '../../../src/schema/model/model.js';

const run = promisify(execFile);
const PG15 = '/usr/lib/postgresql/15/bin';

/** One object of every class; `%r` is a role name of this run (roles are cluster-wide). */
const OBJECTS = `
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'c';
CREATE TYPE app.status AS ENUM ('a', 'b');
COMMENT ON TYPE app.status IS 'c';
CREATE TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int CHECK (n > 0), s app.status,
  u text UNIQUE, g int GENERATED ALWAYS AS (n * 2) STORED);
COMMENT ON TABLE app.t IS 'c';
COMMENT ON COLUMN app.t.n IS 'c';
CREATE INDEX t_n_idx ON app.t (n);
COMMENT ON INDEX app.t_n_idx IS 'c';
CREATE SEQUENCE app.seq;
CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_plain BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TABLE app.child_fk (id int PRIMARY KEY, t_id bigint REFERENCES app.t (id));
CREATE TABLE app.serials (id serial PRIMARY KEY, at timestamptz DEFAULT now(), n int);
ALTER TABLE app.serials ADD CONSTRAINT serials_n_check CHECK (n > 0) NOT VALID;

CREATE VIEW app.v AS SELECT id FROM app.t;
CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.t;
CREATE INDEX mv_id_idx ON app.mv (id);
CREATE TABLE app.p (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE app.p_2026 PARTITION OF app.p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX p_at_idx ON app.p (at);
CREATE TABLE app.heir (extra int) INHERITS (app.child_fk);
CREATE FOREIGN DATA WRAPPER toc_fdw_%r;
CREATE SERVER toc_server_%r FOREIGN DATA WRAPPER toc_fdw_%r;
CREATE USER MAPPING FOR CURRENT_USER SERVER toc_server_%r;
CREATE FOREIGN TABLE app.ft (id int) SERVER toc_server_%r;
CREATE TYPE app.pair AS (a int, b text);
CREATE TABLE app.typed OF app.pair;
CREATE DOMAIN app.positive AS int CHECK (VALUE > 0);
ALTER DOMAIN app.positive ADD CONSTRAINT positive_small CHECK (VALUE < 1000) NOT VALID;
CREATE TYPE app.span AS RANGE (subtype = int4);
CREATE TYPE app.shell;
CREATE TYPE app.base;
CREATE FUNCTION app.base_in(cstring) RETURNS app.base LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION app.base_out(app.base) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE TYPE app.base (INPUT = app.base_in, OUTPUT = app.base_out, LIKE = int4);
CREATE PROCEDURE app.proc(int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
CREATE FUNCTION app.win(int) RETURNS int LANGUAGE internal WINDOW AS 'window_row_number';
CREATE FUNCTION app.pair_text(app.pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1::text $$;
CREATE CAST (app.pair AS text) WITH FUNCTION app.pair_text(app.pair);
CREATE FUNCTION app.lang_handler() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE c;
CREATE TRUSTED LANGUAGE toc_lang_%r HANDLER app.lang_handler;
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.t FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON app.t USING (n > 0);
CREATE RULE no_delete AS ON DELETE TO app.child_fk DO INSTEAD NOTHING;
CREATE RULE v_ins AS ON INSERT TO app.v DO INSTEAD NOTHING;
ALTER VIEW app.v ALTER COLUMN id SET DEFAULT 0;
CREATE FUNCTION app.v_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER v_upd INSTEAD OF UPDATE ON app.v FOR EACH ROW EXECUTE FUNCTION app.v_trg();
CREATE CONSTRAINT TRIGGER t_constraint AFTER INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TRIGGER t_args BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f('x');
CREATE TRIGGER t_update_of BEFORE UPDATE OF n ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TRIGGER t_transition AFTER INSERT ON app.t REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION app.f();
CREATE TABLE app.booking (r int4range, EXCLUDE USING gist (r WITH &&));
CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE STATISTICS app.t_stats ON n, u FROM app.t;
ALTER STATISTICS app.t_stats SET STATISTICS 50;
CREATE PUBLICATION toc_pub_%r FOR TABLE app.t;
CREATE PUBLICATION toc_pub_schema_%r FOR TABLES IN SCHEMA app;
CREATE PUBLICATION toc_pub_all_%r FOR ALL TABLES;
ALTER TABLE app.child_fk SET (fillfactor = 70, toast.autovacuum_enabled = false);
ALTER TABLE app.child_fk ALTER COLUMN id SET STATISTICS 500;
ALTER TABLE app.t ALTER COLUMN u SET STORAGE EXTERNAL;
ALTER TABLE app.t ALTER COLUMN u SET COMPRESSION pglz;
ALTER TABLE app.serials ALTER COLUMN n SET (n_distinct = 100);
ALTER TABLE app.child_fk REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE app.scratch (id int);
CLUSTER app.t USING t_n_idx;
CREATE INDEX t_expr_idx ON app.t ((n + 1)) WITH (fillfactor = 80);
ALTER INDEX app.t_expr_idx ALTER COLUMN 1 SET STATISTICS 200;
CREATE ACCESS METHOD toc_heap_%r TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE app.am_t (id int) USING toc_heap_%r;
CREATE OPERATOR app.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
CREATE OPERATOR FAMILY app.fam USING btree;
CREATE OPERATOR CLASS app.int_ops FOR TYPE int4 USING hash AS OPERATOR 1 =, FUNCTION 1 hashint4(int4);
CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER toc_ddl_%r ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
CREATE EXTENSION pg_trgm SCHEMA app;
CREATE TEXT SEARCH CONFIGURATION app.cfg (COPY = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY app.dict (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH PARSER app.prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE app.tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE CONVERSION app.conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

CREATE ROLE toc_reader_%r;
GRANT SELECT ON app.t, app.v, app.mv, app.ft, app.seq TO toc_reader_%r;
GRANT USAGE ON SCHEMA app TO toc_reader_%r;
REVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE app.proc(int) TO toc_reader_%r;
GRANT USAGE ON TYPE app.status TO toc_reader_%r;
GRANT USAGE ON DOMAIN app.positive TO toc_reader_%r;
GRANT SELECT (t_id) ON app.child_fk TO toc_reader_%r;
GRANT USAGE ON FOREIGN DATA WRAPPER toc_fdw_%r TO toc_reader_%r;
GRANT USAGE ON FOREIGN SERVER toc_server_%r TO toc_reader_%r;
GRANT USAGE ON LANGUAGE toc_lang_%r TO toc_reader_%r;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO toc_reader_%r;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT EXECUTE ON FUNCTIONS TO toc_reader_%r;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO toc_reader_%r;

COMMENT ON CONSTRAINT t_n_check ON app.t IS 'c'; COMMENT ON CONSTRAINT t_pkey ON app.t IS 'c';
COMMENT ON CONSTRAINT booking_r_excl ON app.booking IS 'c'; COMMENT ON INDEX app.t_pkey IS 'c';
COMMENT ON FUNCTION app.f() IS 'c'; COMMENT ON SEQUENCE app.seq IS 'c'; COMMENT ON SEQUENCE app.serials_id_seq IS 'c';
COMMENT ON TRIGGER t_plain ON app.t IS 'c'; COMMENT ON TRIGGER t_args ON app.t IS 'c';
COMMENT ON VIEW app.v IS 'c'; COMMENT ON COLUMN app.v.id IS 'c'; COMMENT ON MATERIALIZED VIEW app.mv IS 'c';
COMMENT ON COLUMN app.mv.id IS 'c'; COMMENT ON INDEX app.mv_id_idx IS 'c';
COMMENT ON FOREIGN TABLE app.ft IS 'c'; COMMENT ON COLUMN app.ft.id IS 'c';
COMMENT ON TYPE app.pair IS 'c'; COMMENT ON COLUMN app.pair.a IS 'c';
COMMENT ON DOMAIN app.positive IS 'c'; COMMENT ON CONSTRAINT positive_small ON DOMAIN app.positive IS 'c';
COMMENT ON TYPE app.span IS 'c'; COMMENT ON TYPE app.base IS 'c';
COMMENT ON PROCEDURE app.proc(int) IS 'c'; COMMENT ON AGGREGATE app.total(int) IS 'c'; COMMENT ON FUNCTION app.win(int) IS 'c';
COMMENT ON POLICY own_rows ON app.t IS 'c'; COMMENT ON RULE no_delete ON app.child_fk IS 'c';
COMMENT ON OPERATOR app.=== (int, int) IS 'c'; COMMENT ON CAST (app.pair AS text) IS 'c';
COMMENT ON COLLATION app.ci IS 'c'; COMMENT ON CONVERSION app.conv IS 'c';
COMMENT ON TEXT SEARCH CONFIGURATION app.cfg IS 'c'; COMMENT ON TEXT SEARCH DICTIONARY app.dict IS 'c';
COMMENT ON TEXT SEARCH PARSER app.prs IS 'c'; COMMENT ON TEXT SEARCH TEMPLATE app.tmpl IS 'c';
COMMENT ON OPERATOR FAMILY app.fam USING btree IS 'c'; COMMENT ON OPERATOR CLASS app.int_ops USING hash IS 'c';
COMMENT ON STATISTICS app.t_stats IS 'c'; COMMENT ON PUBLICATION toc_pub_%r IS 'c';
COMMENT ON EVENT TRIGGER toc_ddl_%r IS 'c'; COMMENT ON FOREIGN DATA WRAPPER toc_fdw_%r IS 'c';
COMMENT ON SERVER toc_server_%r IS 'c'; COMMENT ON ACCESS METHOD toc_heap_%r IS 'c';
COMMENT ON LANGUAGE toc_lang_%r IS 'c'; COMMENT ON EXTENSION pg_trgm IS 'c';
`;

/** Database-wide objects: cleaned up after the test (the database's own go with it). */
const CLEANUP = `DROP EVENT TRIGGER IF EXISTS toc_ddl_%r;
DROP PUBLICATION IF EXISTS toc_pub_%r, toc_pub_schema_%r, toc_pub_all_%r;
DROP SCHEMA app CASCADE;
DROP SERVER IF EXISTS toc_server_%r CASCADE;
DROP FOREIGN DATA WRAPPER IF EXISTS toc_fdw_%r CASCADE;
DROP ACCESS METHOD IF EXISTS toc_heap_%r CASCADE;
DROP OWNED BY toc_reader_%r;
DROP ROLE toc_reader_%r;`;

// ---- the table of contents ----------------------------------------------------------------------------------

interface TocEntry {
  readonly line: string;
  readonly desc: string;
  /** `-` for an object of no schema. */
  readonly schema: string;
  readonly tag: string;
}

/** What pg_restore -l calls each entry type; the longest first, since some are prefixes of others. */
function parseToc(text: string, owner: string): TocEntry[] {
  const descs = Object.keys(TOC_RULES).sort((a, b) => b.length - a.length);
  const entries: TocEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(';') || line.trim() === '') continue;
    // `dumpId; catalog-oid object-oid DESC schema tag owner` (owner empty for some types)
    const m = /^\d+; \d+ \d+ (.*)$/.exec(line);
    if (!m) throw new Error(`unreadable TOC line: ${line}`);
    const rest = m[1]!.replace(new RegExp(` (${owner})?$`), '');
    const desc = descs.find((d) => rest.startsWith(`${d} `));
    if (desc === undefined) {
      entries.push({ line, desc: rest, schema: '', tag: '' });
      continue;
    }
    const after = rest.slice(desc.length + 1);
    const space = after.indexOf(' ');
    entries.push({ line, desc, schema: after.slice(0, space), tag: after.slice(space + 1) });
  }
  return entries;
}

// ---- where an object is held ----------------------------------------------------------------------------

/** Every object of the model with a kind and a name, wherever it sits (so new model classes are found too). */
interface ModelObject {
  readonly kind: string;
  readonly schema: string;
  readonly table?: string;
  readonly name: string;
  readonly node: Record<string, unknown>;
}

function modelObjects(model: DatabaseSchema): ModelObject[] {
  const out: ModelObject[] = [];
  const walk = (node: unknown, schema: string, table: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, schema, table);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    let inner = table;
    if (typeof o.kind === 'string' && typeof o.name === 'string') {
      out.push({ kind: o.kind, schema, ...(table !== undefined ? { table } : {}), name: o.name, node: o });
      if (o.kind === 'schema') schema = o.name;
      else inner = o.name;
    }
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v, schema, inner);
  };
  walk(model, '', undefined);
  for (const e of model.extensions ?? [])
    out.push({ kind: 'extension', schema: e.schema, name: e.name, node: { ...e } });
  return out;
}

interface Held {
  readonly model: readonly ModelObject[];
  readonly defaults: readonly DefaultPrivilege[];
  readonly listed: readonly NotModeled[];
  /** Identity sequences by name, with the table and column they belong to. */
  readonly identity: ReadonlyMap<string, { table: string; column: string }>;
}

/** A witness: where an object may be held. The entry passes when one of its witnesses holds. */
type Witness = (h: Held) => boolean;

const args = (s: string) => s.replace(/\bIN /g, '').replace(/\s+/g, '');
/** `f(integer)` and `f(IN integer)` name the same routine. */
const sameName = (a: string | undefined, b: string) => a !== undefined && (a === b || args(a) === args(b));

const modeled =
  (
    kinds: RegExp,
    schema: string,
    name: string,
    table?: string,
    test: (o: ModelObject) => boolean = () => true,
  ): Witness =>
  (h) =>
    h.model.some(
      (o) =>
        kinds.test(o.kind) &&
        o.schema === schema &&
        (table === undefined || o.table === table) &&
        (o.name === name || (o.kind === 'function' && sameName(`${o.name}(${String(o.node.args)})`, name))) &&
        test(o),
    );

const listed =
  (kinds: RegExp, match: { schema?: string; table?: string; name?: string; detail?: RegExp }): Witness =>
  (h) =>
    h.listed.some(
      (n) =>
        kinds.test(n.kind) &&
        (match.schema === undefined || n.schema === match.schema) &&
        (match.table === undefined || n.table === match.table) &&
        (match.name === undefined || sameName(n.name, match.name)) &&
        (match.detail === undefined || (n.detail !== undefined && match.detail.test(n.detail))),
    );

const hasComment = (o: ModelObject) => typeof o.node.comment === 'string';
const re = (s: string) => new RegExp(`^(?:${s})$`);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `a b` -> [a, b] (an entry tag naming a table and an object on it). */
const two = (tag: string): [string, string] => {
  const i = tag.indexOf(' ');
  return [tag.slice(0, i), tag.slice(i + 1)];
};

/** `name ON table` -> [name, table]. */
const onTable = (s: string): [string, string] => {
  const m = /^(\S+) ON (\S+)$/.exec(s);
  if (!m) throw new Error(`no "x ON table" in ${s}`);
  return [m[1]!, m[2]!];
};

const RELATION_KINDS = 'table|view|materialized_view|materialized view|foreign table';

/**
 * Every TOC entry type pg_dump 15 writes for a schema-only dump of this database, with where it may be held.
 * No default: a type missing here fails the test.
 */
const TOC_RULES: Record<string, (e: TocEntry) => Witness[]> = {
  SCHEMA: (e) => [modeled(/^schema$/, '', e.tag)],
  // Extensions are the model's (an `extensions:` section), database-wide: by name.
  EXTENSION: (e) => [(h) => h.model.some((o) => o.kind === 'extension' && o.name === e.tag)],
  TABLE: (e) => [
    modeled(/^table$/, e.schema, e.tag),
    listed(/^(partitioned table|partition|inheritance child|typed table)$/, { schema: e.schema, name: e.tag }),
  ],
  'TABLE ATTACH': (e) => [listed(/^partition$/, { schema: e.schema, name: e.tag })],
  'FOREIGN TABLE': (e) => [
    modeled(/foreign/, e.schema, e.tag),
    listed(/^foreign table$/, { schema: e.schema, name: e.tag }),
  ],
  VIEW: (e) => [modeled(/^view$/, e.schema, e.tag), listed(/^view$/, { schema: e.schema, name: e.tag })],
  'MATERIALIZED VIEW': (e) => [
    modeled(/^view$/, e.schema, e.tag, undefined, (o) => o.node.materialized === true),
    listed(/^materialized view$/, { schema: e.schema, name: e.tag }),
  ],
  SEQUENCE: (e) => [
    modeled(/^sequence$/, e.schema, e.tag),
    // an identity column's own sequence belongs to the column
    (h) => {
      const owner = h.identity.get(e.tag);
      return (
        owner !== undefined && modeled(/^column$/, e.schema, owner.column, owner.table, (o) => !!o.node.identity)(h)
      );
    },
    listed(/^sequence$/, { schema: e.schema, name: e.tag }),
  ],
  'SEQUENCE OWNED BY': (e) => [modeled(/^sequence$/, e.schema, e.tag, undefined, (o) => !!o.node.ownedBy)],
  DEFAULT: (e) => {
    const [table, column] = two(e.tag);
    return [
      modeled(/^column$/, e.schema, column, table, (o) => typeof o.node.default === 'string'),
      listed(/^column default$/, { schema: e.schema, table, name: column }),
    ];
  },
  CONSTRAINT: (e) => {
    const [table, name] = two(e.tag);
    return [modeled(/^(primary_key|unique|exclusion)$/, e.schema, name, table)];
  },
  'FK CONSTRAINT': (e) => {
    const [table, name] = two(e.tag);
    return [modeled(/^foreign_key$/, e.schema, name, table)];
  },
  'CHECK CONSTRAINT': (e) => {
    const [owner, name] = two(e.tag);
    return [
      modeled(/^check$/, e.schema, name, owner),
      // a domain's constraint (one left NOT VALID included) is held by the domain
      modeled(/^domain$/, e.schema, owner, undefined, (o) =>
        ((o.node.checks as { name: string }[] | undefined) ?? []).some((c) => c.name === name),
      ),
    ];
  },
  INDEX: (e) => [modeled(/^index$/, e.schema, e.tag), listed(/^index$/, { schema: e.schema, name: e.tag })],
  'INDEX ATTACH': (e) => [modeled(/^index$/, e.schema, e.tag)],
  TRIGGER: (e) => {
    const [table, name] = two(e.tag);
    return [
      modeled(/^trigger$/, e.schema, name, table),
      listed(/^(constraint )?trigger$/, { schema: e.schema, table, name }),
    ];
  },
  RULE: (e) => {
    const [table, name] = two(e.tag);
    return [listed(/^rule$/, { schema: e.schema, table, name })];
  },
  POLICY: (e) => {
    const [table, name] = two(e.tag);
    return [modeled(/^policy$/, e.schema, name, table), listed(/^policy$/, { schema: e.schema, table, name })];
  },
  'ROW SECURITY': (e) => [
    modeled(/^table$/, e.schema, e.tag, undefined, (o) => o.node.rowSecurity === true),
    listed(/^row level security$/, { schema: e.schema, name: e.tag }),
  ],
  STATISTICS: (e) => [listed(/^statistics$/, { schema: e.schema, name: e.tag })],
  TYPE: (e) => [
    modeled(/^(enum|composite|range)$/, e.schema, e.tag),
    listed(/^(base type|shell type)$/, { schema: e.schema, name: e.tag }),
  ],
  'SHELL TYPE': (e) => [listed(/^(base type|shell type)$/, { schema: e.schema, name: e.tag })],
  DOMAIN: (e) => [modeled(/^domain$/, e.schema, e.tag)],
  FUNCTION: (e) => [
    modeled(/^function$/, e.schema, e.tag),
    listed(/^window function$/, { schema: e.schema, name: e.tag }),
  ],
  PROCEDURE: (e) => [modeled(/^procedure$/, e.schema, e.tag), listed(/^procedure$/, { schema: e.schema, name: e.tag })],
  AGGREGATE: (e) => [listed(/^aggregate$/, { schema: e.schema, name: e.tag })],
  // the tag is the operator's name alone; the list tells overloads apart by their argument types
  OPERATOR: (e) => [
    (h) => h.listed.some((n) => n.kind === 'operator' && n.schema === e.schema && n.name?.startsWith(`${e.tag}(`)),
  ],
  'OPERATOR CLASS': (e) => [listed(/^operator class$/, { schema: e.schema, name: e.tag })],
  'OPERATOR FAMILY': (e) => [listed(/^operator family$/, { schema: e.schema, name: e.tag })],
  COLLATION: (e) => [listed(/^collation$/, { schema: e.schema, name: e.tag })],
  CONVERSION: (e) => [listed(/^conversion$/, { schema: e.schema, name: e.tag })],
  'TEXT SEARCH CONFIGURATION': (e) => [listed(/^text search configuration$/, { schema: e.schema, name: e.tag })],
  'TEXT SEARCH DICTIONARY': (e) => [listed(/^text search dictionary$/, { schema: e.schema, name: e.tag })],
  'TEXT SEARCH PARSER': (e) => [listed(/^text search parser$/, { schema: e.schema, name: e.tag })],
  'TEXT SEARCH TEMPLATE': (e) => [listed(/^text search template$/, { schema: e.schema, name: e.tag })],
  // Database-wide objects: named by the selected schemas that use them.
  CAST: (e) => [listed(/^cast$/, { name: e.tag.replace(/^CAST /, '') })],
  'PROCEDURAL LANGUAGE': (e) => [listed(/^procedural language$/, { name: e.tag })],
  'FOREIGN DATA WRAPPER': (e) => [listed(/^foreign server$/, { detail: re(`wrapper ${escape(e.tag)},.*`) })],
  SERVER: (e) => [listed(/^foreign server$/, { name: e.tag })],
  'USER MAPPING': (e) => [listed(/^foreign server$/, { name: e.tag.replace(/^USER MAPPING \S+ SERVER /, '') })],
  'ACCESS METHOD': (e) => [
    listed(/^table access method$/, { detail: re(escape(e.tag)) }),
    listed(/^operator (class|family)$/, { detail: re(`USING ${escape(e.tag)}`) }),
    (h) => h.model.some((o) => o.kind === 'index' && o.node.method === e.tag),
  ],
  'EVENT TRIGGER': (e) => [listed(/^event trigger$/, { name: e.tag })],
  PUBLICATION: (e) => [listed(/^publication$/, { name: e.tag })],
  'PUBLICATION TABLE': (e) => {
    const [pub, table] = two(e.tag);
    return [listed(/^publication$/, { schema: e.schema, table, name: pub })];
  },
  'PUBLICATION TABLES IN SCHEMA': (e) => {
    const [pub, schema] = two(e.tag);
    return [listed(/^publication$/, { schema, name: pub, detail: /^TABLES IN SCHEMA$/ })];
  },
  'DEFAULT ACL': (e) => {
    const what = e.tag
      .replace(/^DEFAULT PRIVILEGES FOR /, '')
      .toLowerCase()
      .replace('functions', 'routines');
    // Modeled (DatabaseSchema.defaultPrivileges), unless a built-in default was revoked in every schema.
    const on = what === 'routines' ? 'functions' : what;
    const held: Witness = (h) =>
      h.defaults.some((d) => d.on === on && (e.schema === '-' ? d.schema === undefined : d.schema === e.schema));
    return e.schema === '-'
      ? [held, listed(/^default privileges$/, { detail: re(`${what} in every schema, a default revoked: .*`) })]
      : [held];
  },
  ACL: (e) => objectRule('ACL', e),
  COMMENT: (e) => objectRule('COMMENT', e),
};

/** The object an ACL or COMMENT entry is about: `TYPE x`, `COLUMN t.c`, `CONSTRAINT c ON t`, ... */
const OBJECT_TYPES = [
  'SCHEMA',
  'EXTENSION',
  'TABLE',
  'COLUMN',
  'SEQUENCE',
  'VIEW',
  'MATERIALIZED VIEW',
  'FOREIGN TABLE',
  'INDEX',
  'CONSTRAINT',
  'TRIGGER',
  'POLICY',
  'RULE',
  'TYPE',
  'DOMAIN',
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'OPERATOR',
  'OPERATOR CLASS',
  'OPERATOR FAMILY',
  'CAST',
  'COLLATION',
  'CONVERSION',
  'STATISTICS',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER',
  'TEXT SEARCH TEMPLATE',
  'PUBLICATION',
  'EVENT TRIGGER',
  'FOREIGN DATA WRAPPER',
  'FOREIGN SERVER',
  'SERVER',
  'ACCESS METHOD',
  'LANGUAGE',
].sort((a, b) => b.length - a.length);

function objectRule(what: 'ACL' | 'COMMENT', e: TocEntry): Witness[] {
  const type = OBJECT_TYPES.find((t) => e.tag.startsWith(`${t} `));
  if (type === undefined) return [];
  const rest = e.tag.slice(type.length + 1);
  const s = e.schema;
  // The object's own entry type, for database-wide objects whose ACL or comment comes with them.
  const own = (desc: string, tag: string) => TOC_RULES[desc]!({ line: '', desc, schema: s, tag });
  if (what === 'ACL') {
    // Grants beyond the defaults are modeled on their object; a default revoked is listed.
    const granted = (o: ModelObject, column?: string) =>
      ((o.node.grants as { columns?: string[] }[] | undefined) ?? []).some(
        (g) => column === undefined || (g.columns ?? []).includes(column),
      );
    switch (type) {
      case 'SCHEMA':
        return [modeled(/^schema$/, '', rest, undefined, granted), listed(/^grants on schema$/, { schema: rest })];
      case 'COLUMN': {
        const [table, column] = rest.split('.') as [string, string];
        return [
          modeled(/^(table|view)$/, s, table, undefined, (o) => granted(o, column)),
          listed(/^grants on column$/, { schema: s, table, name: column }),
        ];
      }
      case 'TABLE': // pg_dump names views, materialized views and foreign tables TABLE in an ACL
        return [
          modeled(/^(table|view)$/, s, rest, undefined, granted),
          listed(/^grants on (table|view|materialized view|foreign table)$/, { schema: s, name: rest }),
        ];
      case 'SEQUENCE':
        return [
          modeled(/^sequence$/, s, rest, undefined, granted),
          listed(/^grants on sequence$/, { schema: s, name: rest }),
        ];
      case 'FUNCTION':
      case 'PROCEDURE':
      case 'AGGREGATE':
        return [
          modeled(/^function$/, s, rest, undefined, granted),
          listed(/^grants on routine$/, { schema: s, name: rest }),
        ];
      case 'TYPE':
      case 'DOMAIN':
        return [modeled(/^enum$/, s, rest, undefined, granted), listed(/^grants on type$/, { schema: s, name: rest })];
      case 'LANGUAGE':
        return own('PROCEDURAL LANGUAGE', rest);
      case 'FOREIGN DATA WRAPPER':
        return own('FOREIGN DATA WRAPPER', rest);
      case 'FOREIGN SERVER':
        return own('SERVER', rest);
      default:
        return [];
    }
  }
  // COMMENT: the model holds the comment, or the list names it; a database-wide object's comment comes with it.
  const comment = (name: string, table?: string): Witness =>
    listed(/^comment on /, { schema: s, name, ...(table !== undefined ? { table } : {}) });
  switch (type) {
    case 'SCHEMA':
      return [modeled(/^schema$/, '', rest, undefined, hasComment), listed(/^comment on schema$/, { schema: rest })];
    case 'COLUMN': {
      const [table, column] = rest.split('.') as [string, string];
      // A view's (or materialized view's) column comments sit on the view, not on column objects.
      const onView = modeled(/^view$/, s, table, undefined, (o) =>
        ((o.node.columnComments as { name: string }[] | undefined) ?? []).some((c) => c.name === column),
      );
      return [modeled(/^column$/, s, column, table, hasComment), onView, comment(column, table)];
    }
    case 'CONSTRAINT': {
      const domain = /^(\S+) ON DOMAIN (\S+)$/.exec(rest);
      if (domain) return [comment(domain[1]!, domain[2]!)];
      const [name, table] = onTable(rest);
      return [modeled(/.*/, s, name, table, hasComment), comment(name, table)];
    }
    case 'TRIGGER':
    case 'POLICY':
    case 'RULE': {
      const [name, table] = onTable(rest);
      return [modeled(/.*/, s, name, table, hasComment), comment(name, table)];
    }
    case 'OPERATOR': {
      const m = /^(\S+) \((.*)\)$/.exec(rest);
      return m ? [comment(`${m[1]}(${m[2]})`)] : [];
    }
    case 'OPERATOR CLASS':
    case 'OPERATOR FAMILY':
      return [comment(rest.replace(/ USING \S+$/, ''))];
    case 'EXTENSION':
    case 'CAST':
    case 'EVENT TRIGGER':
    case 'PUBLICATION':
    case 'FOREIGN DATA WRAPPER':
    case 'SERVER':
    case 'ACCESS METHOD':
      return own(type, type === 'CAST' ? `CAST ${rest}` : rest);
    case 'LANGUAGE':
      return own('PROCEDURAL LANGUAGE', rest);
    default:
      return [
        modeled(
          re(`${RELATION_KINDS}|sequence|index|enum|domain|composite|range|function|procedure|statistics`),
          s,
          rest,
          undefined,
          hasComment,
        ),
        comment(rest),
      ];
  }
}

// ---- properties pg_dump writes inside an entry ---------------------------------------------------------------

/** A clause in a TABLE or INDEX entry's SQL, and the list entry that must name it (on the same relation). */
const CLAUSES: ReadonlyArray<{
  readonly clause: RegExp;
  readonly kind: string;
  readonly on: 'relation' | 'column';
  /** The table property of the model that holds the clause, when the model holds it for tables. */
  readonly table?: string;
}> = [
  { clause: /^CREATE UNLOGGED TABLE /m, kind: 'unlogged', on: 'relation', table: 'unlogged' },
  { clause: /^\)\nWITH \(|^CREATE INDEX .* WITH \(/m, kind: 'storage parameters', on: 'relation' },
  { clause: /^INHERITS \(/m, kind: 'inheritance child', on: 'relation' },
  { clause: /^PARTITION BY /m, kind: 'partitioned table', on: 'relation' },
  { clause: /^CREATE TABLE \S+ OF /m, kind: 'typed table', on: 'relation' },
  {
    clause: /^ALTER TABLE (ONLY )?\S+ REPLICA IDENTITY /m,
    kind: 'replica identity',
    on: 'relation',
    table: 'replicaIdentity',
  },
  { clause: /^ALTER TABLE (ONLY )?\S+ CLUSTER ON /m, kind: 'clustered index', on: 'column' },
  { clause: /ALTER COLUMN \S+ SET STATISTICS /, kind: 'column statistics target', on: 'column' },
  { clause: /ALTER COLUMN \S+ SET STORAGE /, kind: 'column storage', on: 'column' },
  { clause: /ALTER COLUMN \S+ SET COMPRESSION /, kind: 'column compression', on: 'column' },
  { clause: /ALTER COLUMN \S+ SET \(/, kind: 'column options', on: 'column' },
];

/** The SQL of every entry of a plain-text restore, keyed `TYPE schema name`, from its `-- Name:` header. */
function entrySql(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(/^-- Name: /m).slice(1);
  for (const p of parts) {
    const m = /^(.*?); Type: (.*?); Schema: (.*?); Owner: .*$/m.exec(p);
    if (!m) continue;
    out.set(`${m[2]} ${m[3]} ${m[1]}`, p);
  }
  return out;
}

// ---- the test ---------------------------------------------------------------------------------------------

let server: EmbeddedServer | undefined;

beforeAll(async () => {
  if (!existsSync(join(PG15, 'postgres'))) {
    throw new Error(`${PG15}/postgres is missing: this test needs PostgreSQL 15 (pg_dump here is 15)`);
  }
  server = await startEmbedded({ major: 15 });
});

afterAll(async () => {
  await server?.stop();
});

async function withDatabase<T>(fn: (c: pg.Client, url: string, role: string) => Promise<T>): Promise<T> {
  if (!server) throw new Error('the PostgreSQL 15 server did not start');
  const role = randomBytes(4).toString('hex');
  const name = `toc_${role}`;
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${ident(name)}`);
  const url = server.url(name);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c, url, role);
  } finally {
    await c.query(CLEANUP.replaceAll('%r', role)).catch(() => undefined);
    await c.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await admin.end();
  }
}

async function dump(url: string): Promise<{ toc: string; sql: string }> {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-toc-'));
  try {
    const file = join(dir, 'schema.dump');
    await run(join(PG15, 'pg_dump'), ['--schema-only', '-Fc', '-f', file], { env });
    const toc = (await run(join(PG15, 'pg_restore'), ['-l', file], { maxBuffer: 16 << 20 })).stdout;
    const sql = (await run(join(PG15, 'pg_restore'), ['-f', '-', file], { maxBuffer: 16 << 20 })).stdout;
    return { toc, sql };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("pg_dump's table of contents against the model and the inventory", () => {
  it('holds every entry of a database with one object of every class, in the model or in the list', async () => {
    await withDatabase(async (c, url, role) => {
      await c.query(OBJECTS.replaceAll('%r', role));
      // As introspect writes it: the schemas' objects, and the database's extensions.
      const model = { ...(await introspect(c, { includeSchemas: ['app'] })), extensions: await readExtensions(c) };
      const list = await inventory(c, { includeSchemas: ['app'] });
      const identity = new Map(
        (
          await c.query<{ seq: string; table: string; column: string }>(
            `SELECT s.relname AS seq, t.relname AS table, a.attname AS column FROM pg_depend d
             JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'i' AND s.relkind = 'S'`,
          )
        ).rows.map((r) => [r.seq, { table: r.table, column: r.column }]),
      );
      const held: Held = {
        model: modelObjects(model),
        defaults: model.defaultPrivileges ?? [],
        listed: list,
        identity,
      };
      const { toc, sql } = await dump(url);
      const owner = decodeURIComponent(new URL(url).username);
      const entries = parseToc(toc, owner);
      // The database holds one of each: the dump must show them (else the fixture, not switchyard, is wrong).
      const seen = new Set(entries.map((e) => e.desc));
      expect(Object.keys(TOC_RULES).filter((d) => !seen.has(d))).toEqual([]);

      const silent: string[] = [];
      for (const e of entries) {
        const rule = TOC_RULES[e.desc];
        if (!rule) {
          silent.push(`unknown TOC entry type (add it to TOC_RULES): ${e.line}`);
          continue;
        }
        const witnesses = rule(e);
        if (witnesses.length === 0) silent.push(`no rule for the object of: ${e.line}`);
        else if (!witnesses.some((w) => w(held))) silent.push(`neither modeled nor listed: ${e.line}`);
      }

      // Properties inside TABLE and INDEX entries.
      for (const [key, text] of entrySql(sql)) {
        const [type, schema, name] = key.split(' ') as [string, string, string];
        if (type !== 'TABLE' && type !== 'INDEX') continue;
        const table = type === 'INDEX' ? undefined : name;
        for (const { clause, kind, on, table: property } of CLAUSES) {
          if (!clause.test(text)) continue;
          const inModel =
            property !== undefined &&
            held.model.some(
              (o) => o.kind === 'table' && o.schema === schema && o.name === name && o.node[property] !== undefined,
            );
          // A table's storage parameters are the model's (`storage:`).
          const modeledStorage =
            kind === 'storage parameters' &&
            type === 'TABLE' &&
            (model.schemas.find((sc) => sc.name === schema)?.tables.find((t) => t.name === name)?.storage?.length ??
              0) > 0;
          const ok =
            inModel ||
            modeledStorage ||
            list.some(
              (n) =>
                n.kind === kind &&
                n.schema === schema &&
                (on === 'relation' ? n.name === name : n.table === name || (table === undefined && n.name === name)),
            );
          if (!ok) silent.push(`${kind} of ${type} ${schema}.${name} is neither modeled nor listed`);
        }
      }
      expect(silent).toEqual([]);
    });
  });
});
