// alter_policy: a policy on both sides that differs, in expand (ACCESS EXCLUSIVE on the table, briefly). Roles and
// expressions change in place (ALTER POLICY, which cannot remove an expression); a new command or kind, or a
// removed expression, is a DROP and a CREATE in one transaction, so no session ever sees the table without the
// policy. A comment alone is COMMENT ON POLICY. A policy reading a column that a column step retypes or retires
// is rebuilt by that step in its target shape instead.
import type { AlterPolicy } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import type { Policy } from '../../schema/model/model.js';
import { alterPolicy, comment, createPolicy, dropPolicy, policyAltersInPlace } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';
import { commentSteps } from '../recipes/comments.js';
import { policyRebuiltByColumnStep, policyRequirements, recreatePolicy } from '../recipes/policies.js';
import { doBlock } from '../recipes/shadow-steps.js';
import { lockOn, sourceTableName } from '../recipes/tables.js';

const definition = (p: Policy) =>
  JSON.stringify([p.command, p.restrictive ?? false, p.roles, p.using ?? null, p.withCheck ?? null]);

export const alterPolicyHandler: Handler<AlterPolicy> = {
  validate: () => [],
  expand(c, ctx) {
    const { from, to } = c;
    if (policyRebuiltByColumnStep(ctx, c.schema, sourceTableName(ctx, c.schema, c.table), from.name)) return [];
    const on = `policy ${ident(to.name)} on ${qualified(c.schema, c.table)}`;
    const policy = key.policy(c.schema, c.table, to.name);
    const steps: StepDraft[] = [];
    const changed = definition(from) !== definition(to);
    if (changed) {
      const inPlace = policyAltersInPlace(from, to);
      steps.push(
        draft({
          phase: 'expand',
          action: inPlace ? 'alter_policy' : 'replace_policy',
          description: inPlace
            ? `alter ${on}: roles and expressions`
            : `replace ${on} in one transaction (its command, kind or an expression changes: drop and create)`,
          sql: inPlace
            ? alterPolicy(c.schema, c.table, to)
            : doBlock([dropPolicy(c.schema, c.table, from.name), createPolicy(c.schema, c.table, to)]),
          rollback: inPlace
            ? [
                // ALTER POLICY cannot remove an expression the new definition added: put the old one back whole.
                policyAltersInPlace(to, from)
                  ? alterPolicy(c.schema, c.table, from)
                  : doBlock([dropPolicy(c.schema, c.table, to.name), ...recreatePolicy(c.schema, c.table, from)]),
              ]
            : [doBlock([dropPolicy(c.schema, c.table, to.name), ...recreatePolicy(c.schema, c.table, from)])],
          lock: 'ACCESS EXCLUSIVE',
          locks: lockOn(ctx, c.schema, c.table),
          creates: [policy],
          requires: policyRequirements(ctx, 'target', c.schema, c.table, to).filter((k) => k !== policy),
        }),
      );
    }
    // A replaced policy is created without a comment; one altered in place keeps its own.
    const kept = changed && !policyAltersInPlace(from, to) ? undefined : from.comment;
    if (to.comment === undefined && kept !== undefined) {
      steps.push(
        draft({
          phase: 'expand',
          action: 'comment',
          description: `remove the comment on ${on}`,
          sql: commentSql(c.schema, c.table, to.name, null),
          rollback: [commentSql(c.schema, c.table, to.name, kept)],
          requires: [policy],
        }),
      );
    }
    steps.push(
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'policy', schema: c.schema, table: c.table, name: to.name },
          what: on,
          requires: [policy],
        },
        to.comment,
        kept,
      ),
    );
    return steps;
  },
  backfill: none,
  contract: none,
};

function commentSql(schema: string, table: string, name: string, text: string | null): string {
  return comment({ kind: 'policy', schema, table, name }, text);
}
