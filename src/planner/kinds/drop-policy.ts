// drop_policy: a removal, in the contract of the next release, once no application version relies on it; before
// the drop of its table or of what it reads (it requires them). The rollback recreates it with its comment. A
// policy reading a column that a column step retypes or retires is dropped by that step instead.
import type { DropPolicy } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { dropPolicy } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { policyRebuiltByColumnStep, policyRequirements, recreatePolicy } from '../recipes/policies.js';
import { sourceTableName } from '../recipes/tables.js';

export const dropPolicyHandler: Handler<DropPolicy> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const p = c.policy;
    const source = sourceTableName(ctx, c.schema, c.table);
    if (policyRebuiltByColumnStep(ctx, c.schema, source, p.name)) return [];
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_policy',
        description: `drop policy ${ident(p.name)} on ${qualified(c.schema, c.table)}`,
        sql: dropPolicy(c.schema, c.table, p.name),
        rollback: recreatePolicy(c.schema, c.table, p),
        lock: 'ACCESS EXCLUSIVE',
        locks: [[c.schema, c.table]],
        requires: policyRequirements(ctx, 'source', c.schema, source, p).map((k) =>
          k === key.table(c.schema, source) ? key.table(c.schema, c.table) : k,
        ),
        drops: [key.policy(c.schema, c.table, p.name)],
      }),
    ];
  },
};
