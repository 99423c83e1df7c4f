// `switchyard pair verify`: the library function behind the command. It takes the configuration and the flags,
// checks them, and returns the report; the CLI prints it and exits 1 when a table differs.
import type { SwitchyardConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { PairFlags } from '../pair/session.js';
import { pairVerify, type VerifyEvent, type VerifyReport } from '../pair/verify.js';

export interface PairVerifyCommandOptions extends PairFlags {
  /** `--table`: only these tables (schema.table or table). */
  readonly table?: readonly string[];
  /** `--sample P`: percent of each keyed table's chunks compared. */
  readonly sample?: number;
  /** `--chunk-rows N`. */
  readonly chunkRows?: number;
  /** `--max-keys N`: differing keys named per table. */
  readonly maxKeys?: number;
  /** `--timeout S`: seconds to wait for the standby to apply live's position. */
  readonly timeout?: number;
  readonly onEvent?: (e: VerifyEvent) => void;
}

export async function pairVerifyCommand(
  config: SwitchyardConfig,
  o: PairVerifyCommandOptions = {},
): Promise<VerifyReport> {
  if (o.sample !== undefined && !(Number.isFinite(o.sample) && o.sample > 0 && o.sample <= 100))
    throw new UsageError(`--sample ${o.sample} is not a percentage: give a number with 0 < P <= 100 (e.g. --sample 5)`);
  if (o.timeout !== undefined && !(Number.isFinite(o.timeout) && o.timeout > 0))
    throw new UsageError(`--timeout ${o.timeout} is not a number of seconds above 0`);
  return pairVerify(config, {
    ...(o.blue ? { blue: o.blue } : {}),
    ...(o.green ? { green: o.green } : {}),
    ...(o.table?.length ? { tables: o.table } : {}),
    ...(o.sample !== undefined ? { sample: o.sample } : {}),
    ...(o.chunkRows !== undefined ? { chunkRows: o.chunkRows } : {}),
    ...(o.maxKeys !== undefined ? { maxKeys: o.maxKeys } : {}),
    ...(o.timeout !== undefined ? { waitTimeoutMs: o.timeout * 1000 } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
}
