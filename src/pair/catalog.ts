// The standby's catalog copy, read side: every object of the application schemas as the statements that
// create it, written from the catalog's own definitions (pg_get_viewdef, pg_get_functiondef,
// pg_get_constraintdef, pg_get_indexdef, pg_get_triggerdef, pg_get_ruledef, pg_get_statisticsobjdef,
// pg_get_partkeydef, pg_get_expr for policies, defaults and partition bounds), never from the model. The model
// lacks what it does not hold; the standby must not.
//
// Each object is a key naming it (`policy "own_rows" on "public"."accounts"`), a phase that orders the build
// (the order pg_dump uses: types, functions, tables, partitions, keys, views, indexes, foreign keys, triggers
// and policies, table properties, comments, privileges), and its statements. The same reading of both sides,
// compared statement by statement, is the pair's full catalog fingerprint (catalog-compare.ts). What this file
// does not write is named by the inventory, and `pair init` refuses it (standby-build.ts).
import type { Queryable } from '../introspect/index.js';
import { withPinnedSettings } from '../introspect/pinned.js';
import { databaseError } from '../errors.js';
import { ident, literal, qualified } from '../db/quote.js';
import { replicaIdentityStatement } from './replica-identity.js';

export const PHASES = [
  'schema',
  'type',
  'sequence',
  'function',
  'table',
  'partition',
  'partition key',
  'key',
  'view',
  'partition index',
  'index',
  'attach',
  'foreign key',
  'trigger',
  'property',
  'comment',
  'privileges',
  'default privileges',
] as const;
export type CatalogPhase = (typeof PHASES)[number];

export interface CatalogObject {
  /** What it is and its name, quoted: `table "public"."t"`, `policy "p" on "public"."t"`. */
  readonly key: string;
  readonly phase: CatalogPhase;
  /** Order inside the phase (views after the views they read); 0 otherwise. */
  readonly depth: number;
  /** The statements creating it, in order. */
  readonly statements: readonly string[];
  /** Its owner, when it has one: ALTER ... OWNER TO is run only when the standby's role is not already it. */
  readonly owner?: { readonly role: string; readonly statement: string };
  /** Roles it names (owner, grantees, policy roles): they must exist on the standby's cluster. */
  readonly roles: readonly string[];
  /** Made before the build, not by its statements (an extension: rehearsal/extensions.ts creates it). */
  readonly external?: true;
  /** Why this copy cannot write it: `pair init` refuses, naming it. */
  readonly unsupported?: string;
}

export interface Catalog {
  readonly major: number;
  readonly objects: readonly CatalogObject[];
}

const notExt = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;

/** Privileges exploded as [grantee or PUBLIC, privilege, grantable], for an ACL and for the default one. */
const explode = (acl: string) =>
  `coalesce((SELECT json_agg(json_build_array(coalesce(gr.rolname, 'PUBLIC'), a.privilege_type, a.is_grantable)
     ORDER BY 1, 2) FROM aclexplode(${acl}) a LEFT JOIN pg_roles gr ON gr.oid = a.grantee), '[]'::json)`;
const aclPair = (acl: string, kind: string, owner: string) =>
  `${explode(`coalesce(${acl}, acldefault(${kind}, ${owner}))`)} AS acl, ${explode(`acldefault(${kind}, ${owner})`)} AS dflt`;

type Grant = [string, string, boolean];

/** GRANTs and REVOKEs that turn the default privileges into `acl` (on `target`, e.g. `TABLE "s"."t"`). */
export function aclStatements(
  target: string,
  acl: readonly Grant[],
  dflt: readonly Grant[],
  column?: string,
): string[] {
  const k = (g: Grant) => g.join('\u0000');
  const have = new Set(acl.map(k));
  const base = new Set(dflt.map(k));
  const who = (g: string) => (g === 'PUBLIC' ? 'PUBLIC' : ident(g));
  const priv = (p: string) => (column ? `${p} (${ident(column)})` : p);
  return [
    ...dflt.filter((g) => !have.has(k(g))).map((g) => `REVOKE ${priv(g[1])} ON ${target} FROM ${who(g[0])}`),
    ...acl
      .filter((g) => !base.has(k(g)))
      .map((g) => `GRANT ${priv(g[1])} ON ${target} TO ${who(g[0])}${g[2] ? ' WITH GRANT OPTION' : ''}`),
  ];
}

const grantees = (acl: readonly Grant[]) => acl.map((g) => g[0]).filter((g) => g !== 'PUBLIC');

