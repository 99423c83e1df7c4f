// drop_domain: a removal, so it waits for the contract of the next release. Columns of the domain are dropped
// or converted by their own changes first (they require the type); the rollback recreates the domain whole.
import type { DropDomain } from '../../diff/index.js';
import { dropDomain } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { typeKeys } from '../recipes/tables.js';
import { describeDomain, recreateDomain } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const dropDomainHandler: Handler<DropDomain> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const d = c.domain;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_domain',
        description: `drop ${describeDomain(c.schema, d.name)}`,
        sql: dropDomain(c.schema, d.name),
        rollback: recreateDomain(c.schema, d),
        requires: [key.schema(c.schema), ...typeKeys({ ...ctx, target: ctx.source }, d.type)],
        drops: [key.type(c.schema, d.name), ...d.checks.map((k) => key.constraint(c.schema, d.name, k.name))],
      }),
    ];
  },
};
