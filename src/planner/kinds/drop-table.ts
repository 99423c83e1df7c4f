// drop_table: DROP TABLE (never CASCADE) in the contract phase of the next release, once no application version
// uses the table; its indexes, foreign keys (those referencing it included) and triggers are changes of their
// own and are dropped first. A sequence owned by one of its columns (serial) would vanish with the table and
// leave drop_sequence nothing to drop, so it is released (OWNED BY NONE) first. The rollback recreates the
// table exactly as the source had it, empty: its rows are gone, and restoring them is a backup's job.
import type { DropTable } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { dropTable } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import type { Handler } from '../types.js';
import { recreateTable, tableNeeds, tableObjects } from '../recipes/table-definition.js';
import { disownSequences } from '../recipes/owned-sequences.js';

export const dropTableHandler: Handler<DropTable> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(c, ctx) {
    const { schema, definition: t } = c;
    return [
      ...disownSequences(
        ctx,
        schema,
        t.name,
        t.columns.map((x) => x.name),
      ),
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_table',
        description: `drop table ${qualified(schema, t.name)} and its rows (the rollback recreates it empty: restore rows from a backup)`,
        sql: dropTable(schema, t.name),
        rollback: recreateTable(schema, t),
        lock: 'ACCESS EXCLUSIVE',
        locks: [[schema, t.name]],
        hazards: ['DELETES_DATA'],
        drops: tableObjects(schema, t),
        requires: tableNeeds(ctx, schema, t),
      }),
    ];
  },
};
