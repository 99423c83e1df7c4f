// set_persistence: ALTER TABLE ... SET LOGGED / SET UNLOGGED rewrites the whole table (and its indexes) under
// ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite, and the rollback rewrites it back. An unlogged
// table is not WAL-logged: emptied after a crash, and never carried by logical replication (a pair refuses it).
import type { SetPersistence } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { setPersistence } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';

export const setPersistenceHandler: Handler<SetPersistence> = {
  validate: () => [],
  expand(c) {
    const name = qualified(c.schema, c.table);
    return [
      draft({
        phase: 'expand',
        action: 'set_persistence',
        description: c.unlogged
          ? `make ${name} UNLOGGED: rewrites it under ACCESS EXCLUSIVE; its rows are then lost on a crash and never replicated`
          : `make ${name} LOGGED: rewrites it under ACCESS EXCLUSIVE`,
        sql: setPersistence(c.schema, c.table, c.unlogged),
        rollback: [setPersistence(c.schema, c.table, !c.unlogged)],
        lock: 'ACCESS EXCLUSIVE',
        locks: [[c.schema, c.table]],
        hazards: ['TABLE_REWRITE', ...(c.unlogged ? (['NOT_REPLICATION_SAFE'] as const) : [])],
        alters: [key.table(c.schema, c.table)],
        requires: [key.table(c.schema, c.table)],
        costTable: { schema: c.schema, table: c.table, work: 'rewrite' },
      }),
    ];
  },
  backfill: none,
  contract: none,
};
