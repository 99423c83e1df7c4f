// The typed differences between a source snapshot and a target: what the planner consumes, one handler per kind.
//
// Conventions (the planner relies on them):
// - `schema` and, for anything inside a table, `table` are plain names that scope the change. They always
//   name the *target* object: a change on a renamed table or column uses the new name; rename_table and
//   rename_column say where it came from.
// - The object a change is about is carried whole, under its model kind (`column`, `index`, `foreignKey`,
//   `check`, `enum`...), so a handler can render both directions without looking anything up: add_* carry
//   the target object (with its change hints `up`/`down`/`backfill`), drop_* carry the source object so the
//   rollback can recreate it. `renamedFrom` hints are consumed by the differ and never appear in a change.
// - Applying every change in its plain in-place form (ALTER TABLE ... RENAME, ALTER COLUMN TYPE, ...) turns
//   the source into the target. The zero-downtime recipes are the planner's business.
// - An object that changed in a way PostgreSQL cannot alter in place (index, unique, primary key, foreign key
//   or check definition; trigger other than its enabled mode) is a drop of the source object followed by an
//   add of the target object with the same name: two changes, drop first.
// - add_table/drop_table carry what CREATE TABLE says (columns, primary key, unique constraints, checks,
//   comments). The table's indexes, foreign keys and triggers are separate add_/drop_ changes, so every
//   dependency edge (foreign key -> referenced key, trigger -> function) joins two changes; the same holds for
//   the contents of a created or dropped schema.
import type {
  Check,
  Column,
  DeclaredExtension,
  StorageParameter,
  CompositeAttribute,
  CompositeType,
  Domain,
  DomainCheck,
  Enum,
  ExclusionConstraint,
  ForeignKey,
  Function,
  Identity,
  Index,
  Policy,
  Privilege,
  PrimaryKey,
  RangeType,
  ReplicaIdentity,
  Sequence,
  Table,
  Trigger,
  TriggerEnabled,
  UniqueConstraint,
  View,
} from '../schema/model/model.js';
import type { SqlStep } from '../schema/model/sql-step.js';
import type { DefaultPrivilegeScope, PrivilegeOn } from '../schema/model/grants.js';

