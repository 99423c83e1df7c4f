// A plan's checksum covers everything in it but the checksum itself. The two snapshots are covered through
// their fingerprints (hashing megabytes of snapshot twice buys nothing): reading a plan checks that each
// snapshot still has the fingerprint the checksum covers.
import { canonicalSha256, fingerprint } from '../schema/model/fingerprint.js';
import type { Plan } from './types.js';

export function planChecksum(plan: Omit<Plan, 'checksum'> | Plan): string {
  const { checksum: _c, source, target, ...rest } = plan as Plan;
  // Fingerprints leave out the tenants settings (they are not structure), yet the registry decides where the plan
  // runs: covered here, only when present, so plans without tenants keep their checksums.
  const tenants = target.snapshot.tenants ?? source.snapshot.tenants;
  return (
    'sha256:' +
    canonicalSha256({
      ...rest,
      source: { fingerprint: source.fingerprint },
      target: { fingerprint: target.fingerprint },
      ...(tenants ? { tenants } : {}),
    })
  );
}

/** The checksum matches and both snapshots still hash to the fingerprints it covers. */
export function verifyChecksum(plan: Plan): boolean {
  return planChecksum(plan) === plan.checksum && snapshotsIntact(plan);
}

export function snapshotsIntact(plan: Plan): boolean {
  return (
    fingerprint(plan.source.snapshot) === plan.source.fingerprint &&
    fingerprint(plan.target.snapshot) === plan.target.fingerprint
  );
}
