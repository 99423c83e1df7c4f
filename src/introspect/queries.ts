// Every catalog query switchyard runs to read a schema. One query per object kind, each filtered by the
// list of schema (or table) oids found first, so the number of round trips never grows with the number of
// tables. Rows come back raw (see rows.ts) and are turned into the model by map.ts.
//
// All oids are returned as text: row keys then do not depend on how a client parses `oid`.
// Arrays of names are cast to text[] because not every client parses name[].

/**
 * Skips objects created by an extension (pg_depend deptype 'e'); `$catalog` is the object's catalog, `deptypes`
 * more dependency types that also mean "not a user's object" ('i': an identity column's sequence). An extension
 * member's row references its pg_extension row, so it is found through pg_depend_reference_index (a few hundred
 * rows in all): probing the depender side instead reads all of pg_depend, about 10 ms on a 2,000-table catalog,
 * once for each query that uses this.
 */
export const notFromExtension = (catalog: string, oid: string, deptypes = "'e'") => {
  const member = `NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.refclassid = 'pg_extension'::regclass AND dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;
  const others = deptypes
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== "'e'");
  return others.length === 0
    ? member
    : `${member} AND NOT EXISTS (SELECT FROM pg_depend dep WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype IN (${others.join(', ')}))`;
};

/**
 * Schemas that are not PostgreSQL's own. Names starting with `pg_` are reserved for system schemas
 * (pg_catalog, pg_toast, pg_temp_N, pg_toast_temp_N), so one LIKE excludes them all.
 * $1: names to keep (NULL for all), $2: names to leave out.
 */
export const SCHEMA_FILTER = `n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
  AND NOT n.nspname = ANY ($2::text[])
  AND ${notFromExtension('pg_namespace', 'n.oid')}`;

export const SERVER_VERSION = `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS text`;

/**
 * Settings that change how types and expressions are printed: search_path (empty, so every object outside
 * pg_catalog is schema-qualified whatever the role's search_path), the styles of dates, intervals, floats and
 * bytea in constant defaults, the time zone of timestamptz constants, and quoting. Pinned for the duration of
 * an introspection so that the same database always gives the same text.
 */
export const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  search_path: '',
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  extra_float_digits: '1',
  bytea_output: 'hex',
  quote_all_identifiers: 'off',
  // Not about text: catalog queries over thousands of tables look expensive to the planner, and JIT
  // compiling them costs more than running them; sorts and hashes of a large catalog fit in memory.
  jit: 'off',
  work_mem: '64MB',
};

/**
 * $1: setting names, $2: values. Returns the previous values (read in a materialized CTE so they are taken
 * before any is changed) and the server version, which picks the variant of the version-dependent queries.
 */
export const PIN_SETTINGS = `WITH previous AS MATERIALIZED (
  SELECT s.name, current_setting(s.name) AS value, s.ord FROM unnest($1::text[]) WITH ORDINALITY AS s(name, ord)
)
SELECT p.name, p.value, current_setting('server_version_num')::int AS version_num,
  pg_catalog.set_config(p.name, v.value, false) AS pinned
FROM previous p JOIN unnest($1::text[], $2::text[]) AS v(name, value) ON v.name = p.name
ORDER BY p.ord`;

/** $1: setting names, $2: values to restore. */
export const RESTORE_SETTINGS = `SELECT pg_catalog.set_config(s.name, s.value, false) FROM unnest($1::text[], $2::text[]) AS s(name, value)`;

/** $1: names to keep or NULL, $2: names to leave out. */
export const SCHEMAS = `SELECT n.oid::text AS oid, n.nspname AS name, d.description AS comment
FROM pg_namespace n
LEFT JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid AND d.objsubid = 0
WHERE ${SCHEMA_FILTER}`;

/**
 * Ordinary and partitioned tables, with their storage parameters and their TOAST table's (as `toast.name=value`),
 * row-level security, replica identity (and its index) and persistence. $1: schema oids.
 */
export const TABLES = `SELECT c.oid::text AS oid, c.relnamespace::text AS schema_oid, c.relname AS name, d.description AS comment,
  coalesce(c.reloptions, '{}')::text[]
    || coalesce((SELECT array_agg('toast.' || o) FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid), '{}')::text[]
    AS options,
  c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security, c.relreplident AS replica_identity,
  CASE WHEN c.relreplident = 'i' THEN (SELECT ic.relname FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
    WHERE x.indrelid = c.oid AND x.indisreplident) END AS replica_index,
  c.relpersistence AS persistence
FROM pg_class c
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind IN ('r', 'p') AND ${notFromExtension('pg_class', 'c.oid')}`;

/**
 * Columns, with attnum to put them in CREATE TABLE order (sorted in the client: an ORDER BY here spills to
 * disk on large catalogs). The collation is returned only when it differs from the type's default; the
 * pg_attrdef expression is a default, or the generation expression when attgenerated is set. $1: table oids.
 */
export const COLUMNS = `SELECT a.attrelid::text AS table_oid, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
  pg_get_expr(ad.adbin, ad.adrelid) AS expression,
  co.collname AS collation_name, cn.nspname AS collation_schema, d.description AS comment
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = a.attrelid AND d.objsubid = a.attnum
WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`;

/**
 * Names of the columns `nums` of relation `rel`, in the order of `nums`. One index probe per column: a join
 * here would read every column of the table for each constraint.
 */
const attnames = (rel: string, nums: string) =>
  `ARRAY(SELECT (SELECT att.attname FROM pg_attribute att WHERE att.attrelid = ${rel} AND att.attnum = k.num)
    FROM unnest(${nums}) WITH ORDINALITY AS k(num, ord) ORDER BY k.ord)::text[]`;

/**
 * Primary keys, unique, foreign key, check and exclusion constraints (an exclusion constraint as
 * pg_get_constraintdef prints it) (PostgreSQL 18's NOT NULL constraints, contype
 * 'n', are left out: nullability comes from attnotnull). A check's expression is pg_get_expr(conbin): the
 * same deparse pg_get_constraintdef prints inside `CHECK (...)`, without the NOT VALID / NO INHERIT suffixes.
 * $1: table oids.
 */
export const constraintsQuery = (
  versionNum: number,
) => `SELECT con.conrelid::text AS table_oid, con.conname AS name, con.contype AS type,
  ${attnames('con.conrelid', 'con.conkey')} AS columns,
  rn.nspname AS ref_schema, rc.relname AS ref_table, ${attnames('con.confrelid', 'con.confkey')} AS ref_columns,
  con.confdeltype AS on_delete, con.confupdtype AS on_update, con.confmatchtype AS match,
  con.condeferrable AS deferrable, con.condeferred AS deferred, con.convalidated AS validated, con.connoinherit AS no_inherit,
  CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS expression,
  CASE WHEN con.contype = 'x' THEN pg_get_constraintdef(con.oid) END AS definition,
  ${versionNum >= 150000 ? 'coalesce(i.indnullsnotdistinct, false)' : 'false'} AS nulls_not_distinct,
  d.description AS comment
FROM unnest($1::oid[]) AS r(oid)
JOIN pg_constraint con ON con.conrelid = r.oid AND con.contype IN ('p', 'u', 'f', 'c', 'x')
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype = 'u'
LEFT JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid AND d.objsubid = 0`;

/**
 * Indexes not owned by a constraint (a primary key's, unique constraint's or exclusion constraint's index
 * belongs to the constraint). Each key becomes one JSON object: its column (none for an expression key),
 * indoption (bit 1 DESC, bit 2 NULLS FIRST), its operator class when not the default for its type, its
 * collation when it differs from the key column's (for an expression, from its type's default). All key
 * expressions come in one pg_get_expr(indexprs) text, in key order (about five times cheaper than one
 * pg_get_indexdef call per key). The LATERAL ... OFFSET 0 lookups stay per-key index probes: pulled up into
 * joins, they make the planner hash all of pg_attribute. $1: schema oids.
 */
export const indexesQuery = (versionNum: number) => `WITH idx AS MATERIALIZED (
  SELECT i.indexrelid, i.indrelid, i.indnkeyatts, i.indisunique, i.indisvalid, i.indpred, i.indexprs,
    i.indkey, i.indclass, i.indcollation, i.indoption,
    ${versionNum >= 150000 ? 'i.indnullsnotdistinct' : 'false'} AS nulls_not_distinct
  FROM pg_index i
  -- The relations TABLES and VIEWS read that have indexes: tables and materialized views, by schema, so this
  -- query need not wait for theirs.
  WHERE i.indrelid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind IN ('r', 'p', 'm')
      AND ${notFromExtension('pg_class', 'c.oid')})
    AND NOT EXISTS (SELECT FROM pg_constraint own WHERE own.conindid = i.indexrelid AND own.contype IN ('p', 'u', 'x'))
), keys AS (
  SELECT idx.indexrelid,
    json_agg(json_build_object(
      'column', ta.attname, 'option', k.opt,
      'opclass', oc.opcname, 'opclass_schema', ocn.nspname,
      'collation', co.collname, 'collation_schema', con.nspname) ORDER BY k.ord) FILTER (WHERE k.ord <= idx.indnkeyatts) AS keys,
    coalesce(array_agg(ta.attname ORDER BY k.ord) FILTER (WHERE k.ord > idx.indnkeyatts), '{}')::text[] AS include
  FROM idx
  CROSS JOIN LATERAL unnest(idx.indkey::int2[], idx.indclass::oid[], idx.indcollation::oid[], idx.indoption::int2[])
    WITH ORDINALITY AS k(attnum, opclass, coll, opt, ord)
  LEFT JOIN LATERAL (SELECT a.attname, a.attcollation FROM pg_attribute a
    WHERE a.attrelid = idx.indrelid AND a.attnum = k.attnum OFFSET 0) ta ON true
  -- An expression key's own default collation is its type's, read from the index's pg_attribute row.
  LEFT JOIN LATERAL (SELECT t.typcollation FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE k.attnum = 0 AND a.attrelid = idx.indexrelid AND a.attnum = k.ord OFFSET 0) et ON true
  LEFT JOIN pg_opclass oc ON oc.oid = k.opclass AND NOT oc.opcdefault
  LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
  LEFT JOIN pg_collation co ON co.oid = k.coll AND k.coll <> coalesce(ta.attcollation, et.typcollation)
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
  GROUP BY idx.indexrelid
)
SELECT idx.indrelid::text AS table_oid, ic.relname AS name, idx.indisunique AS unique, am.amname AS method,
  idx.indisvalid AS valid, idx.nulls_not_distinct, pg_get_expr(idx.indpred, idx.indrelid) AS predicate,
  pg_get_expr(idx.indexprs, idx.indrelid) AS expressions, d.description AS comment, keys.keys, keys.include