export const CHANGE_KINDS = [
  'create_schema',
  'drop_schema',
  'create_enum',
  'drop_enum',
  'add_enum_value',
  'recreate_enum',
  'create_sequence',
  'drop_sequence',
  'alter_sequence',
  'create_function',
  'drop_function',
  'replace_function',
  'add_table',
  'drop_table',
  'rename_table',
  'add_column',
  'drop_column',
  'rename_column',
  'alter_column_type',
  'alter_collation',
  'alter_generated',
  'set_default',
  'drop_default',
  'set_identity',
  'drop_identity',
  'set_not_null',
  'drop_not_null',
  'add_primary_key',
  'drop_primary_key',
  'add_unique',
  'drop_unique',
  'add_foreign_key',
  'drop_foreign_key',
  'validate_foreign_key',
  'add_check',
  'drop_check',
  'validate_check',
  'add_index',
  'drop_index',
  'create_trigger',
  'drop_trigger',
  'enable_trigger',
  'create_view',
  'drop_view',
  'replace_view',
  'set_row_security',
  'create_policy',
  'drop_policy',
  'alter_policy',
  'set_replica_identity',
  'set_persistence',
  'set_comment',
  'grant_privileges',
  'revoke_privileges',
  'grant_default_privileges',
  'revoke_default_privileges',
  'run_sql',
  'set_storage',
  'create_extension',
  'drop_extension',
  'alter_extension',
  'create_domain',
  'drop_domain',
  'set_domain_default',
  'set_domain_not_null',
  'add_domain_check',
  'drop_domain_check',
  'validate_domain_check',
  'create_composite',
  'drop_composite',
  'add_attribute',
  'drop_attribute',
  'rename_attribute',
  'create_range',
  'drop_range',
  'refuse_type_change',
  'add_exclusion',
  'drop_exclusion',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

interface InSchema<K extends ChangeKind> {
  readonly kind: K;
  readonly schema: string;
}
interface InTable<K extends ChangeKind> extends InSchema<K> {
  readonly table: string;
}
/** `column` is the target column (with its hints); for drop_column, the source column. */
interface OnColumn<K extends ChangeKind> extends InTable<K> {
  readonly column: Column;
}

export interface CreateSchema extends InSchema<'create_schema'> {
  readonly comment?: string;
}
export interface DropSchema extends InSchema<'drop_schema'> {
  readonly comment?: string;
}

export interface CreateEnum extends InSchema<'create_enum'> {
  readonly enum: Enum;
}
export interface DropEnum extends InSchema<'drop_enum'> {
  readonly enum: Enum;
}
/**
 * One new value. Several are listed in target order and must be applied in that order: `after` is the value
 * just before it in the target (which exists by then); only a value added first gets `before`, the next
 * source value. Neither when the enum had no values. `enum` is the target enum.
 */
export interface AddEnumValue extends InSchema<'add_enum_value'> {
  readonly enum: Enum;
  readonly value: string;
  readonly after?: string;
  readonly before?: string;
}
/**
 * Values removed or reordered: PostgreSQL has no in-place form. The differ reports it; the planner's handler
 * decides between a recreate recipe (new type, ALTER COLUMN ... TYPE USING ::text, drop, rename) and refusing
 * in validate().
 */
export interface RecreateEnum extends InSchema<'recreate_enum'> {
  readonly from: Enum;
  readonly to: Enum;
}

/** An exclusion constraint: the target's for an add (with its comment), the source's for a drop. */
export interface AddExclusion extends InTable<'add_exclusion'> {
  readonly exclusion: ExclusionConstraint;
}
export interface DropExclusion extends InTable<'drop_exclusion'> {
  readonly exclusion: ExclusionConstraint;
}

/** A new domain, with its default, NOT NULL, checks and comment. */
export interface CreateDomain extends InSchema<'create_domain'> {
  readonly domain: Domain;
}
/** The source domain, so the rollback recreates it. */
export interface DropDomain extends InSchema<'drop_domain'> {
  readonly domain: Domain;
}
/** `domain` is the target; `from`/`to` the default expressions (absent: none). */
export interface SetDomainDefault extends InSchema<'set_domain_default'> {
  readonly domain: Domain;
  readonly from?: string;
  readonly to?: string;
}
export interface SetDomainNotNull extends InSchema<'set_domain_not_null'> {
  readonly domain: Domain;
  readonly notNull: boolean;
}
/** A check of an existing domain; a changed expression is a drop and an add of the same name. */
export interface AddDomainCheck extends InSchema<'add_domain_check'> {
  readonly domain: Domain;
  readonly check: DomainCheck;
}
export interface DropDomainCheck extends InSchema<'drop_domain_check'> {
  readonly domain: Domain;
  readonly check: DomainCheck;
}
/** NOT VALID in the source, valid in the target. */
export interface ValidateDomainCheck extends InSchema<'validate_domain_check'> {
  readonly domain: Domain;
  readonly check: DomainCheck;
}

export interface CreateComposite extends InSchema<'create_composite'> {
  readonly type: CompositeType;
}
export interface DropComposite extends InSchema<'drop_composite'> {
  readonly type: CompositeType;
}
/** `type` is the target type; the attribute goes last, where ALTER TYPE ... ADD ATTRIBUTE puts it. */
export interface AddAttribute extends InSchema<'add_attribute'> {
  readonly type: CompositeType;
  readonly attribute: CompositeAttribute;
}
/** `type` is the source type (the rollback adds the attribute back, at the end). */
export interface DropAttribute extends InSchema<'drop_attribute'> {
  readonly type: CompositeType;
  readonly attribute: CompositeAttribute;
}
export interface RenameAttribute extends InSchema<'rename_attribute'> {
  readonly type: CompositeType;
  readonly from: string;
  readonly to: string;
}

export interface CreateRange extends InSchema<'create_range'> {
  readonly range: RangeType;
}
export interface DropRange extends InSchema<'drop_range'> {
  readonly range: RangeType;
}

/**
 * A type changed in a way PostgreSQL cannot alter in place without rewriting what uses it (a domain's base type,
 * a composite attribute's type or position, a range's definition). The planner refuses it with `reason`.
 */
export interface RefuseTypeChange extends InSchema<'refuse_type_change'> {
  readonly type: string;
  readonly what: string;
  readonly reason: string;
}

export interface CreateSequence extends InSchema<'create_sequence'> {
  readonly sequence: Sequence;
}
export interface DropSequence extends InSchema<'drop_sequence'> {
  readonly sequence: Sequence;
}
/** Any attribute, ownership included; ALTER SEQUENCE can change them all in place. */
export interface AlterSequence extends InSchema<'alter_sequence'> {
  readonly from: Sequence;
  readonly to: Sequence;
}

/** Functions are identified by name and identity arguments. */
export interface CreateFunction extends InSchema<'create_function'> {
  readonly function: Function;
}
export interface DropFunction extends InSchema<'drop_function'> {
  readonly function: Function;
}
/** Definition text changed. CREATE OR REPLACE cannot change the return type; the handler must check. */
export interface ReplaceFunction extends InSchema<'replace_function'> {
  readonly from: Function;
  readonly to: Function;
}

/** `definition` has empty `indexes`, `foreignKeys` and `triggers`: those are separate changes. */
export interface AddTable extends InTable<'add_table'> {
  readonly definition: Table;
}
/** The source table, shaped like add_table's; its indexes, foreign keys and triggers are separate drops. */
export interface DropTable extends InTable<'drop_table'> {
  readonly definition: Table;
}
/** `table` and `to` are the new name. */
export interface RenameTable extends InTable<'rename_table'> {
  readonly from: string;
  readonly to: string;
}

export interface AddColumn extends OnColumn<'add_column'> {}
export interface DropColumn extends OnColumn<'drop_column'> {}
/** `column.name` and `to` are the new name; other changes of the same column follow under the new name. */
export interface RenameColumn extends OnColumn<'rename_column'> {
  readonly from: string;
  readonly to: string;
}
/**
 * `using` is the column's `up` hint and `down` its reverse; both absent without hints. `binaryCoercible`:
 * PostgreSQL changes the type without rewriting the table (see isBinaryCoercible); never with a `using`.
 * The target column's collation applies (ALTER TYPE resets it otherwise), so no alter_collation accompanies
 * a type change. `previous` is the source column (under the target name), for the rollback.
 */
export interface AlterColumnType extends OnColumn<'alter_column_type'> {
  readonly previous: Column;
  readonly from: string;
  readonly to: string;
  readonly using?: string;
  readonly down?: string;
  readonly binaryCoercible: boolean;
}
/** Absent `from`/`to`: the type's default collation. Only when the type is unchanged. */
export interface AlterCollation extends OnColumn<'alter_collation'> {
  readonly from?: string;
  readonly to?: string;
}
/**
 * Generated expression added, changed or removed (absent = a plain column). The recipe depends on the server
 * (17+: SET EXPRESSION; 13+: DROP EXPRESSION; otherwise a new column), so the planner chooses; `previous`
 * is the source column (under the target name), for a drop-and-add recipe and for the rollback.
 */
export interface AlterGenerated extends OnColumn<'alter_generated'> {
  readonly previous: Column;
  readonly from?: string;
  readonly to?: string;
}
export interface SetDefault extends OnColumn<'set_default'> {
  readonly from?: string;
  readonly to: string;
}
export interface DropDefault extends OnColumn<'drop_default'> {
  readonly from: string;
}
/** Without `from`, ADD GENERATED ... AS IDENTITY; with it, SET GENERATED. */
export interface SetIdentity extends OnColumn<'set_identity'> {
  readonly from?: Identity;
  readonly to: Identity;
}
export interface DropIdentity extends OnColumn<'drop_identity'> {
  readonly from: Identity;
}
/** `backfill` is the column's hint: how to fill the NULLs before the constraint can hold. */
export interface SetNotNull extends OnColumn<'set_not_null'> {
  readonly backfill?: string;
}
export interface DropNotNull extends OnColumn<'drop_not_null'> {}

export interface AddPrimaryKey extends InTable<'add_primary_key'> {
  readonly primaryKey: PrimaryKey;
}
export interface DropPrimaryKey extends InTable<'drop_primary_key'> {
  readonly primaryKey: PrimaryKey;
}
export interface AddUnique extends InTable<'add_unique'> {
  readonly unique: UniqueConstraint;
}
export interface DropUnique extends InTable<'drop_unique'> {
  readonly unique: UniqueConstraint;
}
export interface AddForeignKey extends InTable<'add_foreign_key'> {
  readonly foreignKey: ForeignKey;
}
export interface DropForeignKey extends InTable<'drop_foreign_key'> {
  readonly foreignKey: ForeignKey;
}
/** The source has it NOT VALID, the target valid, nothing else differs. `foreignKey` is the target's. */
export interface ValidateForeignKey extends InTable<'validate_foreign_key'> {
  readonly foreignKey: ForeignKey;
}
export interface AddCheck extends InTable<'add_check'> {
  readonly check: Check;
}
export interface DropCheck extends InTable<'drop_check'> {
  readonly check: Check;
}
export interface ValidateCheck extends InTable<'validate_check'> {
  readonly check: Check;
}

export interface AddIndex extends InTable<'add_index'> {
  readonly index: Index;
}
export interface DropIndex extends InTable<'drop_index'> {
  readonly index: Index;
}

export interface CreateTrigger extends InTable<'create_trigger'> {
  readonly trigger: Trigger;
}
export interface DropTrigger extends InTable<'drop_trigger'> {
  readonly trigger: Trigger;
}
/** Only the enabled mode differs (ALTER TABLE ... ENABLE ALWAYS TRIGGER and the like). */
export interface EnableTrigger extends InTable<'enable_trigger'> {
  readonly trigger: Trigger;
  readonly from: TriggerEnabled;
  readonly to: TriggerEnabled;
}

/** A view or materialized view the source lacks: created with its indexes and comments (a materialized one refreshed). */
export interface CreateView extends InSchema<'create_view'> {
  readonly view: View;
}
/** A view or materialized view the target lacks (the source object, for the rollback). */
export interface DropView extends InSchema<'drop_view'> {
  readonly view: View;
}
/**
 * A view whose definition, options, output columns (names and types, when both sides know them) or, for a
 * materialized view, indexes differ. The planner replaces it in place where PostgreSQL allows it, else drops
 * and creates it. A view that turns materialized (or back) is a drop_view and a create_view.
 */
export interface ReplaceView extends InSchema<'replace_view'> {
  readonly from: View;
  readonly to: View;
}

/** A table's row-level security flags (ENABLE and FORCE ROW LEVEL SECURITY). */
export interface RowSecurity {
  readonly enabled: boolean;
  readonly forced: boolean;
}
/** The flags differ (a new or dropped table's flags differ from none: add_table/drop_table carry neither). */
export interface SetRowSecurity extends InTable<'set_row_security'> {
  readonly from: RowSecurity;
  readonly to: RowSecurity;
}
/** A policy the source lacks (with its comment). */
export interface CreatePolicy extends InTable<'create_policy'> {
  readonly policy: Policy;
}
/** A policy the target lacks (the source policy, for the rollback). */
export interface DropPolicy extends InTable<'drop_policy'> {
  readonly policy: Policy;
}
/**
 * A policy on both sides that differs: roles, expressions or comment (ALTER POLICY, COMMENT ON POLICY), or its
 * command, kind or a removed expression, which the planner replaces by a drop and a create in one step.
 */
export interface AlterPolicy extends InTable<'alter_policy'> {
  readonly from: Policy;
  readonly to: Policy;
}
/** REPLICA IDENTITY differs; undefined is DEFAULT. A new table's that is not DEFAULT is one too. */
export interface SetReplicaIdentity extends InTable<'set_replica_identity'> {
  readonly from?: ReplicaIdentity;
  readonly to?: ReplicaIdentity;
}
/** SET LOGGED / SET UNLOGGED of an existing table (a new table is created UNLOGGED by add_table). */
export interface SetPersistence extends InTable<'set_persistence'> {
  readonly unlogged: boolean;
}

/** What a comment is on. Objects created or dropped carry their comment themselves. */
export type CommentTarget =
  | { readonly kind: 'schema' }
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'column'; readonly table: string; readonly column: string }
  | { readonly kind: 'index'; readonly table: string; readonly index: string }
  | { readonly kind: 'enum'; readonly enum: string }
  /** A domain, composite or range type. */
  | { readonly kind: 'type'; readonly type: string; readonly what: 'domain' | 'composite type' | 'range type' }
  | { readonly kind: 'view'; readonly view: string; readonly materialized: boolean }
  | { readonly kind: 'view_column'; readonly view: string; readonly column: string }
  /** A primary key, unique constraint, foreign key or check. */
  | { readonly kind: 'constraint'; readonly table: string; readonly constraint: string }
  | { readonly kind: 'trigger'; readonly table: string; readonly trigger: string }
  | { readonly kind: 'sequence'; readonly sequence: string }
  /** `args`: the identity arguments, as the target's catalog prints them. */
  | { readonly kind: 'function'; readonly function: string; readonly args: string };

