// Catalog rows -> the model, in one place. Rows are grouped by their schema or table oid in memory, so
// the work is linear in the number of rows whatever the number of tables.
import type {
  CheckOption,
  CompositeType,
  DatabaseSchema,
  StorageParameter,
  DefaultPrivilege,
  DefaultPrivilegeObjects,
  Grant,
  Privilege,
  Domain,
  RangeType,
  Enum,
  Function,
  Index,
  Schema,
  Sequence,
  Table,
  View,
} from '../schema/model/model.js';
import { normalizeDatabase } from '../schema/model/normalize.js';
import { multirangeName } from '../schema/model/types.js';
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
import { type AclItem, grantsOf, PRIVILEGE_ORDER } from '../schema/model/grants.js';
import { catalogName } from './map-text.js';
import type {
  CatalogRows,
  DefaultPrivilegeRow,
  EnumRow,
  FunctionRow,
  GrantRow,
  SequenceRow,
  UserTypeRow,
  ViewRow,
} from './rows.js';

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

/** A domain, composite or range type row as the model. */
function mapUserType(r: UserTypeRow): Domain | CompositeType | RangeType {
  const comment = r.comment !== null ? { comment: r.comment } : {};
  const collation = r.collation_name !== null ? { collation: catalogName(r.collation_schema, r.collation_name) } : {};
  if (r.kind === 'domain') {
    if (r.base_type === null) throw new UnexpectedCatalogError(`base type of domain "${r.name}"`, null);
    return {
      kind: 'domain',
      name: r.name,
      type: r.base_type,
      ...(r.default_expression !== null ? { default: r.default_expression.trim() } : {}),
      ...(r.not_null ? { notNull: true } : {}),
      ...collation,
      checks: (r.checks ?? []).map((c) => ({
        name: c.name,
        expression: c.expression.trim(),
        ...(c.validated ? {} : { notValid: true as const }),
      })),
      ...comment,
    };
  }
  if (r.kind === 'composite')
    return {
      kind: 'composite',
      name: r.name,
      attributes: (r.attributes ?? []).map((a) => ({
        name: a.name,
        type: a.type,
        ...(a.collation !== null ? { collation: catalogName(a.collation_schema, a.collation) } : {}),
      })),
      ...comment,
    };
  if (r.subtype === null) throw new UnexpectedCatalogError(`subtype of range type "${r.name}"`, null);
  return {
    kind: 'range',
    name: r.name,
    subtype: r.subtype,
    ...(r.opclass !== null ? { subtypeOpclass: catalogName(r.opclass_schema, r.opclass) } : {}),
    ...(r.range_collation_name !== null
      ? { collation: catalogName(r.range_collation_schema, r.range_collation_name) }
      : {}),
    ...(r.canonical !== null ? { canonical: r.canonical } : {}),
    ...(r.subtype_diff !== null ? { subtypeDiff: r.subtype_diff } : {}),
    ...(r.multirange !== null && r.multirange !== multirangeName(r.name) ? { multirange: r.multirange } : {}),
    ...comment,
  };
}

function tableParts(
  constraints: readonly MappedConstraint[],
): Pick<Table, 'primaryKey' | 'unique' | 'foreignKeys' | 'checks' | 'exclusions'> {
  const primaryKey = constraints.find((c) => c.kind === 'primary_key');
  const exclusions = constraints.filter((c) => c.kind === 'exclusion');
  return {
    ...(exclusions.length ? { exclusions } : {}),
    ...(primaryKey ? { primaryKey } : {}),
    unique: constraints.filter((c) => c.kind === 'unique'),
    foreignKeys: constraints.filter((c) => c.kind === 'foreign_key'),
    checks: constraints.filter((c) => c.kind === 'check'),
  };
}

const PRIVILEGE_SET = new Set<string>(PRIVILEGE_ORDER);
const DEFAULT_OBJECTS = new Set<string>(['tables', 'sequences', 'functions', 'types', 'schemas']);

function privilegeOf(what: string, p: string): Privilege {
  if (!PRIVILEGE_SET.has(p)) throw new UnexpectedCatalogError(`privilege on ${what}`, p);
  return p as Privilege;
}

/** Grant rows by object: `class\0schema oid\0name\0args` -> the object's grants. */
function grantsByObject(rows: readonly GrantRow[]): Map<string, Grant[]> {
  const items = new Map<string, AclItem[]>();
  for (const r of rows) {
    const k = grantKey(r.class, r.schema_oid, r.name ?? '', r.args ?? '');
    const list = items.get(k) ?? [];
    items.set(k, list);
    list.push({
      role: r.role,
      column: r.column ?? '',
      privilege: privilegeOf(`${r.class} "${r.name ?? ''}"`, r.privilege),
      grantable: r.grantable,
    });
  }
  return new Map([...items].map(([k, list]) => [k, grantsOf(list)]));
}

