// Statement rendering: pure functions from model objects to SQL text. Statements are data here; only the
// executor runs them. Every statement is one string without a trailing semicolon. Names always go through
// ident()/qualified(); types and expressions are canonical SQL from the model and are inserted verbatim.
export {
  addColumn,
  alterColumnType,
  columnDefinition,
  dropColumn,
  dropDefault,
  dropNotNull,
  renameColumn,
  setDefault,
  setNotNull,
} from './columns.js';
export {
  alterStorage,
  createTable,
  dropTable,
  renameTable,
  storageList,
  type CreateTableOptions,
} from './table.js';
export {
  addCheck,
  addExclusion,
  addForeignKey,
  addPrimaryKey,
  addUnique,
  dropConstraint,
  validateConstraint,
} from './constraints.js';
export { createIndex, dropIndex, type CreateIndexOptions } from './indexes.js';
export {
  addEnumValue,
  alterSequenceOwnedBy,
  createEnum,
  createSequence,
  dropSequence,
  dropType,
  type EnumValuePosition,
} from './types.js';
export { createTrigger, dropTrigger, enableTrigger } from './triggers.js';
export {
  addAttribute,
  addDomainCheck,
  createComposite,
  createDomain,
  createRange,
  dropAttribute,
  dropDomain,
  dropDomainCheck,
  renameAttribute,
  setDomainDefault,
  setDomainNotNull,
  validateDomainCheck,
} from './user-types.js';
export { createFunction, dropFunction } from './functions.js';
export {
  alterPolicy,
  createPolicy,
  describeReplicaIdentity,
  dropPolicy,
  forceRowSecurity,
  policyAltersInPlace,
  policyRoles,
  replicaIdentity,
  rowSecurity,
  setPersistence,
} from './security.js';
export { comment, type CommentTarget } from './comments.js';
export {
  createView,
  dependencyOrder,
  dropView,
  refreshMaterializedView,
  viewComments,
  viewReads,
  viewStatements,
  viewsInDependencyOrder,
  type CreateViewOptions,
  type PlacedView,
} from './views.js';
export { createSchema, dropSchema, renderDatabase } from './database.js';
export {
  createExtension,
  createExtensionStatement,
  createSchemaIfMissing,
  dropExtension,
  updateExtension,
} from './extensions.js';
export {
  grant,
  grantDefault,
  grantObject,
  grantStatements,
  privilegesOf,
  revoke,
  revokeDefault,
  type DefaultPrivilegeScope,
  type GrantTarget,
  type PrivilegeOn,
} from './grants.js';