/** A comment on an object present on both sides; null is no comment (COMMENT ... IS NULL removes it). */
export interface SetComment extends InSchema<'set_comment'> {
  readonly target: CommentTarget;
  readonly from: string | null;
  readonly to: string | null;
}

/** What a grant is on. A view or materialized view is granted ON TABLE, like a table. */
export type GrantOn =
  | { readonly kind: 'schema' }
  | { readonly kind: 'table' | 'view' | 'sequence' | 'type'; readonly name: string }
  | { readonly kind: 'function'; readonly name: string; readonly args: string };

/**
 * Privileges a role gains on an object (created by the plan or not): GRANT in expand. `optionOnly`: the role
 * holds them already and gains the grant option, which is all the rollback takes back.
 */
export interface GrantPrivileges extends InSchema<'grant_privileges'> {
  readonly on: GrantOn;
  readonly role: string;
  readonly privileges: readonly PrivilegeOn[];
  readonly withGrantOption: boolean;
  readonly optionOnly?: true;
}

/**
 * Privileges a role loses: REVOKE in contract, the rollback grants them back (with the grant option when
 * `withGrantOption`: they were held with it). `optionOnly`: REVOKE GRANT OPTION FOR, the privileges stay.
 * `withDrop`: the object (or the column) is dropped by the plan; the revoke runs in the drop's release, just
 * before it, so that the drop's rollback and then this one's give the object back with its grants.
 */
