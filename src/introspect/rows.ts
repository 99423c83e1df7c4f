// Raw rows as the catalog queries in queries.ts return them: catalog spellings, oids as text, nulls where
// the catalog has nothing. Kept apart from the model so that a change on either side is visible.

export interface PinnedSettingRow {
  readonly name: string;
  readonly value: string;
  readonly version_num: number;
}

export interface SchemaRow {
  readonly oid: string;
  readonly name: string;
  readonly comment: string | null;
}

export interface TableRow {
  readonly oid: string;
  readonly schema_oid: string;
  readonly name: string;
  readonly comment: string | null;
  /** reloptions, then the TOAST table's as `toast.name=value`. */
  readonly options: string[];
  /** relrowsecurity, relforcerowsecurity (absent from rows read by older queries: false). */
  readonly row_security?: boolean;
  readonly force_row_security?: boolean;
  /** relreplident: d default, f full, n nothing, i index. */
  readonly replica_identity?: string;
  /** The index of REPLICA IDENTITY USING INDEX (pg_index.indisreplident). */
  readonly replica_index?: string | null;
  /** relpersistence: p permanent, u unlogged. */
  readonly persistence?: string;
}

export interface PolicyRow {
  readonly table_oid: string;
  readonly name: string;
  /** pg_policy.polcmd: * all, r select, a insert, w update, d delete. */
  readonly command: string;
  readonly permissive: boolean;
  /** Role names; `public` for PUBLIC. */
  readonly roles: string[];
  readonly using: string | null;
  readonly with_check: string | null;
  readonly comment: string | null;
  /** What its expressions read (pg_depend), as for views. */
  readonly reads: { schema: string; relation: string; columns: string[] }[] | null;
}

export interface ColumnRow {
  readonly table_oid: string;
  /** attnum: the CREATE TABLE order (with gaps where columns were dropped). */
  readonly num: number;
  readonly name: string;
  readonly type: string;
  readonly not_null: boolean;
  /** pg_attribute.attidentity: '' none, 'a' always, 'd' by default. */
  readonly identity: string;
  /** pg_attribute.attgenerated: '' none, 's' stored, 'v' virtual (PostgreSQL 18). */
  readonly generated: string;
  /** pg_attrdef expression: the default, or the generation expression when `generated` is set. */
  readonly expression: string | null;
  /** Set only when the column's collation differs from its type's default. */
  readonly collation_name: string | null;
  readonly collation_schema: string | null;
  readonly comment: string | null;
}

export interface ConstraintRow {
  readonly table_oid: string;
  readonly name: string;
  /** pg_constraint.contype: p, u, f or c. */
  readonly type: string;
  readonly columns: string[];
  readonly ref_schema: string | null;
  readonly ref_table: string | null;
  readonly ref_columns: string[];
  /** confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default ('' if not a FK). */
  readonly on_delete: string;
  readonly on_update: string;
  /** confmatchtype: f full, s simple, p partial (never implemented by PostgreSQL). */
  readonly match: string;
  readonly deferrable: boolean;
  readonly deferred: boolean;
  readonly validated: boolean;
  readonly no_inherit: boolean;
  /** Check expression, as printed inside CHECK (...). */
  readonly expression: string | null;
  readonly nulls_not_distinct: boolean;
  readonly comment: string | null;
  /** pg_get_constraintdef, for an exclusion constraint only (absent from hand-built rows). */
  readonly definition?: string | null;
}

export interface IndexKeyRow {
  /** Null for an expression key. */
  readonly column: string | null;
  /** pg_index.indoption bits: 1 DESC, 2 NULLS FIRST. */
  readonly option: number;
  readonly opclass: string | null;
  readonly opclass_schema: string | null;
  readonly collation: string | null;
  readonly collation_schema: string | null;
}

export interface IndexRow {
  readonly table_oid: string;
  readonly name: string;
  readonly unique: boolean;
  readonly method: string;
  readonly valid: boolean;
  readonly nulls_not_distinct: boolean;
  readonly predicate: string | null;
  /** pg_get_expr(indexprs): the expressions of the expression keys, in key order, separated by ", ". */
  readonly expressions: string | null;
  readonly comment: string | null;
  readonly include: string[];
  /** Parsed JSON (null only for an index without key columns, which PostgreSQL does not allow). */
  readonly keys: IndexKeyRow[] | null;
}

