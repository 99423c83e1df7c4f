// The inventory's catalog query: every object of the selected schemas that the model does not hold, as
// (kind, schema, table, name, detail) rows. One statement whatever the number of objects: each object class
// is one branch of a UNION ALL over the schemas (and relations) found in the same statement.
//
// "Not held" is decided here, next to the queries that read what is held (queries.ts): a branch that lists
// what a query there already reads would be noise, and a class no branch lists would be silence.
import { notFromExtension, SCHEMA_FILTER } from './queries.js';

/** Quoted `schema.name` of a relation by oid: regclass text would depend on the session's search_path. */
const relName = (oid: string) =>
  `(SELECT format('%I.%I', pn.nspname, pc.relname) FROM pg_class pc JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pc.oid = ${oid})`;

/** An ACL that differs from what the object had when created (its pg_init_privs entry, else the default). */
const aclChanged = (acl: string, catalog: string, oid: string, defaultKind: string, owner: string) =>
  `${acl} IS NOT NULL AND ${acl}::text <> coalesce((SELECT ip.initprivs::text FROM pg_init_privs ip
    WHERE ip.classoid = '${catalog}'::regclass AND ip.objoid = ${oid} AND ip.objsubid = 0), acldefault(${defaultKind}, ${owner})::text)`;

/** The default ACL of an object (its pg_init_privs entry, else acldefault). */
const initialAcl = (catalog: string, oid: string, defaultKind: string, owner: string) =>
  `coalesce((SELECT ip.initprivs FROM pg_init_privs ip WHERE ip.classoid = '${catalog}'::regclass AND ip.objoid = ${oid}
    AND ip.objsubid = 0), acldefault(${defaultKind}, ${owner}))`;

/**
 * An ACL that lacks a privilege its default holds (EXECUTE revoked from PUBLIC, an owner's own privilege
 * revoked): grants beyond the defaults are modeled (queries.ts GRANTS), these are not.
 */
const defaultRevoked = (acl: string, dflt: string) =>
  `${acl} IS NOT NULL AND EXISTS (SELECT FROM aclexplode(${dflt}) x WHERE NOT EXISTS (SELECT FROM aclexplode(${acl}) y
    WHERE y.grantee = x.grantee AND y.privilege_type = x.privilege_type))`;

/** Modeled objects' ACLs: only a revoked default; other objects' ACLs: any change. */
const aclNotModeled = (
  modeled: string,
  acl: string,
  catalog: string,
  oid: string,
  defaultKind: string,
  owner: string,
) =>
  `(${modeled} AND ${defaultRevoked(acl, initialAcl(catalog, oid, defaultKind, owner))}
    OR NOT (${modeled}) AND ${aclChanged(acl, catalog, oid, defaultKind, owner)})`;

/** A routine as \`name(argument types)\`, the way its overloads are told apart. */
const signature = (p: string) => `${p}.proname || '(' || pg_get_function_identity_arguments(${p}.oid) || ')'`;