export interface RevokePrivileges extends InSchema<'revoke_privileges'> {
  readonly on: GrantOn;
  readonly role: string;
  readonly privileges: readonly PrivilegeOn[];
  readonly withGrantOption: boolean;
  readonly optionOnly?: true;
  readonly withDrop?: true;
  /**
   * Column privileges of the same kind the role keeps: a REVOKE on a table revokes them too (PostgreSQL's rule),
   * so they are granted again right after it.
   */
  readonly keepColumns?: readonly PrivilegeOn[];
  /** Whether those were held with the grant option. */
  readonly keepColumnsGrantable?: true;
}

/** ALTER DEFAULT PRIVILEGES ... GRANT: expand. `schema` is the scope's schema, '' for every schema. */
export interface GrantDefaultPrivileges extends InSchema<'grant_default_privileges'> {
  readonly scope: DefaultPrivilegeScope;
  readonly role: string;
  readonly privileges: readonly Privilege[];
  readonly withGrantOption: boolean;
  readonly optionOnly?: true;
}

/** ALTER DEFAULT PRIVILEGES ... REVOKE: contract. `schema` is the scope's schema, '' for every schema. */
export interface RevokeDefaultPrivileges extends InSchema<'revoke_default_privileges'> {
  readonly scope: DefaultPrivilegeScope;
  readonly role: string;
  readonly privileges: readonly Privilege[];
  readonly withGrantOption: boolean;
  readonly optionOnly?: true;
}

