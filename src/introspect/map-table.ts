// Rows of one table's parts -> model objects. Optional fields are left out (not set to undefined) so the
// result already has the shape normalize.ts produces.
import type {
  Check,
  Column,
  ExclusionConstraint,
  FkAction,
  FkMatch,
  ForeignKey,
  Index,
  IndexKey,
  Policy,
  PolicyCommand,
  PrimaryKey,
  ReplicaIdentity,
  Trigger,
  TriggerEnabled,
  TriggerEvent,
  UniqueConstraint,
} from '../schema/model/model.js';
import { catalogName, splitExpressionList, triggerCondition } from './map-text.js';
import type { ColumnRow, ConstraintRow, IndexKeyRow, IndexRow, PolicyRow, TableRow, TriggerRow } from './rows.js';
import { SwitchyardError } from '../errors.js';

/** A catalog value this code does not know (a newer server, or a bug here): never guessed around. */
export class UnexpectedCatalogError extends SwitchyardError {
  readonly what: string;
  readonly value: unknown;
  constructor(what: string, value: unknown) {
    super('INTROSPECT_UNEXPECTED', `introspection found an unexpected ${what}: ${JSON.stringify(value)}`, 3);
    this.what = what;
    this.value = value;
  }
}

const unexpected = (what: string, value: unknown) => new UnexpectedCatalogError(what, value);

/** Built field by field rather than with conditional spreads: this runs once per column, often 10^5 times. */
export function mapColumn(r: ColumnRow): Column {
  const c: { -readonly [K in keyof Column]: Column[K] } = {
    kind: 'column',
    name: r.name,
    type: r.type,
    nullable: !r.not_null,
  };
  if (r.identity === 'a') c.identity = 'always';
  else if (r.identity === 'd') c.identity = 'by default';
  else if (r.identity !== '') throw unexpected(`identity kind of column "${r.name}"`, r.identity);
  // Expressions are trimmed: PostgreSQL prints a leading newline before CASE, which YAML cannot keep and
  // which means nothing; hand-written expressions pass through here too (shadow database), so both agree.
  // attgenerated 'v' (virtual, PostgreSQL 18) has no place in the model; its expression is not a default.
  if (r.expression !== null) {
    if (r.generated === '') c.default = r.expression.trim();
    else if (r.generated === 's') c.generated = r.expression.trim();
  }
  if (r.collation_name !== null) c.collation = catalogName(r.collation_schema, r.collation_name);
  if (r.comment !== null) c.comment = r.comment;
  return c;
}

const FK_ACTIONS: Readonly<Record<string, FkAction>> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};
const FK_MATCH: Readonly<Record<string, FkMatch>> = { s: 'simple', f: 'full' };

function fkAction(code: string, constraint: string): FkAction {
  const action = FK_ACTIONS[code];
  if (!action) throw unexpected(`action of foreign key "${constraint}"`, code);
  return action;
}

export type MappedConstraint = PrimaryKey | UniqueConstraint | ForeignKey | Check | ExclusionConstraint;

export function mapConstraint(r: ConstraintRow): MappedConstraint {
  const c = mapConstraintDefinition(r);
  return r.comment !== null ? { ...c, comment: r.comment } : c;
}

