// rename_attribute: ALTER TYPE ... RENAME ATTRIBUTE changes only the catalog; the previous version reading the
// old name breaks, as with a column rename, so it is a contract step of this release with BREAKS_OLD_APP. The
// rollback renames it back.
import type { RenameAttribute } from '../../diff/index.js';
import { renameAttribute } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const renameAttributeHandler: Handler<RenameAttribute> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    return [
      draft({
        phase: 'contract',
        action: 'rename_attribute',
        description: `rename attribute ${qualified(c.schema, c.type.name)}.${ident(c.from)} to ${ident(c.to)}`,
        sql: renameAttribute(c.schema, c.type.name, c.from, c.to),
        rollback: [renameAttribute(c.schema, c.type.name, c.to, c.from)],
        hazards: ['BREAKS_OLD_APP'],
        requires: [key.type(c.schema, c.type.name)],
      }),
    ];
  },
};
