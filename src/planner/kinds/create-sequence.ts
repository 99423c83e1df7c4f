// create_sequence: additive, in expand. OWNED BY is a second step: it needs the owning column, which may be
// created in the same phase (after the sequence its default reads). Its rollback (OWNED BY NONE) runs before
// the table's own rollback, which would otherwise drop the owned sequence along with the table.
import type { CreateSequence } from '../../diff/index.js';
import { alterSequenceOwnedBy, createSequence, dropSequence } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, StepDraft } from '../types.js';
import { commentSteps } from '../recipes/comments.js';

export const createSequenceHandler: Handler<CreateSequence> = {
  validate: () => [],
  expand(c) {
    const s = c.sequence;
    const name = qualified(c.schema, s.name);
    const steps: StepDraft[] = [
      draft({
        phase: 'expand',
        action: 'create_sequence',
        description: `create sequence ${name}`,
        sql: createSequence(c.schema, s),
        rollback: [dropSequence(c.schema, s.name)],
        creates: [key.sequence(c.schema, s.name)],
        requires: [key.schema(c.schema)],
      }),
    ];
    steps.push(
      ...commentSteps(
        {
          phase: 'expand',
          target: { kind: 'sequence', schema: c.schema, name: s.name },
          what: `sequence ${name}`,
          requires: [key.sequence(c.schema, s.name)],
        },
        s.comment,
      ),
    );
    if (s.ownedBy) {
      const { table, column } = s.ownedBy;
      steps.push(
        draft({
          phase: 'expand',
          action: 'set_sequence_owner',
          description: `make ${qualified(c.schema, table)}.${ident(column)} the owner of sequence ${name}`,
          sql: alterSequenceOwnedBy(c.schema, s.name, s.ownedBy),
          rollback: [alterSequenceOwnedBy(c.schema, s.name, null)],
          requires: [key.sequence(c.schema, s.name), key.table(c.schema, table), key.column(c.schema, table, column)],
        }),
      );
    }
    return steps;
  },
  backfill: none,
  contract: none,
};
