// set_storage: a table's storage parameters (fillfactor, autovacuum_*, toast.*) in one ALTER TABLE ... SET (...),
// RESET (...) in expand, and its inverse as the rollback. PostgreSQL takes SHARE UPDATE EXCLUSIVE for these (it
// blocks other DDL and VACUUM, not reads or writes) and rewrites nothing: a new fillfactor applies to pages
// written from then on. user_catalog_table is the exception: ACCESS EXCLUSIVE.
import type { SetStorage } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import type { StorageParameter } from '../../schema/model/model.js';
import { alterStorage } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

/**
 * The statement taking `from` to `to`: every parameter there is reset, then `to` is set whole, in its order, so
 * that the catalog holds exactly `to` in that order (pg_dump prints them so: a rollback must restore the order).
 */
function change(schema: string, table: string, from: readonly StorageParameter[], to: readonly StorageParameter[]) {
  return alterStorage(
    schema,
    table,
    from.map((p) => p.name),
    to,
  );
}

export const setStorageHandler: Handler<SetStorage> = {
  validate: () => [],
  expand(c) {
    const exclusive = [...c.from, ...c.to].some((p) => p.name === 'user_catalog_table');
    return [
      draft({
        phase: 'expand',
        action: 'set_storage',
        description: `set storage parameters of ${qualified(c.schema, c.table)}: ${
          c.to.length ? c.to.map((p) => `${p.name}=${p.value}`).join(', ') : 'the defaults'
        } (no rewrite)`,
        sql: change(c.schema, c.table, c.from, c.to),
        rollback: [change(c.schema, c.table, c.to, c.from)],
        lock: exclusive ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE',
        locks: [[c.schema, c.table]],
        requires: [key.table(c.schema, c.table)],
      }),
    ];
  },
  backfill: none,
  contract: none,
};