FROM idx
JOIN keys ON keys.indexrelid = idx.indexrelid
JOIN pg_class ic ON ic.oid = idx.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = idx.indexrelid AND d.objsubid = 0`;

/**
 * Triggers written by users (internal ones implement foreign keys), with their arguments (tgargs as hex: the
 * client decodes the NUL-separated UTF-8), UPDATE OF columns, transition tables and, for a constraint trigger,
 * its deferral. A constraint trigger naming another table (FROM, tgconstrrelid) is left to the inventory.
 * The definition is fetched only when
 * there is a WHEN clause: it is the one place the condition can be read, since pg_get_expr cannot print
 * OLD and NEW together. $1: table oids.
 */
export const TRIGGERS = `SELECT tg.tgrelid::text AS table_oid, tg.tgname AS name, tg.tgtype::int AS type, tg.tgenabled AS enabled,
  pn.nspname AS function_schema, p.proname AS function_name,
  CASE WHEN tg.tgqual IS NOT NULL THEN pg_get_triggerdef(tg.oid, false) END AS definition, d.description AS comment,
  encode(tg.tgargs, 'hex') AS args_hex, ${attnames('tg.tgrelid', 'tg.tgattr::int2[]')} AS columns,
  tg.tgoldtable AS old_table, tg.tgnewtable AS new_table, tg.tgconstraint <> 0 AS constraint,
  tg.tgdeferrable AS deferrable, tg.tginitdeferred AS deferred
