// The schema model: plain readonly data, shared by the declared YAML, introspection, diff and the planner.
//
// Conventions that every producer of a model must follow (normalize.ts enforces them):
// - Types are spelled as `format_type()` prints them (`bigint`, `character varying(20)`, `timestamp with time zone`).
// - Expressions (defaults, checks, predicates, index expressions, generated columns) are spelled as
//   `pg_get_expr()` prints them once canonicalized; hand-written ones are canonicalized through a real server.
// - Every list of named objects is sorted by name, except `columns`, whose order is the CREATE TABLE order.
// - Optional fields are absent rather than undefined or empty, so that equal schemas serialize equal.

/** How an identity column generates values. */
export type Identity = 'always' | 'by default';
/** What a foreign key does on delete or update of the referenced row. */
export type FkAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';
/** How a foreign key matches multi-column keys with nulls. */
export type FkMatch = 'simple' | 'full';
/** The sort order of an index key. */
export type SortOrder = 'asc' | 'desc';
/** Where nulls sort in an index key. */
export type NullsOrder = 'first' | 'last';
/** When a trigger fires. */
export type TriggerTiming = 'before' | 'after' | 'instead of';
/** An event a trigger fires on. */
export type TriggerEvent = 'insert' | 'update' | 'delete' | 'truncate';
/** `pg_trigger.tgenabled`: O origin (default), A always (fires for replicated rows), R replica, D disabled. */
export type TriggerEnabled = 'origin' | 'always' | 'replica' | 'disabled';

/** A privilege of GRANT / REVOKE, as PostgreSQL spells it. */
export type Privilege =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'TRUNCATE'
  | 'REFERENCES'
  | 'TRIGGER'
  /** Tables and views, PostgreSQL 17+. */
  | 'MAINTAIN'
  | 'USAGE'
  | 'CREATE'
  | 'EXECUTE';

/**
 * Privileges granted to a role on the object that holds this grant, beyond what the object has by default (its
 * owner's implicit privileges, and PUBLIC's EXECUTE on functions and USAGE on types). `role` is a role name, or
 * `PUBLIC`. With `columns`, the privileges are on those columns only (tables and views: SELECT, INSERT, UPDATE,
 * REFERENCES). Normalized (normalize.ts): privileges in PRIVILEGE_ORDER, columns sorted, one entry per role,
 * grant option and column set.
 */
export interface Grant {
  readonly role: string;
  readonly privileges: readonly Privilege[];
  readonly withGrantOption?: true;
  readonly columns?: readonly string[];
}

/** What `ALTER DEFAULT PRIVILEGES ... ON <objects>` applies to. */
export type DefaultPrivilegeObjects = 'tables' | 'sequences' | 'functions' | 'types' | 'schemas';

/**
 * `ALTER DEFAULT PRIVILEGES FOR ROLE <forRole> [IN SCHEMA <schema>] GRANT <privileges> ON <on> TO <role>`:
 * privileges objects created later by `forRole` get, beyond the built-in defaults. No `schema` for every schema
 * (never with `on: schemas`).
 */
export interface DefaultPrivilege {
  readonly forRole: string;
  readonly schema?: string;
  readonly on: DefaultPrivilegeObjects;
  readonly role: string;
  readonly privileges: readonly Privilege[];
  readonly withGrantOption?: true;
}

/** A reference to a table by schema and name. */
export interface TableRef {
  readonly schema: string;
  readonly table: string;
}

/** A column of a table. */
export interface Column {
  readonly kind: 'column';
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  /** SQL expression; absent when there is no default. Never set together with identity or generated. */
  readonly default?: string;
  readonly identity?: Identity;
  /** Expression of a `GENERATED ALWAYS AS (...) STORED` column. */
  readonly generated?: string;
  /**
   * Only when it differs from the type's default collation. A collation in pg_catalog is its raw name
   * (`C`, `en-US-x-icu`); one elsewhere is quoted, qualified SQL text (`"my schema"."my coll"`).
   */
  readonly collation?: string;
  readonly comment?: string;
  // Change hints: declared schema only, never produced by introspection, never part of a fingerprint.
  readonly renamedFrom?: string;
  /** SQL expression computing the new value from the old row (user-supplied raw SQL). */
  readonly up?: string;
  /** SQL expression computing the old value from the new row (user-supplied raw SQL). */
  readonly down?: string;
  /** SQL expression filling existing rows of a new NOT NULL column (user-supplied raw SQL). */
  readonly backfill?: string;
}

