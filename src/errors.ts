// Typed errors with stable codes. The CLI maps `exitCode` to the process exit status and prints `message`.

/** 1: the operation ran and found a problem; 2: bad input or usage; 3: the database refused or failed. */
export type ExitCode = 1 | 2 | 3;

// Error codes by area; ErrorCode below is their union, and the constructor of SwitchyardError takes only it.
export const PLAN_ERROR_CODES = [
  'PLAN_REFUSED',
  'PLAN_CHECKSUM',
  'PLAN_SIGNATURE',
  'PLAN_SQL_MISMATCH',
  'DEPENDENCY_CYCLE',
  'PLAN_IN_FLIGHT',
  'UNTRACKED_DEPENDENT',
] as const;
export type PlanErrorCode = (typeof PLAN_ERROR_CODES)[number];

export const EXECUTOR_ERROR_CODES = [
  'LEDGER',
  'EXECUTOR_BUSY',
  'LOCK_IN_TRANSACTION',
  'STEP_FAILED',
  'BACKFILL_RETRIES_EXHAUSTED',
  'BACKFILL_FAILED',
  'DRIFT',
  'DRIFT_UNREADABLE',
  'HEALTH_CHECK_FAILED',
  'HEALTH_ROLLBACK_INCOMPLETE',
  'BAD_REHEARSAL_REPORT',
] as const;
export type ExecutorErrorCode = (typeof EXECUTOR_ERROR_CODES)[number];

/** A phase refused before anything ran (executor/run.ts's RefusedError). */
export const REFUSED_CODES = [
  'REHEARSAL_REQUIRED',
  'HAZARD_REFUSED',
  'OUT_OF_ORDER',
  'CUTOVER_FIRST',
  'NOT_APPLIED',
  'DRIFT',
] as const;
export type RefusedCode = (typeof REFUSED_CODES)[number];

export const REHEARSAL_ERROR_CODES = [
  'DOCKER_UNAVAILABLE',
  'DOCKER_IMAGE_MISSING',
  'DOCKER_START_FAILED',
  'EXTENSION_UNAVAILABLE',
] as const;
export type RehearsalErrorCode = (typeof REHEARSAL_ERROR_CODES)[number];

export const ROUTER_ERROR_CODES = [
  'ROUTER_CONFIG',
  'ROUTER_ENTRY',
  'ROUTER_PAUSE_TIMEOUT',
  'ROUTER_ADMIN',
  'ROUTER_RELOAD',
  'ROUTER_COMMAND',
] as const;
export type RouterErrorCode = (typeof ROUTER_ERROR_CODES)[number];

export const PAIR_ERROR_CODES = [
  'PAIR_PREFLIGHT',
  'PAIR_BUSY',
  'PAIR_NOT_PAIRED',
  'PAIR_MOVED',
  'NOT_PAIRED',
  'NOT_REPLICATION_COMPATIBLE',
  'STANDBY_NOT_EMPTY',
  'STANDBY_HAS_ROWS',
  'TOPOLOGY_CONFLICT',
  'SLOT_IN_USE',
  'SYNC_TIMEOUT',
  'HEARTBEAT_TIMEOUT',
  'MARKER_TIMEOUT',
  'VERIFY_TIMEOUT',
  'FENCE_GUARDIAN',
  'FENCE_TIMEOUT',
  'STREAM_NOT_STOPPED',
  'GATE',
  'SCHEMA_COPY_MISMATCH',
  'STANDBY_NOT_COPYABLE',
  'TENANT_COPY_TIMEOUT',
  'WATCH_LIVE_SIDE',
  'WATCH_NOT_ARMED',
  'WATCH_NO_TABLES',
  'WATCH_WRONG_SIDE',
  ...ROUTER_ERROR_CODES,
] as const;
export type PairErrorCode = (typeof PAIR_ERROR_CODES)[number];