FROM unnest($1::oid[]) AS r(oid)
JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal AND tg.tgconstrrelid = 0
JOIN pg_proc p ON p.oid = tg.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_trigger'::regclass AND d.objoid = tg.oid AND d.objsubid = 0`;

/**
 * Row-level security policies: roles by name (oid 0 is PUBLIC), both expressions as pg_get_expr prints them,
 * and what they read (pg_depend of the policy on relations and their columns, as for views). $1: table oids.
 */
export const POLICIES = `SELECT p.polrelid::text AS table_oid, p.polname AS name, p.polcmd AS command, p.polpermissive AS permissive,
  ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_get_userbyid(r.oid)::text END FROM unnest(p.polroles) AS r(oid))::text[] AS roles,
  pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
  d.description AS comment,
  (SELECT json_agg(json_build_object('schema', x.schema, 'relation', x.relation, 'columns', x.columns))
    FROM (SELECT rn.nspname AS schema, rc.relname AS relation,
        coalesce(array_agg(DISTINCT ra.attname::text) FILTER (WHERE ra.attname IS NOT NULL), '{}') AS columns
      FROM pg_depend dp
      JOIN pg_class rc ON rc.oid = dp.refobjid
      JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      LEFT JOIN pg_attribute ra ON ra.attrelid = dp.refobjid AND ra.attnum = dp.refobjsubid AND dp.refobjsubid > 0
      WHERE dp.classid = 'pg_policy'::regclass AND dp.objid = p.oid AND dp.refclassid = 'pg_class'::regclass
      GROUP BY rn.nspname, rc.relname) x) AS reads
FROM unnest($1::oid[]) AS t(oid)
JOIN pg_policy p ON p.polrelid = t.oid
LEFT JOIN pg_description d ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid AND d.objsubid = 0`;

