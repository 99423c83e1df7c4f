// The extensions a database has. The model holds none (planning changes to extensions is another issue), yet
// every server switchyard builds a schema on (the shadow, the rehearsal, the standby) needs the source's
// extensions first: an index with `gin_trgm_ops` or a `citext` column means nothing without them. One query
// reads name, schema and version, in the order they can be created (an extension after those it requires).
import { databaseError } from '../errors.js';
import type pg from 'pg';

type Queryable = Pick<pg.Client, 'query'>;

/** An extension of the source database, as the plan file records it. */
export interface Extension {
  readonly name: string;
  readonly schema: string;
  readonly version: string;
}

interface ExtensionRow extends Extension {
  readonly requires: string[];
}

// plpgsql is in every database; requires are the extensions this one depends on (pg_depend between extensions).
const EXTENSIONS = `
SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version,
       coalesce(array_agg(r.extname::text ORDER BY r.extname) FILTER (WHERE r.extname IS NOT NULL), '{}') AS requires
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_extension'::regclass AND d.objid = e.oid
  AND d.refclassid = 'pg_extension'::regclass
LEFT JOIN pg_extension r ON r.oid = d.refobjid
WHERE e.extname <> 'plpgsql'
GROUP BY e.extname, n.nspname, e.extversion
ORDER BY e.extname`;

/** The database's extensions, each after the extensions it requires. */
export async function readExtensions(db: Queryable): Promise<Extension[]> {
  let rows: ExtensionRow[];
  try {
    rows = (await db.query<ExtensionRow>(EXTENSIONS)).rows;
  } catch (e) {
    throw databaseError('could not read the extensions', e);
  }
  const byName = new Map(rows.map((r) => [r.name, r]));
  const ordered: Extension[] = [];
  const placed = new Set<string>();
  // pg_extension cannot hold a cycle of requires, so a depth-first walk places every extension once.
  const place = (r: ExtensionRow): void => {
    if (placed.has(r.name)) return;
    placed.add(r.name);
    for (const name of r.requires) {
      const required = byName.get(name);
      if (required) place(required);
    }
    ordered.push({ name: r.name, schema: r.schema, version: r.version });
  };
  for (const r of rows) place(r);
  return ordered;
}