interface Rel {
  oid: string;
  schema: string;
  name: string;
  kind: string;
  persistence: string;
  ispartition: boolean;
  partkey: string | null;
  bound: string | null;
  parent_schema: string | null;
  parent_name: string | null;
  options: string[] | null;
  owner: string;
  replident: 'd' | 'f' | 'n' | 'i';
  replindex: string | null;
  rls: boolean;
  force_rls: boolean;
  viewdef: string | null;
  clustered: string | null;
  acl: Grant[];
  dflt: Grant[];
  seq: ({ type: string } & SequenceOptions) | null;
  owned_by: { schema: string; table: string; column: string } | null;
  identity: boolean;
}

/** A sequence's options as the catalog query returns them (a plain sequence's and an identity column's). */
interface SequenceOptions {
  start: string;
  inc: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

interface Col {
  rel: string;
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  generated: string;
  identity: string;
  collation: string | null;
  storage: string | null;
  compression: string | null;
  stattarget: number | null;
  options: string[] | null;
  inherited: boolean;
  identity_seq: ({ schema: string; name: string } & SequenceOptions) | null;
  acl: Grant[] | null;
}

// $1: schema names. Relations of the schemas (not an extension's, not an identity column's sequence).
const RELATIONS = `
SELECT c.oid::text, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
  c.relispartition AS ispartition, CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
  pn.nspname AS parent_schema, p.relname AS parent_name,
  c.reloptions || coalesce((SELECT array_agg('toast.' || o) FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid), '{}') AS options,
  pg_get_userbyid(c.relowner) AS owner, c.relreplident::text AS replident,
  (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisreplident) AS replindex,
  c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS viewdef,
  (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisclustered) AS clustered,
  ${aclPair('c.relacl', `CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char"`, 'c.relowner')},
  (SELECT json_build_object('type', format_type(s.seqtypid, NULL), 'start', s.seqstart::text, 'inc', s.seqincrement::text,
     'min', s.seqmin::text, 'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle)
     FROM pg_sequence s WHERE s.seqrelid = c.oid) AS seq,
  (SELECT json_build_object('schema', tn.nspname, 'table', t.relname, 'column', a.attname)
     FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
      AND d.deptype = 'a' AND d.refobjsubid > 0) AS owned_by,
  -- an identity column's sequence comes with its column; only its privileges are its own
  c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend idn WHERE idn.classid = 'pg_class'::regclass
    AND idn.objid = c.oid AND idn.deptype = 'i') AS identity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class p ON p.oid = i.inhparent LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND ${notExt('pg_class', 'c.oid')}
ORDER BY n.nspname, c.relname`;

// Views and materialized views that read other views: each view's depth orders the build.
const VIEW_EDGES = `
SELECT DISTINCT rw.ev_class::text AS view, d.refobjid::text AS uses
FROM pg_rewrite rw JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
  AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> rw.ev_class
JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class u ON u.oid = d.refobjid AND u.relkind IN ('v', 'm')
WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('v', 'm')`;

const COLUMNS = `
SELECT c.oid::text AS rel, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
  pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attgenerated::text AS generated, a.attidentity::text AS identity,
  CASE WHEN a.attcollation <> t.typcollation THEN (SELECT format('%s.%s', quote_ident(cn.nspname), quote_ident(co.collname))
    FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END AS collation,
  CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'
    WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END END AS storage,
  CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
  nullif(coalesce(a.attstattarget, -1), -1)::int AS stattarget, a.attoptions AS options, a.attinhcount > 0 AS inherited,
  (SELECT json_build_object('schema', sn.nspname, 'name', sc.relname, 'start', s.seqstart::text, 'inc', s.seqincrement::text,
     'min', s.seqmin::text, 'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle)
     FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace
     JOIN pg_sequence s ON s.seqrelid = sc.oid
    WHERE a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i') AS identity_seq,
  CASE WHEN a.attacl IS NOT NULL THEN ${explode('a.attacl')} END AS acl
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
  AND ${notExt('pg_class', 'c.oid')}
ORDER BY c.oid, a.attnum`;

const CONSTRAINTS = `
SELECT n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind, c.relispartition AS ispartition,
  con.conname AS name, con.contype::text AS type, pg_get_constraintdef(con.oid) AS def
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND ${notExt('pg_class', 'c.oid')}
  AND con.contype IN ('p', 'u', 'x', 'c', 'f')
  AND NOT (con.contype = 'c' AND NOT con.conislocal) AND NOT (con.contype = 'f' AND con.conparentid <> 0)
ORDER BY 1, 2, 5`;

// Indexes that no constraint of their own table owns (those come with the constraint).
const INDEXES = `
SELECT n.nspname AS schema, t.relname AS table, ic.relname AS name, pg_get_indexdef(ic.oid) AS def,
  t.relispartition OR EXISTS (SELECT FROM pg_inherits pi WHERE pi.inhrelid = ic.oid) AS child,
  coalesce((SELECT json_agg(json_build_array(a.attnum, a.attstattarget) ORDER BY a.attnum) FROM pg_attribute a
    WHERE a.attrelid = ic.oid AND coalesce(a.attstattarget, -1) <> -1), '[]'::json) AS stats
FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND t.relkind IN ('r', 'p', 'm') AND ${notExt('pg_class', 't.oid')}
  AND NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conindid = ic.oid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2, 3`;

// Index partitions attached to a partitioned index (both plain and constraint indexes).
const INDEX_ATTACH = `
SELECT pn.nspname AS parent_schema, p.relname AS parent, cn.nspname AS child_schema, c.relname AS child
FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
WHERE p.relkind = 'I' AND pn.nspname = ANY ($1::text[])
ORDER BY 1, 2, 3, 4`;

const TRIGGERS = `
SELECT n.nspname AS schema, c.relname AS table, tg.tgname AS name, pg_get_triggerdef(tg.oid) AS def, tg.tgenabled::text AS enabled
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND NOT tg.tgisinternal AND tg.tgparentid = 0 AND ${notExt('pg_class', 'c.oid')}
ORDER BY 1, 2, 3`;

const RULES = `
SELECT n.nspname AS schema, c.relname AS table, rw.rulename AS name, pg_get_ruledef(rw.oid) AS def
FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[]) AND rw.rulename <> '_RETURN' AND ${notExt('pg_class', 'c.oid')}
ORDER BY 1, 2, 3`;

const POLICIES = `
SELECT n.nspname AS schema, c.relname AS table, pol.polname AS name, pol.polcmd::text AS cmd, pol.polpermissive AS permissive,
  array(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END FROM unnest(pol.polroles) r ORDER BY 1)::text[] AS roles,
  pg_get_expr(pol.polqual, pol.polrelid) AS using, pg_get_expr(pol.polwithcheck, pol.polrelid) AS check
FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ($1::text[])
ORDER BY 1, 2, 3`;

const STATISTICS = `
SELECT n.nspname AS schema, s.stxname AS name, pg_get_statisticsobjdef(s.oid) AS def, pg_get_userbyid(s.stxowner) AS owner
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
WHERE n.nspname = ANY ($1::text[]) AND ${notExt('pg_statistic_ext', 's.oid')}
ORDER BY 1, 2`;

const FUNCTIONS = `
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, p.prokind::text AS kind,
  pg_get_functiondef(p.oid) AS def, pg_get_userbyid(p.proowner) AS owner, ${aclPair('p.proacl', `'f'`, 'p.proowner')}
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY ($1::text[]) AND p.prokind IN ('f', 'p', 'w') AND ${notExt('pg_proc', 'p.oid')}
  -- a range type's constructors come with it (CREATE OR REPLACE would cut them loose from it)
  AND NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid AND dep.deptype = 'i')
ORDER BY 1, 2, 3`;

// Enums, domains, composite types (of no table) and range types (their multirange comes with them).
const TYPES = `
SELECT n.nspname AS schema, t.typname AS name, t.typtype::text AS kind, pg_get_userbyid(t.typowner) AS owner,
  CASE t.typtype WHEN 'e' THEN array(SELECT quote_literal(e.enumlabel) FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
    WHEN 'c' THEN array(SELECT format('%s %s%s', quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || (SELECT format('%s.%s', quote_ident(cn.nspname), quote_ident(co.collname))
          FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) ELSE '' END)
      FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
    WHEN 'd' THEN array(SELECT format('CONSTRAINT %s %s', quote_ident(dc.conname), pg_get_constraintdef(dc.oid))
      FROM pg_constraint dc WHERE dc.contypid = t.oid ORDER BY dc.conname)
  END AS parts,
  CASE t.typtype WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
    WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END AS base,
  CASE WHEN t.typtype = 'd' AND t.typcollation <> (SELECT bt.typcollation FROM pg_type bt WHERE bt.oid = t.typbasetype)
    THEN (SELECT format('%s.%s', quote_ident(cn.nspname), quote_ident(co.collname)) FROM pg_collation co
      JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) END AS collation,
  t.typdefault AS def, t.typnotnull AS notnull,
  ${aclPair('t.typacl', `'T'`, 't.typowner')}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY ($1::text[]) AND ${notExt('pg_type', 't.oid')}
  AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
ORDER BY 1, 2`;

const SCHEMAS = `
SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner, ${aclPair('n.nspacl', `'n'`, 'n.nspowner')}
FROM pg_namespace n WHERE n.nspname = ANY ($1::text[]) ORDER BY 1`;

const EXTENSIONS = `
SELECT e.extname AS name, n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql' ORDER BY 1`;

// Comments on objects of the schemas (an extension's own objects and the extension itself left out: CREATE
// EXTENSION makes them). The address gives each part of the name apart, to be quoted here.
const COMMENTS = `
SELECT i.type, a.object_names AS names, a.object_args AS args, d.description AS text
FROM pg_description d
CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i
CROSS JOIN LATERAL pg_identify_object_as_address(d.classoid, d.objoid, d.objsubid) a
WHERE (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass) -- not the system's thousands (public's is kept)
  AND d.classoid <> 'pg_extension'::regclass AND NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = d.classoid
    AND dep.objid = d.objoid AND dep.deptype = 'e')
  AND (CASE WHEN i.type = 'schema' THEN a.object_names[1]
    WHEN i.type IN ('type', 'domain', 'domain constraint') THEN (SELECT tn.nspname FROM pg_type ty JOIN pg_namespace tn ON tn.oid = ty.typnamespace
      WHERE ty.oid = CASE WHEN i.type = 'domain constraint' THEN (SELECT contypid FROM pg_constraint WHERE oid = d.objoid) ELSE d.objoid END)
    ELSE a.object_names[1] END) = ANY ($1::text[])
ORDER BY 1, 2, 3`;

const DEFAULT_ACLS = `
SELECT pg_get_userbyid(d.defaclrole) AS role, n.nspname AS schema, d.defaclobjtype::text AS objtype,
  ${explode('d.defaclacl')} AS acl,
  CASE WHEN d.defaclnamespace = 0 THEN ${explode(`acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)`)}
    ELSE '[]'::json END AS dflt
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE d.defaclnamespace = 0 OR n.nspname = ANY ($1::text[])
ORDER BY 1, 2, 3`;

const COMMENT_KEYWORD: Record<string, string> = {
  table: 'TABLE',
  view: 'VIEW',
  'materialized view': 'MATERIALIZED VIEW',
  index: 'INDEX',
  sequence: 'SEQUENCE',
  schema: 'SCHEMA',
  type: 'TYPE',
  domain: 'DOMAIN',
  function: 'FUNCTION',
  procedure: 'PROCEDURE',
  'statistics object': 'STATISTICS',
};
const COLUMN_TYPES = new Set(['table column', 'view column', 'materialized view column', 'composite type column']);
const ON_TABLE: Record<string, string> = {
  trigger: 'TRIGGER',
  policy: 'POLICY',
  rule: 'RULE',
  'table constraint': 'CONSTRAINT',
};

/** The COMMENT ON statement of one pg_description row, or undefined for a class this copy does not write. */
export function commentStatement(r: {
  type: string;
  names: string[];
  args: string[];
  text: string;
}): { key: string; statement: string } | undefined {
  const n = r.names;
  let target: string | undefined;
  if (COLUMN_TYPES.has(r.type) && n.length === 3) target = `COLUMN ${qualified(n[0]!, n[1]!)}.${ident(n[2]!)}`;
  else if (ON_TABLE[r.type] && n.length === 3)
    target = `${ON_TABLE[r.type]} ${ident(n[2]!)} ON ${qualified(n[0]!, n[1]!)}`;
  else if (r.type === 'domain constraint' && n.length === 1 && r.args.length === 1)
    // the domain's name as the catalog prints a type (qualified and quoted by format_type)
    target = `CONSTRAINT ${ident(r.args[0]!)} ON DOMAIN ${n[0]}`;
  else if ((r.type === 'type' || r.type === 'domain') && n.length === 1) target = `${COMMENT_KEYWORD[r.type]} ${n[0]}`;
  else if (r.type === 'schema' && n.length === 1) target = `SCHEMA ${ident(n[0]!)}`;
  else if ((r.type === 'function' || r.type === 'procedure') && n.length === 2)
    // argument types as the catalog prints them
    target = `${COMMENT_KEYWORD[r.type]} ${qualified(n[0]!, n[1]!)}(${r.args.join(', ')})`;
  else if (COMMENT_KEYWORD[r.type] && n.length === 2) target = `${COMMENT_KEYWORD[r.type]} ${qualified(n[0]!, n[1]!)}`;
  if (!target) return undefined;
  return { key: `comment on ${target}`, statement: `COMMENT ON ${target} IS ${literal(r.text)}` };
}

const POLICY_CMD: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };
const DEFACL_KIND: Record<string, string> = { r: 'TABLES', S: 'SEQUENCES', f: 'FUNCTIONS', T: 'TYPES', n: 'SCHEMAS' };
const TRIGGER_STATE: Record<string, string> = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };

function seqOptions(s: {
  start: string;
  inc: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}): string {
  return `START WITH ${s.start} INCREMENT BY ${s.inc} MINVALUE ${s.min} MAXVALUE ${s.max} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ' NO CYCLE'}`;
}

async function rows<R>(db: Queryable, sql: string, schemas: readonly string[], what: string): Promise<R[]> {
  try {
    return (await db.query<R>(sql, sql.includes('$1') ? [schemas] : [])).rows;
  } catch (e) {
    throw databaseError(`reading the ${what} for the standby copy`, e);
  }
}

/** Every object of `schemas` (and the database's extensions and default privileges), as statements. */
export async function readCatalog(db: Queryable, schemas: readonly string[]): Promise<Catalog> {
  return withPinnedSettings(db, 'the catalog copy', async (num) => {
    const objects: CatalogObject[] = [];
    const add = (o: Omit<CatalogObject, 'depth' | 'roles'> & { depth?: number; roles?: readonly string[] }) =>
      objects.push({ depth: 0, roles: [], ...o });
    const read = <R>(sql: string, what: string) => rows<R>(db, sql, schemas, what);

    for (const s of await read<{ name: string; owner: string; acl: Grant[]; dflt: Grant[] }>(SCHEMAS, 'schemas')) {
      add({
        key: `schema ${ident(s.name)}`,
        phase: 'schema',
        statements: [`CREATE SCHEMA ${ident(s.name)}`],
        owner: { role: s.owner, statement: `ALTER SCHEMA ${ident(s.name)} OWNER TO ${ident(s.owner)}` },
        roles: [s.owner],
      });
      privileges(add, `SCHEMA ${ident(s.name)}`, s.acl, s.dflt);
    }
    // Created before the build (rehearsal/extensions.ts); the version is left out: each server has its own.
    for (const e of await read<{ name: string; schema: string }>(EXTENSIONS, 'extensions'))
      add({
        key: `extension ${ident(e.name)}`,
        phase: 'schema',
        statements: [`CREATE EXTENSION ${ident(e.name)} SCHEMA ${ident(e.schema)}`],
        external: true,
      });

    type TypeRow = {
      schema: string;
      name: string;
      kind: string;
      owner: string;
      parts: string[] | null;
      base: string | null;
      collation: string | null;
      def: string | null;
      notnull: boolean;
      acl: Grant[];
      dflt: Grant[];
    };
    for (const t of await read<TypeRow>(TYPES, 'types')) {
      const q = qualified(t.schema, t.name);
      const kw = t.kind === 'd' ? 'DOMAIN' : 'TYPE';
      const create =
        t.kind === 'e'
          ? `CREATE TYPE ${q} AS ENUM (${(t.parts ?? []).join(', ')})`
          : t.kind === 'c'
            ? `CREATE TYPE ${q} AS (${(t.parts ?? []).join(', ')})`
            : t.kind === 'r'
              ? `CREATE TYPE ${q} AS RANGE (SUBTYPE = ${t.base})`
              : `CREATE DOMAIN ${q} AS ${t.base}${t.collation ? ` COLLATE ${t.collation}` : ''}${t.def !== null ? ` DEFAULT ${t.def}` : ''}${t.notnull ? ' NOT NULL' : ''}${(t.parts ?? []).map((p) => ` ${p}`).join('')}`;
      add({
        key: `${t.kind === 'd' ? 'domain' : 'type'} ${q}`,
        phase: 'type',
        statements: [create],
        owner: { role: t.owner, statement: `ALTER ${kw} ${q} OWNER TO ${ident(t.owner)}` },
        roles: [t.owner],
      });
      privileges(add, `TYPE ${q}`, t.acl, t.dflt);
    }

    type FnRow = {
      schema: string;
      name: string;
      args: string;
      kind: string;
      def: string;
      owner: string;
      acl: Grant[];
      dflt: Grant[];
    };
    for (const f of await read<FnRow>(FUNCTIONS, 'functions')) {
      // args: the identity arguments as the catalog prints them
      const sig = `${qualified(f.schema, f.name)}(${f.args})`;
      const kw = f.kind === 'p' ? 'PROCEDURE' : 'FUNCTION';
      add({
        key: `${kw.toLowerCase()} ${sig}`,
        phase: 'function',
        statements: [f.def.trim()],
        owner: { role: f.owner, statement: `ALTER ${kw} ${sig} OWNER TO ${ident(f.owner)}` },
        roles: [f.owner],
      });
      privileges(add, `${kw} ${sig}`, f.acl, f.dflt);
    }

    const rels = await read<Rel>(RELATIONS, 'relations');
    const edges = await read<{ view: string; uses: string }>(VIEW_EDGES, 'view dependencies');
    const uses = new Map<string, string[]>();
    for (const e of edges) uses.set(e.view, [...(uses.get(e.view) ?? []), e.uses]);
    const depth = (oid: string, seen = new Set<string>()): number => {
      if (seen.has(oid)) return 0;
      seen.add(oid);
      return Math.max(0, ...(uses.get(oid) ?? []).map((u) => 1 + depth(u, seen)));
    };
    const cols = new Map<string, Col[]>();
    for (const c of await read<Col>(COLUMNS, 'columns')) cols.set(c.rel, [...(cols.get(c.rel) ?? []), c]);

    for (const r of rels) {
      const q = qualified(r.schema, r.name);
      const columns = cols.get(r.oid) ?? [];
      const withOptions = r.options?.length ? ` WITH (${r.options.join(', ')})` : '';
      const alters: string[] = [];
      for (const c of columns) {
        const at = `ALTER TABLE ONLY ${q} ALTER COLUMN ${ident(c.name)}`;
        if (c.stattarget !== null) alters.push(`${at} SET STATISTICS ${c.stattarget}`);
        if (c.storage) alters.push(`${at} SET STORAGE ${c.storage}`);
        if (c.compression) alters.push(`${at} SET COMPRESSION ${c.compression}`);
        if (c.options?.length) alters.push(`${at} SET (${c.options.join(', ')})`);
      }
      const owner = (kw: string) => ({ role: r.owner, statement: `ALTER ${kw} ${q} OWNER TO ${ident(r.owner)}` });
      if (r.identity) {
        // created by its column (CREATE TABLE ... GENERATED AS IDENTITY)
      } else if (r.kind === 'S' && r.seq) {
        add({
          key: `sequence ${q}`,
          phase: 'sequence',
          statements: [`CREATE SEQUENCE ${q} AS ${r.seq.type} ${seqOptions(r.seq)}`],
          owner: owner('SEQUENCE'),
          roles: [r.owner],
        });
        if (r.owned_by)
          add({
            key: `sequence ${q} owned by`,
            phase: 'property',
            statements: [
              `ALTER SEQUENCE ${q} OWNED BY ${qualified(r.owned_by.schema, r.owned_by.table)}.${ident(r.owned_by.column)}`,
            ],
          });
      } else if (r.kind === 'v' || r.kind === 'm') {
        const mat = r.kind === 'm';
        const kw = mat ? 'MATERIALIZED VIEW' : 'VIEW';
        const def = (r.viewdef ?? '').trim().replace(/;$/, '');
        add({
          key: `${kw.toLowerCase()} ${q}`,
          phase: 'view',
          depth: depth(r.oid),
          statements: [
            `CREATE ${kw} ${q}${withOptions} AS\n${def}${mat ? '\n WITH NO DATA' : ''}`,
            ...columns
              .filter((c) => c.def !== null)
              .map((c) => `ALTER VIEW ${q} ALTER COLUMN ${ident(c.name)} SET DEFAULT ${c.def}`),
            ...alters.map((a) => a.replace(/^ALTER TABLE ONLY/, `ALTER ${kw}`)),
          ],
          owner: owner(kw),
          roles: [r.owner],
        });
      } else {
        const lines = columns
          .filter((c) => !r.ispartition && !c.inherited)
          .map((c) => {
            let line = `${ident(c.name)} ${c.type}`;
            if (c.collation) line += ` COLLATE ${c.collation}`;
            if (c.generated === 's') line += ` GENERATED ALWAYS AS (${c.def}) STORED`;
            else if (c.def !== null) line += ` DEFAULT ${c.def}`;
            if (c.notnull) line += ' NOT NULL';
            if (c.identity && c.identity_seq)
              line += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY (SEQUENCE NAME ${qualified(c.identity_seq.schema, c.identity_seq.name)} ${seqOptions(c.identity_seq)})`;
            return line;
          });
        // A partition's columns are its parent's; what differs from them is set after.
        const partitionExtras = r.ispartition
          ? columns.flatMap((c) => {
              const at = `ALTER TABLE ONLY ${q} ALTER COLUMN ${ident(c.name)}`;
              return [
                ...(c.notnull ? [`${at} SET NOT NULL`] : []),
                ...(c.def !== null && c.generated !== 's' ? [`${at} SET DEFAULT ${c.def}`] : []),
              ];
            })
          : [];
        const create =
          r.ispartition && r.parent_schema && r.parent_name
            ? `CREATE ${r.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${q} PARTITION OF ${qualified(r.parent_schema, r.parent_name)} ${r.bound}${r.partkey ? ` PARTITION BY ${r.partkey}` : ''}${withOptions}`
            : `CREATE ${r.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${q} (${lines.length ? `\n  ${lines.join(',\n  ')}\n` : ''})${r.partkey ? ` PARTITION BY ${r.partkey}` : ''}${withOptions}`;
        add({
          key: `table ${q}`,
          phase: r.ispartition ? 'partition' : 'table',
          // a partition after its parent (a partition of a partition after that one)
          depth: r.ispartition ? partitionDepth(r, rels) : 0,
          statements: [create, ...partitionExtras, ...alters],
          owner: owner('TABLE'),
          roles: [r.owner],
        });
        const props: string[] = [];
        if (r.replident !== 'd')
          props.push(
            replicaIdentityStatement({ schema: r.schema, table: r.name, identity: r.replident, index: r.replindex }),
          );
        if (r.rls) props.push(`ALTER TABLE ${q} ENABLE ROW LEVEL SECURITY`);
        if (r.force_rls) props.push(`ALTER TABLE ${q} FORCE ROW LEVEL SECURITY`);
        if (r.clustered) props.push(`ALTER TABLE ${q} CLUSTER ON ${ident(r.clustered)}`);
        if (props.length) add({ key: `table ${q} properties`, phase: 'property', statements: props });
      }
      const target = r.kind === 'S' ? `SEQUENCE ${q}` : `TABLE ${q}`;
      privileges(add, target, r.acl, r.dflt);
      for (const c of columns) if (c.acl) privileges(add, `TABLE ${q}`, c.acl, [], c.name);
    }

    type ConRow = {
      schema: string;
      table: string;
      relkind: string;
      ispartition: boolean;
      name: string;
      type: string;
      def: string;
    };
    for (const c of await read<ConRow>(CONSTRAINTS, 'constraints')) {
      const q = qualified(c.schema, c.table);
      // ONLY for keys (a partitioned table's index partitions are attached after); checks and foreign keys
      // of a partitioned table reach its partitions themselves.
      const only = c.type === 'c' || c.type === 'f' ? (c.relkind === 'p' ? '' : 'ONLY ') : 'ONLY ';
      add({
        key: `constraint ${ident(c.name)} on ${q}`,
        phase: c.type === 'f' ? 'foreign key' : c.ispartition && c.type !== 'c' ? 'partition key' : 'key',
        statements: [`ALTER TABLE ${only}${q} ADD CONSTRAINT ${ident(c.name)} ${c.def}`],
      });
    }
    type IxRow = {
      schema: string;
      table: string;
      name: string;
      def: string;
      child: boolean;
      stats: [number, number][];
    };
    for (const i of await read<IxRow>(INDEXES, 'indexes'))
      add({
        key: `index ${qualified(i.schema, i.name)}`,
        phase: i.child ? 'partition index' : 'index',
        statements: [
          i.def,
          ...i.stats.map(
            ([n, v]) => `ALTER INDEX ${qualified(i.schema, i.name)} ALTER COLUMN ${n} SET STATISTICS ${v}`,
          ),
        ],
      });
    for (const a of await read<{ parent_schema: string; parent: string; child_schema: string; child: string }>(
      INDEX_ATTACH,
      'index partitions',
    ))
      add({
        key: `index ${qualified(a.child_schema, a.child)} attached to ${qualified(a.parent_schema, a.parent)}`,
        phase: 'attach',
        statements: [
          `ALTER INDEX ${qualified(a.parent_schema, a.parent)} ATTACH PARTITION ${qualified(a.child_schema, a.child)}`,
        ],
      });
    for (const t of await read<{ schema: string; table: string; name: string; def: string; enabled: string }>(
      TRIGGERS,
      'triggers',
    )) {
      const q = qualified(t.schema, t.table);
      const state = TRIGGER_STATE[t.enabled];
      add({
        key: `trigger ${ident(t.name)} on ${q}`,
        phase: 'trigger',
        statements: [t.def, ...(state ? [`ALTER TABLE ${q} ${state} TRIGGER ${ident(t.name)}`] : [])],
      });
    }
    for (const r of await read<{ schema: string; table: string; name: string; def: string }>(RULES, 'rules'))
      add({ key: `rule ${ident(r.name)} on ${qualified(r.schema, r.table)}`, phase: 'trigger', statements: [r.def] });
    type PolRow = {
      schema: string;
      table: string;
      name: string;
      cmd: string;
      permissive: boolean;
      roles: string[];
      using: string | null;
      check: string | null;
    };
    for (const p of await read<PolRow>(POLICIES, 'policies')) {
      const q = qualified(p.schema, p.table);
      const to = p.roles.map((r) => (r === 'PUBLIC' ? 'PUBLIC' : ident(r))).join(', ');
      add({
        key: `policy ${ident(p.name)} on ${q}`,
        phase: 'trigger',
        statements: [
          `CREATE POLICY ${ident(p.name)} ON ${q} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${POLICY_CMD[p.cmd] ?? 'ALL'} TO ${to}${p.using !== null ? ` USING (${p.using})` : ''}${p.check !== null ? ` WITH CHECK (${p.check})` : ''}`,
        ],
        roles: p.roles.filter((r) => r !== 'PUBLIC'),
      });
    }
    for (const s of await read<{ schema: string; name: string; def: string; owner: string }>(STATISTICS, 'statistics'))
      add({
        key: `statistics ${qualified(s.schema, s.name)}`,
        phase: 'trigger',
        statements: [s.def],
        owner: {
          role: s.owner,
          statement: `ALTER STATISTICS ${qualified(s.schema, s.name)} OWNER TO ${ident(s.owner)}`,
        },
        roles: [s.owner],
      });
    for (const c of await read<{ type: string; names: string[]; args: string[]; text: string }>(COMMENTS, 'comments')) {
      const comment = commentStatement(c);
      if (comment) add({ key: comment.key, phase: 'comment', statements: [comment.statement] });
      else
        add({
          key: `comment on ${c.type} ${[...c.names, ...c.args].join(', ')}`,
          phase: 'comment',
          statements: [],
          unsupported: 'a comment on an object of a class the standby copy does not write',
        });
    }
    for (const d of await read<{ role: string; schema: string | null; objtype: string; acl: Grant[]; dflt: Grant[] }>(
      DEFAULT_ACLS,
      'default privileges',
    )) {
      const what = DEFACL_KIND[d.objtype] ?? 'TABLES';
      const prefix = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(d.role)}${d.schema !== null ? ` IN SCHEMA ${ident(d.schema)}` : ''}`;
      const statements = aclStatements(what, d.acl, d.dflt);
      add({
        key: `default privileges for role ${ident(d.role)}${d.schema !== null ? ` in schema ${ident(d.schema)}` : ''} on ${what.toLowerCase()}`,
        phase: 'default privileges',
        statements: statements.map((s) => `${prefix} ${s}`),
        roles: [d.role, ...grantees(d.acl)],
      });
    }
    return { major: Math.floor(num / 10000), objects };
  });
}

function privileges(
  add: (o: Omit<CatalogObject, 'depth' | 'roles'> & { roles?: readonly string[] }) => void,
  target: string,
  acl: readonly Grant[],
  dflt: readonly Grant[],
  column?: string,
): void {
  const statements = aclStatements(target, acl, dflt, column);
  if (statements.length)
    add({
      key: `privileges on ${target}${column ? ` column ${ident(column)}` : ''}`,
      phase: 'privileges',
      statements,
      roles: grantees(acl),
    });
}

function partitionDepth(r: Rel, rels: readonly Rel[]): number {
  let depth = 0;
  let parent = rels.find((p) => p.schema === r.parent_schema && p.name === r.parent_name);
  while (parent?.ispartition && depth < 100) {
    depth++;
    const next = parent;
    parent = rels.find((p) => p.schema === next.parent_schema && p.name === next.parent_name);
  }
  return depth;
}

/** The objects in build order: by phase, then depth, then key. */
export function buildOrder(objects: readonly CatalogObject[]): CatalogObject[] {
  const rank = new Map(PHASES.map((p, i) => [p, i]));
  return [...objects].sort(
    (a, b) =>
      rank.get(a.phase)! - rank.get(b.phase)! || a.depth - b.depth || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