/**
 * Views and materialized views: the definition (with search_path pinned empty, every name qualified), the
 * options, the output columns in order with their types and comments, and what the view reads: the relations
 * and columns its rewrite rule depends on (pg_depend of its `_RETURN` rule, deptype 'n'; the rule's own
 * internal dependency on the view is left out). One correlated lookup per view, over index-probed catalogs.
 * $1: schema oids.
 */
export const VIEWS = `SELECT c.oid::text AS oid, c.relnamespace::text AS schema_oid, c.relname AS name,
  c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition,
  coalesce(c.reloptions, '{}')::text[] AS options, d.description AS comment,
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'comment', ad.description) ORDER BY a.attnum)
    FROM pg_attribute a
    LEFT JOIN pg_description ad ON ad.classoid = 'pg_class'::regclass AND ad.objoid = a.attrelid AND ad.objsubid = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT json_agg(json_build_object('schema', r.schema, 'relation', r.relation, 'columns', r.columns))
    FROM (SELECT rn.nspname AS schema, rc.relname AS relation,
        coalesce(array_agg(DISTINCT ra.attname::text) FILTER (WHERE ra.attname IS NOT NULL), '{}') AS columns
      FROM pg_rewrite rw
      JOIN pg_depend dp ON dp.classid = 'pg_rewrite'::regclass AND dp.objid = rw.oid
        AND dp.refclassid = 'pg_class'::regclass AND dp.refobjid <> c.oid AND dp.deptype = 'n'
      JOIN pg_class rc ON rc.oid = dp.refobjid
      JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      LEFT JOIN pg_attribute ra ON ra.attrelid = dp.refobjid AND ra.attnum = dp.refobjsubid AND dp.refobjsubid > 0
      WHERE rw.ev_class = c.oid
      GROUP BY rn.nspname, rc.relname) r) AS reads
FROM pg_class c
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind IN ('v', 'm') AND ${notFromExtension('pg_class', 'c.oid')}`;

/** $1: schema oids. */
export const ENUMS = `SELECT t.typnamespace::text AS schema_oid, t.typname AS name,
  ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS values,
  d.description AS comment
FROM pg_type t
LEFT JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid AND d.objsubid = 0
WHERE t.typnamespace = ANY ($1::oid[]) AND t.typtype = 'e' AND ${notFromExtension('pg_type', 't.oid')}`;

/**
 * Sequences, without identity columns' own (deptype 'i': they belong to the column). OWNED BY is the
 * automatic dependency (deptype 'a') on a table column; PostgreSQL requires that table in the same schema.
 * $1: schema oids.
 */
export const SEQUENCES = `SELECT c.relnamespace::text AS schema_oid, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
  s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
  s.seqcache::text AS cache, s.seqcycle AS cycle, oc.relname AS owned_table, oa.attname AS owned_column,
  d.description AS comment
FROM pg_class c
JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid AND d.objsubid = 0
LEFT JOIN pg_depend own ON own.classid = 'pg_class'::regclass AND own.objid = c.oid AND own.deptype = 'a'
  AND own.refclassid = 'pg_class'::regclass AND own.refobjsubid > 0
LEFT JOIN pg_class oc ON oc.oid = own.refobjid
LEFT JOIN pg_attribute oa ON oa.attrelid = own.refobjid AND oa.attnum = own.refobjsubid
WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind = 'S' AND ${notFromExtension('pg_class', 'c.oid', "'e', 'i'")}`;

/**
 * Plain functions (not procedures, aggregates or window functions), without those internal to another object
 * (deptype 'i': the constructors a range or multirange type creates, which come and go with it). $1: schema oids.
 */
