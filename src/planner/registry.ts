// Every change kind has exactly one handler, in planner/kinds/<kind>.ts exporting <kind>Handler: this map is
// typed so that a missing or mistyped kind fails to compile, and lookup needs no cast.
import type { ChangeKind, ChangeOf } from '../diff/index.js';
import { addCheckHandler } from './kinds/add-check.js';
import { addColumnHandler } from './kinds/add-column.js';
import { addEnumValueHandler } from './kinds/add-enum-value.js';
import { addForeignKeyHandler } from './kinds/add-foreign-key.js';
import { addIndexHandler } from './kinds/add-index.js';
import { addPrimaryKeyHandler } from './kinds/add-primary-key.js';
import { addTableHandler } from './kinds/add-table.js';
import { addUniqueHandler } from './kinds/add-unique.js';
import { alterCollationHandler } from './kinds/alter-collation.js';
import { alterExtensionHandler } from './kinds/alter-extension.js';
import { alterColumnTypeHandler } from './kinds/alter-column-type.js';
import { alterGeneratedHandler } from './kinds/alter-generated.js';
import { alterPolicyHandler } from './kinds/alter-policy.js';
import { alterSequenceHandler } from './kinds/alter-sequence.js';
import { createEnumHandler } from './kinds/create-enum.js';
import { createExtensionHandler } from './kinds/create-extension.js';
import { createFunctionHandler } from './kinds/create-function.js';
import { createPolicyHandler } from './kinds/create-policy.js';
import { createSchemaHandler } from './kinds/create-schema.js';
import { createSequenceHandler } from './kinds/create-sequence.js';
import { createTriggerHandler } from './kinds/create-trigger.js';
import { createViewHandler } from './kinds/create-view.js';
import { dropCheckHandler } from './kinds/drop-check.js';
import { dropColumnHandler } from './kinds/drop-column.js';
import { dropDefaultHandler } from './kinds/drop-default.js';
import { dropExtensionHandler } from './kinds/drop-extension.js';
import { dropEnumHandler } from './kinds/drop-enum.js';
import { dropForeignKeyHandler } from './kinds/drop-foreign-key.js';
import { dropFunctionHandler } from './kinds/drop-function.js';
import { dropIdentityHandler } from './kinds/drop-identity.js';
import { dropIndexHandler } from './kinds/drop-index.js';
import { dropPolicyHandler } from './kinds/drop-policy.js';
import { dropNotNullHandler } from './kinds/drop-not-null.js';
import { dropPrimaryKeyHandler } from './kinds/drop-primary-key.js';
import { dropSchemaHandler } from './kinds/drop-schema.js';
import { dropSequenceHandler } from './kinds/drop-sequence.js';
import { dropTableHandler } from './kinds/drop-table.js';
import { dropTriggerHandler } from './kinds/drop-trigger.js';
import { dropUniqueHandler } from './kinds/drop-unique.js';
import { dropViewHandler } from './kinds/drop-view.js';
import { enableTriggerHandler } from './kinds/enable-trigger.js';
import { grantDefaultPrivilegesHandler } from './kinds/grant-default-privileges.js';
import { grantPrivilegesHandler } from './kinds/grant-privileges.js';
import { recreateEnumHandler } from './kinds/recreate-enum.js';
import { renameColumnHandler } from './kinds/rename-column.js';
import { renameTableHandler } from './kinds/rename-table.js';
import { revokeDefaultPrivilegesHandler } from './kinds/revoke-default-privileges.js';
import { revokePrivilegesHandler } from './kinds/revoke-privileges.js';
import { runSqlHandler } from './kinds/run-sql.js';
import { replaceFunctionHandler } from './kinds/replace-function.js';
import { replaceViewHandler } from './kinds/replace-view.js';
import { setStorageHandler } from './kinds/set-storage.js';
import { setCommentHandler } from './kinds/set-comment.js';
import { setDefaultHandler } from './kinds/set-default.js';
import { setIdentityHandler } from './kinds/set-identity.js';
import { setNotNullHandler } from './kinds/set-not-null.js';
import { setPersistenceHandler } from './kinds/set-persistence.js';
import { setReplicaIdentityHandler } from './kinds/set-replica-identity.js';
import { setRowSecurityHandler } from './kinds/set-row-security.js';
import { validateCheckHandler } from './kinds/validate-check.js';
import { validateForeignKeyHandler } from './kinds/validate-foreign-key.js';
import { createDomainHandler } from './kinds/create-domain.js';
import { dropDomainHandler } from './kinds/drop-domain.js';
import { setDomainDefaultHandler } from './kinds/set-domain-default.js';
import { setDomainNotNullHandler } from './kinds/set-domain-not-null.js';
import { addDomainCheckHandler } from './kinds/add-domain-check.js';
import { dropDomainCheckHandler } from './kinds/drop-domain-check.js';
import { validateDomainCheckHandler } from './kinds/validate-domain-check.js';
import { createCompositeHandler } from './kinds/create-composite.js';
import { dropCompositeHandler } from './kinds/drop-composite.js';
import { addAttributeHandler } from './kinds/add-attribute.js';
import { dropAttributeHandler } from './kinds/drop-attribute.js';
import { renameAttributeHandler } from './kinds/rename-attribute.js';
import { createRangeHandler } from './kinds/create-range.js';
import { dropRangeHandler } from './kinds/drop-range.js';
import { refuseTypeChangeHandler } from './kinds/refuse-type-change.js';
import { addExclusionHandler } from './kinds/add-exclusion.js';
import { dropExclusionHandler } from './kinds/drop-exclusion.js';
import type { Handler } from './types.js';

