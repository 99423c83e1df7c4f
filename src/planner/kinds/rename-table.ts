// rename_table: in expand, ALTER TABLE ... RENAME, then a view under the old name selecting the table's columns.
// A view over one table with plain columns is automatically updatable (inserts get the table's defaults), so
// the previous application version keeps reading and writing the old name. The next release drops the view.
//
// The view lists the source's columns by name rather than `*` (which PostgreSQL expands at creation anyway), so
// its rollback recreates the same view whatever was added since. A view blocks ALTER COLUMN TYPE (and SET
// EXPRESSION) on the columns it selects, so validate() refuses in-place type, collation or generation changes
// of this table's columns in the same plan (a type change done with a new column and a swap is fine: renames do not
// disturb a view); drops of its columns wait for the view (its drop requires them).
import { isBinaryCoercible, type RenameTable } from '../../diff/index.js';
import { ident, identList, literal, qualified } from '../../db/quote.js';
import { renameTable } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, PlanProblem } from '../types.js';
import { findTable, renamedColumns, sourceTable } from '../recipes/tables.js';
import { dollarQuote } from '../recipes/sync-trigger.js';

function viewColumns(c: RenameTable, ctx: PlanContext): string[] {
  return sourceTable(ctx, c.schema, c.to)?.columns.map((x) => x.name) ?? [];
}

/**
 * The compatibility view, and the table's grants copied onto it when the step runs (grants are not in the model,
 * so they are read from the catalog there; the table owner's own are implied). On PostgreSQL 15+ it is
 * `security_invoker`: whoever reads or writes through it is checked against the table as themselves, as they
 * were before the rename, rather than as the view's owner.
 */
function createView(c: RenameTable, ctx: PlanContext): string {
  const options = ctx.serverVersionNum >= 150000 ? ' WITH (security_invoker = true)' : '';
  const view = `CREATE VIEW ${qualified(c.schema, c.from)}${options} AS SELECT ${identList(viewColumns(c, ctx))} FROM ${qualified(c.schema, c.to)}`;
  const table = literal(qualified(c.schema, c.to));
  const body = [
    'DECLARE',
    '  g record;',
    'BEGIN',
    `  ${view};`,
    '  FOR g IN',
    "    SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, a.is_grantable",
    `    FROM pg_class t CROSS JOIN LATERAL aclexplode(t.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee`,
    `    WHERE t.oid = ${table}::regclass AND a.grantee <> t.relowner`,
    '  LOOP',
    `    EXECUTE format(${literal(`GRANT %s ON ${qualified(c.schema, c.from).replaceAll('%', '%%')} TO %s%s`)}, g.privilege_type, g.grantee,`,
    "      CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);",
    '  END LOOP;',
    'END',
    '',
  ].join('\n');
  const q = dollarQuote(body);
  return `DO ${q}\n${body}${q}`;
}

const dropView = (c: RenameTable) => `DROP VIEW ${qualified(c.schema, c.from)}`;

/** What in the target takes the old name in the schema's relation namespace. */
function nameTaken(c: RenameTable, ctx: PlanContext): string | undefined {
  const s = ctx.target.schemas.find((x) => x.name === c.schema);
  if (!s) return undefined;
  if (s.tables.some((t) => t.name === c.from)) return `table ${qualified(c.schema, c.from)}`;
  if (s.sequences.some((q) => q.name === c.from)) return `sequence ${qualified(c.schema, c.from)}`;
  const t = s.tables.find(
    (x) =>
      x.indexes.some((i) => i.name === c.from) ||
      x.primaryKey?.name === c.from ||
      x.unique.some((u) => u.name === c.from),
  );
  return t ? `an index on ${qualified(c.schema, t.name)}` : undefined;
}

export const renameTableHandler: Handler<RenameTable> = {
  validate(c, ctx) {
    const problems: PlanProblem[] = [];
    const taken = nameTaken(c, ctx);
    if (taken) {
      problems.push({
        change: c,
        message: `table ${qualified(c.schema, c.to)} is renamed from ${ident(c.from)}, but ${taken} takes the old name, which the compatibility view needs until the next release`,
        fix: `rename the table in this plan and reuse the name ${ident(c.from)} in a later one`,
      });
    }
    const before = sourceTable(ctx, c.schema, c.to);
    const after = findTable(ctx.target, c.schema, c.to);
    const renamed = renamedColumns(ctx, c.schema, c.to);
    for (const col of after?.columns ?? []) {
      if (renamed.has(col.name)) continue;
      const old = before?.columns.find((x) => x.name === col.name);
      if (!old) continue;
      // A type change that is not binary-coercible uses a new column and a swap, which a view does not block.
      const inPlace =
        old.type !== col.type
          ? col.up === undefined && isBinaryCoercible(old.type, col.type)
          : old.collation !== col.collation;
      if (!inPlace && old.generated === col.generated) continue;
      problems.push({
        change: c,
        message: `column ${ident(col.name)} of ${qualified(c.schema, c.to)} changes type, collation or generation in place, which the compatibility view ${qualified(c.schema, c.from)} would block`,
        fix: `rename the table in one plan and change the column in the next`,
      });
    }
    return problems;
  },
  expand(c, ctx) {
    const columns = viewColumns(c, ctx);
    const t = sourceTable(ctx, c.schema, c.to);
    const constraints = t ? [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique, ...t.foreignKeys, ...t.checks] : [];
    return [
      draft({
        phase: 'expand',
        action: 'rename_table',
        description: `rename table ${qualified(c.schema, c.from)} to ${ident(c.to)} (logical replication subscribers still know the old name)`,
        sql: renameTable(c.schema, c.from, c.to),
        rollback: [renameTable(c.schema, c.to, c.from)],
        lock: 'ACCESS EXCLUSIVE',
        locks: [[c.schema, c.from]],
        hazards: ['NOT_REPLICATION_SAFE'],
        creates: [
          key.table(c.schema, c.to),
          ...columns.map((x) => key.column(c.schema, c.to, x)),
          ...constraints.map((x) => key.constraint(c.schema, c.to, x.name)),
        ],
        drops: [key.table(c.schema, c.from)],
        requires: [key.schema(c.schema)],
      }),
      draft({
        phase: 'expand',
        action: 'create_compatibility_view',
        description: `create view ${qualified(c.schema, c.from)} over ${qualified(c.schema, c.to)} so the previous application version keeps using the old name`,
        sql: createView(c, ctx),
        rollback: [dropView(c)],
        lock: 'ACCESS SHARE',
        locks: [[c.schema, c.to]],
        requires: [key.table(c.schema, c.to), ...columns.map((x) => key.column(c.schema, c.to, x))],
      }),
    ];
  },
  backfill: none,
  contract(c, ctx) {
    const columns = viewColumns(c, ctx);
    return [
      draft({
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_compatibility_view',
        description: `drop the compatibility view ${qualified(c.schema, c.from)}: the previous application version is gone`,
        sql: dropView(c),
        rollback: [createView(c, ctx)],
        requires: [key.table(c.schema, c.to), ...columns.map((x) => key.column(c.schema, c.to, x))],
      }),
    ];
  },
};
