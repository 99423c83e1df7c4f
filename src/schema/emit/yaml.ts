// The model as declared YAML, in the short forms a person would write: defaults omitted (nullable: true,
// method: btree, onDelete: no action, the `<table>_pkey` name, the referenced primary key), `columns:` for
// plain index keys, short objects on one line. Deterministic: the model is normalized, and keys are written in
// a fixed order.
//
// The text is written directly (build.ts builds a light tree, write.ts lays it out) rather than
// through the yaml library's Document, which took seconds on 2,000 tables. It is byte for byte what the
// library printed (test/unit/declared/emit-identity.test.ts compares both): introspected YAML is committed by
// users, and a new emitter must not rewrite their files.
import { keyed, map, named, seq } from './build.js';
import type { YamlValue } from './node.js';
import { writeDocument } from './write.js';
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
  View,
} from '../model/model.js';
import { normalizeDefaultPrivileges, normalizeGrants } from '../model/grants.js';
import { defaultConstraintName, yamlName } from '../model/names.js';
import { normalizeSchema, sortByName } from '../model/normalize.js';
import { sequenceBounds } from '../model/sequence.js';

const trueOnly = (b: boolean | undefined): true | undefined => (b ? true : undefined);

/** A grant list: one short mapping per grant, a block list of them. */
function grantList(list: readonly Grant[] | undefined): YamlValue | undefined {
  const grants = normalizeGrants(list);
  if (!grants) return undefined;
  return seq(
    grants.map((g) =>
      map({ role: g.role, privileges: g.privileges, withGrantOption: g.withGrantOption, columns: g.columns }, 'auto'),
    ),
  );
}

function defaultPrivilegeList(entries: readonly DefaultPrivilege[] | undefined): YamlValue | undefined {
  const list = normalizeDefaultPrivileges(entries);
  if (!list) return undefined;
  return seq(
    list.map((d) =>
      map(
        {
          forRole: d.forRole,
          schema: d.schema,
          on: d.on,
          role: d.role,
          privileges: d.privileges,
          withGrantOption: d.withGrantOption,
        },
        'auto',
      ),
    ),
  );
}
/** Sequence numbers as YAML integers when they survive a JS number, else quoted. */
const num = (s: string): number | string => (Number.isSafeInteger(Number(s)) ? Number(s) : s);

function column(c: Column, inPk: boolean): YamlValue {
  const impliedNullable = !(inPk || c.identity !== undefined);
  return map(
    {
      type: c.type,
      nullable: c.nullable === impliedNullable ? undefined : c.nullable,
      default: c.default,
      identity: c.identity,
      generated: c.generated,
      collation: c.collation && yamlName(c.collation),
      renamedFrom: c.renamedFrom,
      up: c.up,
      down: c.down,
      backfill: c.backfill,
      comment: c.comment,
    },
    'auto',
  );
}

function index(i: Index): YamlValue {
  const plain = (k: IndexKey, only: keyof IndexKey): boolean =>
    Object.keys(k).every((key) => key === only || k[key as keyof IndexKey] === undefined);
  const keys: Record<string, readonly YamlValue[]> = i.keys.every((k) => plain(k, 'column') && k.column !== undefined)
    ? { columns: i.keys.map((k) => k.column as string) }
    : i.keys.every((k) => plain(k, 'expression') && k.expression !== undefined)
      ? { expressions: i.keys.map((k) => k.expression as string) }
      : {
          keys: i.keys.map((k) =>
            map(
              {
                column: k.column,
                expression: k.expression,
                order: k.order,
                nulls: k.nulls,
                opclass: k.opclass && yamlName(k.opclass),
                collation: k.collation && yamlName(k.collation),
              },
              'flow',
            ),
          ),
        };
  return map(
    {
      ...keys,
      method: i.method === 'btree' ? undefined : i.method,
      unique: trueOnly(i.unique),
      include: i.include,
      where: i.where,
      nullsNotDistinct: i.nullsNotDistinct,
      invalid: i.invalid,
      comment: i.comment,
    },
    'auto',
  );
}

/** Primary key columns by schema and table name; the first of equal names wins, as a linear search would find it. */
type PrimaryKeys = (schema: string, table: string) => readonly string[] | undefined;

function primaryKeys(schemas: readonly Schema[]): PrimaryKeys {
  const bySchema = new Map<string, Map<string, Table>>();
  for (const s of schemas) {
    if (bySchema.has(s.name)) continue;
    const tables = new Map<string, Table>();
    for (const t of s.tables) if (!tables.has(t.name)) tables.set(t.name, t);
    bySchema.set(s.name, tables);
  }
  return (schema, table) => bySchema.get(schema)?.get(table)?.primaryKey?.columns;
}

