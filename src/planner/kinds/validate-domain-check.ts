// validate_domain_check: a domain check NOT VALID in the source, valid in the target: VALIDATE in contract (see
// recipes/user-types.ts for the scan and its lock); the rollback returns it to NOT VALID.
import type { ValidateDomainCheck } from '../../diff/index.js';
import { none } from '../draft.js';
import { validateDomainCheckStep } from '../recipes/user-types.js';
import type { Handler } from '../types.js';

export const validateDomainCheckHandler: Handler<ValidateDomainCheck> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract: (c, ctx) => [validateDomainCheckStep(ctx, c.schema, c.domain, c.check)],
};
