// drop_sequence: a removal, in the contract of the next release, after whatever still reads it (defaults with
// nextval() require it). When the owning column is dropped by this plan too, its own drop releases the
// sequence first (OWNED BY NONE, see recipes/owned-sequences.ts) and that step's rollback restores the
// ownership; otherwise this rollback does, and requires the owner so that it runs while the owner exists.
// The sequence's current value is lost: the rollback recreates it at its START value, and nothing in the model
// records where it was (a rollback would need setval to the last value, read at apply time). The locks are on
// the sequence, which is no table: `locks` stays empty.
import type { DropSequence } from '../../diff/index.js';
import { alterSequenceOwnedBy, createSequence, dropSequence } from '../../sql/render/index.js';
import { qualified } from '../../db/quote.js';
import { restoreComment } from '../recipes/comments.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { findTable } from '../recipes/objects.js';

export const dropSequenceHandler: Handler<DropSequence> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const s = c.sequence;
    const owner = s.ownedBy;
    const kept =
      owner !== undefined &&
      findTable(ctx.target, c.schema, owner.table)?.columns.some((x) => x.name === owner.column) === true;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_sequence',
        description: `drop sequence ${qualified(c.schema, s.name)} (its current value is lost: the rollback recreates it at its START value)`,
        sql: dropSequence(c.schema, s.name),
        rollback: [
          createSequence(c.schema, s),
          ...(kept ? [alterSequenceOwnedBy(c.schema, s.name, owner)] : []),
          ...restoreComment({ kind: 'sequence', schema: c.schema, name: s.name }, s.comment),
        ],
        lock: 'ACCESS EXCLUSIVE',
        hazards: ['DELETES_DATA'],
        requires: [
          key.schema(c.schema),
          ...(kept ? [key.table(c.schema, owner.table), key.column(c.schema, owner.table, owner.column)] : []),
        ],
        drops: [key.sequence(c.schema, s.name)],
      }),
    ];
  },
};
