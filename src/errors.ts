// Typed errors with stable codes. The CLI maps `exitCode` to the process exit status and prints `message`.

/** 1: the operation ran and found a problem; 2: bad input or usage; 3: the database refused or failed. */
export type ExitCode = 1 | 2 | 3;

export class SwitchyardError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
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

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`;
}

/** Bad input: every problem found, reported at once. */
export class InvalidSchemaError extends SwitchyardError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const head = `${problems.length} problem${problems.length === 1 ? '' : 's'} in the declared schema`;
    super('INVALID_SCHEMA', [head + ':', ...problems.map((p) => '  ' + formatProblem(p))].join('\n'), 2);
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
  const msg = e?.message ?? String(cause);
  return new DatabaseError(`${doing}: ${msg}`, { cause, ...(e?.code ? { sqlstate: e.code } : {}) });
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
