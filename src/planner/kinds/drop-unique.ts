// drop_unique: DROP CONSTRAINT (which drops its index) in the contract phase of the next release, after a
// release of bake time; foreign keys of the target that may still use the key are taken off and put back on a
// remaining key around it (recipes/dependents.ts). The rollback rebuilds the index CONCURRENTLY and turns it back into
// the constraint (USING INDEX, with its deferral), so nothing holds ACCESS EXCLUSIVE during a build. Rollback
// lists may hold non-transactional statements: the executor runs rollback statements one by one.
import type { DropUnique } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { addUnique as renderAddUnique } from '../../sql/render/index.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';
import { type DroppedKey, keyDrop, keyDropProblems } from '../recipes/key-drop.js';

function spec(c: DropUnique): DroppedKey {
  const u = c.unique;
  return {
    schema: c.schema,
    table: c.table,
    name: u.name,
    columns: u.columns,
    ...(u.nullsNotDistinct ? { nullsNotDistinct: true as const } : {}),
    what: `unique constraint ${ident(u.name)}`,
    ...(u.comment !== undefined ? { comment: u.comment } : {}),
    usingIndex: renderAddUnique(c.schema, c.table, u, { usingIndex: u.name }),
    hazards: [],
  };
}

export const dropUniqueHandler: Handler<DropUnique> = {
  validate: (c, ctx) => keyDropProblems(c, ctx, spec(c)),
  expand: none,
  backfill: none,
  contract: (c, ctx) => keyDrop(ctx, spec(c)),
};
