// create_policy: CREATE POLICY in expand (ACCESS EXCLUSIVE on the table, briefly), then its comment. It waits for
// the tables, columns and functions its expressions read, and for an in-place change of a column it reads
// (PostgreSQL refuses to retype a column a policy reads). A policy on an existing table takes effect at once for
// the running application when row-level security is enabled: what it lets through is the declared intent.
import type { CreatePolicy } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { createPolicy, dropPolicy } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { commentSteps } from '../recipes/comments.js';
import { policyRequirements } from '../recipes/policies.js';
import { lockOn } from '../recipes/tables.js';
import { columnChanged, columnsChangedUnderViews } from '../recipes/views.js';

export const createPolicyHandler: Handler<CreatePolicy> = {
  validate: () => [],
  expand(c, ctx) {
    const p = c.policy;
    const on = `policy ${ident(p.name)} on ${qualified(c.schema, c.table)}`;
    const policy = key.policy(c.schema, c.table, p.name);
    const waits = (p.derived?.reads ?? []).flatMap((r) => {
      const changed = columnsChangedUnderViews(ctx, r.schema, r.relation);
      return r.columns.filter((x) => changed.has(x)).map((x) => columnChanged(r.schema, r.relation, x));
    });
    return [
      draft({
        phase: 'expand',
        action: 'create_policy',
        description: `create ${on} (${p.restrictive ? 'restrictive' : 'permissive'}, for ${p.command})`,
        sql: createPolicy(c.schema, c.table, p),
        rollback: [dropPolicy(c.schema, c.table, p.name)],
        lock: 'ACCESS EXCLUSIVE',
        locks: lockOn(ctx, c.schema, c.table),
        creates: [policy],
        requires: [...policyRequirements(ctx, 'target', c.schema, c.table, p), ...waits],
      }),
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'policy', schema: c.schema, table: c.table, name: p.name },
          what: on,
          requires: [policy],
        },
        p.comment,
      ),
    ];
  },
  backfill: none,
  contract: none,
};
