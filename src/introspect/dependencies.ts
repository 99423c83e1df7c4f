// The source database's dependency edges (see dependencies-query.ts), for the planner's dependents rule.
import { databaseError } from '../errors.js';
import type { CatalogDependency, CatalogObject } from '../schema/model/dependencies.js';
import { DEPENDENCIES } from './dependencies-query.js';
import { type IntrospectOptions, type Queryable, schemaFilter } from './options.js';

interface DependencyRow {
  readonly on_kind: string;
  readonly on_ns: string;
  readonly on_table: string | null;
  readonly on_name: string;
  readonly on_args: string | null;
  readonly deptype: string;
  readonly kind: string;
  readonly ns: string;
  readonly table: string | null;
  readonly name: string;
  readonly args: string | null;
  readonly description: string;
}

/** Dependency queries per call: one, whatever the number of objects. */
export const QUERIES_PER_DEPENDENCIES = 1;

/**
 * Every dependency edge into the objects of the schemas `options` selects (as for introspect()), each once,
 * sorted. Run it in the session (and snapshot) introspect() read the schema in: pinned search_path, so that
 * descriptions name schemas.
 */
export async function readDependencies(db: Queryable, options: IntrospectOptions = {}): Promise<CatalogDependency[]> {
  let rows: DependencyRow[];
  try {
    rows = (await db.query<DependencyRow>(DEPENDENCIES, schemaFilter(options))).rows;
  } catch (e) {
    throw databaseError('introspection of the dependencies between objects failed', e);
  }
  const seen = new Map<string, CatalogDependency>();
  for (const r of rows) {
    const d: CatalogDependency = {
      on: object(r.on_kind, r.on_ns, r.on_table, r.on_name, r.on_args),
      dependent: { ...object(r.kind, r.ns, r.table, r.name, r.args), description: r.description },
      deptype: r.deptype === 'n' ? 'n' : 'a',
    };
    const id = JSON.stringify([d.on, d.dependent]);
    // An object can depend on another both ways (a check on its column: auto and normal); normal wins.
    const prev = seen.get(id);
    if (!prev || (prev.deptype === 'a' && d.deptype === 'n')) seen.set(id, d);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

function object(kind: string, ns: string, table: string | null, name: string, args: string | null): CatalogObject {
  return { kind, ns, ...(table !== null ? { table } : {}), name, ...(args !== null ? { args } : {}) };
}
