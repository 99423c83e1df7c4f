// A plan's checksum covers everything in it but the checksum itself, in canonical JSON.
import { canonicalJson, sha256 } from '../schema/fingerprint.js';
import type { Plan } from './types.js';

export function planChecksum(plan: Omit<Plan, 'checksum'> | Plan): string {
  const { checksum: _c, ...rest } = plan as Plan;
  return 'sha256:' + sha256(canonicalJson(rest));
}

export function verifyChecksum(plan: Plan): boolean {
  return planChecksum(plan) === plan.checksum;
}
