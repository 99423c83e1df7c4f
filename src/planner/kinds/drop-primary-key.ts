// drop_primary_key: like drop_unique, with PRIMARY KEY USING INDEX in the rollback. The columns stay NOT NULL
// (PostgreSQL leaves attnotnull set); a target that makes them nullable has a drop_not_null change, which must
// come after this step (it can require this step's `gone` milestone of the constraint key).
// NOT_REPLICATION_SAFE: a published table's default replica identity is its primary key; without one (and no
// REPLICA IDENTITY set), UPDATE and DELETE on the table fail on the publisher. A key the target redefines
// under the same name is dropped by add_primary_key's swap (recipes/pk-replace.ts): nothing here.
import type { DropPrimaryKey } from '../../diff/index.js';
import { ident } from '../../db/quote.js';
import { addPrimaryKey as renderAddPrimaryKey } from '../../sql/render/index.js';
import { none } from '../draft.js';
import type { Handler } from '../types.js';
import { keyDrop, keyDropProblems, type DroppedKey } from '../recipes/key-drop.js';
import { primaryKeyReplacing } from '../recipes/pk-replace.js';

function spec(c: DropPrimaryKey): DroppedKey {
  const pk = c.primaryKey;
  return {
    schema: c.schema,
    table: c.table,
    name: pk.name,
    columns: pk.columns,
    what: `primary key ${ident(pk.name)}`,
    ...(pk.comment !== undefined ? { comment: pk.comment } : {}),
    usingIndex: renderAddPrimaryKey(c.schema, c.table, pk, { usingIndex: pk.name }),
    hazards: ['NOT_REPLICATION_SAFE'],
  };
}

export const dropPrimaryKeyHandler: Handler<DropPrimaryKey> = {
  validate: (c, ctx) => keyDropProblems(c, ctx, spec(c)),
  expand: none,
  backfill: none,
  contract: (c, ctx) => (primaryKeyReplacing(ctx, c.schema, c.table, c.primaryKey.name) ? [] : keyDrop(ctx, spec(c))),
};
