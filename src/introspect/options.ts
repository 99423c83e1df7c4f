// What every reader of the catalogs takes: a session to query, and which schemas to read.

/**
 * One database session that runs parameterized queries: a pg.Client or a checked-out pg.PoolClient (or a
 * wrapper around one, e.g. counting calls). Not a pg.Pool: introspection pins session settings, and a pool
 * may run each query on another connection.
 */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: the default of pg's own query signature, which clients satisfy
  query<R = any>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Which schemas to read. System schemas (pg_catalog, information_schema, pg_toast*, pg_temp*) and schemas
 * created by extensions are never read. `excludeSchemas` defaults to DEFAULT_EXCLUDED when no
 * `includeSchemas` is given, and to nothing when it is (naming a schema is asking for it).
 */
export interface IntrospectOptions {
  readonly includeSchemas?: readonly string[];
  readonly excludeSchemas?: readonly string[];
}

/** switchyard's own ledger schema (its default name): never part of an application's schema. */
export const DEFAULT_EXCLUDED: readonly string[] = ['switchyard'];

export function schemaFilter(options: IntrospectOptions): [string[] | null, string[]] {
  const include = options.includeSchemas ? [...options.includeSchemas] : null;
  const exclude = [...(options.excludeSchemas ?? (include ? [] : DEFAULT_EXCLUDED))];
  return [include, exclude];
}