function mapConstraintDefinition(r: ConstraintRow): MappedConstraint {
  switch (r.type) {
    case 'p':
      return { kind: 'primary_key', name: r.name, columns: r.columns };
    case 'u':
      return {
        kind: 'unique',
        name: r.name,
        columns: r.columns,
        ...(r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
        ...(r.deferrable ? { deferrable: true } : {}),
        ...(r.deferred ? { initiallyDeferred: true } : {}),
      };
    case 'f': {
      const match = FK_MATCH[r.match];
      if (!match) throw unexpected(`match type of foreign key "${r.name}"`, r.match);
      if (r.ref_schema === null || r.ref_table === null)
        throw unexpected(`referenced table of foreign key "${r.name}"`, null);
      return {
        kind: 'foreign_key',
        name: r.name,
        columns: r.columns,
        references: { schema: r.ref_schema, table: r.ref_table, columns: r.ref_columns },
        onDelete: fkAction(r.on_delete, r.name),
        onUpdate: fkAction(r.on_update, r.name),
        match,
        deferrable: r.deferrable,
        initiallyDeferred: r.deferred,
        ...(r.validated ? {} : { notValid: true }),
      };
    }
    case 'c':
      if (r.expression === null) throw unexpected(`expression of check "${r.name}"`, null);
      return {
        kind: 'check',
        name: r.name,
        expression: r.expression.trim(),
        ...(r.validated ? {} : { notValid: true }),
        ...(r.no_inherit ? { noInherit: true } : {}),
      };
    case 'x':
      if (!r.definition) throw unexpected(`definition of exclusion constraint "${r.name}"`, null);
      return { kind: 'exclusion', name: r.name, definition: r.definition.trim() };
    default:
      throw unexpected('constraint type', r.type);
  }
}

function mapIndexKey(k: IndexKeyRow, expression: string | undefined): IndexKey {
  const desc = (k.option & 1) !== 0;
  const nullsFirst = (k.option & 2) !== 0;
  return {
    ...(k.column !== null ? { column: k.column } : {}),
    ...(expression !== undefined ? { expression: expression.trim() } : {}),
    ...(desc ? { order: 'desc' as const } : {}),
    // The default is NULLS LAST for ascending keys and NULLS FIRST for descending ones.
    ...(nullsFirst !== desc ? { nulls: nullsFirst ? ('first' as const) : ('last' as const) } : {}),
    ...(k.opclass !== null ? { opclass: catalogName(k.opclass_schema, k.opclass) } : {}),
    ...(k.collation !== null ? { collation: catalogName(k.collation_schema, k.collation) } : {}),
  };
}

function mapIndexKeys(r: IndexRow): IndexKey[] {
  const keys = r.keys ?? [];
  const expressions = r.expressions === null ? [] : splitExpressionList(r.expressions);
  if (expressions.length !== keys.filter((k) => k.column === null).length) {
    throw unexpected(`expression list of index "${r.name}"`, r.expressions);
  }
  let next = 0;
  return keys.map((k) => mapIndexKey(k, k.column === null ? expressions[next++] : undefined));
}

export function mapIndex(r: IndexRow): Index {
  return {
    kind: 'index',
    name: r.name,
    unique: r.unique,
    method: r.method,
    keys: mapIndexKeys(r),
    ...(r.include.length > 0 ? { include: r.include } : {}),
    ...(r.predicate !== null ? { where: r.predicate.trim() } : {}),
    ...(r.unique && r.nulls_not_distinct ? { nullsNotDistinct: true } : {}),
    ...(r.valid ? {} : { invalid: true }),
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}

const TRIGGER_ENABLED: Readonly<Record<string, TriggerEnabled>> = {
  O: 'origin',
  A: 'always',
  R: 'replica',
  D: 'disabled',
};
/** tgtype bits of each event, in the order events are listed. */
const TRIGGER_EVENTS: ReadonlyArray<readonly [number, TriggerEvent]> = [
  [4, 'insert'],
  [16, 'update'],
  [8, 'delete'],
  [32, 'truncate'],
];

export function mapTrigger(r: TriggerRow): Trigger {
  const enabled = TRIGGER_ENABLED[r.enabled];
  if (!enabled) throw unexpected(`enabled state of trigger "${r.name}"`, r.enabled);
  const when = r.definition === null ? undefined : triggerCondition(r.definition);
  if (r.definition !== null && when === undefined) throw unexpected(`definition of trigger "${r.name}"`, r.definition);
  return {
    kind: 'trigger',
    name: r.name,
    timing: r.type & 64 ? 'instead of' : r.type & 2 ? 'before' : 'after',
    events: TRIGGER_EVENTS.filter(([bit]) => (r.type & bit) !== 0).map(([, event]) => event),
    forEach: r.type & 1 ? 'row' : 'statement',
    function: { schema: r.function_schema, name: r.function_name },
    ...(when !== undefined ? { when: when.trim() } : {}),
    enabled,
    ...triggerExtras(r),
    ...(r.comment !== null ? { comment: r.comment } : {}),
  };
}

/** Arguments, UPDATE OF columns, transition tables and a constraint trigger's deferral, each only when set. */
function triggerExtras(r: TriggerRow): Partial<Trigger> {
  const args = triggerArgs(r.args_hex ?? '');
  return {
    ...(args.length ? { args } : {}),
    ...(r.columns?.length ? { columns: r.columns } : {}),
    ...(r.old_table ? { oldTable: r.old_table } : {}),
    ...(r.new_table ? { newTable: r.new_table } : {}),
    ...(r.constraint ? { constraint: true as const } : {}),
    ...(r.constraint && r.deferrable ? { deferrable: true as const } : {}),
    ...(r.constraint && r.deferred ? { initiallyDeferred: true as const } : {}),
  };
}

/** pg_trigger.tgargs (hex): each argument is UTF-8 followed by a NUL byte. */
export function triggerArgs(hex: string): string[] {
  const bytes = Buffer.from(hex, 'hex');
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    out.push(bytes.subarray(start, i).toString('utf8'));
    start = i + 1;
  }
  return out;
}

const POLICY_COMMANDS: Readonly<Record<string, PolicyCommand>> = {
  '*': 'all',
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
};
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function mapPolicy(r: PolicyRow): Policy {
  const command = POLICY_COMMANDS[r.command];
  if (!command) throw unexpected(`command of policy "${r.name}"`, r.command);
  return {
    kind: 'policy',
    name: r.name,
    command,
    ...(r.permissive ? {} : { restrictive: true }),
    roles: [...r.roles].sort(byText),
    ...(r.using !== null ? { using: r.using.trim() } : {}),
    ...(r.with_check !== null ? { withCheck: r.with_check.trim() } : {}),
    ...(r.comment !== null ? { comment: r.comment } : {}),
    derived: {
      reads: (r.reads ?? [])
        .map((x) => ({ schema: x.schema, relation: x.relation, columns: [...x.columns].sort(byText) }))
        .sort((a, b) => byText(a.schema, b.schema) || byText(a.relation, b.relation)),
    },
  };
}

/** A table's row-level security, replica identity and persistence, as optional model fields. */
export function mapTableAttributes(
  r: TableRow,
): Partial<{ rowSecurity: true; forceRowSecurity: true; replicaIdentity: ReplicaIdentity; unlogged: true }> {
  const out: Partial<{ rowSecurity: true; forceRowSecurity: true; replicaIdentity: ReplicaIdentity; unlogged: true }> =
    {};
  if (r.row_security) out.rowSecurity = true;
  if (r.force_row_security) out.forceRowSecurity = true;
  switch (r.replica_identity ?? 'd') {
    case 'd':
      break;
    case 'f':
      out.replicaIdentity = 'full';
      break;
    case 'n':
      out.replicaIdentity = 'nothing';
      break;
    case 'i':
      // An index dropped while it was the replica identity leaves 'i' with no index: PostgreSQL then behaves as
      // NOTHING, and the model says so.
      out.replicaIdentity = r.replica_index ? { index: r.replica_index } : 'nothing';
      break;
    default:
      throw unexpected(`replica identity of table "${r.name}"`, r.replica_identity);
  }
  if (r.persistence === 'u') out.unlogged = true;
  else if (r.persistence !== undefined && r.persistence !== 'p')
    throw unexpected(`persistence of table "${r.name}"`, r.persistence);
  return out;
}