/** A table's primary key. */
export interface PrimaryKey {
  readonly kind: 'primary_key';
  readonly name: string;
  readonly columns: readonly string[];
  readonly comment?: string;
}

/** A unique constraint. */
export interface UniqueConstraint {
  readonly kind: 'unique';
  readonly name: string;
  readonly columns: readonly string[];
  readonly nullsNotDistinct?: true;
  readonly deferrable?: true;
  readonly initiallyDeferred?: true;
  readonly comment?: string;
}

/** One key of an index: a column or an expression, with its options. */
export interface IndexKey {
  /** The raw column name (`attname`), never quoted text. */
  readonly column?: string;
  /** The expression as `pg_get_indexdef(oid, k, false)` prints it. */
  readonly expression?: string;
  readonly order?: 'desc';
  /** Only when it differs from the default for the order (last for asc, first for desc). */
  readonly nulls?: NullsOrder;
  /** Only when it is not the default operator class for the type; spelled like `Column.collation`. */
  readonly opclass?: string;
  /** Spelled like `Column.collation`. */
  readonly collation?: string;
}

/** An index that is not owned by a constraint (constraint-owned indexes belong to the constraint). */
export interface Index {
  readonly kind: 'index';
  readonly name: string;
  readonly unique: boolean;
  /** Access method: btree, hash, gin, gist, brin, spgist. */
  readonly method: string;
  readonly keys: readonly IndexKey[];
  readonly include?: readonly string[];
  /** Partial index predicate. */
  readonly where?: string;
  readonly nullsNotDistinct?: true;
  /** Present only on a live database whose concurrent build failed (`pg_index.indisvalid = false`). */
  readonly invalid?: true;
  readonly comment?: string;
}

/** A foreign key. */
export interface ForeignKey {
  readonly kind: 'foreign_key';
  readonly name: string;
  readonly columns: readonly string[];
  readonly references: TableRef & { readonly columns: readonly string[] };
  readonly onDelete: FkAction;
  readonly onUpdate: FkAction;
  readonly match: FkMatch;
  readonly deferrable: boolean;
  readonly initiallyDeferred: boolean;
  /** Added NOT VALID and not yet validated (an intermediate state of a plan). */
  readonly notValid?: true;
  readonly comment?: string;
}

/** A check constraint. */
export interface Check {
  readonly kind: 'check';
  readonly name: string;
  /** The boolean expression, without the surrounding CHECK ( ). */
  readonly expression: string;
  readonly notValid?: true;
  readonly noInherit?: true;
  readonly comment?: string;
}

/**
 * An exclusion constraint. Its definition is the text pg_get_constraintdef prints (`EXCLUDE USING gist (room WITH
 * =, during WITH &&) WHERE (...)`, with DEFERRABLE when it is), canonicalized through a server like a view's.
 */
export interface ExclusionConstraint {
  readonly kind: 'exclusion';
  readonly name: string;
  readonly definition: string;
  readonly comment?: string;
}

