// The schema, table and column family: one handler per change kind, each in its own file.
import type { ChangeOf } from '../../diff/index.js';
import type { Handler } from '../types.js';
import { addColumnHandler } from './add_column.js';
import { addTableHandler } from './add_table.js';
import { alterCollationHandler } from './alter_collation.js';
import { alterColumnTypeHandler } from './alter_column_type.js';
import { alterGeneratedHandler } from './alter_generated.js';
import { createSchemaHandler } from './create_schema.js';
import { dropColumnHandler } from './drop_column.js';
import { dropDefaultHandler } from './drop_default.js';
import { dropIdentityHandler } from './drop_identity.js';
import { dropNotNullHandler } from './drop_not_null.js';
import { dropSchemaHandler } from './drop_schema.js';
import { dropTableHandler } from './drop_table.js';
import { renameColumnHandler } from './rename_column.js';
import { renameTableHandler } from './rename_table.js';
import { setDefaultHandler } from './set_default.js';
import { setIdentityHandler } from './set_identity.js';
import { setNotNullHandler } from './set_not_null.js';

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
] as const;

export type TableKind = (typeof TABLE_KINDS)[number];

/** Typed like registry.ts's HandlerMap, restricted to this family (without importing registry.ts: a cycle). */
export type TableHandlerMap = { readonly [K in TableKind]: Handler<ChangeOf<K>> };

export const tableHandlers = {
  create_schema: createSchemaHandler,
  drop_schema: dropSchemaHandler,
  add_table: addTableHandler,
  drop_table: dropTableHandler,
  rename_table: renameTableHandler,
  add_column: addColumnHandler,
  drop_column: dropColumnHandler,
  rename_column: renameColumnHandler,
  alter_column_type: alterColumnTypeHandler,
  alter_collation: alterCollationHandler,
  alter_generated: alterGeneratedHandler,
  set_default: setDefaultHandler,
  drop_default: dropDefaultHandler,
  set_identity: setIdentityHandler,
  drop_identity: dropIdentityHandler,
  set_not_null: setNotNullHandler,
  drop_not_null: dropNotNullHandler,
} satisfies TableHandlerMap;