export interface TriggerRow {
  readonly table_oid: string;
  readonly name: string;
  /** pg_trigger.tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE, 64 INSTEAD. */
  readonly type: number;
  /** pg_trigger.tgenabled: O, A, R or D. */
  readonly enabled: string;
  readonly function_schema: string;
  readonly function_name: string;
  /** pg_get_triggerdef, only for triggers with a WHEN clause. */
  readonly definition: string | null;
  readonly comment: string | null;
  /** tgargs in hex: the arguments, each followed by a NUL byte. Absent from hand-built rows. */
  readonly args_hex?: string;
  /** UPDATE OF column names (tgattr), in order. */
  readonly columns?: string[];
  readonly old_table?: string | null;
  readonly new_table?: string | null;
  readonly constraint?: boolean;
  readonly deferrable?: boolean;
  readonly deferred?: boolean;
}

export interface EnumRow {
  readonly schema_oid: string;
  readonly name: string;
  readonly values: string[];
  readonly comment: string | null;
}

export interface SequenceRow {
  readonly schema_oid: string;
  readonly name: string;
  readonly type: string;
  readonly start: string;
  readonly increment: string;
  readonly min: string;
  readonly max: string;
  readonly cache: string;
  readonly cycle: boolean;
  readonly owned_table: string | null;
  readonly owned_column: string | null;
  readonly comment: string | null;
}

export interface FunctionRow {
  readonly schema_oid: string;
  readonly name: string;
  readonly args: string;
  readonly definition: string;
  readonly comment: string | null;
}

export interface ViewRow {
  readonly oid: string;
  readonly schema_oid: string;
  readonly name: string;
  readonly materialized: boolean;
  /** pg_get_viewdef: a leading space, a trailing semicolon. */
  readonly definition: string;
  /** pg_class.reloptions as `name=value` texts. */
  readonly options: string[];
  readonly comment: string | null;
  /** Parsed JSON, in attnum order (null for a view without columns, which PostgreSQL allows). */
  readonly columns: { name: string; type: string; comment: string | null }[] | null;
  /** Parsed JSON (null when it reads no relation, e.g. `SELECT 1`). */
  readonly reads: { schema: string; relation: string; columns: string[] }[] | null;
}

export interface TableStatsRow {
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  /** int8 arrives as a string from most clients. */
  readonly bytes: string | number;
}

/** A domain, a composite type or a range type (userTypesQuery); the fields of the other kinds are null. */
export interface UserTypeRow {
  readonly schema_oid: string;
  readonly name: string;
  readonly kind: 'domain' | 'composite' | 'range';
  readonly base_type: string | null;
  readonly not_null: boolean;
  readonly default_expression: string | null;
  readonly collation_name: string | null;
  readonly collation_schema: string | null;
  readonly checks: { name: string; expression: string; validated: boolean }[] | null;
  readonly attributes:
    | { name: string; type: string; collation: string | null; collation_schema: string | null }[]
    | null;
  readonly subtype: string | null;
  readonly opclass: string | null;
  readonly opclass_schema: string | null;
  readonly range_collation_name: string | null;
  readonly range_collation_schema: string | null;
  readonly canonical: string | null;
  readonly subtype_diff: string | null;
  readonly multirange: string | null;
  readonly comment: string | null;
}

/** Everything one introspection reads, before mapping. */
/** One privilege granted beyond the defaults (queries.ts GRANTS). */
export interface GrantRow {
  readonly class: 'schema' | 'table' | 'view' | 'sequence' | 'function' | 'type';
  readonly schema_oid: string;
  /** Null for a schema's own grants. */
  readonly name: string | null;
  /** Functions' identity arguments. */
  readonly args: string | null;
  /** Set for a column privilege. */
  readonly column: string | null;
  readonly role: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

/** One privilege of an ALTER DEFAULT PRIVILEGES entry (queries.ts DEFAULT_PRIVILEGES). */
export interface DefaultPrivilegeRow {
  readonly for_role: string;
  /** Null for every schema. */
  readonly schema: string | null;
  readonly on: string;
  readonly role: string;
  readonly privilege: string;
  readonly grantable: boolean;
}

export interface CatalogRows {
  readonly schemas: readonly SchemaRow[];
  readonly tables: readonly TableRow[];
  readonly columns: readonly ColumnRow[];
  readonly constraints: readonly ConstraintRow[];
  readonly indexes: readonly IndexRow[];
  readonly triggers: readonly TriggerRow[];
  readonly policies?: readonly PolicyRow[];
  readonly enums: readonly EnumRow[];
  readonly sequences: readonly SequenceRow[];
  readonly functions: readonly FunctionRow[];
  readonly views: readonly ViewRow[];
  /** Absent: grants were not read (a model without them). */
  readonly grants?: readonly GrantRow[];
  readonly defaultPrivileges?: readonly DefaultPrivilegeRow[];
  /** Absent from callers that build rows by hand without any. */
  readonly userTypes?: readonly UserTypeRow[];
}
