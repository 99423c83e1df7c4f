// drop_column: DROP COLUMN in the contract phase of the next release, when no application version uses it
// (brief ACCESS EXCLUSIVE, catalog only; the space is reclaimed by later rewrites). Its indexes and
// constraints are changes of their own, dropped before it. A sequence it owns (serial) is released first, or
// it would vanish with the column under drop_sequence's feet.
//
// The rollback restores the column's definition, not its values, which are gone (DELETES_DATA): ADD COLUMN
// nullable (a volatile default is set afterwards, so that re-adding does not rewrite the table), then SET
// DEFAULT, then SET NOT NULL. On a populated table, SET NOT NULL of a column without default fails loudly:
// the values have to come back from a backup first. A NOT NULL column with a non-volatile default comes back
// NOT NULL in one statement (every row gets the default).
import type { DropColumn } from '../../diff/index.js';
import type { Column } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { addColumn, comment, dropColumn, setDefault, setNotNull } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext } from '../types.js';
import { disownSequences } from '../recipes/owned-sequences.js';
import { columnNeeds } from '../recipes/tables.js';
import { isVolatile } from '../recipes/volatility.js';

/** Statements that bring a dropped column back as the source defined it (without its values). */
function recreateColumn(ctx: PlanContext, schema: string, table: string, c: Column): string[] {
  const { backfill: _b, up: _u, down: _d, renamedFrom: _r, comment: text, default: dflt, ...def } = c;
  const comments = text !== undefined ? [comment({ kind: 'column', schema, table, column: c.name }, text)] : [];
  if (c.identity !== undefined || c.generated !== undefined) return [addColumn(schema, table, { ...def }), ...comments];
  if (dflt !== undefined && !isVolatile(dflt, ctx.source))
    return [addColumn(schema, table, { ...def, default: dflt }), ...comments];
  return [
    addColumn(schema, table, { ...def, nullable: true }),
    ...(dflt !== undefined ? [setDefault(schema, table, c.name, dflt)] : []),
    ...(c.nullable ? [] : [setNotNull(schema, table, c.name)]),
    ...comments,
  ];
}

export const dropColumnHandler: Handler<DropColumn> = {
  validate: () => [],
  expand: none,
  backfill: none,
  contract(ch, ctx) {
    const { schema, table, column: c } = ch;
    const hard =
      !c.nullable &&
      c.identity === undefined &&
      c.generated === undefined &&
      (c.default === undefined || isVolatile(c.default, ctx.source));
    return [
      ...disownSequences(ctx, schema, table, [c.name]),
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_column',
        description:
          `drop column ${qualified(schema, table)}.${ident(c.name)} and its values (the rollback restores the definition, not the values` +
          (hard ? '; its SET NOT NULL fails on a populated table until the values are restored from a backup)' : ')'),
        sql: dropColumn(schema, table, c.name),
        rollback: recreateColumn(ctx, schema, table, c),
        lock: 'ACCESS EXCLUSIVE',
        locks: [[schema, table]],
        hazards: ['DELETES_DATA'],
        drops: [key.column(schema, table, c.name)],
        requires: [key.table(schema, table), ...columnNeeds(ctx, c)],
      }),
    ];
  },
};
