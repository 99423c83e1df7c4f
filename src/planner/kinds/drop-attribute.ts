// drop_attribute: ALTER TYPE ... DROP ATTRIBUTE deletes that part of every stored value, so it waits for the
// contract of the next release (the previous version may still read it): DELETES_DATA. The rollback adds the
// attribute back, at the end and empty: its values are gone, which the hazard says.
import type { DropAttribute } from '../../diff/index.js';
import { addAttribute, dropAttribute } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropAttributeHandler: Handler<DropAttribute> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const a = c.attribute;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_attribute',
        description: `drop attribute ${ident(a.name)} of ${qualified(c.schema, c.type.name)}`,
        sql: dropAttribute(c.schema, c.type.name, a.name),
        rollback: [addAttribute(c.schema, c.type.name, a)],
        hazards: ['DELETES_DATA', 'BREAKS_OLD_APP'],
        requires: [key.type(c.schema, c.type.name)],
      }),
    ];
  },
};
