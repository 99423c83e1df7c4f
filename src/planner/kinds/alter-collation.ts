// alter_collation: ALTER COLUMN TYPE <same type> COLLATE <c> in expand. The table is not rewritten (same type),
// but every index using the column is rebuilt under the ACCESS EXCLUSIVE lock (INDEX_BUILD), and sort order and
// equality change for both application versions at once. The rollback sets the previous collation back (and
// rebuilds the same indexes). A renamed column gets the target collation from rename_column's new column.
import type { AlterCollation } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import { alterColumnType } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler } from '../types.js';
import { typeWithCollation } from '../recipes/column-type.js';
import { indexUses, shadowKind } from '../recipes/shadow-plan.js';
import { lockOn, sourceColumn, sourceTable } from '../recipes/tables.js';
import { doBlock } from '../recipes/shadow-steps.js';
import { aroundPolicies, aroundPolicyKeys, policiesAroundColumns, undoAroundPolicies } from '../recipes/policies.js';
import { aroundViewKeys, aroundViews, columnChanged, undoAroundViews, viewsAroundColumns } from '../recipes/views.js';

export const alterCollationHandler: Handler<AlterCollation> = {
  validate: () => [],
  expand(c, ctx) {
    if (shadowKind(ctx, c.schema, c.table, c.column.name) !== undefined) return none();
    const name = c.column.name;
    const t = sourceTable(ctx, c.schema, c.table);
    const keyed = [...(t?.primaryKey ? [t.primaryKey] : []), ...(t?.unique ?? [])].some((k) =>
      k.columns.includes(name),
    );
    const indexed = keyed || (t?.indexes ?? []).some((ix) => indexUses(ix, name));
    const coll = (x: string | undefined) => x ?? 'default';
    // PostgreSQL refuses the change while a view reads the column: those views are dropped and built again
    // around it (unless the column's type changes too, whose step does that).
    const before = sourceColumn(ctx, c.schema, c.table, name);
    const views =
      before && before.type === c.column.type
        ? viewsAroundColumns(ctx, c.schema, c.table, [before.name])
        : { drop: [], build: [] };
    const policies =
      before && before.type === c.column.type
        ? policiesAroundColumns(ctx, c.schema, c.table, [before.name])
        : { drop: [], build: [] };
    const forward = alterColumnType(c.schema, c.table, name, typeWithCollation(c.column.type, c.to ?? 'default', name));
    const backward = alterColumnType(
      c.schema,
      c.table,
      name,
      typeWithCollation(c.column.type, c.from ?? 'default', name),
    );
    return [
      draft({
        phase: 'expand',
        action: 'alter_collation',
        description:
          `change the collation of ${qualified(c.schema, c.table)}.${ident(name)} from ${coll(c.from)} to ${coll(c.to)} (no rewrite` +
          (indexed ? '; its indexes are rebuilt under the lock)' : ')') +
          (views.drop.length
            ? `; the ${views.drop.length} view(s) reading it are dropped and built again around it`
            : '') +
          (policies.drop.length
            ? `; the ${policies.drop.length} polic(ies) reading it are dropped and created again around it`
            : ''),
        sql: doBlock(aroundPolicies(policies, aroundViews(views, [forward]))),
        rollback: [doBlock(undoAroundPolicies(policies, undoAroundViews(views, [backward])))],
        lock: 'ACCESS EXCLUSIVE',
        locks: lockOn(ctx, c.schema, c.table),
        hazards: indexed ? ['INDEX_BUILD'] : [],
        alters: [key.column(c.schema, c.table, name)],
        requires: [key.table(c.schema, c.table), key.column(c.schema, c.table, name)],
        creates: [
          ...aroundViewKeys(views).creates,
          ...aroundPolicyKeys(policies).creates,
          columnChanged(c.schema, c.table, name),
        ],
        drops: [...aroundViewKeys(views).drops, ...aroundPolicyKeys(policies).drops],
        ...(indexed ? { costTable: { schema: c.schema, table: c.table, work: 'index' as const } } : {}),
      }),
    ];
  },
  backfill: none,
  contract: none,
};
