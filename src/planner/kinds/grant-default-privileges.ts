// grant_default_privileges: ALTER DEFAULT PRIVILEGES ... GRANT in expand (pg_default_acl only: no object and no
// lock is touched); the rollback revokes exactly that. The deploy role must be the role named by FOR ROLE or a
// member of it.
import type { GrantDefaultPrivileges } from '../../diff/index.js';
import { grantDefault, revokeDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { defaultRequires, roleText } from '../recipes/grants.js';
import type { Handler } from '../types.js';
import { ident } from '../../db/quote.js';

export const grantDefaultPrivilegesHandler: Handler<GrantDefaultPrivileges> = {
  validate: () => [],
  expand(c) {
    return [
      draft({
        phase: 'expand',
        action: c.optionOnly ? 'grant_default_option' : 'grant_default',
        description: `grant ${c.optionOnly ? 'the grant option for ' : ''}${c.privileges.join(', ')} on ${c.scope.on} created by ${ident(c.scope.forRole)}${c.scope.schema !== undefined ? ` in schema ${ident(c.scope.schema)}` : ''} to ${roleText(c.role)}`,
        sql: grantDefault(c.scope, c.role, c.privileges, c.withGrantOption),
        rollback: [revokeDefault(c.scope, c.role, c.privileges, c.optionOnly === true)],
        requires: defaultRequires(c.scope),
      }),
    ];
  },
  backfill: none,
  contract: none,
};