/** $1: schema names to keep or NULL, $2: names to leave out (as for SCHEMAS). */
export const INVENTORY = `WITH ns AS MATERIALIZED (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_namespace n WHERE ${SCHEMA_FILTER}
), rel AS MATERIALIZED (
  SELECT c.oid, c.relname, c.relkind, c.relispartition, c.relpartbound, c.reloptions, c.reltoastrelid, c.relreplident,
    c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.relowner, c.reltablespace, c.relam, c.reloftype,
    ns.nspname
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c', 'S') AND ${notFromExtension('pg_class', 'c.oid')}
    -- identity columns' sequences belong to their column (modeled)
    AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend idn WHERE idn.classid = 'pg_class'::regclass
      AND idn.objid = c.oid AND idn.deptype = 'i'))
), ix AS MATERIALIZED (
  -- Indexes, through their relation (most of a large catalog's relations are indexes: kept out of rel).
  SELECT ic.oid, ic.relname, ic.reloptions, ic.reltablespace, x.indisclustered, t.relname AS table_name,
    t.relkind AS table_kind, t.nspname
  FROM rel t JOIN pg_index x ON x.indrelid = t.oid JOIN pg_class ic ON ic.oid = x.indexrelid
)
-- Views and materialized views are modeled (queries.ts VIEWS), with a view's options; a materialized view's
-- storage parameters are not.
-- Standalone composite types are modeled (queries.ts userTypesQuery).
SELECT 'foreign table' AS kind, r.nspname AS schema, NULL AS table, r.relname AS name, NULL AS detail
  FROM rel r WHERE r.relkind = 'f'
UNION ALL
SELECT 'typed table', r.nspname, NULL, r.relname, 'of ' || format_type(r.reloftype, NULL)
  FROM rel r WHERE r.reloftype <> 0 AND r.relkind IN ('r', 'p')
UNION ALL
-- The server and wrapper of the schema's foreign tables (database-wide objects, named through what uses them).
SELECT 'foreign server', r.nspname, NULL, srv.srvname, 'wrapper ' || fdw.fdwname
    -- pg_user_mappings: the catalog pg_user_mapping is for superusers only
    || ', ' || (SELECT count(*) FROM pg_user_mappings um WHERE um.srvid = srv.oid) || ' user mapping(s)'
  FROM rel r JOIN pg_foreign_table ft ON ft.ftrelid = r.oid JOIN pg_foreign_server srv ON srv.oid = ft.ftserver
  JOIN pg_foreign_data_wrapper fdw ON fdw.oid = srv.srvfdw
  GROUP BY r.nspname, srv.oid, srv.srvname, fdw.fdwname
UNION ALL
SELECT 'partitioned table', r.nspname, NULL, r.relname, pg_get_partkeydef(r.oid) FROM rel r WHERE r.relkind = 'p'
UNION ALL
SELECT CASE WHEN r.relispartition THEN 'partition' ELSE 'inheritance child' END, r.nspname, NULL, r.relname,
    CASE WHEN r.relispartition THEN 'of ' || ${relName('i.inhparent')} || ' ' || pg_get_expr(r.relpartbound, r.oid)
    ELSE 'inherits ' || ${relName('i.inhparent')} END
  FROM rel r JOIN pg_inherits i ON i.inhrelid = r.oid WHERE r.relkind IN ('r', 'p', 'f')
UNION ALL
-- Row-level security, policies, replica identity and persistence of tables are modeled (queries.ts TABLES,
-- POLICIES); only what other relations carry is listed.
SELECT 'row level security', r.nspname, NULL, r.relname,
    CASE WHEN r.relrowsecurity AND r.relforcerowsecurity THEN 'enabled, forced'
    WHEN r.relrowsecurity THEN 'enabled' ELSE 'forced' END
  FROM rel r WHERE (r.relrowsecurity OR r.relforcerowsecurity) AND r.relkind NOT IN ('r', 'p')
UNION ALL
SELECT 'policy', r.nspname, r.relname, pol.polname, NULL FROM rel r JOIN pg_policy pol ON pol.polrelid = r.oid
  WHERE r.relkind NOT IN ('r', 'p')
UNION ALL
SELECT 'rule', r.nspname, r.relname, rw.rulename, NULL
  FROM rel r JOIN pg_rewrite rw ON rw.ev_class = r.oid AND rw.rulename <> '_RETURN'
UNION ALL
-- Triggers on tables are modeled, constraint triggers included, with their arguments, UPDATE OF columns and
-- transition tables; not a constraint trigger naming another table (FROM), nor triggers on views or foreign tables.
SELECT CASE WHEN tg.tgconstraint <> 0 THEN 'constraint trigger' ELSE 'trigger' END, r.nspname, r.relname, tg.tgname,
    pg_get_triggerdef(tg.oid)
  FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal
  WHERE tg.tgconstrrelid <> 0 OR r.relkind NOT IN ('r', 'p')
UNION ALL
-- Exclusion constraints of tables are modeled (queries.ts constraintsQuery).
SELECT 'storage parameters', r.nspname, NULL, r.relname, array_to_string(coalesce(r.reloptions, '{}')
    || coalesce((SELECT array_agg('toast.' || o) FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = r.reltoastrelid), '{}'), ', ')
  -- A table's are modeled (queries.ts TABLES), a view's are its options (VIEWS): a materialized view's are not.
  FROM rel r WHERE r.relkind NOT IN ('v', 'r', 'p') AND (r.reloptions IS NOT NULL
    OR EXISTS (SELECT FROM pg_class tc WHERE tc.oid = r.reltoastrelid AND tc.reloptions IS NOT NULL))
UNION ALL
SELECT 'storage parameters', i.nspname, NULL, i.relname, array_to_string(i.reloptions, ', ') FROM ix i WHERE i.reloptions IS NOT NULL
UNION ALL
SELECT 'unlogged', r.nspname, NULL, r.relname, NULL FROM rel r WHERE r.relpersistence = 'u' AND r.relkind NOT IN ('r', 'p')
UNION ALL
SELECT 'tablespace', r.nspname, NULL, r.relname, ts.spcname FROM rel r JOIN pg_tablespace ts ON ts.oid = r.reltablespace
UNION ALL
SELECT 'tablespace', i.nspname, NULL, i.relname, ts.spcname FROM ix i JOIN pg_tablespace ts ON ts.oid = i.reltablespace
UNION ALL
SELECT 'table access method', r.nspname, NULL, r.relname, am.amname
  FROM rel r JOIN pg_am am ON am.oid = r.relam WHERE r.relkind IN ('r', 'm') AND am.amname <> 'heap'
UNION ALL
SELECT 'index', i.nspname, i.table_name, i.relname, pg_get_indexdef(i.oid) FROM ix i WHERE i.table_kind NOT IN ('r', 'p', 'm')
UNION ALL
SELECT 'clustered index', i.nspname, i.table_name, i.relname, NULL FROM ix i WHERE i.indisclustered
UNION ALL
-- An index's columns have a statistics target (ALTER INDEX ... ALTER COLUMN n SET STATISTICS) and nothing else here.
SELECT 'column statistics target', i.nspname, i.relname, a.attname, a.attstattarget::text
  FROM ix i JOIN pg_attribute a ON a.attrelid = i.oid AND a.attnum > 0 WHERE coalesce(a.attstattarget, -1) <> -1
UNION ALL
SELECT f.kind, r.nspname, r.relname, a.attname, f.detail
  FROM rel r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
    -- the few columns with one of the properties below, before building the list of them for every column
    AND (coalesce(a.attstattarget, -1) <> -1 OR a.attstorage <> t.typstorage OR a.attcompression IN ('p', 'l')
      OR a.attoptions IS NOT NULL OR a.attacl IS NOT NULL OR a.atthasdef AND r.relkind IN ('v', 'f'))
  CROSS JOIN LATERAL (VALUES
    ('column statistics target', CASE WHEN coalesce(a.attstattarget, -1) <> -1 THEN a.attstattarget::text END),
    ('column storage', CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'plain'
      WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' ELSE 'extended' END END),
    ('column compression', CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END),
    ('column options', array_to_string(a.attoptions, ', ')),
    -- Column grants of tables and views are modeled (queries.ts GRANTS).
    ('grants on column', CASE WHEN r.relkind = 'f' THEN a.attacl::text END),
    -- A table's defaults are modeled; a view's or foreign table's column default is not.
    ('column default', CASE WHEN a.atthasdef AND r.relkind IN ('v', 'f') THEN
      (SELECT pg_get_expr(ad.adbin, ad.adrelid) FROM pg_attrdef ad WHERE ad.adrelid = r.oid AND ad.adnum = a.attnum) END)
  ) AS f(kind, detail)
  WHERE r.relkind IN ('r', 'p', 'm', 'f', 'v') AND f.detail IS NOT NULL
UNION ALL
SELECT 'grants on ' || CASE r.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
    WHEN 'f' THEN 'foreign table' ELSE 'table' END, r.nspname, NULL, r.relname, r.relacl::text
  FROM rel r WHERE ${aclNotModeled("r.relkind IN ('r', 'p', 'v', 'm', 'S')", 'r.relacl', 'pg_class', 'r.oid', "CASE WHEN r.relkind = 'S' THEN 's' ELSE 'r' END::\"char\"", 'r.relowner')}
UNION ALL
SELECT 'grants on schema', ns.nspname, NULL, NULL, ns.nspacl::text
  FROM ns WHERE ${defaultRevoked('ns.nspacl', initialAcl('pg_namespace', 'ns.oid', "'n'", 'ns.nspowner'))}
UNION ALL
-- Default privileges are modeled (queries.ts DEFAULT_PRIVILEGES) but for a built-in default revoked in every
-- schema (ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC), or an object type the model
-- does not list: each selected schema names them.
SELECT 'default privileges', ns.nspname, NULL, NULL, CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
    WHEN 'f' THEN 'routines' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END
    || ' in every schema, a default revoked: ' || d.defaclacl::text
  FROM pg_default_acl d CROSS JOIN ns WHERE d.defaclnamespace = 0 AND (d.defaclobjtype NOT IN ('r', 'S', 'f', 'T', 'n')
    OR ${defaultRevoked('d.defaclacl', `acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)`)})
UNION ALL
-- Domains, range types (with the multirange type each creates) and composite types are modeled; base and
-- shell types are not.
SELECT CASE t.typtype WHEN 'b' THEN 'base type' ELSE 'shell type' END, ns.nspname, NULL, t.typname, NULL
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype IN ('b', 'p') AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
    AND ${notFromExtension('pg_type', 't.oid')}
UNION ALL
SELECT 'grants on type', ns.nspname, NULL, t.typname, t.typacl::text
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE ${aclNotModeled("t.typtype = 'e'", 't.typacl', 'pg_type', 't.oid', "'T'", 't.typowner')} AND ${notFromExtension('pg_type', 't.oid')}
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'window function' END, ns.nspname, NULL,
    ${signature('p')}, NULL
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.prokind IN ('p', 'a', 'w') AND ${notFromExtension('pg_proc', 'p.oid')}
UNION ALL
SELECT 'grants on routine', ns.nspname, NULL, ${signature('p')}, p.proacl::text
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE ${aclNotModeled("p.prokind = 'f'", 'p.proacl', 'pg_proc', 'p.oid', "'f'", 'p.proowner')} AND ${notFromExtension('pg_proc', 'p.oid')}
UNION ALL
SELECT 'event trigger', ns.nspname, NULL, et.evtname, et.evtevent
  FROM pg_event_trigger et JOIN pg_proc p ON p.oid = et.evtfoid JOIN ns ON ns.oid = p.pronamespace
UNION ALL
-- A cast is no schema's: each selected schema holding its source type, target type or function names it.
SELECT 'cast', ns.nspname, NULL, format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)),
    CASE c.castmethod WHEN 'f' THEN 'with function ' || (SELECT ${signature('p')} FROM pg_proc p WHERE p.oid = c.castfunc)
    WHEN 'i' THEN 'with inout' ELSE 'without function' END
  FROM pg_cast c JOIN pg_type st ON st.oid = c.castsource JOIN pg_type tt ON tt.oid = c.casttarget
  JOIN ns ON ns.oid = ANY (ARRAY[st.typnamespace, tt.typnamespace,
    coalesce((SELECT p.pronamespace FROM pg_proc p WHERE p.oid = c.castfunc), 0)])
  WHERE c.oid >= 16384 AND ${notFromExtension('pg_cast', 'c.oid', "'e', 'i'")}
UNION ALL
-- A procedural language likewise: named by the schemas holding its handler, validator or a routine in it.
SELECT 'procedural language', ns.nspname, NULL, l.lanname, CASE WHEN l.lanpltrusted THEN 'trusted' ELSE 'untrusted' END
  FROM pg_language l JOIN ns ON ns.oid = ANY (ARRAY(SELECT p.pronamespace FROM pg_proc p
    WHERE p.oid IN (l.lanplcallfoid, l.laninline, l.lanvalidator) OR p.prolang = l.oid))
  WHERE l.oid >= 16384 AND ${notFromExtension('pg_language', 'l.oid')}
UNION ALL
-- Extensions are the model's (introspect writes them in its extensions: section): not listed here.
SELECT 'collation', ns.nspname, NULL, co.collname, NULL FROM pg_collation co JOIN ns ON ns.oid = co.collnamespace
  WHERE ${notFromExtension('pg_collation', 'co.oid')}
UNION ALL
SELECT 'statistics', ns.nspname, (SELECT sc.relname FROM pg_class sc WHERE sc.oid = s.stxrelid), s.stxname, NULL
  FROM pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace WHERE ${notFromExtension('pg_statistic_ext', 's.oid')}
UNION ALL
SELECT 'operator', ns.nspname, NULL,
    o.oprname || '(' || coalesce(format_type(nullif(o.oprleft, 0), NULL), 'NONE') || ', ' || format_type(o.oprright, NULL) || ')', NULL
  FROM pg_operator o JOIN ns ON ns.oid = o.oprnamespace WHERE ${notFromExtension('pg_operator', 'o.oid')}
UNION ALL
SELECT 'operator class', ns.nspname, NULL, oc.opcname, 'USING ' || (SELECT am.amname FROM pg_am am WHERE am.oid = oc.opcmethod)
  FROM pg_opclass oc JOIN ns ON ns.oid = oc.opcnamespace
  WHERE ${notFromExtension('pg_opclass', 'oc.oid')}
UNION ALL
SELECT 'operator family', ns.nspname, NULL, f.opfname, 'USING ' || (SELECT am.amname FROM pg_am am WHERE am.oid = f.opfmethod)
  FROM pg_opfamily f JOIN ns ON ns.oid = f.opfnamespace
  WHERE ${notFromExtension('pg_opfamily', 'f.oid')}
UNION ALL
SELECT 'text search configuration', ns.nspname, NULL, c.cfgname, NULL FROM pg_ts_config c JOIN ns ON ns.oid = c.cfgnamespace
UNION ALL
SELECT 'text search dictionary', ns.nspname, NULL, d.dictname, NULL FROM pg_ts_dict d JOIN ns ON ns.oid = d.dictnamespace
UNION ALL
SELECT 'text search parser', ns.nspname, NULL, p.prsname, NULL FROM pg_ts_parser p JOIN ns ON ns.oid = p.prsnamespace
UNION ALL
SELECT 'text search template', ns.nspname, NULL, t.tmplname, NULL FROM pg_ts_template t JOIN ns ON ns.oid = t.tmplnamespace
UNION ALL
SELECT 'conversion', ns.nspname, NULL, c.conname, NULL FROM pg_conversion c JOIN ns ON ns.oid = c.connamespace
UNION ALL
SELECT 'publication', r.nspname, r.relname, pub.pubname, NULL
  FROM rel r JOIN pg_publication_rel pr ON pr.prrelid = r.oid JOIN pg_publication pub ON pub.oid = pr.prpubid
UNION ALL
SELECT 'publication', ns.nspname, NULL, pub.pubname, 'TABLES IN SCHEMA'
  FROM pg_publication_namespace pn JOIN ns ON ns.oid = pn.pnnspid JOIN pg_publication pub ON pub.oid = pn.pnpubid
UNION ALL
SELECT 'publication', ns.nspname, NULL, pub.pubname, 'FOR ALL TABLES' FROM pg_publication pub CROSS JOIN ns WHERE pub.puballtables
UNION ALL
-- Comments the model carries: on schemas, tables, views, materialized views and their columns, indexes it reads
-- (not a constraint's), enums, domains, composite and range types, sequences (not an identity column's), plain
-- functions, and the constraints (primary key, unique, foreign key, check, exclusion), triggers and policies of
-- tables. Still listed: comments on routines of other kinds, rules, domains' constraints and every class the model
-- does not read.
-- A trigger's, policy's or rule's schema is its table's: pg_identify_object leaves it empty, its address names it.
SELECT 'comment on ' || o.type, o.schema,
    CASE WHEN o.type = 'domain constraint' THEN (SELECT dt.typname FROM pg_constraint dc JOIN pg_type dt ON dt.oid = dc.contypid
        WHERE dc.oid = d.objoid)
      WHEN o.type NOT IN ('operator class', 'operator family') AND cardinality(a.object_names) = 3 THEN a.object_names[2] END,
    CASE WHEN o.type = 'domain constraint' THEN a.object_args[1]
      -- an operator class's or family's address is (access method, schema, name)
      WHEN o.type IN ('operator class', 'operator family') THEN a.object_names[3]
      WHEN cardinality(a.object_names) = 1 THEN coalesce(o.name, a.object_names[1]) ELSE a.object_names[cardinality(a.object_names)] END
      || CASE WHEN o.type IN ('function', 'procedure', 'aggregate', 'operator') THEN '(' || array_to_string(a.object_args, ', ') || ')' ELSE '' END,
    CASE WHEN o.type IN ('operator class', 'operator family') THEN 'USING ' || a.object_names[1] END
  FROM pg_description d
  CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) i
  CROSS JOIN LATERAL pg_identify_object_as_address(d.classoid, d.objoid, d.objsubid) a
  CROSS JOIN LATERAL (SELECT i.type, i.name,
    coalesce(i.schema, CASE WHEN cardinality(a.object_names) = 3 THEN a.object_names[1] END) AS schema) o
  WHERE d.objoid >= 16384 AND o.schema IN (SELECT nspname FROM ns)
    AND NOT (d.classoid = 'pg_class'::regclass AND (EXISTS (SELECT FROM rel r WHERE r.oid = d.objoid AND r.relkind IN ('r', 'p', 'v', 'm', 'S'))
      OR EXISTS (SELECT FROM ix i WHERE i.oid = d.objoid AND i.table_kind IN ('r', 'p', 'm')
        AND NOT EXISTS (SELECT FROM pg_constraint own WHERE own.conindid = i.oid AND own.contype IN ('p', 'u', 'x')))))
    AND NOT (d.classoid = 'pg_type'::regclass AND EXISTS (SELECT FROM pg_type et WHERE et.oid = d.objoid
      AND (et.typtype IN ('e', 'd', 'r') OR et.typtype = 'c' AND EXISTS (SELECT FROM pg_class tc WHERE tc.oid = et.typrelid AND tc.relkind = 'c'))))
    AND NOT (d.classoid = 'pg_constraint'::regclass AND EXISTS (SELECT FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
      WHERE con.oid = d.objoid AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND r.relkind IN ('r', 'p')))
    AND NOT (d.classoid = 'pg_policy'::regclass AND EXISTS (SELECT FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
      WHERE pol.oid = d.objoid AND r.relkind IN ('r', 'p')))
    AND NOT (d.classoid = 'pg_trigger'::regclass AND EXISTS (SELECT FROM pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid
      WHERE tg.oid = d.objoid AND NOT tg.tgisinternal AND tg.tgconstrrelid = 0 AND r.relkind IN ('r', 'p')))
    AND NOT (d.classoid = 'pg_proc'::regclass AND EXISTS (SELECT FROM pg_proc fp WHERE fp.oid = d.objoid AND fp.prokind = 'f'
      AND ${notFromExtension('pg_proc', 'fp.oid')}))`;