export const TENANT_ERROR_CODES = [
  'TENANT_REGISTRY',
  'TENANT_PLAN',
  'TENANT_BUSY',
  'TENANT_ORPHAN',
  'TENANTS_MID_ROLLOUT',
  'TENANTS_VERSION_UNKNOWN',
  'TENANTS_NO_SOURCE',
  'TENANT_RETARGET_REFUSED',
] as const;
export type TenantErrorCode = (typeof TENANT_ERROR_CODES)[number];

/**
 * Every code a SwitchyardError carries. Codes are part of the API (callers and scripts match on them), so they
 * are a closed list: a new one is added here, next to its neighbours, never made up at the throw site.
 */
export const ERROR_CODES = [
  'USAGE',
  'INVALID_CONFIG',
  'INVALID_SCHEMA',
  'INVALID_MODEL',
  'DATABASE',
  'INTROSPECT_UNEXPECTED',
  'NOT_MODELED',
  ...PLAN_ERROR_CODES,
  ...EXECUTOR_ERROR_CODES,
  ...REFUSED_CODES,
  ...REHEARSAL_ERROR_CODES,
  ...PAIR_ERROR_CODES,
  ...TENANT_ERROR_CODES,
] as const;
/** Every code a SwitchyardError carries (a closed union): match on it rather than on messages. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The base of every error switchyard throws on purpose: a stable `code` and the process `exitCode` the CLI uses. */
export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchyardError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A problem located in an input file. `line` and `column` are 1-based. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path of the offending key, e.g. `schemas.public.tables.users.columns.id.type`. */
  readonly path: string;
  readonly message: string;
  /** What to do about it. */
  readonly fix?: string;
}

/** One problem as the CLI prints it: `file:line:column: message (fix: ...)`. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`;
}

/** Bad input: every problem found, reported at once. */
export class InvalidSchemaError extends SwitchyardError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const head = `${problems.length} problem${problems.length === 1 ? '' : 's'} in the declared schema`;
    super('INVALID_SCHEMA', [`${head}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'), 2);
    this.problems = problems;
  }
}

/** Bad usage or configuration (missing file, unknown option value...). */
export class UsageError extends SwitchyardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, 2, options);
  }
}

/** The database refused or failed. Carries the SQLSTATE when there is one. */
export class DatabaseError extends SwitchyardError {
  readonly sqlstate: string | undefined;
  constructor(message: string, options?: { cause?: unknown; sqlstate?: string }) {
    super('DATABASE', message, 3, options);
    this.sqlstate = options?.sqlstate;
  }
}

/** Wraps anything thrown by pg into a DatabaseError that names what was being done. */
export function databaseError(doing: string, cause: unknown): DatabaseError {
  if (cause instanceof SwitchyardError) return cause as DatabaseError;
  const e = cause as { message?: string; code?: string };
  const msg = serverMessage(cause);
  return new DatabaseError(`${doing}: ${msg}`, { cause, ...(e?.code ? { sqlstate: e.code } : {}) });
}

/**
 * The message of an error, with PostgreSQL's DETAIL and HINT when the server sent them: they name what a
 * refusal is about (`DETAIL: view app.v depends on column name of table customers`), and pg keeps them apart
 * from the message, so without this they would be shown to nobody.
 */
export function serverMessage(e: unknown): string {
  const x = e as { message?: unknown; detail?: unknown; hint?: unknown } | undefined;
  const msg = typeof x?.message === 'string' ? x.message : String(e);
  const extra = (label: string, v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && !msg.includes(v) ? `\n${label}: ${v}` : '';
  return msg + extra('DETAIL', x?.detail) + extra('HINT', x?.hint);
}

/** A model object that cannot become SQL: a bug in whatever produced the model, or a hand-built model. */
export class InvalidModelError extends SwitchyardError {
  /** Which object, e.g. `sequence "app"."order_seq"`. */
  readonly object: string;
  constructor(object: string, problem: string) {
    super('INVALID_MODEL', `cannot render ${object}: ${problem}`, 2);
    this.name = 'InvalidModelError';
    this.object = object;
  }
}
