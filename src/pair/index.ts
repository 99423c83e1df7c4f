// Blue/green pair: topology, replication setup, status, resync and teardown. Cutover and cutback build on it.
export * from './types.js';
export * from './errors.js';
export * from './names.js';
export * from './sql.js';
export {
  ensurePairLedger,
  pairMigrations,
  PAIR_LEDGER_VERSION,
  readTopology,
  writeTopology,
  switchTopology,
  writeHeartbeat,
  waitForHeartbeat,
  type Heartbeat,
} from './topology.js';
export {
  lockPair,
  openPair,
  resolvePair,
  resolveSides,
  type PairFlags,
  type PairSession,
  type PairTargets,
  type Sides,
} from './session.js';
export { applicationScope, readApplication } from './scope.js';
export { copySchema, resetStandby, schemaDifferences } from './copy.js';
export { buildStandby, refreshMaterializedViews, type SchemaCopy } from './standby-build.js';
export {
  pairSlots,
  pairSubscriptions,
  pairPublications,
  publishedTables,
  dropSlots,
  dropSubscriptions,
  dropPublications,
  type SlotInfo,
  type SubscriptionInfo,
} from './replicate.js';
export { tableSyncStates, waitForSync, SYNC_STATES, type TableSync } from './sync.js';
export {
  initOn,
  pairInit,
  pairResync,
  type PairConfig,
  type PairInitOptions,
  type PairInitResult,
  type PairResyncResult,
} from './init.js';
export {
  statusOn,
  pairStatus,
  sequenceDrift,
  type PairStatus,
  type SequenceDrift,
  type Lag,
  type StreamStatus,
} from './status.js';
export { teardownPair, pairTeardown, type PairTeardownResult, type Removed } from './teardown.js';
export { openRouter, RouterError, type Router, type RouterEvent, type RouterOptions } from './router.js';
export { runSwitch, type SwitchCommand, type SwitchEvent, type SwitchOptions, type SwitchReport } from './cutover.js';
export { applicationRoles, fenceRoles, unfenceRoles } from './fence.js';
export { readSequences, writeSequences, type SequenceValue } from './sequences.js';
export * from './compat.js';
export * from './phases.js';
export * from './watch.js';
export {
  pairVerify,
  verifyOn,
  type VerifyOptions,
  type VerifyEvent,
  type VerifyReport,
  type TableVerdict,
  type RowDifference,
} from './verify.js';
export { recordVerify, lastVerify, requireVerifyCheck, verifyGateCheck } from './verify-record.js';