export const FUNCTIONS = `SELECT p.pronamespace::text AS schema_oid, p.proname AS name,
  pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS definition, d.description AS comment
FROM pg_proc p
LEFT JOIN pg_description d ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid AND d.objsubid = 0
WHERE p.pronamespace = ANY ($1::oid[]) AND p.prokind = 'f' AND ${notFromExtension('pg_proc', 'p.oid', "'e', 'i'")}`;

/**
 * Size figures for cost estimates. reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
 * $1, $2: as for SCHEMAS.
 */
export const TABLE_STATS = `SELECT n.nspname AS schema, c.relname AS table, c.reltuples::float8 AS rows, pg_relation_size(c.oid)::int8 AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND ${SCHEMA_FILTER} AND ${notFromExtension('pg_class', 'c.oid')}
ORDER BY n.nspname, c.relname`;

/** The object's default ACL: what it had when created (pg_init_privs, e.g. `public`), else acldefault. */
const defaultAcl = (catalog: string, oid: string, kind: string, owner: string) =>
  `coalesce((SELECT ip.initprivs FROM pg_init_privs ip WHERE ip.classoid = '${catalog}'::regclass AND ip.objoid = ${oid}
    AND ip.objsubid = 0), acldefault(${kind}, ${owner}))`;

/** An ACL item (`e`) that a default ACL (`dflt`) holds already, grant option included. */
const inDefault = (dflt: string) =>
  `EXISTS (SELECT FROM aclexplode(${dflt}) x WHERE x.grantee = e.grantee AND x.privilege_type = e.privilege_type
    AND (x.is_grantable OR NOT e.is_grantable))`;

/** A grantee's name: PUBLIC for 0. */
const granteeName = `CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END`;

/**
 * Privileges granted beyond the defaults (model/model.ts Grant), one row per role, privilege and object (or
 * column), on the objects the model holds: schemas, tables and views, sequences, plain functions, enums. The
 * owner's own entries are its implicit privileges; a default that was revoked is the inventory's (not modeled).
 * $1: schema oids.
 */
