// Typed pair errors: a stable code, the objects involved, and the fix in the message.
import { SwitchyardError, type ExitCode, type PairErrorCode, type RouterErrorCode } from '../errors.js';
import type { Check } from '../executor/preflight/types.js';

/** An error of the blue/green pair (codes in PAIR_ERROR_CODES). */
export class PairError extends SwitchyardError {
  constructor(code: PairErrorCode, message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(code, message, exitCode, options);
    this.name = 'PairError';
  }
}

/** A preflight check failed: nothing was changed. */
export class PairPreflightError extends PairError {
  readonly checks: readonly Check[];
  constructor(checks: readonly Check[]) {
    const failed = checks.filter((c) => c.status === 'fail');
    super(
      'PAIR_PREFLIGHT',
      [
        `the pair is not ready for replication (${failed.length} check${failed.length === 1 ? '' : 's'} failed); nothing was changed:`,
        ...failed.map((c) => `  - ${c.title} [${c.id}]: ${c.detail}\n    fix: ${c.fix}`),
      ].join('\n'),
      1,
    );
    this.checks = checks;
  }
}

/** The standby already holds something that is not a copy of live: init refuses to touch it. */
export class StandbyNotEmptyError extends PairError {
  readonly differences: readonly string[];
  constructor(what: string, differences: readonly string[], fix: string) {
    const shown =
      differences
        .slice(0, 30)
        .map((d) => `  - ${d}`)
        .join('\n') + (differences.length > 30 ? `\n  ... and ${differences.length - 30} more` : '');
    super('STANDBY_NOT_EMPTY', `${what}${shown ? `:\n${shown}` : ''}\nfix: ${fix}`, 1);
    this.differences = differences;
  }
}

/** The two databases disagree about the pair (which side is live, the generation, which database is which). */
export class TopologyConflictError extends PairError {
  /** `swapped`: a database says it is the other side; `disagreement`: the sides store different topologies. */
  readonly reason: 'swapped' | 'disagreement';
  constructor(reason: 'swapped' | 'disagreement', message: string) {
    super('TOPOLOGY_CONFLICT', message, 1);
    this.reason = reason;
  }
}

/** The traffic router failed: its configuration (exit 2) or PgBouncer / the command (exit 3). */

export class RouterError extends PairError {
  constructor(code: RouterErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, code === 'ROUTER_CONFIG' || code === 'ROUTER_ENTRY' ? 2 : 3, options);
    this.name = 'RouterError';
  }
}
