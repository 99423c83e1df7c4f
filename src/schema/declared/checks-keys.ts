// Primary keys, unique constraints and indexes: their columns exist, and their options are ones PostgreSQL
// accepts for the access method.
import { Catalog, entries, reporter, type CheckContext } from './catalog.js';
import type { IndexDecl, TableDecl } from './declared.js';
import { subject } from './describe.js';
import { finding, type Report } from './finding.js';
import { closest, q, qq } from '../model/names.js';
import type { Path } from './zod-walk.js';

/** Methods that support INCLUDE columns. */
const INCLUDE_METHODS = new Set(['btree', 'gist', 'spgist']);

/** Each listed column exists in the table (broken columns were reported already) and is listed once. */
export function checkColumnList(
  report: Report,
  catalog: Catalog,
  schema: string,
  table: string,
  columns: readonly string[],
  listPath: Path,
  ownerPath: Path,
): void {
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    const at: Path = [...listPath, i];
    if (seen.has(c))
      report(finding(at, 'value', `${subject(ownerPath)} lists column ${q(c)} twice`, 'list each column once'));
    seen.add(c);
    if (catalog.column(schema, table, c) !== 'missing') return;
    const t = catalog.table(schema, table);
    const near = t && t !== 'broken' ? closest(c, Object.keys(t.columns)) : undefined;
    report(
      finding(
        at,
        'value',
        `${subject(ownerPath)}: column ${q(c)} does not exist in table ${qq(schema, table)}`,
        near ? `did you mean ${q(near)}?` : 'declare it under `columns:`, or fix the name',
      ),
    );
  });
}

function checkIndex(report: Report, catalog: Catalog, s: string, t: string, index: IndexDecl, ip: Path): void {
  const forms = (['columns', 'expressions', 'keys'] as const).filter((k) => index[k] !== undefined);
  if (forms.length === 0)
    report(finding(ip, 'key', `${subject(ip)} has no keys`, 'give one of `columns`, `expressions` or `keys`'));
  if (forms.length > 1)
    report(
      finding(
        [...ip, forms[1] ?? ''],
        'key',
        `${subject(ip)} has both \`${forms[0]}\` and \`${forms[1]}\``,
        'give exactly one; `keys:` mixes columns and expressions',
      ),
    );
  if (index.columns) checkColumnList(report, catalog, s, t, index.columns, [...ip, 'columns'], ip);
  const method = index.method ?? 'btree';
  (index.keys ?? []).forEach((key, i) => {
    const kp: Path = [...ip, 'keys', i];
    if ((key.column === undefined) === (key.expression === undefined))
      report(
        finding(
          kp,
          'value',
          `${subject(kp)} must have exactly one of \`column\` and \`expression\``,
          'give either `column:` or `expression:`',
        ),
      );
    if (key.column !== undefined && catalog.column(s, t, key.column) === 'missing')
      report(
        finding(
          [...kp, 'column'],
          'value',
          `${subject(ip)}: column ${q(key.column)} does not exist in table ${qq(s, t)}`,
          'declare it under `columns:`, or fix the name',
        ),
      );
    for (const option of ['order', 'nulls'] as const)
      if (key[option] !== undefined && method !== 'btree')
        report(
          finding(
            [...kp, option],
            'key',
            `${subject(ip)}: \`${option}\` is only supported by btree indexes, not ${method}`,
            `remove \`${option}\``,
          ),
        );
  });
  if (index.include) {
    if (!INCLUDE_METHODS.has(method))
      report(
        finding(
          [...ip, 'include'],
          'key',
          `${subject(ip)}: ${method} indexes do not support \`include\``,
          'use method btree, gist or spgist, or remove `include`',
        ),
      );
    checkColumnList(report, catalog, s, t, index.include, [...ip, 'include'], ip);
  }
  if (index.unique && method !== 'btree')
    report(
      finding(
        [...ip, 'unique'],
        'key',
        `${subject(ip)}: only btree indexes can be unique, not ${method}`,
        'remove `method`, or `unique`',
      ),
    );
  if (index.nullsNotDistinct && !index.unique)
    report(
      finding(
        [...ip, 'nullsNotDistinct'],
        'key',
        `${subject(ip)}: \`nullsNotDistinct\` applies to unique indexes only`,
        'add `unique: true`, or remove `nullsNotDistinct`',
      ),
    );
  const keyCount = (index.columns ?? index.expressions ?? index.keys ?? []).length;
  if (method === 'hash' && keyCount > 1)
    report(
      finding(
        [...ip, 'method'],
        'value',
        `${subject(ip)}: hash indexes have exactly one key, not ${keyCount}`,
        'use btree, or index one column',
      ),
    );
}

function checkTable(report: Report, catalog: Catalog, s: string, t: string, table: TableDecl): void {
  const tp: Path = ['schemas', s, 'tables', t];
  if (table.primaryKey)
    checkColumnList(
      report,
      catalog,
      s,
      t,
      table.primaryKey.columns,
      [...tp, 'primaryKey', 'columns'],
      [...tp, 'primaryKey'],
    );
  for (const [u, unique] of entries(table.unique)) {
    const up: Path = [...tp, 'unique', u];
    checkColumnList(report, catalog, s, t, unique.columns, [...up, 'columns'], up);
    if (unique.initiallyDeferred && !unique.deferrable)
      report(
        finding(
          [...up, 'initiallyDeferred'],
          'key',
          `${subject(up)} is initially deferred but not deferrable`,
          'add `deferrable: true`',
        ),
      );
  }
  for (const [i, index] of entries(table.indexes)) checkIndex(report, catalog, s, t, index, [...tp, 'indexes', i]);
}

export function checkKeys(ctx: CheckContext): void {
  const report = reporter(ctx);
  const catalog = new Catalog(ctx);
  for (const [s, schema] of entries(ctx.data.schemas))
    for (const [t, table] of entries(schema.tables)) checkTable(report, catalog, s, t, table);
}