export type HandlerMap = { readonly [K in ChangeKind]: Handler<ChangeOf<K>> };

export const HANDLERS: HandlerMap = {
  create_schema: createSchemaHandler,
  drop_schema: dropSchemaHandler,
  create_enum: createEnumHandler,
  drop_enum: dropEnumHandler,
  add_enum_value: addEnumValueHandler,
  recreate_enum: recreateEnumHandler,
  create_sequence: createSequenceHandler,
  drop_sequence: dropSequenceHandler,
  alter_sequence: alterSequenceHandler,
  create_function: createFunctionHandler,
  drop_function: dropFunctionHandler,
  replace_function: replaceFunctionHandler,
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
  add_primary_key: addPrimaryKeyHandler,
  drop_primary_key: dropPrimaryKeyHandler,
  add_unique: addUniqueHandler,
  drop_unique: dropUniqueHandler,
  add_foreign_key: addForeignKeyHandler,
  drop_foreign_key: dropForeignKeyHandler,
  validate_foreign_key: validateForeignKeyHandler,
  add_check: addCheckHandler,
  drop_check: dropCheckHandler,
  validate_check: validateCheckHandler,
  add_index: addIndexHandler,
  drop_index: dropIndexHandler,
  create_trigger: createTriggerHandler,
  drop_trigger: dropTriggerHandler,
  enable_trigger: enableTriggerHandler,
  create_view: createViewHandler,
  drop_view: dropViewHandler,
  replace_view: replaceViewHandler,
  set_row_security: setRowSecurityHandler,
  create_policy: createPolicyHandler,
  drop_policy: dropPolicyHandler,
  alter_policy: alterPolicyHandler,
  set_replica_identity: setReplicaIdentityHandler,
  set_persistence: setPersistenceHandler,
  set_comment: setCommentHandler,
  grant_privileges: grantPrivilegesHandler,
  revoke_privileges: revokePrivilegesHandler,
  grant_default_privileges: grantDefaultPrivilegesHandler,
  revoke_default_privileges: revokeDefaultPrivilegesHandler,
  run_sql: runSqlHandler,
  set_storage: setStorageHandler,
  create_extension: createExtensionHandler,
  drop_extension: dropExtensionHandler,
  alter_extension: alterExtensionHandler,
  create_domain: createDomainHandler,
  drop_domain: dropDomainHandler,
  set_domain_default: setDomainDefaultHandler,
  set_domain_not_null: setDomainNotNullHandler,
  add_domain_check: addDomainCheckHandler,
  drop_domain_check: dropDomainCheckHandler,
  validate_domain_check: validateDomainCheckHandler,
  create_composite: createCompositeHandler,
  drop_composite: dropCompositeHandler,
  add_attribute: addAttributeHandler,
  drop_attribute: dropAttributeHandler,
  rename_attribute: renameAttributeHandler,
  create_range: createRangeHandler,
  drop_range: dropRangeHandler,
  refuse_type_change: refuseTypeChangeHandler,
  add_exclusion: addExclusionHandler,
  drop_exclusion: dropExclusionHandler,
};

export function handlerFor<K extends ChangeKind>(kind: K): Handler<ChangeOf<K>> {
  return HANDLERS[kind];
}
