// create_extension: CREATE EXTENSION in the expand phase, first (after the schema it goes in, before anything
// that may use its types, functions or operator classes: its family comes right after schemas). The rollback
// drops it without CASCADE, after everything of the phase that used it was rolled back. The server must ship it
// (preflight checks pg_available_extensions and names the package), and the role must be a superuser or, for a
// trusted extension, hold CREATE on the database.
import type { CreateExtension } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { createExtensionStatement, dropExtension } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const createExtensionHandler: Handler<CreateExtension> = {
  validate: () => [],
  expand(c) {
    const e = c.extension;
    return [
      draft({
        phase: 'expand',
        action: 'create_extension',
        description: `create extension ${ident(e.name)} in schema ${ident(e.schema)}${e.version !== undefined ? ` at version ${e.version}` : ''}`,
        sql: createExtensionStatement(e.name, e.schema, e.version),
        rollback: [dropExtension(e.name)],
        creates: [key.extension(e.name)],
        requires: [key.schema(e.schema)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
