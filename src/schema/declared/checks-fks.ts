// Foreign keys: the referenced table and columns are declared, the column counts match, and the referenced
// columns carry a primary key or unique constraint/index (PostgreSQL refuses the constraint otherwise).
import { Catalog, entries, reporter, tablePath, type CheckContext } from './catalog.js';
import type { ForeignKeyDecl, TableDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { closest, q, qq } from '../model/names.js';
import { checkColumnList } from './checks-keys.js';
import type { Path } from './zod-walk.js';

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === new Set(b).size && a.every((c) => b.includes(c));

/** Column sets PostgreSQL accepts as a foreign key target: the primary key, unique constraints, unique indexes without a predicate. */
function uniqueKeys(table: TableDecl): string[][] {
  const keys: string[][] = [];
  if (table.primaryKey) keys.push(table.primaryKey.columns);
  for (const [, u] of entries(table.unique)) keys.push(u.columns);
  for (const [, i] of entries(table.indexes)) if (i.unique && !i.where && i.columns) keys.push(i.columns);
  return keys;
}

function checkForeignKey(
  report: Report,
  catalog: Catalog,
  ctx: CheckContext,
  s: string,
  t: string,
  fk: ForeignKeyDecl,
  fp: Path,
): void {
  checkColumnList(report, catalog, s, t, fk.columns, [...fp, 'columns'], fp);
  if (fk.initiallyDeferred && !fk.deferrable)
    report(
      finding(
        [...fp, 'initiallyDeferred'],
        'key',
        `${subject(fp)} is initially deferred but not deferrable`,
        'add `deferrable: true`',
      ),
    );
  const rs = fk.references.schema ?? s;
  const rt = fk.references.table;
  const refPath: Path = [...fp, 'references'];
  if (catalog.schemaState(rs) === 'missing') {
    report(
      finding(
        [...refPath, fk.references.schema === undefined ? 'table' : 'schema'],
        'value',
        `${subject(fp)} references schema ${q(rs)}, which is not declared`,
        'declare the schema, or fix `references.schema`',
      ),
    );
    return;
  }
  const target = catalog.table(rs, rt);
  if (target === 'broken') return;
  if (target === undefined) {
    const near = closest(rt, Object.keys(ctx.data.schemas[rs]?.tables ?? {}));
    report(
      finding(
        [...refPath, 'table'],
        'value',
        `${subject(fp)} references table ${qq(rs, rt)}, which is not declared`,
        near ? `did you mean ${q(near)}?` : 'declare the table, or fix `references.table`',
      ),
    );
    return;
  }
  const refColumns = fk.references.columns ?? target.primaryKey?.columns;
  if (refColumns === undefined) {
    if (!ctx.broken.within([...tablePath(rs, rt), 'primaryKey']))
      report(
        finding(
          refPath,
          'key',
          `${subject(fp)} references table ${qq(rs, rt)}, which has no primary key`,
          `name the referenced columns in \`references.columns\`, or give ${qq(rs, rt)} a primary key`,
        ),
      );
    return;
  }
  if (fk.references.columns)
    checkColumnList(report, catalog, rs, rt, fk.references.columns, [...refPath, 'columns'], fp);
  if (refColumns.length !== fk.columns.length) {
    report(
      finding(
        [...fp, 'columns'],
        'value',
        `${subject(fp)} has ${fk.columns.length} column(s) but references ${refColumns.length} (${refColumns.map(q).join(', ')})`,
        'list as many columns as the referenced key has',
      ),
    );
    return;
  }
  const allDeclared = refColumns.every((c) => catalog.column(rs, rt, c) === 'ok');
  const keysKnown = !ctx.broken.within(tablePath(rs, rt));
  if (allDeclared && keysKnown && !uniqueKeys(target).some((k) => sameSet(k, refColumns)))
    report(
      finding(
        refPath,
        'key',
        `${subject(fp)}: the referenced columns (${refColumns.map(q).join(', ')}) of table ${qq(rs, rt)} are not its primary key or a unique key; PostgreSQL requires one`,
        `add a unique constraint on (${refColumns.join(', ')}) to ${qq(rs, rt)}, or reference its primary key`,
      ),
    );
}

export function checkForeignKeys(ctx: CheckContext): void {
  const report = reporter(ctx);
  const catalog = new Catalog(ctx);
  for (const [s, schema] of entries(ctx.data.schemas))
    for (const [t, table] of entries(schema.tables))
      for (const [f, fk] of entries(table.foreignKeys))
        checkForeignKey(report, catalog, ctx, s, t, fk, [...tablePath(s, t), 'foreignKeys', f]);
}
