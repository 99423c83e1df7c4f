// Output order. The planner does the real dependency ordering; the differ only promises a deterministic list,
// grouped by family in this order. Within a family, changes come in the differ's walk order: schemas, tables
// and objects by name (code-unit order), columns in the target's column order with dropped ones last (so a
// stable planner appends new columns in the declared order), enum values in target order (each one's `after`
// neighbour must exist), and a drop before the add of the same name.
import type { Change, ChangeKind } from './changes.js';

export const FAMILIES = [
  'schema',
  // after schemas (an extension may go in a new one), before everything that may use its types or operators
  'extension',
  'enum',
  'type',
  'sequence',
  'function',
  'table',
  'column',
  'constraint',
  'index',
  'trigger',
  'view',
  'security',
  'comment',
  'grant',
  'sql',
  // last: a dropped extension goes after every object that may still use it
  'dropped extension',
] as const;
export type Family = (typeof FAMILIES)[number];

export const CHANGE_FAMILY: { readonly [K in ChangeKind]: Family } = {
  create_schema: 'schema',
  drop_schema: 'schema',
  create_enum: 'enum',
  drop_enum: 'enum',
  add_enum_value: 'enum',
  recreate_enum: 'enum',
  create_sequence: 'sequence',
  drop_sequence: 'sequence',
  alter_sequence: 'sequence',
  create_function: 'function',
  drop_function: 'function',
  replace_function: 'function',
  add_table: 'table',
  drop_table: 'table',
  rename_table: 'table',
  add_column: 'column',
  drop_column: 'column',
  rename_column: 'column',
  alter_column_type: 'column',
  alter_collation: 'column',
  alter_generated: 'column',
  set_default: 'column',
  drop_default: 'column',
  set_identity: 'column',
  drop_identity: 'column',
  set_not_null: 'column',
  drop_not_null: 'column',
  add_primary_key: 'constraint',
  drop_primary_key: 'constraint',
  add_unique: 'constraint',
  drop_unique: 'constraint',
  add_foreign_key: 'constraint',
  drop_foreign_key: 'constraint',
  validate_foreign_key: 'constraint',
  add_check: 'constraint',
  drop_check: 'constraint',
  validate_check: 'constraint',
  add_index: 'index',
  drop_index: 'index',
  create_trigger: 'trigger',
  drop_trigger: 'trigger',
  enable_trigger: 'trigger',
  create_view: 'view',
  drop_view: 'view',
  replace_view: 'view',
  set_row_security: 'security',
  create_policy: 'security',
  drop_policy: 'security',
  alter_policy: 'security',
  set_replica_identity: 'security',
  set_persistence: 'table',
  set_comment: 'comment',
  grant_privileges: 'grant',
  revoke_privileges: 'grant',
  grant_default_privileges: 'grant',
  revoke_default_privileges: 'grant',
  run_sql: 'sql',
  set_storage: 'table',
  create_extension: 'extension',
  drop_extension: 'dropped extension',
  alter_extension: 'extension',
  create_domain: 'type',
  drop_domain: 'type',
  set_domain_default: 'type',
  set_domain_not_null: 'type',
  add_domain_check: 'type',
  drop_domain_check: 'type',
  validate_domain_check: 'type',
  create_composite: 'type',
  drop_composite: 'type',
  add_attribute: 'type',
  drop_attribute: 'type',
  rename_attribute: 'type',
  create_range: 'type',
  drop_range: 'type',
  refuse_type_change: 'type',
  add_exclusion: 'constraint',
  drop_exclusion: 'constraint',
};

/** Where differs put their changes. */
export type Emit = (change: Change) => void;

/** An Emit that files changes by family, and the grouped result. */
export function collector(): { readonly emit: Emit; readonly changes: () => Change[] } {
  const buckets = new Map<Family, Change[]>(FAMILIES.map((f) => [f, []]));
  return {
    emit: (change) => buckets.get(CHANGE_FAMILY[change.kind])?.push(change),
    changes: () => FAMILIES.flatMap((f) => buckets.get(f) ?? []),
  };
}
