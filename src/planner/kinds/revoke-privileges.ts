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
    const requires = grantRequires(c.schema, c.on, c.privileges);
    // Orders the column privileges granted again after the REVOKE that took them.
    const revoked = `revoked:${c.role}\u001f${requires[0]}`;
    return [
      draft({
        phase: 'contract',
        releaseOffset: c.withDrop ? 1 : 0,
        action: c.optionOnly ? 'revoke_grant_option' : 'revoke',
        description: `revoke ${c.optionOnly ? 'the grant option for ' : ''}${c.privileges.map((p) => p.privilege).join(', ')} on ${grantWhat(c.schema, c.on)} from ${roleText(c.role)}`,
        sql: revoke(target, c.role, c.privileges, c.optionOnly === true),
        rollback: [grant(target, c.role, c.privileges, c.withGrantOption)],
        requires,
        ...(c.keepColumns?.length ? { creates: [revoked] } : {}),
      }),
      // The column privileges the REVOKE took along and the target keeps: granted again. Its rollback is empty:
      // before the REVOKE the role held them, and rolling the REVOKE back does not take them away.
      ...(c.keepColumns?.length
        ? [
            draft({
              phase: 'contract',
              action: 'regrant_columns',
              description: `grant again the column privileges on ${grantWhat(c.schema, c.on)} that ${roleText(c.role)} keeps`,
              sql: grant(target, c.role, c.keepColumns, c.keepColumnsGrantable === true),
              rollback: [],
              requires: [...grantRequires(c.schema, c.on, [...c.privileges, ...c.keepColumns]), revoked],
            }),
          ]
        : []),
    ];
  },
};
