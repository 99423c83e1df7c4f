// Catalog rows -> the model, in one place. Rows are grouped by their schema or table oid in memory, so
// the work is linear in the number of rows whatever the number of tables.
import type {
  CheckOption,
  DatabaseSchema,
  Enum,
  Function,
  Index,
  Schema,
  Sequence,
  Table,
  View,
} from '../schema/model/model.js';
import { normalizeDatabase } from '../schema/model/normalize.js';
import {
  mapColumn,
  mapConstraint,
  mapIndex,
  mapPolicy,
  mapTableAttributes,
  mapTrigger,
  UnexpectedCatalogError,
  type MappedConstraint,
} from './map-table.js';
import type { CatalogRows, EnumRow, FunctionRow, SequenceRow, ViewRow } from './rows.js';

function groupBy<R, K>(rows: readonly R[], key: (r: R) => K): Map<K, R[]> {
  const out = new Map<K, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function mapEnum(r: EnumRow): Enum {
  return { kind: 'enum', name: r.name, values: r.values, ...(r.comment !== null ? { comment: r.comment } : {}) };
}

const SEQUENCE_TYPES = new Set<string>(['smallint', 'integer', 'bigint']);

function mapSequence(r: SequenceRow): Sequence {
  if (!SEQUENCE_TYPES.has(r.type)) throw new UnexpectedCatalogError(`type of sequence "${r.name}"`, r.type);
  return {
    kind: 'sequence',
    name: r.name,
    type: r.type as Sequence['type'],
    start: r.start,
    increment: r.increment,
    min: r.min,
    max: r.max,
    cache: r.cache,
    cycle: r.cycle,
    ...(r.owned_table !== null && r.owned_column !== null
      ? { ownedBy: { table: r.owned_table, column: r.owned_column } }
      : {}),
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}

function mapFunction(r: FunctionRow): Function {
  return {
    kind: 'function',
    name: r.name,
    args: r.args,
    definition: r.definition,
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}

const TRUE_OPTION = /^(true|on|yes|1)$/i;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** pg_get_viewdef text as the model spells it: trimmed, without the trailing semicolon. */
export function viewDefinition(text: string): string {
  return text.trim().replace(/;$/, '').trimEnd();
}

function mapView(r: ViewRow, indexes: readonly Index[]): View {
  const opts = new Map(
    r.options.map((o) => {
      const i = o.indexOf('=');
      return [i < 0 ? o : o.slice(0, i), i < 0 ? 'true' : o.slice(i + 1)] as const;
    }),
  );
  const on = (name: string): true | undefined => (TRUE_OPTION.test(opts.get(name) ?? '') ? true : undefined);
  const check = opts.get('check_option');
  if (check !== undefined && check !== 'local' && check !== 'cascaded')
    throw new UnexpectedCatalogError(`check_option of view "${r.name}"`, check);
  const columns = r.columns ?? [];
  const comments = columns.flatMap((c) => (c.comment !== null ? [{ name: c.name, comment: c.comment }] : []));
  return {
    kind: 'view',
    name: r.name,
    ...(r.materialized ? { materialized: true } : {}),
    definition: viewDefinition(r.definition),
    ...(!r.materialized && on('security_invoker') ? { securityInvoker: true } : {}),
    ...(!r.materialized && on('security_barrier') ? { securityBarrier: true } : {}),
    ...(!r.materialized && check !== undefined ? { checkOption: check as CheckOption } : {}),
    ...(indexes.length ? { indexes } : {}),
    ...(comments.length ? { columnComments: comments } : {}),
    ...(r.comment !== null ? { comment: r.comment } : {}),
    derived: {
      columns: columns.map((c) => ({ name: c.name, type: c.type })),
      reads: (r.reads ?? [])
        .map((x) => ({ schema: x.schema, relation: x.relation, columns: [...x.columns].sort(byText) }))
        .sort((a, b) => byText(a.schema, b.schema) || byText(a.relation, b.relation)),
    },
  };
}

function tableParts(
  constraints: readonly MappedConstraint[],
): Pick<Table, 'primaryKey' | 'unique' | 'foreignKeys' | 'checks'> {
  const primaryKey = constraints.find((c) => c.kind === 'primary_key');
  return {
    ...(primaryKey ? { primaryKey } : {}),
    unique: constraints.filter((c) => c.kind === 'unique'),
    foreignKeys: constraints.filter((c) => c.kind === 'foreign_key'),
    checks: constraints.filter((c) => c.kind === 'check'),
  };
}

/** Builds the normalized model from everything one introspection read. */
export function mapCatalog(rows: CatalogRows): DatabaseSchema {
  const columns = groupBy(rows.columns, (r) => r.table_oid);
  const constraints = groupBy(rows.constraints, (r) => r.table_oid);
  const indexes = groupBy(rows.indexes, (r) => r.table_oid);
  const triggers = groupBy(rows.triggers, (r) => r.table_oid);
  const policies = groupBy(rows.policies ?? [], (r) => r.table_oid);
  const tables = groupBy(rows.tables, (r) => r.schema_oid);
  const enums = groupBy(rows.enums, (r) => r.schema_oid);
  const sequences = groupBy(rows.sequences, (r) => r.schema_oid);
  const functions = groupBy(rows.functions, (r) => r.schema_oid);
  const views = groupBy(rows.views, (r) => r.schema_oid);

  const schemas = rows.schemas.map(
    (s): Schema => ({
      kind: 'schema',
      name: s.name,
      enums: (enums.get(s.oid) ?? []).map(mapEnum),
      sequences: (sequences.get(s.oid) ?? []).map(mapSequence),
      tables: (tables.get(s.oid) ?? []).map(
        (t): Table => ({
          kind: 'table',
          name: t.name,
          columns: (columns.get(t.oid) ?? []).sort((a, b) => a.num - b.num).map(mapColumn),
          ...tableParts((constraints.get(t.oid) ?? []).map(mapConstraint)),
          indexes: (indexes.get(t.oid) ?? []).map(mapIndex),
          triggers: (triggers.get(t.oid) ?? []).map(mapTrigger),
          ...(policies.has(t.oid) ? { policies: (policies.get(t.oid) ?? []).map(mapPolicy) } : {}),
          ...mapTableAttributes(t),
          ...(t.comment !== null ? { comment: t.comment } : {}),
        }),
      ),
      functions: (functions.get(s.oid) ?? []).map(mapFunction),
      views: (views.get(s.oid) ?? []).map((v) => mapView(v, (indexes.get(v.oid) ?? []).map(mapIndex))),
      ...(s.comment !== null && !isDefaultPublicComment(s.name, s.comment) ? { comment: s.comment } : {}),
    }),
  );
  return normalizeDatabase({ schemas });
}

/**
 * Every new database gives `public` the comment "standard public schema". Nobody declares it, so it reads as no
 * comment; otherwise every declared schema that lists `public` would differ from every live database.
 */
export function isDefaultPublicComment(schema: string, comment: string): boolean {
  return schema === 'public' && comment === 'standard public schema';
}