export const GRANTS = `WITH obj AS (
  SELECT 'schema'::text AS class, n.oid AS schema_oid, NULL::text AS name, NULL::text AS args, NULL::text AS column_name,
    n.nspowner AS owner, n.nspacl AS acl, ${defaultAcl('pg_namespace', 'n.oid', "'n'", 'n.nspowner')} AS dflt
  FROM pg_namespace n WHERE n.oid = ANY ($1::oid[]) AND n.nspacl IS NOT NULL
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END,
    c.relnamespace, c.relname::text, NULL, NULL, c.relowner, c.relacl,
    ${defaultAcl('pg_class', 'c.oid', `CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char"`, 'c.relowner')}
  FROM pg_class c WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relacl IS NOT NULL
    AND ${notFromExtension('pg_class', 'c.oid', "'e', 'i'")}
  UNION ALL
  SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END, c.relnamespace, c.relname::text, NULL,
    a.attname::text, c.relowner, a.attacl, NULL::aclitem[]
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  WHERE c.relnamespace = ANY ($1::oid[]) AND c.relkind IN ('r', 'p', 'v', 'm') AND ${notFromExtension('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'function', p.pronamespace, p.proname::text, pg_get_function_identity_arguments(p.oid), NULL, p.proowner, p.proacl,
    ${defaultAcl('pg_proc', 'p.oid', "'f'", 'p.proowner')}
  FROM pg_proc p WHERE p.pronamespace = ANY ($1::oid[]) AND p.prokind = 'f' AND p.proacl IS NOT NULL
    AND ${notFromExtension('pg_proc', 'p.oid')}
  UNION ALL
  SELECT 'type', t.typnamespace, t.typname::text, NULL, NULL, t.typowner, t.typacl, ${defaultAcl('pg_type', 't.oid', "'T'", 't.typowner')}
  FROM pg_type t WHERE t.typnamespace = ANY ($1::oid[]) AND t.typtype = 'e' AND t.typacl IS NOT NULL
    AND ${notFromExtension('pg_type', 't.oid')}
)
SELECT o.class, o.schema_oid::text AS schema_oid, o.name, o.args, o.column_name AS column, ${granteeName} AS role,
  e.privilege_type AS privilege, e.is_grantable AS grantable
FROM obj o CROSS JOIN LATERAL aclexplode(o.acl) e
WHERE e.grantee <> o.owner AND NOT ${inDefault('o.dflt')}`;

/** pg_default_acl.defaclobjtype -> acldefault's object type letter and the model's word. */
const DEFACL_TYPES = `(VALUES ('r'::"char", 'r'::"char", 'tables'), ('S', 's', 'sequences'), ('f', 'f', 'functions'),
  ('T', 'T', 'types'), ('n', 'n', 'schemas')) AS k(objtype, aclkind, word)`;

/**
 * ALTER DEFAULT PRIVILEGES grants: per-schema entries (of the selected schemas) hold only what they add; an
 * entry for every schema holds the whole ACL, read against acldefault. One row per grantee and privilege.
 * $1: schema oids.
 */
export const DEFAULT_PRIVILEGES = `SELECT pg_get_userbyid(d.defaclrole) AS for_role, n.nspname AS schema, k.word AS on,
  ${granteeName} AS role, e.privilege_type AS privilege, e.is_grantable AS grantable
FROM pg_default_acl d
JOIN ${DEFACL_TYPES} ON k.objtype = d.defaclobjtype
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL aclexplode(d.defaclacl) e
WHERE (d.defaclnamespace = 0 OR d.defaclnamespace = ANY ($1::oid[]))
  AND NOT (d.defaclnamespace = 0 AND ${inDefault('acldefault(k.aclkind, d.defaclrole)')})`;

/** A collation named only when it is not `dflt` (the type's own): `coll`, `coll_schema` columns. */
const collationUnless = (coll: string, dflt: string, alias: string) =>
  `(SELECT co.collname FROM pg_collation co WHERE co.oid = ${coll} AND ${coll} <> ${dflt}) AS ${alias}_name,
  (SELECT cn.nspname FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE co.oid = ${coll} AND ${coll} <> ${dflt}) AS ${alias}_schema`;

/** A function by oid as quoted `schema.name` (regproc text would depend on the search_path); NULL for 0. */
const procName = (oid: string) =>
  `(SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.proname) FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = ${oid})`;

/**
 * Domains, composite types (standalone ones: a table's row type belongs to the table) and range types, one row
 * each, told apart by `kind`. A domain's default and checks are deparsed with pg_get_expr (relation 0: `VALUE`
 * is not a column); its NOT NULL is typnotnull (PostgreSQL 17's contype 'n' row for it is left out). A
 * composite's attributes come as JSON in attnum order; a range's canonical and subtype_diff functions as quoted
 * qualified names, its operator class only when not the subtype's default. $1: schema oids.
 */
export const userTypesQuery = (versionNum: number) => `SELECT t.typnamespace::text AS schema_oid, t.typname AS name,
  CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' ELSE 'range' END AS kind,
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
  t.typnotnull AS not_null, pg_get_expr(t.typdefaultbin, 0) AS default_expression,
  ${collationUnless('t.typcollation', 'coalesce((SELECT bt.typcollation FROM pg_type bt WHERE bt.oid = t.typbasetype), 0)', 'collation')},
  CASE WHEN t.typtype = 'd' THEN (SELECT json_agg(json_build_object('name', dc.conname,
      'expression', pg_get_expr(dc.conbin, 0), 'validated', dc.convalidated) ORDER BY dc.conname)
    FROM pg_constraint dc WHERE dc.contypid = t.oid AND dc.contype = 'c') END AS checks,
  CASE WHEN t.typtype = 'c' THEN (SELECT json_agg(json_build_object('name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod), 'collation', co.collname, 'collation_schema', cn.nspname)
      ORDER BY a.attnum)
    FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
    LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> at.typcollation
    LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes,
  format_type(r.rngsubtype, NULL) AS subtype,
  (SELECT oc.opcname FROM pg_opclass oc WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault) AS opclass,
  (SELECT ocn.nspname FROM pg_opclass oc JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
    WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault) AS opclass_schema,
  ${collationUnless('r.rngcollation', 'coalesce((SELECT st.typcollation FROM pg_type st WHERE st.oid = r.rngsubtype), 0)', 'range_collation')},
  ${procName('r.rngcanonical')} AS canonical, ${procName('r.rngsubdiff')} AS subtype_diff,
  ${versionNum >= 140000 ? '(SELECT mt.typname FROM pg_type mt WHERE mt.oid = r.rngmultitypid)' : 'NULL::name'} AS multirange,
  d.description AS comment
FROM pg_type t
LEFT JOIN pg_range r ON r.rngtypid = t.oid
LEFT JOIN pg_description d ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid AND d.objsubid = 0
WHERE t.typnamespace = ANY ($1::oid[]) AND ${notFromExtension('pg_type', 't.oid')}
  AND (t.typtype IN ('d', 'r')
    OR t.typtype = 'c' AND EXISTS (SELECT FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c'))`;