/** A trigger on a table. */
export interface Trigger {
  readonly kind: 'trigger';
  readonly name: string;
  readonly timing: TriggerTiming;
  readonly events: readonly TriggerEvent[];
  readonly forEach: 'row' | 'statement';
  /** Qualified function called by the trigger. */
  readonly function: { readonly schema: string; readonly name: string };
  readonly when?: string;
  readonly enabled: TriggerEnabled;
  /** Arguments passed to the function (TG_ARGV), as text; absent when none. */
  readonly args?: readonly string[];
  /** `UPDATE OF` columns, in the order given; absent when the trigger fires on any column. */
  readonly columns?: readonly string[];
  /** `REFERENCING OLD TABLE AS ... NEW TABLE AS ...`: the transition table names (AFTER triggers). */
  readonly oldTable?: string;
  readonly newTable?: string;
  /** `CREATE CONSTRAINT TRIGGER` (AFTER ... FOR EACH ROW), with its deferral. */
  readonly constraint?: true;
  readonly deferrable?: true;
  readonly initiallyDeferred?: true;
  readonly comment?: string;
}

/** The command a policy applies to (`pg_policy.polcmd`). */
export type PolicyCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

/** What the catalog says about a policy once it exists: the columns its expressions read. Like ViewDerived. */
export interface PolicyDerived {
  /** Sorted by schema, then relation (pg_depend of the policy). */
  readonly reads: readonly ViewRead[];
}

/** A row-level security policy on a table. */
export interface Policy {
  readonly kind: 'policy';
  readonly name: string;
  readonly command: PolicyCommand;
  /** AS RESTRICTIVE; absent for PERMISSIVE (the default). */
  readonly restrictive?: true;
  /** Role names, sorted; `public` for PUBLIC (what `TO` is when not given). */
  readonly roles: readonly string[];
  /** The USING expression as `pg_get_expr(polqual)` prints it. */
  readonly using?: string;
  /** The WITH CHECK expression as `pg_get_expr(polwithcheck)` prints it. */
  readonly withCheck?: string;
  readonly comment?: string;
  /** Never declared, never in YAML or a fingerprint: filled by introspection, read by the planner. */
  readonly derived?: PolicyDerived;
}

/** `REPLICA IDENTITY`: absent for DEFAULT (the primary key). */
export type ReplicaIdentity = 'full' | 'nothing' | { readonly index: string };

