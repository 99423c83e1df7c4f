// A valid declared file as the model: defaults filled in the way PostgreSQL fills them, so that a short
// declaration and an introspected snapshot of the same database are equal data.
import type {
  Column,
  CompositeType,
  DatabaseSchema,
  DefaultPrivilege,
  Domain,
  RangeType,
  ForeignKey,
  Grant,
  Index,
  IndexKey,
  Policy,
  Schema,
  Sequence,
  Table,
  Trigger,
  TriggerEvent,
  View,
} from '../model/model.js';
import { entries } from './catalog.js';
import type {
  ColumnDecl,
  CompositeDecl,
  DeclaredFile,
  DefaultPrivilegeDecl,
  GrantDecl,
  DomainDecl,
  RangeDecl,
  ForeignKeyDecl,
  IndexDecl,
  PolicyDecl,
  SchemaDecl,
  SequenceDecl,
  TableDecl,
  ViewDecl,
} from './declared.js';
import { defaultConstraintName, sqlName } from '../model/names.js';
import { normalizeDatabase } from '../model/normalize.js';
import { sequenceBounds } from '../model/sequence.js';
import { inlineExpression } from './sql-text.js';
import { classifyType, isIntegerType, normalizeType } from '../model/types.js';
import type { Path } from './zod-walk.js';

/** Keys of a mapping in document order, when the caller knows it better than a JS object does. */
export type KeyOrder = (path: Path) => readonly string[] | undefined;

/** The order events are listed in, as introspection lists them (pg_trigger.tgtype bits). */
const EVENT_ORDER: readonly TriggerEvent[] = ['insert', 'update', 'delete', 'truncate'];

/** An expression as rendered inline (validate checked it is exactly one). */
const trimmed = (s: string | undefined): string | undefined => (s === undefined ? undefined : inlineExpression(s));
const onlyTrue = (b: boolean | undefined): true | undefined => (b ? true : undefined);

function column(name: string, c: ColumnDecl, inPk: boolean): Column {
  return {
    kind: 'column',
    name,
    type: normalizeType(c.type),
    nullable: c.nullable ?? !(inPk || c.identity !== undefined),
    default: trimmed(c.default),
    identity: c.identity,
    generated: trimmed(c.generated),
    collation: c.collation === undefined ? undefined : sqlName(c.collation),
    comment: c.comment,
    renamedFrom: c.renamedFrom,
    up: trimmed(c.up),
    down: trimmed(c.down),
    backfill: trimmed(c.backfill),
  } as Column;
}

function indexKeys(i: IndexDecl): IndexKey[] {
  if (i.columns) return i.columns.map((c) => ({ column: c }));
  if (i.expressions) return i.expressions.map((e) => ({ expression: inlineExpression(e) }));
  return (i.keys ?? []).map((k) => {
    const desc = k.order === 'desc';
    return {
      column: k.column,
      expression: trimmed(k.expression),
      order: desc ? 'desc' : undefined,
      // The model keeps `nulls` only where it is not what the order implies.
      nulls: k.nulls !== undefined && k.nulls !== (desc ? 'first' : 'last') ? k.nulls : undefined,
      opclass: k.opclass === undefined ? undefined : sqlName(k.opclass),
      collation: k.collation === undefined ? undefined : sqlName(k.collation),
    } as IndexKey;
  });
}

function index(name: string, i: IndexDecl): Index {
  return {
    kind: 'index',
    name,
    unique: i.unique ?? false,
    method: i.method ?? 'btree',
    keys: indexKeys(i),
    include: i.include,
    where: trimmed(i.where),
    nullsNotDistinct: onlyTrue(i.nullsNotDistinct),
    invalid: onlyTrue(i.invalid),
    comment: i.comment,
  } as Index;
}

function foreignKey(file: DeclaredFile, schema: string, name: string, f: ForeignKeyDecl): ForeignKey {
  const rs = f.references.schema ?? schema;
  const pk = file.schemas[rs]?.tables?.[f.references.table]?.primaryKey?.columns ?? [];
  return {
    kind: 'foreign_key',
    name,
    columns: f.columns,
    references: { schema: rs, table: f.references.table, columns: f.references.columns ?? pk },
    onDelete: f.onDelete ?? 'no action',
    onUpdate: f.onUpdate ?? 'no action',
    match: f.match ?? 'simple',
    deferrable: f.deferrable ?? false,
    initiallyDeferred: f.initiallyDeferred ?? false,
    notValid: onlyTrue(f.notValid),
    comment: f.comment,
  } as ForeignKey;
}

