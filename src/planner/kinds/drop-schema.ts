// drop_schema: DROP SCHEMA (never CASCADE) in the contract phase of the next release, after everything in it
// was dropped by its own changes (they require key.schema, so they come first). Nothing in it is left to lose,
// so no DELETES_DATA; the rollback recreates the empty schema and its comment.
import type { DropSchema } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { comment, createSchema, dropSchema } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const dropSchemaHandler: Handler<DropSchema> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c) {
    const recreate = [
      createSchema(c.schema),
      ...(c.comment !== undefined ? [comment({ kind: 'schema', schema: c.schema }, c.comment)] : []),
    ];
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_schema',
        description: `drop schema ${ident(c.schema)} (empty by now: its objects were dropped first)`,
        sql: dropSchema(c.schema),
        rollback: recreate,
        drops: [key.schema(c.schema)],
      }),
    ];
  },
};