function foreignKey(pks: PrimaryKeys, schema: string, f: ForeignKey): YamlValue {
  const r = f.references;
  const pk = pks(r.schema, r.table);
  const samePk = pk !== undefined && pk.length === r.columns.length && pk.every((c, i) => c === r.columns[i]);
  const references = map(
    { schema: r.schema === schema ? undefined : r.schema, table: r.table, columns: samePk ? undefined : r.columns },
    'flow',
  );
  const action = (a: string): string | undefined => (a === 'no action' ? undefined : a);
  return map(
    {
      columns: f.columns,
      references,
      onDelete: action(f.onDelete),
      onUpdate: action(f.onUpdate),
      match: f.match === 'simple' ? undefined : f.match,
      deferrable: trueOnly(f.deferrable),
      initiallyDeferred: trueOnly(f.initiallyDeferred),
      notValid: f.notValid,
      comment: f.comment,
    },
    'auto',
  );
}

function trigger(schema: string, t: Trigger): YamlValue {
  return map(
    {
      timing: t.timing,
      events: t.events,
      forEach: t.forEach === 'statement' ? undefined : t.forEach,
      function: map(
        { schema: t.function.schema === schema ? undefined : t.function.schema, name: t.function.name },
        'flow',
      ),
      when: t.when,
      enabled: t.enabled === 'origin' ? undefined : t.enabled,
      args: t.args && seq(t.args),
      columns: t.columns && seq(t.columns),
      oldTable: t.oldTable,
      newTable: t.newTable,
      constraint: t.constraint,
      deferrable: t.deferrable,
      initiallyDeferred: t.initiallyDeferred,
      comment: t.comment,
    },
    'auto',
  );
}

function policy(p: Policy): YamlValue {
  return map(
    {
      command: p.command === 'all' ? undefined : p.command,
      restrictive: p.restrictive,
      roles: p.roles.length === 1 && p.roles[0] === 'public' ? undefined : p.roles,
      using: p.using,
      withCheck: p.withCheck,
      comment: p.comment,
    },
    'auto',
  );
}

/**
 * The name PostgreSQL gives a table's primary key: `<table>_pkey`, shortened to 63 bytes of UTF-8. A name of
 * 19 characters or fewer (57 bytes at most) is never shortened, and most are that short; names with
 * surrogates (emoji, or lone ones that UTF-8 turns into U+FFFD) take the long way.
 */
const pkeyName = (table: string): string =>
  table.length <= 19 && !/[\ud800-\udfff]/.test(table) ? `${table}_pkey` : defaultConstraintName(table, [], 'pkey');

function table(pks: PrimaryKeys, schema: string, t: Table): YamlValue {
  const pk = t.primaryKey;
  const pkColumns = new Set(pk?.columns ?? []);
  return map({
    renamedFrom: t.renamedFrom,
    columns: keyed(
      t.columns.map((c) => ({ key: c.name, value: column(c, pkColumns.has(c.name)), spaceBefore: false })),
    ),
    primaryKey:
      pk &&
      map(
        { name: pk.name === pkeyName(t.name) ? undefined : pk.name, columns: pk.columns, comment: pk.comment },
        'auto',
      ),
    unique: named(sortByName(t.unique), (u) =>
      map(
        {
          columns: u.columns,
          nullsNotDistinct: u.nullsNotDistinct,
          deferrable: u.deferrable,
          initiallyDeferred: u.initiallyDeferred,
          comment: u.comment,
        },
        'auto',
      ),
    ),
    indexes: named(sortByName(t.indexes), index),
    foreignKeys: named(sortByName(t.foreignKeys), (f) => foreignKey(pks, schema, f)),
    checks: named(sortByName(t.checks), (c) =>
      map({ expression: c.expression, noInherit: c.noInherit, notValid: c.notValid, comment: c.comment }, 'auto'),
    ),
    triggers: named(sortByName(t.triggers), (g) => trigger(schema, g)),
    storage: t.storage?.length
      ? map(Object.fromEntries(sortByName(t.storage).map((p) => [p.name, storageValue(p.value)])), 'flow')
      : undefined,
    exclusions:
      t.exclusions &&
      named(sortByName(t.exclusions), (x) => map({ definition: x.definition, comment: x.comment }, 'auto')),
    rowSecurity: t.rowSecurity,
    forceRowSecurity: t.forceRowSecurity,
    policies: t.policies?.length ? named(sortByName(t.policies), policy) : undefined,
    replicaIdentity:
      t.replicaIdentity === undefined
        ? undefined
        : typeof t.replicaIdentity === 'string'
          ? t.replicaIdentity
          : map({ index: t.replicaIdentity.index }, 'flow'),
    unlogged: t.unlogged,
    comment: t.comment,
    grants: grantList(t.grants),
  });
}

/** A storage parameter's value as YAML: numbers and booleans bare, as a person writes them. */
function storageValue(v: string): number | boolean | string {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^-?\d+(\.\d+)?$/.test(v) && String(Number(v)) === v ? Number(v) : v;
}