function policy(name: string, p: PolicyDecl): Policy {
  return {
    kind: 'policy',
    name,
    command: p.command ?? 'all',
    restrictive: onlyTrue(p.restrictive),
    roles: [...(p.roles ?? ['public'])].sort(),
    using: trimmed(p.using),
    withCheck: trimmed(p.withCheck),
    comment: p.comment,
  } as Policy;
}

function table(file: DeclaredFile, schema: string, name: string, t: TableDecl, order: KeyOrder): Table {
  const pk = t.primaryKey?.columns ?? [];
  const columnNames = order(['schemas', schema, 'tables', name, 'columns']) ?? Object.keys(t.columns);
  return {
    kind: 'table',
    name,
    columns: columnNames.flatMap((c) => (t.columns[c] ? [column(c, t.columns[c], pk.includes(c))] : [])),
    primaryKey: t.primaryKey && {
      kind: 'primary_key',
      name: t.primaryKey.name ?? defaultConstraintName(name, [], 'pkey'),
      columns: t.primaryKey.columns,
      comment: t.primaryKey.comment,
    },
    unique: entries(t.unique).map(
      ([u, d]) =>
        ({
          kind: 'unique',
          name: u,
          columns: d.columns,
          nullsNotDistinct: onlyTrue(d.nullsNotDistinct),
          deferrable: onlyTrue(d.deferrable),
          initiallyDeferred: onlyTrue(d.initiallyDeferred),
          comment: d.comment,
        }) as Table['unique'][number],
    ),
    indexes: entries(t.indexes).map(([i, d]) => index(i, d)),
    foreignKeys: entries(t.foreignKeys).map(([f, d]) => foreignKey(file, schema, f, d)),
    checks: entries(t.checks).map(
      ([c, d]) =>
        ({
          kind: 'check',
          name: c,
          expression: inlineExpression(d.expression),
          notValid: onlyTrue(d.notValid),
          noInherit: onlyTrue(d.noInherit),
          comment: d.comment,
        }) as Table['checks'][number],
    ),
    triggers: entries(t.triggers).map(
      ([g, d]): Trigger =>
        ({
          kind: 'trigger',
          name: g,
          timing: d.timing,
          events: EVENT_ORDER.filter((e) => d.events.includes(e)),
          forEach: d.forEach ?? 'statement',
          function: { schema: d.function.schema ?? schema, name: d.function.name },
          when: trimmed(d.when),
          enabled: d.enabled ?? 'origin',
          args: d.args?.length ? d.args : undefined,
          columns: d.columns,
          oldTable: d.oldTable,
          newTable: d.newTable,
          constraint: onlyTrue(d.constraint),
          deferrable: onlyTrue(d.deferrable),
          initiallyDeferred: onlyTrue(d.initiallyDeferred),
          comment: d.comment,
        }) as Trigger,
    ),
    storage: t.storage && entries(t.storage).map(([n, v]) => ({ name: n, value: v })),
    exclusions:
      t.exclusions &&
      entries(t.exclusions).map(([x, d]) => ({
        kind: 'exclusion' as const,
        name: x,
        definition: d.definition.trim(),
        ...(d.comment !== undefined ? { comment: d.comment } : {}),
      })),
    rowSecurity: onlyTrue(t.rowSecurity),
    forceRowSecurity: onlyTrue(t.forceRowSecurity),
    policies: t.policies && entries(t.policies).map(([p, d]) => policy(p, d)),
    replicaIdentity:
      t.replicaIdentity === undefined || t.replicaIdentity === 'default'
        ? undefined
        : typeof t.replicaIdentity === 'string'
          ? t.replicaIdentity
          : { index: t.replicaIdentity.index },
    unlogged: onlyTrue(t.unlogged),
    comment: t.comment,
    grants: grantList(t.grants),
    renamedFrom: t.renamedFrom,
  } as Table;
}

function sequence(name: string, s: SequenceDecl): Sequence {
  const canonical = s.type === undefined ? 'bigint' : classifyType(s.type).canonical;
  const type = isIntegerType(canonical) ? canonical : 'bigint';
  const b = sequenceBounds(type, s);
  return {
    kind: 'sequence',
    name,
    type,
    start: String(b.start),
    increment: String(b.increment),
    min: String(b.min),
    max: String(b.max),
    cache: String(b.cache),
    cycle: s.cycle ?? false,
    ownedBy: s.ownedBy,
    comment: s.comment,
    grants: grantList(s.grants),
  } as Sequence;
}

function view(name: string, v: ViewDecl): View {
  const comments = entries(v.columns).map(([c, d]) => ({ name: c, comment: d.comment }));
  return {
    kind: 'view',
    name,
    materialized: onlyTrue(v.materialized),
    definition: v.definition.trim().replace(/;\s*$/, '').trimEnd(),
    securityInvoker: onlyTrue(v.securityInvoker),
    securityBarrier: onlyTrue(v.securityBarrier),
    checkOption: v.checkOption,
    indexes: v.indexes && entries(v.indexes).map(([i, d]) => index(i, d)),
    columnComments: comments.length ? comments : undefined,
    comment: v.comment,
    grants: grantList(v.grants),
  } as View;
}

