// Introspection: a live database -> the model. A fixed number of catalog queries (see QUERIES_PER_INTROSPECTION),
// whatever the number of tables: one per object kind, filtered by the schemas (or tables) found first.
import { databaseError } from '../errors.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { mapCatalog } from './map.js';
import { type IntrospectOptions, type Queryable, schemaFilter } from './options.js';
import { withPinnedSettings } from './pinned.js';
import * as q from './queries.js';
import type {
  ColumnRow,
  ConstraintRow,
  DefaultPrivilegeRow,
  GrantRow,
  EnumRow,
  UserTypeRow,
  FunctionRow,
  IndexRow,
  PolicyRow,
  SchemaRow,
  SequenceRow,
  TableRow,
  TableStatsRow,
  TriggerRow,
  ViewRow,
} from './rows.js';

export { UnexpectedCatalogError } from './map-table.js';
export { PINNED_SETTINGS } from './queries.js';

export { DEFAULT_EXCLUDED, type IntrospectOptions, type Queryable } from './options.js';
export * from './inventory.js';
export { QUERIES_PER_DEPENDENCIES, readDependencies } from './dependencies.js';

/**
 * pin settings, schemas, tables, views, columns, constraints, indexes (of tables and materialized views),
 * triggers, policies, enums, sequences, functions, grants, default privileges, domains/composite/range types,
 * restore.
 */
export const QUERIES_PER_INTROSPECTION = 16;

/**
 * Reads every schema the options select. Settings that change how the server prints types and expressions
 * (PINNED_SETTINGS) are set for the session while it runs and put back afterwards; inside a transaction
 * that later aborts, PostgreSQL puts them back itself. For a consistent snapshot under concurrent DDL, call
 * it inside a REPEATABLE READ transaction. With `helper`, a second session on the same snapshot that nothing
 * else uses meanwhile, about half of the queries (indexes, grants, types, constraints) run there, the rest on `db`:
 * the server reads two catalogs at once, and the client maps one's rows while the other's are read.
 */
export async function introspect(
  db: Queryable,
  options: IntrospectOptions = {},
  helper?: Queryable,
): Promise<DatabaseSchema> {
  return withPinnedSettings(db, 'introspection', async (version) => {
    const on =
      (c: Queryable) =>
      async <R>(kind: string, sql: string, values: unknown[]): Promise<R[]> => {
        try {
          return (await c.query<R>(sql, values)).rows;
        } catch (e) {
          throw databaseError(`introspection of ${kind} failed`, e);
        }
      };
    const run = on(db);
    const schemas = await run<SchemaRow>('schemas', q.SCHEMAS, schemaFilter(options));
    const schemaOids = [schemas.map((s) => s.oid)];
    const relations = (async () => {
      const tables = await run<TableRow>('tables', q.TABLES, schemaOids);
      return { tables, views: await run<ViewRow>('views', q.VIEWS, schemaOids) };
    })();
    // The second lane: on `helper` (its own pinned session), or queued on `db` after the first lane's queries.
    const second = async (c: Queryable) => {
      const go = on(c);
      const indexes = await go<IndexRow>('indexes', q.indexesQuery(version), schemaOids);
      const grants = await go<GrantRow>('grants', q.GRANTS, schemaOids);
      const defaultPrivileges = await go<DefaultPrivilegeRow>('default privileges', q.DEFAULT_PRIVILEGES, schemaOids);
      const userTypes = await go<UserTypeRow>('types', q.userTypesQuery(version), schemaOids);
      const tableOids = [(await relations).tables.map((t) => t.oid)];
      const constraints = await go<ConstraintRow>('constraints', q.constraintsQuery(version), tableOids);
      return { indexes, grants, defaultPrivileges, userTypes, constraints };
    };
    const lane = helper ? withPinnedSettings(helper, 'introspection', () => second(helper)) : second(db);
    const first = (async () => {
      const { tables, views } = await relations;
      const tableOids = [tables.map((t) => t.oid)];
      return {
        tables,
        views,
        columns: await run<ColumnRow>('columns', q.COLUMNS, tableOids),
        triggers: await run<TriggerRow>('triggers', q.TRIGGERS, tableOids),
        policies: await run<PolicyRow>('policies', q.POLICIES, tableOids),
        enums: await run<EnumRow>('enums', q.ENUMS, schemaOids),
        sequences: await run<SequenceRow>('sequences', q.SEQUENCES, schemaOids),
        functions: await run<FunctionRow>('functions', q.FUNCTIONS, schemaOids),
      };
    })();
    // Both settled before either failure is thrown: no query left running on a session the caller reuses.
    const [a, b] = await Promise.allSettled([first, lane]);
    if (a.status === 'rejected') throw a.reason;
    if (b.status === 'rejected') throw b.reason;
    return mapCatalog({ schemas, ...a.value, ...b.value });
  });
}

export async function serverVersion(db: Queryable): Promise<{ num: number; major: number; text: string }> {
  try {
    const row = (await db.query<{ num: number; text: string }>(q.SERVER_VERSION)).rows[0];
    if (!row) throw new Error('no row');
    return { num: row.num, major: Math.floor(row.num / 10000), text: row.text };
  } catch (e) {
    throw databaseError('could not read the server version', e);
  }
}

export interface TableStats {
  readonly schema: string;
  readonly table: string;
  /** Estimated live rows (pg_class.reltuples); 0 when the table was never vacuumed or analyzed. */
  readonly rows: number;
  /** Size of the main fork in bytes (pg_relation_size). */
  readonly bytes: number;
}

/** Size figures of every table introspect() would read with the same options, for cost estimates. One query. */
export async function tableStats(db: Queryable, options: IntrospectOptions = {}): Promise<TableStats[]> {
  try {
    const rows = (await db.query<TableStatsRow>(q.TABLE_STATS, schemaFilter(options))).rows;
    return rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      rows: Math.max(0, Number(r.rows)),
      bytes: Number(r.bytes),
    }));
  } catch (e) {
    throw databaseError('could not read table statistics', e);
  }
}
export { missingRoles } from './roles.js';