/** A table: columns, keys, indexes, foreign keys, checks and triggers. */
export interface Table {
  readonly kind: 'table';
  readonly name: string;
  readonly columns: readonly Column[];
  readonly primaryKey?: PrimaryKey;
  readonly unique: readonly UniqueConstraint[];
  readonly indexes: readonly Index[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly checks: readonly Check[];
  readonly triggers: readonly Trigger[];
  /**
   * Storage parameters (`WITH (fillfactor = 70)`, `autovacuum_*`, `toast.*` for the TOAST table), by name, as the
   * catalog prints their values (pg_class.reloptions); absent when there are none.
   */
  readonly storage?: readonly StorageParameter[];
  /** Exclusion constraints, sorted by name; absent when none. */
  readonly exclusions?: readonly ExclusionConstraint[];
  /** ENABLE ROW LEVEL SECURITY. */
  readonly rowSecurity?: true;
  /** FORCE ROW LEVEL SECURITY (the owner is subject to the policies too). */
  readonly forceRowSecurity?: true;
  /** Sorted by name; absent when none. */
  readonly policies?: readonly Policy[];
  /** Absent for REPLICA IDENTITY DEFAULT. */
  readonly replicaIdentity?: ReplicaIdentity;
  /** CREATE UNLOGGED TABLE. */
  readonly unlogged?: true;
  readonly comment?: string;
  /** Absent when none (see Grant). */
  readonly grants?: readonly Grant[];
  /** Declared schema only. */
  readonly renamedFrom?: string;
}

/** A storage parameter of a table: `fillfactor` = `70`, `toast.autovacuum_enabled` = `false`. */
export interface StorageParameter {
  readonly name: string;
  readonly value: string;
}

/** An enum type and its labels in order. */
export interface Enum {
  readonly kind: 'enum';
  readonly name: string;
  readonly values: readonly string[];
  readonly comment?: string;
  /** Absent when none (see Grant). */
  readonly grants?: readonly Grant[];
}

/** A named check of a domain: `VALUE` stands for the value checked. */
export interface DomainCheck {
  readonly name: string;
  /** The boolean expression as pg_get_expr prints it, without the surrounding CHECK ( ). */
  readonly expression: string;
  /** Added NOT VALID and not yet validated (an intermediate state of a plan). */
  readonly notValid?: true;
}

/** `CREATE DOMAIN`: a base type with a default, NOT NULL and named checks. */
export interface Domain {
  readonly kind: 'domain';
  readonly name: string;
  /** The base type, spelled as format_type() prints it (like `Column.type`). */
  readonly type: string;
  readonly default?: string;
  readonly notNull?: true;
  /** Spelled like `Column.collation`; only when it differs from the base type's default. */
  readonly collation?: string;
  /** Sorted by name. */
  readonly checks: readonly DomainCheck[];
  readonly comment?: string;
}

/** One attribute of a composite type, in order. */
export interface CompositeAttribute {
  readonly name: string;
  readonly type: string;
  readonly collation?: string;
  /** Change hint: declared schema only, never introspected, never part of a fingerprint. */
  readonly renamedFrom?: string;
}

/** `CREATE TYPE ... AS (...)`: a composite type. */
export interface CompositeType {
  readonly kind: 'composite';
  readonly name: string;
  /** In definition order. */
  readonly attributes: readonly CompositeAttribute[];
  readonly comment?: string;
}

/** `CREATE TYPE ... AS RANGE`: a range type (PostgreSQL 14+ also creates its multirange type). */
export interface RangeType {
  readonly kind: 'range';
  readonly name: string;
  /** The element type, spelled as format_type() prints it. */
  readonly subtype: string;
  /** Spelled like `IndexKey.opclass`; only when not the subtype's default btree operator class. */
  readonly subtypeOpclass?: string;
  readonly collation?: string;
  /** Qualified names of the canonical and subtype_diff functions, as regproc prints them. */
  readonly canonical?: string;
  readonly subtypeDiff?: string;
  /** Only when not the default name PostgreSQL derives (`<name>` with `range` replaced by `multirange`). */
  readonly multirange?: string;
  readonly comment?: string;
}

/** A sequence that is not an identity column's (identity sequences belong to their column). */
export interface Sequence {
  readonly kind: 'sequence';
  readonly name: string;
  readonly type: 'smallint' | 'integer' | 'bigint';
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  /** `ALTER SEQUENCE ... OWNED BY table.column` (serial columns). */
  readonly ownedBy?: { readonly table: string; readonly column: string };
  readonly comment?: string;
  /** Absent when none (see Grant). */
  readonly grants?: readonly Grant[];
}

/** A function defined in an application schema (switchyard's own sync trigger functions among them). */
export interface Function {
  readonly kind: 'function';
  readonly name: string;
  /** Identity arguments as `pg_get_function_identity_arguments` prints them; '' for none. */
  readonly args: string;
  /** The complete `CREATE OR REPLACE FUNCTION` statement as `pg_get_functiondef` prints it. */
  readonly definition: string;
  readonly comment?: string;
  /** Absent when none (see Grant). */
  readonly grants?: readonly Grant[];
}

/** `WITH [LOCAL | CASCADED] CHECK OPTION` of a view. */
export type CheckOption = 'local' | 'cascaded';

/** A comment on an output column of a view. */
export interface ViewColumnComment {
  readonly name: string;
  readonly comment: string;
}

/** A relation a view reads, and which of its columns (pg_depend of the view's rewrite rule). */
export interface ViewRead {
  readonly schema: string;
  /** A table, a view or a materialized view. */
  readonly relation: string;
  /** Columns read, sorted; empty when only the relation as a whole is referenced. */
  readonly columns: readonly string[];
}

/**
 * What the catalog says about a view once it exists: its output columns and what it reads. Derived data: never
 * declared, never written to YAML, never part of a fingerprint or compared by the diff on its own; introspection
 * (and so the shadow build of a declared schema) fills it in, and the planner reads it.
 */
export interface ViewDerived {
  /** Output columns in order, with their types as `format_type()` prints them. */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Sorted by schema, then relation. */
  readonly reads: readonly ViewRead[];
}

/** A view or a materialized view. */
export interface View {
  readonly kind: 'view';
  readonly name: string;
  readonly materialized?: true;
  /** The SELECT as `pg_get_viewdef()` prints it once canonicalized: trimmed, without a trailing semicolon. */
  readonly definition: string;
  /** Views only (PostgreSQL 15+). */
  readonly securityInvoker?: true;
  /** Views only. */
  readonly securityBarrier?: true;
  /** Views only: WITH [LOCAL | CASCADED] CHECK OPTION. */
  readonly checkOption?: CheckOption;
  /** Materialized views only; sorted by name, absent when none. */
  readonly indexes?: readonly Index[];
  /** Sorted by column name, absent when none. */
  readonly columnComments?: readonly ViewColumnComment[];
  readonly comment?: string;
  /** Absent when none (see Grant). */
  readonly grants?: readonly Grant[];
  readonly derived?: ViewDerived;
}

/** A schema: its enums, sequences, tables, functions, views and materialized views. */
export interface Schema {
  readonly kind: 'schema';
  readonly name: string;
  readonly enums: readonly Enum[];
  readonly sequences: readonly Sequence[];
  readonly tables: readonly Table[];
  readonly functions: readonly Function[];
  /** Views and materialized views, sorted by name; absent when there are none. */
  readonly views?: readonly View[];
  /** Domains, composite types and range types, each sorted by name; absent when there are none. */
  readonly domains?: readonly Domain[];
  readonly composites?: readonly CompositeType[];
  readonly ranges?: readonly RangeType[];
  readonly comment?: string;
  /** Grants on the schema itself; absent when none (see Grant). */
  readonly grants?: readonly Grant[];
}

/** Multi-tenant settings: a registry query listing tenant schemas and the template schema describing each. */
export interface TenantsConfig {
  /** Raw SQL returning one text column of schema names (user-supplied). */
  readonly registry: string;
  /** Raw SQL `switchyard tenants add` runs to register a new tenant; `$1` is bound to its schema name. */
  readonly register?: string;
  /** Name of the entry under `schemas` that describes every tenant schema. */
  readonly template: string;
}

/** A whole database (or a declared target): schemas sorted by name. */
export interface DatabaseSchema {
  readonly schemas: readonly Schema[];
  readonly tenants?: TenantsConfig;
  /**
   * The extensions the schema manages (`extensions:` of a declared file; every installed one, introspected).
   * Absent: extensions are not managed, and a plan neither creates nor drops any. Not part of the fingerprint,
   * which describes the schemas' structure.
   */
  readonly extensions?: readonly DeclaredExtension[];
  /** ALTER DEFAULT PRIVILEGES entries; absent when none. Sorted (normalize.ts). */
  readonly defaultPrivileges?: readonly DefaultPrivilege[];
}

/** An extension, by name: the schema its objects go in, and a version when one is pinned. */
export interface DeclaredExtension {
  readonly name: string;
  readonly schema: string;
  /** Absent: whatever version is installed is fine, and a new one gets the server's default version. */
  readonly version?: string;
}

/** Any object of the model. */
export type SchemaObject =
  | Schema
  | Table
  | Column
  | Index
  | UniqueConstraint
  | PrimaryKey
  | ForeignKey
  | Check
  | ExclusionConstraint
  | Enum
  | Sequence
  | Trigger
  | Policy
  | Function
  | View
  | Domain
  | CompositeType
  | RangeType;

/** Empty schema with all lists present. */
export function emptySchema(name: string): Schema {
  return { kind: 'schema', name, enums: [], sequences: [], tables: [], functions: [] };
}

/** Empty table with all lists present. */
export function emptyTable(name: string, columns: readonly Column[] = []): Table {
  return { kind: 'table', name, columns, unique: [], indexes: [], foreignKeys: [], checks: [], triggers: [] };
}