/**
 * A raw SQL step declared under `sql:`. Not a difference between snapshots: diff() never emits it; `plan` adds
 * one per declared step the ledger does not record as run. `schema` is empty (a step names its objects itself).
 */
export interface RunSql extends InSchema<'run_sql'> {
  readonly step: SqlStep;
}

/**
 * Extensions, when the declared file manages them (`extensions:`). `schema` is the schema the extension's
 * objects go in. create_extension carries the declared extension (its version, when pinned), drop_extension
 * the installed one (its version always), alter_extension both: a different pinned version, or another schema.
 */
export interface CreateExtension extends InSchema<'create_extension'> {
  readonly extension: DeclaredExtension;
}
export interface DropExtension extends InSchema<'drop_extension'> {
  readonly extension: Required<DeclaredExtension>;
}
export interface AlterExtension extends InSchema<'alter_extension'> {
  readonly from: DeclaredExtension;
  readonly to: DeclaredExtension;
}

/** A table's storage parameters changed: `from` and `to` are the whole lists (either may be empty). */
export interface SetStorage extends InTable<'set_storage'> {
  readonly from: readonly StorageParameter[];
  readonly to: readonly StorageParameter[];
}

export type Change =
  | SetStorage
  | CreateExtension
  | DropExtension
  | AlterExtension
  | CreateSchema
  | DropSchema
  | CreateEnum
  | DropEnum
  | AddEnumValue
  | RecreateEnum
  | CreateSequence
  | DropSequence
  | AlterSequence
  | CreateFunction
  | DropFunction
  | ReplaceFunction
  | AddTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumnType
  | AlterCollation
  | AlterGenerated
  | SetDefault
  | DropDefault
  | SetIdentity
  | DropIdentity
  | SetNotNull
  | DropNotNull
  | AddPrimaryKey
  | DropPrimaryKey
  | AddUnique
  | DropUnique
  | AddForeignKey
  | DropForeignKey
  | ValidateForeignKey
  | AddCheck
  | DropCheck
  | ValidateCheck
  | AddIndex
  | DropIndex
  | CreateTrigger
  | DropTrigger
  | EnableTrigger
  | SetComment
  | GrantPrivileges
  | RevokePrivileges
  | GrantDefaultPrivileges
  | RevokeDefaultPrivileges
  | RunSql
  | CreateView
  | DropView
  | ReplaceView
  | CreateDomain
  | DropDomain
  | SetDomainDefault
  | SetDomainNotNull
  | AddDomainCheck
  | DropDomainCheck
  | ValidateDomainCheck
  | CreateComposite
  | DropComposite
  | AddAttribute
  | DropAttribute
  | RenameAttribute
  | CreateRange
  | DropRange
  | RefuseTypeChange
  | AddExclusion
  | DropExclusion
  | SetRowSecurity
  | CreatePolicy
  | DropPolicy
  | AlterPolicy
  | SetReplicaIdentity
  | SetPersistence;

/** The change type of one kind, for handlers registered in a `{ [K in ChangeKind]: Handler<ChangeOf<K>> }`. */
export type ChangeOf<K extends ChangeKind> = Extract<Change, { readonly kind: K }>;
