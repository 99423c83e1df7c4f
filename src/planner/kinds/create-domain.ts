// create_domain: a new type is additive, so it is created in expand with its default, NOT NULL and checks (no
// column uses it yet: nothing is scanned); a check the target declares NOT VALID is added NOT VALID after it.
import type { CreateDomain } from '../../diff/index.js';
import { addDomainCheck, dropDomain } from '../../sql/render/index.js';
import { createDomain } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { commentSteps } from '../recipes/comments.js';
import { typeKeys } from '../recipes/tables.js';
import { describeDomain, describeDomainCheck } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const createDomainHandler: Handler<CreateDomain> = {
  validate: () => [],
  expand(c, ctx) {
    const d = c.domain;
    const type = key.type(c.schema, d.name);
    return [
      draft({
        phase: 'expand',
        action: 'create_domain',
        description: `create ${describeDomain(c.schema, d.name)} as ${d.type}`,
        sql: createDomain(c.schema, d),
        rollback: [dropDomain(c.schema, d.name)],
        hazards: d.checks.length > 0 || d.default !== undefined ? ['USER_SQL'] : [],
        creates: [type, ...d.checks.filter((k) => !k.notValid).map((k) => key.constraint(c.schema, d.name, k.name))],
        requires: [key.schema(c.schema), ...typeKeys(ctx, d.type)],
      }),
      ...d.checks
        .filter((k) => k.notValid)
        .map((k) =>
          draft({
            phase: 'expand',
            action: 'add_domain_check_not_valid',
            description: `add ${describeDomainCheck(c.schema, d.name, k)} NOT VALID`,
            sql: addDomainCheck(c.schema, d.name, k, true),
            rollback: [],
            hazards: ['USER_SQL'],
            creates: [key.constraint(c.schema, d.name, k.name)],
            requires: [type],
          }),
        ),
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'type', schema: c.schema, name: d.name },
          what: describeDomain(c.schema, d.name),
          requires: [type],
        },
        d.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
