// revoke_privileges: REVOKE in contract, once the application that used the privileges is gone. The rollback
// grants back exactly what was revoked, with the grant option when the role held it. A revoke on an object the
// plan drops runs in the drop's release, just before the drop (it requires the object's key), so the drop's
// rollback recreates the object and this one's gives its grants back.
import type { RevokePrivileges } from '../../diff/index.js';
import { grant, revoke } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { grantRequires, grantTarget, grantWhat, roleText } from '../recipes/grants.js';
import type { Handler } from '../types.js';

export const revokePrivilegesHandler: Handler<RevokePrivileges> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const target = grantTarget(c.schema, c.on);
    return [
      draft({
        phase: 'contract',
        releaseOffset: c.withDrop ? 1 : 0,
        action: c.optionOnly ? 'revoke_grant_option' : 'revoke',
        description: `revoke ${c.optionOnly ? 'the grant option for ' : ''}${c.privileges.map((p) => p.privilege).join(', ')} on ${grantWhat(c.schema, c.on)} from ${roleText(c.role)}`,
        sql: revoke(target, c.role, c.privileges, c.optionOnly === true),
        rollback: [grant(target, c.role, c.privileges, c.withGrantOption)],
        requires: grantRequires(c.schema, c.on, c.privileges),
      }),
    ];
  },
};
