// grant_privileges: GRANT in expand, on an existing object or right after the step creating it (the step
// requires the object's key). The rollback revokes exactly what was granted: the privileges, or only the grant
// option when the role held them already. GRANT changes the ACL in the catalog and locks no table.
import type { GrantPrivileges } from '../../diff/index.js';
import { grant, revoke } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { grantRequires, grantTarget, grantWhat, roleText } from '../recipes/grants.js';
import type { Handler } from '../types.js';

export const grantPrivilegesHandler: Handler<GrantPrivileges> = {
  validate: () => [],
  expand(c) {
    const target = grantTarget(c.schema, c.on);
    return [
      draft({
        phase: 'expand',
        action: c.optionOnly ? 'grant_option' : 'grant',
        description: `grant ${c.optionOnly ? 'the grant option for ' : ''}${c.privileges.map((p) => p.privilege).join(', ')} on ${grantWhat(c.schema, c.on)} to ${roleText(c.role)}`,
        sql: grant(target, c.role, c.privileges, c.withGrantOption),
        rollback: [revoke(target, c.role, c.privileges, c.optionOnly === true)],
        requires: grantRequires(c.schema, c.on, c.privileges),
      }),
    ];
  },
  backfill: none,
  contract: none,
};
