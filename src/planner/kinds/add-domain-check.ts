// add_domain_check: on an existing domain, ADD CONSTRAINT ... NOT VALID in expand (no scan, no table lock: values
// written from then on are checked), VALIDATE in contract (a scan of every column of the domain, see
// recipes/user-types.ts for its lock). A check the target declares NOT VALID is never validated. The expression
// is user-written SQL: USER_SQL.
import type { AddDomainCheck } from '../../diff/index.js';
import { addDomainCheck, dropDomainCheck } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { milestone } from '../recipes/dependents.js';
import { describeDomainCheck, validateDomainCheckStep } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const addDomainCheckHandler: Handler<AddDomainCheck> = {
  validate: () => [],
  expand(c, ctx) {
    const { schema, domain: d, check: k } = c;
    const constraint = key.constraint(schema, d.name, k.name);
    const replaces = ctx.source.schemas
      .find((s) => s.name === schema)
      ?.domains?.find((x) => x.name === d.name)
      ?.checks.some((x) => x.name === k.name);
    return [
      draft({
        phase: 'expand',
        action: 'add_domain_check_not_valid',
        description: `add ${describeDomainCheck(schema, d.name, k)} NOT VALID`,
        sql: addDomainCheck(schema, d.name, k, true),
        rollback: [dropDomainCheck(schema, d.name, k.name)],
        hazards: ['USER_SQL'],
        creates: [constraint],
        // After the drop of a previous definition of the same name (drop_domain_check runs in expand too).
        requires: [key.type(schema, d.name), ...(replaces ? [milestone.gone(constraint)] : [])],
      }),
    ];
  },
  backfill: none,
  contract: (c, ctx) => (c.check.notValid ? [] : [validateDomainCheckStep(ctx, c.schema, c.domain, c.check)]),
};
