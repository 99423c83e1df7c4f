// drop_extension: DROP EXTENSION (never CASCADE) in the contract phase of the next release, last: its family
// comes after every other, so the columns, indexes and functions that used its objects were dropped by their
// own changes first, and a schema it lives in is dropped after it (it requires the schema). Whatever else still
// uses it makes the drop fail, naming that object. The rollback creates it again at the version it had.
import type { DropExtension } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { createExtensionStatement, dropExtension } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropExtensionHandler: Handler<DropExtension> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const e = c.extension;
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_extension',
        description: `drop extension ${ident(e.name)} (what used its objects was dropped first)`,
        sql: dropExtension(e.name),
        rollback: [createExtensionStatement(e.name, e.schema, e.version === '' ? undefined : e.version)],
        requires: [key.schema(e.schema)],
        drops: [key.extension(e.name)],
      }),
    ];
  },
};