function domain(name: string, d: DomainDecl): Domain {
  return {
    kind: 'domain',
    name,
    type: normalizeType(d.type),
    default: trimmed(d.default),
    notNull: onlyTrue(d.notNull),
    collation: d.collation === undefined ? undefined : sqlName(d.collation),
    checks: entries(d.checks).map(([c, k]) => ({
      name: c,
      expression: inlineExpression(k.expression),
      notValid: onlyTrue(k.notValid),
    })),
    comment: d.comment,
  } as Domain;
}

function composite(name: string, d: CompositeDecl): CompositeType {
  return {
    kind: 'composite',
    name,
    attributes: entries(d.attributes).map(([a, x]) => ({
      name: a,
      type: normalizeType(x.type),
      collation: x.collation === undefined ? undefined : sqlName(x.collation),
      renamedFrom: x.renamedFrom,
    })),
    comment: d.comment,
  } as CompositeType;
}

function range(name: string, d: RangeDecl): RangeType {
  return {
    kind: 'range',
    name,
    ...d,
    subtype: normalizeType(d.subtype),
    subtypeOpclass: d.subtypeOpclass === undefined ? undefined : sqlName(d.subtypeOpclass),
    collation: d.collation === undefined ? undefined : sqlName(d.collation),
  } as RangeType;
}

function schemaModel(file: DeclaredFile, name: string, s: SchemaDecl, order: KeyOrder): Schema {
  return {
    kind: 'schema',
    name,
    enums: entries(s.enums).map(
      ([e, d]) =>
        (Array.isArray(d)
          ? { kind: 'enum', name: e, values: d }
          : {
              kind: 'enum',
              name: e,
              values: d.values,
              comment: d.comment,
              grants: grantList(d.grants),
            }) as Schema['enums'][number],
    ),
    sequences: entries(s.sequences).map(([q, d]) => sequence(q, d)),
    tables: entries(s.tables).map(([t, d]) => table(file, name, t, d, order)),
    functions: (s.functions ?? []).map(
      (f) =>
        ({
          kind: 'function',
          name: f.name,
          args: f.args ?? '',
          definition: f.definition,
          comment: f.comment,
          grants: grantList(f.grants),
        }) as const,
    ),
    views: s.views && entries(s.views).map(([v, d]) => view(v, d)),
    domains: s.domains && entries(s.domains).map(([n, d]) => domain(n, d)),
    composites: s.composites && entries(s.composites).map(([n, d]) => composite(n, d)),
    ranges: s.ranges && entries(s.ranges).map(([n, d]) => range(n, d)),
    comment: s.comment,
    grants: grantList(s.grants),
  } as Schema;
}

/** A declared grant list as the model holds it (normalizeDatabase puts it in canonical form). */
function grantList(list: readonly GrantDecl[] | undefined): Grant[] | undefined {
  if (!list?.length) return undefined;
  return list.map((g) => ({
    role: g.role,
    privileges: g.privileges,
    ...(g.withGrantOption ? { withGrantOption: true as const } : {}),
    ...(g.columns?.length ? { columns: g.columns } : {}),
  }));
}

function defaultPrivileges(list: readonly DefaultPrivilegeDecl[] | undefined): DefaultPrivilege[] | undefined {
  if (!list?.length) return undefined;
  return list.map((d) => ({
    forRole: d.forRole,
    ...(d.schema !== undefined ? { schema: d.schema } : {}),
    on: d.on,
    role: d.role,
    privileges: d.privileges,
    ...(d.withGrantOption ? { withGrantOption: true as const } : {}),
  }));
}

/** The model of a declared file that passed every check; normalized (sorted, no undefined fields). */
export function toModel(file: DeclaredFile, order: KeyOrder = () => undefined): DatabaseSchema {
  return normalizeDatabase({
    schemas: entries(file.schemas).map(([s, d]) => schemaModel(file, s, d, order)),
    ...(file.extensions
      ? {
          extensions: entries(file.extensions).map(([e, d]) => ({
            name: e,
            schema: d.schema ?? 'public',
            ...(d.version !== undefined ? { version: d.version } : {}),
          })),
        }
      : {}),
    defaultPrivileges: defaultPrivileges(file.defaultPrivileges),
    ...(file.tenants
      ? {
          tenants: {
            registry: file.tenants.registry.trim(),
            template: file.tenants.template,
            ...(file.tenants.register ? { register: file.tenants.register.trim() } : {}),
          },
        }
      : {}),
  });
}
