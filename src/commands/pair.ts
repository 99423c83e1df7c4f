// `switchyard pair init | status | resync | teardown`: the library functions behind the commands. They take
// the configuration and the flags, and return data; the CLI prints it and sets the exit code.
import type { SwitchyardConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import { pairInit, pairResync, type PairInitResult, type PairResyncResult } from '../pair/init.js';
import type { PairFlags } from '../pair/session.js';
import { pairStatus, type PairStatus } from '../pair/status.js';
import { pairTeardown, type PairTeardownResult } from '../pair/teardown.js';
import { SIDES, type PairEvent, type Side } from '../pair/types.js';
import { pairWatch, type PairWatchOptions, type PairWatchResult } from '../pair/watch.js';

/** Options common to the `pair` commands: the blue and green URLs when switchyard.yaml does not give them, and progress. */
export interface PairCommandOptions extends PairFlags {
  readonly onEvent?: (e: PairEvent) => void;
}

/** Options of `pairInitCommand`: which side is live, and the common pair options. */
export interface PairInitCommandOptions extends PairCommandOptions {
  /** `blue` or `green`: the live side of a pair never set up. */
  readonly live?: string;
  /** Seconds to wait for the initial copy (0 or absent: as long as it takes). */
  readonly timeout?: number;
}

function timeoutMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UsageError(`--timeout ${seconds} is not a number of seconds (0 waits as long as it takes)`);
  return seconds * 1000;
}

function liveSide(value: string | undefined): Side | undefined {
  if (value === undefined) return undefined;
  if (!(SIDES as readonly string[]).includes(value))
    throw new UsageError(`--live ${value} is not a side: use blue or green`);
  return value as Side;
}

/** `switchyard pair init`: sets up logical replication from the live side to the standby. */
export async function pairInitCommand(
  config: SwitchyardConfig,
  o: PairInitCommandOptions = {},
): Promise<PairInitResult> {
  const live = liveSide(o.live);
  const ms = timeoutMs(o.timeout);
  return pairInit(config, {
    ...flags(o),
    ...(live ? { live } : {}),
    ...(ms ? { timeoutMs: ms } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
}

/** `switchyard pair status`: the topology, the replication streams, their lag and sequence drift. */
export async function pairStatusCommand(config: SwitchyardConfig, o: PairFlags = {}): Promise<PairStatus> {
  return pairStatus(config, flags(o));
}

/** `switchyard pair resync`: rebuilds the standby from the live side and pairs them again. */
export async function pairResyncCommand(
  config: SwitchyardConfig,
  o: Omit<PairInitCommandOptions, 'live'> = {},
): Promise<PairResyncResult> {
  const ms = timeoutMs(o.timeout);
  return pairResync(config, {
    ...flags(o),
    ...(ms ? { timeoutMs: ms } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
}

/** `switchyard pair teardown`: removes the subscriptions, publications and slots of the pair. */
export async function pairTeardownCommand(config: SwitchyardConfig, o: PairFlags = {}): Promise<PairTeardownResult> {
  return pairTeardown(config, flags(o));
}

/** `once`: what is pending in the watch slot, not consumed; otherwise streams until `signal` aborts. */
export async function pairWatchCommand(config: SwitchyardConfig, o: PairWatchOptions = {}): Promise<PairWatchResult> {
  return pairWatch(config, { ...o, ...flags(o) });
}

function flags(o: PairFlags): PairFlags {
  return {
    ...(o.blue ? { blue: o.blue } : {}),
    ...(o.green ? { green: o.green } : {}),
    ...(o.replicationUser ? { replicationUser: o.replicationUser } : {}),
  };
}
