// drop_foreign_key: DROP CONSTRAINT in the contract phase of the next release. It takes ACCESS EXCLUSIVE on
// BOTH tables (the referenced table loses its triggers too), so both are locked. The step requires the tables,
// the columns and every source key the foreign key could be using, so it runs before any of them is dropped
// (the order the postmortem's rollback got wrong). The rollback re-adds it NOT VALID (brief lock, no scan),
// then VALIDATE (no write block) if it was valid in the source.
import type { DropForeignKey } from '../../diff/index.js';
import { dropConstraint } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { describeForeignKey, foreignKeyRequires } from '../recipes/foreign-keys.js';
import { locked } from '../recipes/constraints.js';
import { dropping, readdForeignKey } from '../recipes/dependents.js';

export const dropForeignKeyHandler: Handler<DropForeignKey> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, table, foreignKey: fk } = c;
    return [
      dropping(
        draft({
          phase: 'contract',
          releaseOffset: 1,
          action: 'drop_foreign_key',
          description: `drop ${describeForeignKey(schema, table, fk)}`,
          sql: dropConstraint(schema, table, fk.name),
          rollback: readdForeignKey(schema, table, fk, fk.notValid !== true),
          lock: 'ACCESS EXCLUSIVE',
          locks: locked(ctx, 'contract', [schema, table], [fk.references.schema, fk.references.table]),
          drops: [key.constraint(schema, table, fk.name)],
          requires: foreignKeyRequires(ctx.source, schema, table, fk, true),
        }),
      ),
    ];
  },
};
