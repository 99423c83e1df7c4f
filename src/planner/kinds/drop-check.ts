// drop_check: DROP CONSTRAINT in the contract phase of the next release (the previous version may rely on it
// to reject bad rows). It requires the columns its expression mentions, so it runs before a DROP COLUMN that
// would take it along silently. The rollback re-adds it NOT VALID (brief lock, no scan), then VALIDATE if it
// was valid in the source.
import type { DropCheck } from '../../diff/index.js';
import { addCheck as renderAddCheck, dropConstraint, validateConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { checkRequires, describeCheck } from '../recipes/checks.js';
import { restoreComment } from '../recipes/comments.js';
import { dropping } from '../recipes/dependents.js';

export const dropCheckHandler: Handler<DropCheck> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, table, check: ck } = c;
    return [
      dropping(
        draft({
          phase: 'contract',
          releaseOffset: 1,
          action: 'drop_check',
          description: `drop ${describeCheck(schema, table, ck)}`,
          sql: dropConstraint(schema, table, ck.name),
          rollback: [
            renderAddCheck(schema, table, ck, { notValid: true }),
            ...(ck.notValid ? [] : [validateConstraint(schema, table, ck.name)]),
            ...restoreComment({ kind: 'constraint', schema, table, name: ck.name }, ck.comment),
          ],
          lock: 'ACCESS EXCLUSIVE',
          locks: [[schema, table]],
          drops: [key.constraint(schema, table, ck.name)],
          requires: checkRequires(ctx, 'source', schema, table, ck),
        }),
      ),
    ];
  },
};
