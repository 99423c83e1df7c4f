// The cutover gate's `verify` check (`cutover.requireVerify: true`): the schemas of both sides as they are now,
// against the last verify recorded in live's ledger (verify-record.ts). Absent when not required.
import type { SwitchyardConfig } from '../config/config.js';
import { introspect } from '../introspect/index.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import { readApplication, schemaNames, type ScopeConfig } from './scope.js';
import type { PairSession } from './session.js';
import type { Side } from './types.js';
import { requireVerifyCheck } from './verify-record.js';

export async function verifyGate(
  session: PairSession,
  from: Side,
  to: Side,
  generation: number,
  config: ScopeConfig & Partial<Pick<SwitchyardConfig, 'cutover'>>,
): Promise<{ check: string; ok: boolean; detail: string } | undefined> {
  if (!config.cutover?.requireVerify) return undefined;
  const liveModel = await readApplication(session.db(from), config);
  const standbyModel = await introspect(session.db(to), { includeSchemas: schemaNames(liveModel) });
  return requireVerifyCheck(session.db(from), session.db(to), {
    ledgerSchema: config.ledgerSchema,
    live: from,
    standby: to,
    generation,
    fingerprints: { live: fingerprint(liveModel), standby: fingerprint(standbyModel) },
    maxAgeHours: config.cutover.verifyMaxAgeHours,
  });
}
