// revoke_default_privileges: ALTER DEFAULT PRIVILEGES ... REVOKE in contract; the rollback grants back exactly
// what was revoked (with the grant option when it was held). Objects created before keep their grants.
import type { RevokeDefaultPrivileges } from '../../diff/index.js';
import { grantDefault, revokeDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { defaultRequires, roleText } from '../recipes/grants.js';
import type { Handler } from '../types.js';
import { ident } from '../../db/quote.js';

export const revokeDefaultPrivilegesHandler: Handler<RevokeDefaultPrivileges> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    return [
      draft({
        phase: 'contract',
        action: c.optionOnly ? 'revoke_default_option' : 'revoke_default',
        description: `revoke ${c.optionOnly ? 'the grant option for ' : ''}${c.privileges.join(', ')} on ${c.scope.on} created by ${ident(c.scope.forRole)}${c.scope.schema !== undefined ? ` in schema ${ident(c.scope.schema)}` : ''} from ${roleText(c.role)}`,
        sql: revokeDefault(c.scope, c.role, c.privileges, c.optionOnly === true),
        rollback: [grantDefault(c.scope, c.role, c.privileges, c.withGrantOption)],
        requires: defaultRequires(c.scope),
      }),
    ];
  },
};
