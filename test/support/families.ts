// The change kinds grouped by family, for the per-family test harnesses: each checks that its scenarios only
// produce changes of its family. src/ has one registry (planner/registry.ts); the families are a test notion.
import type { ChangeKind, ChangeOf } from '../../src/diff/index.js';
import { HANDLERS } from '../../src/planner/registry.js';
import type { Handler } from '../../src/planner/types.js';

export const TABLE_KINDS = [
  'create_schema',
  'drop_schema',
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
] as const satisfies readonly ChangeKind[];

export const CONSTRAINT_KINDS = [
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
] as const satisfies readonly ChangeKind[];

export const OBJECT_KINDS = [
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
  'create_trigger',
  'drop_trigger',
  'enable_trigger',
  'create_view',
  'drop_view',
  'replace_view',
  'set_comment',
] as const satisfies readonly ChangeKind[];

export type TableKind = (typeof TABLE_KINDS)[number];
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];
export type ObjectKind = (typeof OBJECT_KINDS)[number];

type Handlers<K extends ChangeKind> = { readonly [P in K]: Handler<ChangeOf<P>> };

function pick<K extends ChangeKind>(kinds: readonly K[]): Handlers<K> {
  return Object.fromEntries(kinds.map((k) => [k, HANDLERS[k]])) as Handlers<K>;
}

export const tableHandlers = pick(TABLE_KINDS);
export const constraintHandlers = pick(CONSTRAINT_KINDS);
export const objectHandlers = pick(OBJECT_KINDS);