const grantKey = (cls: string, schemaOid: string, name: string, args = '') => `${cls}\0${schemaOid}\0${name}\0${args}`;
const withGrants = (grants: readonly Grant[] | undefined): { grants?: readonly Grant[] } =>
  grants?.length ? { grants } : {};

function mapDefaultPrivileges(rows: readonly DefaultPrivilegeRow[]): DefaultPrivilege[] {
  return rows.map((r) => {
    if (!DEFAULT_OBJECTS.has(r.on)) throw new UnexpectedCatalogError('default privileges object type', r.on);
    return {
      forRole: r.for_role,
      ...(r.schema !== null ? { schema: r.schema } : {}),
      on: r.on as DefaultPrivilegeObjects,
      role: r.role,
      privileges: [privilegeOf(`default privileges on ${r.on}`, r.privilege)],
      ...(r.grantable ? { withGrantOption: true as const } : {}),
    };
  });
}

/** Domains, composite and range types under their own lists, each absent when empty. */
function typesOf(
  types: ReadonlyArray<Domain | CompositeType | RangeType>,
): Pick<Schema, 'domains' | 'composites' | 'ranges'> {
  const domains = types.filter((t) => t.kind === 'domain');
  const composites = types.filter((t) => t.kind === 'composite');
  const ranges = types.filter((t) => t.kind === 'range');
  return {
    ...(domains.length ? { domains } : {}),
    ...(composites.length ? { composites } : {}),
    ...(ranges.length ? { ranges } : {}),
  };
}

/** Builds the normalized model from everything one introspection read. */
export function mapCatalog(rows: CatalogRows): DatabaseSchema {
  const grants = grantsByObject(rows.grants ?? []);
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
  const userTypes = groupBy(rows.userTypes ?? [], (r) => r.schema_oid);

  const schemas = rows.schemas.map(
    (s): Schema => ({
      kind: 'schema',
      name: s.name,
      enums: (enums.get(s.oid) ?? []).map((e) => ({
        ...mapEnum(e),
        ...withGrants(grants.get(grantKey('type', s.oid, e.name))),
      })),
      sequences: (sequences.get(s.oid) ?? []).map((q) => ({
        ...mapSequence(q),
        ...withGrants(grants.get(grantKey('sequence', s.oid, q.name))),
      })),
      tables: (tables.get(s.oid) ?? []).map(
        (t): Table => ({
          kind: 'table',
          name: t.name,
          columns: (columns.get(t.oid) ?? []).sort((a, b) => a.num - b.num).map(mapColumn),
          ...tableParts((constraints.get(t.oid) ?? []).map(mapConstraint)),
          indexes: (indexes.get(t.oid) ?? []).map(mapIndex),
          triggers: (triggers.get(t.oid) ?? []).map(mapTrigger),
          ...(t.options.length ? { storage: t.options.map(storageParameter) } : {}),
          ...(policies.has(t.oid) ? { policies: (policies.get(t.oid) ?? []).map(mapPolicy) } : {}),
          ...mapTableAttributes(t),
          ...(t.comment !== null ? { comment: t.comment } : {}),
          ...withGrants(grants.get(grantKey('table', s.oid, t.name))),
        }),
      ),
      functions: (functions.get(s.oid) ?? []).map((f) => ({
        ...mapFunction(f),
        ...withGrants(grants.get(grantKey('function', s.oid, f.name, f.args))),
      })),
      views: (views.get(s.oid) ?? []).map((v) => ({
        ...mapView(v, (indexes.get(v.oid) ?? []).map(mapIndex)),
        ...withGrants(grants.get(grantKey('view', s.oid, v.name))),
      })),
      ...typesOf((userTypes.get(s.oid) ?? []).map(mapUserType)),
      ...(s.comment !== null && !isDefaultPublicComment(s.name, s.comment) ? { comment: s.comment } : {}),
      ...withGrants(grants.get(grantKey('schema', s.oid, ''))),
    }),
  );
  const defaultPrivileges = mapDefaultPrivileges(rows.defaultPrivileges ?? []);
  return normalizeDatabase({ schemas, ...(defaultPrivileges.length ? { defaultPrivileges } : {}) });
}

/**
 * Every new database gives `public` the comment "standard public schema". Nobody declares it, so it reads as no
 * comment; otherwise every declared schema that lists `public` would differ from every live database.
 */
export function isDefaultPublicComment(schema: string, comment: string): boolean {
  return schema === 'public' && comment === 'standard public schema';
}

/** `fillfactor=70` (a reloptions entry: the name never holds `=`) as a parameter. */
function storageParameter(option: string): StorageParameter {
  const i = option.indexOf('=');
  return { name: option.slice(0, i), value: option.slice(i + 1) };
}
