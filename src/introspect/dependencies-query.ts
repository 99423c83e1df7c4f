// The dependency query: every pg_depend edge (normal or auto) into an object of the selected schemas that a
// plan can drop or alter (schemas, relations and their columns, types, routines, constraints), with the
// dependent resolved to what a person would name: a view rather than its `_RETURN` rule, the column a default
// or generation expression belongs to, a policy, a rule, a trigger, a statistics object, a publication...
// One statement whatever the number of objects.
//
// Relations, triggers and types that are an internal part of another object (pg_depend deptype 'i': the
// index of a unique constraint, the triggers of a foreign key, an identity column's sequence, array types, a range
// type's constructor functions)
// are left out: the object they belong to has edges of its own. So are objects created by extensions, on
// either side of an edge.
import { notFromExtension, SCHEMA_FILTER } from './queries.js';

const REL_KIND = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'i' THEN 'index' WHEN 'I' THEN 'index'
      WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'
      WHEN 'c' THEN 'composite type' ELSE 'relation' END`;

/** $1: schema names to keep or NULL, $2: names to leave out (as for SCHEMAS). */
export const DEPENDENCIES = `WITH ns AS MATERIALIZED (
  SELECT n.oid, n.nspname FROM pg_namespace n WHERE ${SCHEMA_FILTER}
), ref AS MATERIALIZED (
  SELECT 'pg_class'::regclass AS classid, c.oid AS objid, 0 AS objsubid, ${REL_KIND} AS kind,
      ns.nspname AS ns, (SELECT it.relname::text FROM pg_index x JOIN pg_class it ON it.oid = x.indrelid WHERE x.indexrelid = c.oid) AS tbl,
      c.relname::text AS name, NULL::text AS args
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm') AND ${notFromExtension('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'pg_class'::regclass, c.oid, a.attnum, 'column', ns.nspname, c.relname::text, a.attname::text, NULL
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${notFromExtension('pg_class', 'c.oid')}
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, 0, 'type', ns.nspname, NULL, t.typname::text, NULL
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
    WHERE (t.typtype IN ('e', 'd', 'r', 'm', 'b') OR t.typtype = 'c' AND EXISTS (SELECT FROM pg_class tc WHERE tc.oid = t.typrelid AND tc.relkind = 'c'))
      AND ${notFromExtension('pg_type', 't.oid')}
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, 0, 'function', ns.nspname, NULL, p.proname::text, pg_get_function_identity_arguments(p.oid)
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE ${notFromExtension('pg_proc', 'p.oid')}
  UNION ALL
  -- a schema: what is in it (DROP SCHEMA without CASCADE fails on anything left)
  SELECT 'pg_namespace'::regclass, ns.oid, 0, 'schema', ns.nspname, NULL, ns.nspname::text, NULL FROM ns
  UNION ALL
  SELECT 'pg_constraint'::regclass, k.oid, 0, 'constraint', ns.nspname, c.relname::text, k.conname::text, NULL
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN ns ON ns.oid = c.relnamespace
)
SELECT r.kind AS on_kind, r.ns AS on_ns, r.tbl AS on_table, r.name AS on_name, r.args AS on_args,
    d.deptype::text AS deptype, o.kind, o.ns, o.tbl AS table, o.name, o.args,
    coalesce(o.descr, (SELECT i.type || ' ' || i.identity FROM pg_identify_object(d.classid, d.objid, d.objsubid) i)) AS description
  FROM ref r
  JOIN pg_depend d ON d.refclassid = r.classid AND d.refobjid = r.objid AND d.refobjsubid = r.objsubid
    AND d.deptype IN ('n', 'a')
  CROSS JOIN LATERAL (
    SELECT CASE WHEN c.relkind IN ('r', 'p', 'f', 'v', 'm') AND d.objsubid <> 0 THEN 'column' ELSE ${REL_KIND} END AS kind,
        n.nspname::text AS ns, CASE WHEN d.objsubid <> 0 THEN c.relname::text END AS tbl,
        CASE WHEN d.objsubid <> 0 THEN a.attname::text ELSE c.relname::text END AS name, NULL::text AS args,
        NULL::text AS descr
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid <> 0
      WHERE d.classid = 'pg_class'::regclass AND c.oid = d.objid
    UNION ALL
    SELECT CASE WHEN rw.rulename = '_RETURN' THEN CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END ELSE 'rule' END,
        n.nspname, CASE WHEN rw.rulename <> '_RETURN' THEN c.relname::text END,
        CASE WHEN rw.rulename = '_RETURN' THEN c.relname ELSE rw.rulename END::text, NULL,
        CASE WHEN rw.rulename = '_RETURN' THEN (SELECT i.type || ' ' || i.identity FROM pg_identify_object('pg_class'::regclass, c.oid, 0) i) END
      FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
    UNION ALL
    SELECT CASE WHEN a.attgenerated <> '' THEN 'generated column' ELSE 'default' END, n.nspname, c.relname::text, a.attname::text, NULL, NULL
      FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
      WHERE d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
    UNION ALL
    SELECT CASE WHEN k.contypid <> 0 THEN 'domain constraint' ELSE CASE k.contype WHEN 'c' THEN 'check constraint'
          WHEN 'f' THEN 'foreign key' WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint'
          WHEN 'x' THEN 'exclusion constraint' WHEN 't' THEN 'constraint trigger' ELSE 'constraint' END END,
        n.nspname, coalesce(c.relname, t.typname)::text, k.conname::text, NULL, NULL
      FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
      LEFT JOIN pg_class c ON c.oid = k.conrelid LEFT JOIN pg_type t ON t.oid = k.contypid
      WHERE d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
    UNION ALL
    SELECT 'trigger', n.nspname, c.relname::text, tg.tgname::text, NULL, NULL
      FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
    UNION ALL
    SELECT 'policy', n.nspname, c.relname::text, pol.polname::text, NULL, NULL
      FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' ELSE 'function' END,
        n.nspname, NULL, p.proname::text, pg_get_function_identity_arguments(p.oid), NULL
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE d.classid = 'pg_proc'::regclass AND p.oid = d.objid
    UNION ALL
    SELECT CASE t.typtype WHEN 'e' THEN 'type' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' WHEN 'm' THEN 'multirange type'
          WHEN 'c' THEN 'composite type' ELSE 'type' END, n.nspname, NULL, t.typname::text, NULL, NULL
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
    UNION ALL
    SELECT 'statistics', n.nspname, c.relname::text, s.stxname::text, NULL, NULL
      FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace LEFT JOIN pg_class c ON c.oid = s.stxrelid
      WHERE d.classid = 'pg_statistic_ext'::regclass AND s.oid = d.objid
    UNION ALL
    SELECT 'publication', n.nspname, c.relname::text, pub.pubname::text, NULL, NULL
      FROM pg_publication_rel pr JOIN pg_publication pub ON pub.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE d.classid = 'pg_publication_rel'::regclass AND pr.oid = d.objid
    UNION ALL
    SELECT i.type, coalesce(i.schema, ''), NULL, i.identity, NULL, NULL
      FROM pg_identify_object(d.classid, d.objid, d.objsubid) i
      WHERE d.classid NOT IN ('pg_class'::regclass, 'pg_rewrite'::regclass, 'pg_attrdef'::regclass, 'pg_constraint'::regclass,
        'pg_trigger'::regclass, 'pg_policy'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass,
        'pg_statistic_ext'::regclass, 'pg_publication_rel'::regclass)
  ) o
  WHERE NOT EXISTS (SELECT FROM pg_depend own WHERE own.classid = d.classid AND own.objid = d.objid
      AND (own.deptype = 'e' OR own.deptype = 'i' AND d.classid IN ('pg_class'::regclass, 'pg_trigger'::regclass, 'pg_type'::regclass,
        'pg_proc'::regclass)))
    -- a view's rule on its own view, a column's default on its own column
    AND NOT (d.classid = 'pg_rewrite'::regclass AND o.kind IN ('view', 'materialized view') AND r.kind IN ('view', 'materialized view')
      AND o.ns = r.ns AND o.name = r.name)
    AND NOT (d.classid = 'pg_attrdef'::regclass AND r.kind = 'column' AND o.ns = r.ns AND o.tbl = r.tbl AND o.name = r.name)`;
