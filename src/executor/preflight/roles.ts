// The roles the plan's target grants to, or names in ALTER DEFAULT PRIVILEGES FOR ROLE, must exist on the
// database's cluster: a plan cannot create them, and the step that grants to a missing one would stop mid-phase.
import { missingRoles } from '../../introspect/index.js';
import { grantRoles } from '../../schema/model/grants.js';
import { fail, guarded, listed, pass, plural, type Check, type CheckContext } from './types.js';

export async function rolesCheck(ctx: CheckContext): Promise<Check> {
  const id = 'roles',
    title = 'the roles the schema grants to exist';
  return guarded(id, title, async () => {
    const roles = [...grantRoles(ctx.plan.target.snapshot).keys()];
    if (roles.length === 0) return pass(id, title, 'the schema grants to no role');
    const missing = await missingRoles(ctx.db, roles);
    if (missing.length === 0) return pass(id, title, `${plural(roles.length, 'role')}, all present`);
    return fail(
      id,
      title,
      `${plural(missing.length, 'role')} missing on this server: ${listed(
        missing.map((r) => `"${r}"`),
        10,
      )}`,
      `create ${missing.length === 1 ? 'it' : 'them'} first (roles belong to the cluster: CREATE ROLE ... NOLOGIN for a group role), or fix the declared grants`,
    );
  });
}
