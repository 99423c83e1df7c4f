// switchyard as a library: what `import ... from '@switchyard-db/switchyard'` gives (README, "Use as a library").
// The top of the layer order: it may import anything and nothing imports it. Each command function is the one the
// command line calls (cli/ only parses flags and prints), takes the configuration `loadConfig` returns, and
// resolves to the result the CLI prints with --json, or throws a SwitchyardError whose `code` is stable.
// Every name exported here carries TSDoc on its declaration (test/unit/library-exports.test.ts checks it).

// Configuration.
export {
  CONFIG_FILE,
  configPath,
  InvalidConfigError,
  loadConfig,
  type PairSettings,
  type RouterSettings,
  type SwitchyardConfig,
} from './config/config.js';

// Commands: the declared schema and the live database.
export { init, type InitResult } from './commands/init.js';
export { validateFile, type ValidationResult, type ValidationSummary } from './schema/declared/validate.js';
export { introspectCommand, type IntrospectCommandOptions, type IntrospectResult } from './commands/introspect.js';
export { diffCommand, type DiffCommandOptions, type DiffResult } from './commands/diff.js';

// Commands: plans.
export { planCommand, type PlanCommandOptions, type PlanCommandResult } from './commands/plan.js';
export { lintCommand, loadPlan, showCommand } from './commands/review.js';
export type { LintResult } from './planner/lint.js';
export { SHOW_FORMATS, type ShowFormat } from './planner/show/index.js';
export type { Colors } from './planner/show/colors.js';
export {
  releaseNotes,
  type DeployNote,
  type ReleaseNote,
  type ReleaseNotes,
  type StartNote,
} from './planner/release-notes.js';
export { rehearseCommand, type RehearseCommandOptions, type RehearseCommandResult } from './commands/rehearse.js';
export {
  preflightCommand,
  type PreflightCommandOptions,
  type PreflightCommandResult,
} from './commands/preflight.js';
export type { Check, CheckStatus } from './executor/preflight/types.js';

// Commands: running a plan.
export {
  applyCommand,
  executeCommand,
  rollbackCommand,
  tenantsCommand,
  type ApplyResult,
  type ExecuteOptions,
  type RollbackResult,
  type TenantRunResult,
} from './commands/apply.js';
export type { DryRunResult, PairPlace } from './commands/dry-run.js';
export type { PhaseRun } from './executor/single.js';
export { HealthCheckFailedError, RefusedError, type ExecutorEvent } from './executor/run.js';
export type { PhaseEvent } from './executor/phase.js';
export { statusCommand, type StatusResult } from './commands/status.js';

// Commands: the blue/green pair, cutover and cutback.
export {
  pairInitCommand,
  pairResyncCommand,
  pairStatusCommand,
  pairTeardownCommand,
  pairWatchCommand,
  type PairCommandOptions,
  type PairInitCommandOptions,
} from './commands/pair.js';
export {
  runSwitch,
  type SwitchCommand,
  type SwitchEvent,
  type SwitchOptions,
  type SwitchReport,
} from './pair/cutover.js';
export type { PairStatus } from './pair/status.js';
export type { PairInitResult, PairResyncResult } from './pair/init.js';
export type { PairTeardownResult } from './pair/teardown.js';
export type { PairWatchOptions, PairWatchResult } from './pair/watch.js';
export type { Side } from './pair/types.js';

// Commands: tenants, and the demo.
export { tenantsAdd, tenantsList, type TenantsAddResult, type TenantsListResult } from './commands/tenants.js';
export { demo, type DemoOptions, type DemoResult } from './commands/demo.js';
export type { DemoEvents } from './commands/demo-events.js';

// Errors: match on `code` (a closed union), or on a class.
export {
  DatabaseError,
  ERROR_CODES,
  formatProblem,
  InvalidModelError,
  InvalidSchemaError,
  SwitchyardError,
  UsageError,
  type ErrorCode,
  type ExitCode,
  type Problem,
} from './errors.js';
export { DriftError } from './executor/drift.js';
export { StepFailedError } from './executor/phase.js';
export { ExecutorBusyError } from './executor/lock.js';
export { PlanChecksumError } from './planner/file.js';
export { PlanRefusedError } from './planner/plan.js';
export { PairError } from './pair/errors.js';
export { NotModeledError, type NotModeled } from './introspect/index.js';

// Model: a database's schema as switchyard sees it, and plans.
export type {
  Check as CheckConstraint,
  Column,
  DatabaseSchema,
  Enum,
  FkAction,
  FkMatch,
  ForeignKey,
  Function,
  Identity,
  Index,
  IndexKey,
  NullsOrder,
  PrimaryKey,
  Schema,
  SchemaObject,
  Sequence,
  SortOrder,
  Table,
  TableRef,
  TenantsConfig,
  Trigger,
  TriggerEnabled,
  TriggerEvent,
  TriggerTiming,
  UniqueConstraint,
} from './schema/model/model.js';
export { fingerprint } from './schema/model/fingerprint.js';
export { HAZARDS, PHASES, type Hazard, type Phase, type Plan, type Release, type Step } from './planner/types.js';
