// The one phase runner: a single database, a side of the pair and N tenants all run a phase through here, so the
// checks DESIGN.md asks for ("Executing a phase") are made once and cannot drift apart between paths again.
// In this order: the caller's guards (SQL and signature as reviewed, rehearsal, hazards...), the first refusal
// winning; the placement (`open` connects where the phase runs); the executor lock; the units' own checks (phase
// order, drift) under it; the phase on the units; then the health check after every phase, and with
// `onFailure: rollback` the phase undone on exactly the units that ran it.
// It imports neither tenants/ nor pair/ nor commands/: what runs (units) and where (open) are inputs.
import type { Client } from '../db/connect.js';
import { type RefusedCode, SwitchyardError } from '../errors.js';
import type { Phase } from '../planner/types.js';
import type { DriftCheck } from './drift.js';
import type { FanoutProgress } from './fanout.js';
import { runHealthCheck, type HealthCheckConfig, type HealthResult } from './health.js';
import { withAdvisoryLock, type ExecutorLockKey } from './lock.js';
import type { PhaseEvent } from './phase.js';

export interface PhaseRef {
  readonly release: number;
  readonly phase: Phase;
}

/** Everything an executor command reports while it works: the phase runner's events and its own. */
export type ExecutorEvent =
  | PhaseEvent
  | {
      readonly kind: 'phase';
      readonly release: number;
      readonly phase: Phase;
      readonly state: 'start' | 'done' | 'rolled_back';
      readonly ms?: number;
    }
  | { readonly kind: 'drift'; readonly check: DriftCheck }
  | { readonly kind: 'health'; readonly result: HealthResult }
  | { readonly kind: 'notice'; readonly message: string }
  | ({ readonly kind: 'tenants' } & FanoutProgress);

/** A phase was refused before anything ran. */
export class RefusedError extends SwitchyardError {
  constructor(code: RefusedCode, message: string) {
    super(code, message, 1);
  }
}

/** The health check failed after a phase; the phase was rolled back or stays applied (healthCheck.onFailure). */
export class HealthCheckFailedError extends SwitchyardError {
  readonly result: HealthResult;
  constructor(what: string, r: HealthResult, rolledBack: boolean, rollbackCommand: string) {
    super(
      'HEALTH_CHECK_FAILED',
      `the health check failed after ${what}: ${r.check}: ${r.detail}` +
        (rolledBack
          ? `\nthe phase was rolled back (healthCheck.onFailure: rollback)`
          : `\nthe phase stays applied (healthCheck.onFailure: stop); to undo it: ${rollbackCommand}`),
      1,
    );
    this.result = r;
  }
}

/** A check made before connecting: the reason to refuse, or undefined. */
export type Guard = () => SwitchyardError | undefined | Promise<SwitchyardError | undefined>;

export interface HealthPolicy extends HealthCheckConfig {
  readonly onFailure: 'stop' | 'rollback';
}

/** The session that holds the executor lock where the phase runs. */
export interface Executor {
  readonly client: Client;
  readonly key: ExecutorLockKey;
  readonly ledger: string;
  readonly emit: (e: ExecutorEvent) => void;
  /** Every check passed: the units call this once, just before they change anything. */
  readonly ready: () => Promise<void>;
  /**
   * A phase ran forward on some units: the health check judges it. `undo` rolls it back on exactly those units
   * (called only with `onFailure: rollback`); `what` names the phase and the units for the message.
   */
  readonly ran: (p: PhaseRef, what: string, undo: () => Promise<void>) => Promise<HealthResult | undefined>;
}

/** What a phase runs on: one database (one unit), or tenants (N units through the fan-out). */
export interface PhaseUnits<R> {
  /** Under the executor lock: the units' checks, `ready()`, then the phase, `ran()` after each phase applied. */
  run(ex: Executor): Promise<R>;
}

export interface PhaseSpec<R> {
  /** Names the run in the lock holder's application_name (`apply tiers r1 expand`). */
  readonly what: string;
  readonly guards: readonly Guard[];
  /** Decides where the phase runs (the pair's placement, or the one database) and connects there. */
  readonly open: () => Promise<{ client: Client; key: ExecutorLockKey }>;
  /** Under the lock, before anything is read: the database is still the one `open` chose (pair roles). */
  readonly confirm?: (client: Client) => Promise<void>;
  /** Once every check passed, before the first change (a pair's contract closes the stream here). */
  readonly beforeChange?: () => Promise<void>;
  readonly ledger: string;
  /** Tenant runs share the executor lock (shard jobs run together); each tenant has its own unit lock. */
  readonly sharedLock?: boolean;
  readonly health?: HealthPolicy | undefined;
  /** The command that undoes a phase, for the message when the health check fails and the phase stays. */
  readonly rollbackCommand: (p: PhaseRef) => string;
  readonly units: PhaseUnits<R>;
  readonly onEvent?: ((e: ExecutorEvent) => void) | undefined;
}

/** The first refusal of the guards, in their order, thrown. */
export async function refuseFirst(guards: readonly Guard[]): Promise<void> {
  for (const g of guards) {
    const refusal = await g();
    if (refusal) throw refusal;
  }
}

export async function runPhase<R>(spec: PhaseSpec<R>): Promise<R> {
  await refuseFirst(spec.guards);
  const emit = spec.onEvent ?? (() => undefined);
  const { client, key } = await spec.open();
  let readied = false;
  const ex: Executor = {
    client,
    key,
    ledger: spec.ledger,
    emit,
    ready: async () => {
      if (readied) return;
      readied = true;
      await spec.beforeChange?.();
    },
    ran: (p, what, undo) => judge(spec, emit, p, what, undo),
  };
  try {
    return await withAdvisoryLock(
      client,
      key,
      spec.what,
      async () => {
        await spec.confirm?.(client);
        return spec.units.run(ex);
      },
      spec.sharedLock ? { shared: true } : {},
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The health check after a phase: DESIGN.md requires it after every phase, whatever the units were. */
async function judge<R>(
  spec: PhaseSpec<R>,
  emit: (e: ExecutorEvent) => void,
  p: PhaseRef,
  what: string,
  undo: () => Promise<void>,
): Promise<HealthResult | undefined> {
  if (!spec.health) return undefined;
  const health = await runHealthCheck(spec.health);
  emit({ kind: 'health', result: health });
  if (health.ok) return health;
  const rollback = spec.health.onFailure === 'rollback';
  if (rollback) {
    await undo();
    emit({ kind: 'phase', release: p.release, phase: p.phase, state: 'rolled_back' });
  }
  throw new HealthCheckFailedError(what, health, rollback, spec.rollbackCommand(p));
}
