// A valid declared file as the model: defaults filled in the way PostgreSQL fills them, so that a short
// declaration and an introspected snapshot of the same database are equal data.
import type {
  Column,
  DatabaseSchema,
  ForeignKey,
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
  DeclaredFile,
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
          comment: d.comment,
        }) as Trigger,
    ),
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
  } as View;
}

function schemaModel(file: DeclaredFile, name: string, s: SchemaDecl, order: KeyOrder): Schema {
  return {
    kind: 'schema',
    name,
    enums: entries(s.enums).map(
      ([e, d]) =>
        (Array.isArray(d)
          ? { kind: 'enum', name: e, values: d }
          : { kind: 'enum', name: e, values: d.values, comment: d.comment }) as Schema['enums'][number],
    ),
    sequences: entries(s.sequences).map(([q, d]) => sequence(q, d)),
    tables: entries(s.tables).map(([t, d]) => table(file, name, t, d, order)),
    functions: (s.functions ?? []).map(
      (f) =>
        ({ kind: 'function', name: f.name, args: f.args ?? '', definition: f.definition, comment: f.comment }) as const,
    ),
    views: s.views && entries(s.views).map(([v, d]) => view(v, d)),
    comment: s.comment,
  } as Schema;
}

/** The model of a declared file that passed every check; normalized (sorted, no undefined fields). */
export function toModel(file: DeclaredFile, order: KeyOrder = () => undefined): DatabaseSchema {
  return normalizeDatabase({
    schemas: entries(file.schemas).map(([s, d]) => schemaModel(file, s, d, order)),
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
