// drop_domain_check: relaxing a domain breaks no writer, and a redefinition of the same name is added right
// after it, so it runs in expand. The rollback re-adds it NOT VALID (no scan), then VALIDATE if it was valid.
import type { DropDomainCheck } from '../../diff/index.js';
import { addDomainCheck, dropDomainCheck, validateDomainCheck } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import { dropping } from '../recipes/dependents.js';
import { describeDomainCheck } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const dropDomainCheckHandler: Handler<DropDomainCheck> = {
  validate: () => [],
  expand(c) {
    const { schema, domain: d, check: k } = c;
    return [
      dropping(
        draft({
          phase: 'expand',
          action: 'drop_domain_check',
          description: `drop ${describeDomainCheck(schema, d.name, k)}`,
          sql: dropDomainCheck(schema, d.name, k.name),
          rollback: [
            addDomainCheck(schema, d.name, k, true),
            ...(k.notValid ? [] : [validateDomainCheck(schema, d.name, k.name)]),
          ],
          requires: [key.type(schema, d.name)],
          drops: [key.constraint(schema, d.name, k.name)],
        }),
      ),
    ];
  },
  backfill: none,
  contract: none,
};