function sequence(s: Sequence): YamlValue {
  const bare = sequenceBounds(s.type, { increment: s.increment });
  const start = sequenceBounds(s.type, { increment: s.increment, min: s.min, max: s.max }).start;
  const unless = (value: string, dflt: bigint): number | string | undefined =>
    BigInt(value) === dflt ? undefined : num(value);
  return map(
    {
      type: s.type === 'bigint' ? undefined : s.type,
      start: unless(s.start, start),
      increment: unless(s.increment, 1n),
      min: unless(s.min, bare.min),
      max: unless(s.max, bare.max),
      cache: unless(s.cache, 1n),
      cycle: trueOnly(s.cycle),
      ownedBy: s.ownedBy && map({ table: s.ownedBy.table, column: s.ownedBy.column }, 'flow'),
      comment: s.comment,
      grants: grantList(s.grants),
    },
    s.grants?.length ? 'block' : 'auto',
  );
}

function view(v: View): YamlValue {
  return map({
    materialized: v.materialized,
    securityInvoker: v.securityInvoker,
    securityBarrier: v.securityBarrier,
    checkOption: v.checkOption,
    definition: v.definition,
    indexes: v.indexes && named(sortByName(v.indexes), index),
    columns: v.columnComments && named(v.columnComments, (c) => map({ comment: c.comment }, 'auto')),
    comment: v.comment,
    grants: grantList(v.grants),
  });
}

function domain(d: Domain): YamlValue {
  return map({
    type: d.type,
    default: d.default,
    notNull: d.notNull,
    collation: d.collation && yamlName(d.collation),
    checks: d.checks.length
      ? named(d.checks, (c) => map({ expression: c.expression, notValid: c.notValid }, 'auto'))
      : undefined,
    comment: d.comment,
  });
}

function composite(c: CompositeType): YamlValue {
  return map({
    attributes: named(c.attributes, (a) =>
      map({ type: a.type, collation: a.collation && yamlName(a.collation), renamedFrom: a.renamedFrom }, 'flow'),
    ),
    comment: c.comment,
  });
}

function range(r: RangeType): YamlValue {
  return map(
    {
      subtype: r.subtype,
      subtypeOpclass: r.subtypeOpclass && yamlName(r.subtypeOpclass),
      collation: r.collation && yamlName(r.collation),
      canonical: r.canonical,
      subtypeDiff: r.subtypeDiff,
      multirange: r.multirange,
      comment: r.comment,
    },
    'auto',
  );
}

function schemaNode(pks: PrimaryKeys, s: Schema): YamlValue {
  return map({
    comment: s.comment,
    grants: grantList(s.grants),
    enums: named(s.enums, (e) =>
      e.comment === undefined && e.grants === undefined
        ? e.values
        : map({ values: e.values, comment: e.comment, grants: grantList(e.grants) }),
    ),
    sequences: named(s.sequences, sequence),
    tables: named(s.tables, (t) => table(pks, s.name, t), true),
    functions: s.functions.length
      ? seq(
          s.functions.map((f) =>
            map({
              name: f.name,
              args: f.args === '' ? undefined : f.args,
              definition: f.definition,
              comment: f.comment,
              grants: grantList(f.grants),
            }),
          ),
        )
      : undefined,
    views: s.views && named(s.views, view, true),
    domains: s.domains && named(s.domains, domain, true),
    composites: s.composites && named(s.composites, composite, true),
    ranges: s.ranges && named(s.ranges, range, true),
  });
}

/** The declared YAML for a model. parseDeclared(toYaml(m)) equals normalizeDatabase(m). */
export function toYaml(model: DatabaseSchema): string {
  // What normalizeDatabase(model) changes that the YAML shows: the order of named lists. Undefined fields are
  // left out as absent ones are, so tables are not copied (2,000 normalized copies cost a tenth of the time).
  const db = model.schemas.map((s) => ({ ...normalizeSchema({ ...s, tables: [] }), tables: sortByName(s.tables) }));
  const pks = primaryKeys(db);
  const schemas = named(sortByName(db), (s) => schemaNode(pks, s), true) ?? keyed([]);
  const { tenants, extensions } = model;
  return writeDocument(
    map({
      // First: a database gets its extensions before the schemas that use their types and operator classes.
      extensions:
        extensions &&
        (named(sortByName(extensions), (e) =>
          map({ schema: e.schema === 'public' ? undefined : e.schema, version: e.version }, 'flow'),
        ) ??
          map({}, 'flow')),
      schemas,
      tenants: tenants && map({ registry: tenants.registry, template: tenants.template, register: tenants.register }),
      defaultPrivileges: defaultPrivilegeList(model.defaultPrivileges),
    }),
  );
}
