// set_domain_default: ALTER DOMAIN ... SET / DROP DEFAULT in expand. Only rows inserted without a value for a
// column of the domain (and without a column default) see it; no table is scanned or locked. The rollback
// puts the previous default back.
import type { SetDomainDefault } from '../../diff/index.js';
import { setDomainDefault } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { describeDomain } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const setDomainDefaultHandler: Handler<SetDomainDefault> = {
  validate: () => [],
  expand(c) {
    const what = describeDomain(c.schema, c.domain.name);
    return [
      draft({
        phase: 'expand',
        action: c.to === undefined ? 'drop_domain_default' : 'set_domain_default',
        description: c.to === undefined ? `drop default of ${what}` : `set default of ${what} to ${c.to}`,
        sql: setDomainDefault(c.schema, c.domain.name, c.to),
        rollback: [setDomainDefault(c.schema, c.domain.name, c.from)],
        hazards: c.to === undefined ? [] : ['USER_SQL'],
        requires: [key.type(c.schema, c.domain.name)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
