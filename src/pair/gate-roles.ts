// Two checks of the cutover gate about the side that becomes live. The role switchyard connects as must be
// able to do what the switch does on both sides: a managed deploy role (RDS, Cloud SQL, Azure) is no superuser,
// and without pg_read_all_stats the gate's session checks would see only its own sessions and pass. And every
// table on the new side must replicate its updates and deletes, since that side publishes after the switch.
import { pairRoleFacts, switchNeeds, type MissingPrivilege } from '../executor/preflight/pair-privileges.js';
import { replicaIdentityCheck, type ReplicationScope } from '../executor/preflight/replication.js';
import type { PairSession } from './session.js';
import { subscriberConnection } from './subscriber.js';
import type { Side } from './types.js';

export interface GateCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Tables on `to` whose updates and deletes could not replicate once it publishes, with the fix to run there. */
export async function replicaIdentityGate(
  session: PairSession,
  from: Side,
  to: Side,
  scope: ReplicationScope,
): Promise<GateCheck> {
  const identity = await replicaIdentityCheck({ live: session.db(to), standby: session.db(from) }, scope);
  return {
    check: 'replica identity',
    ok: identity.status !== 'fail',
    detail:
      identity.status === 'fail'
        ? `on ${to}, which publishes after the switch: ${identity.detail}; run on ${to}: ${identity.fix}`
        : `on ${to}: ${identity.detail}`,
  };
}

/**
 * The role switchyard connects as may do what the switch does on both sides (a managed deploy role is no
 * superuser): publish and subscribe both ways, see every role's sessions (else the gate's session checks see
 * only its own and pass), end sessions and make application roles read-only when it fences by roles.
 */
export async function rolePrivilegesCheck(
  session: PairSession,
  from: Side,
  to: Side,
  schemas: readonly string[],
  fence: 'router' | 'roles',
): Promise<GateCheck> {
  const user = session.targets.replicationUser;
  const [live, standby] = await pairRoleFacts(
    { live: session.db(from), standby: session.db(to), ...(user ? { replicationUser: user } : {}) },
    schemas,
  );
  const passwords = {
    live: (await subscriberConnection(session.targets[to], user)).password !== 'none',
    standby: (await subscriberConnection(session.targets[from], user)).password !== 'none',
  };
  const missing = switchNeeds(live, standby, { fence, passwords });
  const name = (m: MissingPrivilege) =>
    `${m.side === 'live' ? from : to} (${m.side === 'live' ? live.user : standby.user})`;
  const lines = (ms: readonly MissingPrivilege[]) =>
    ms.map((m) => `${name(m)} has no ${m.privilege} (${m.why}): run on ${m.side === 'live' ? from : to}: ${m.grant}`);
  const required = missing.filter((m) => m.required);
  const optional = missing.filter((m) => !m.required);
  return {
    check: 'role privileges',
    ok: required.length === 0,
    detail: required.length
      ? lines(required).join('; ')
      : `${live.user} on ${from} and ${standby.user} on ${to} may do what the switch does` +
        (optional.length ? `; not needed with a router, but: ${lines(optional).join('; ')}` : ''),
  };
}
