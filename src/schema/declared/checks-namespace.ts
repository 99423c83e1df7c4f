// Name clashes YAML cannot see because the names sit under different keys. In PostgreSQL, tables,
// sequences, indexes and the indexes behind primary keys and unique constraints share one relation namespace
// per schema; tables and enums share the type namespace (a table has a row type); constraint names are
// unique per table.
import { entries, reporter, type CheckContext } from './catalog.js';
import { namedObject } from './describe.js';
import { finding, type Report } from './finding.js';
import { defaultConstraintName, q } from '../model/names.js';
import type { Path } from './zod-walk.js';

type Named = readonly [name: string, path: Path];

/** Reports every occurrence of a name after its first one in the document. */
function clashes(ctx: CheckContext, report: Report, items: readonly Named[], why: string): void {
  const byName = new Map<string, Named[]>();
  for (const item of items) {
    const group = byName.get(item[0]);
    if (group) group.push(item);
    else byName.set(item[0], [item]);
  }
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    const [first, ...later] = [...group].sort((a, b) => ctx.order(a[1]) - ctx.order(b[1]));
    if (!first) continue;
    for (const [, path] of later)
      report(
        finding(
          path,
          'key',
          `${label(path, name)} has the same name as ${label(first[1], name)}; ${why}`,
          'rename one of them',
        ),
      );
  }
}

function label(path: Path, name: string): string {
  const { label: l } = namedObject(path);
  return l.startsWith('primary key') ? `${l} (${q(name)})` : l;
}

export function checkNamespaces(ctx: CheckContext): void {
  const report = reporter(ctx);
  for (const [s, schema] of entries(ctx.data.schemas)) {
    const sp: Path = ['schemas', s];
    const relations: Named[] = [];
    const types: Named[] = [];
    for (const [q2] of entries(schema.sequences)) relations.push([q2, [...sp, 'sequences', q2]]);
    for (const [e] of entries(schema.enums)) types.push([e, [...sp, 'enums', e]]);
    for (const kind of ['domains', 'composites', 'ranges'] as const)
      for (const n of Object.keys(schema[kind] ?? {})) types.push([n, [...sp, kind, n]]);
    for (const [v, view] of entries(schema.views)) {
      relations.push([v, [...sp, 'views', v]]);
      types.push([v, [...sp, 'views', v]]);
      for (const [i] of entries(view.indexes)) relations.push([i, [...sp, 'views', v, 'indexes', i]]);
    }
    for (const [t, table] of entries(schema.tables)) {
      const tp: Path = [...sp, 'tables', t];
      relations.push([t, tp]);
      types.push([t, tp]);
      const constraints: Named[] = [];
      if (table.primaryKey) {
        const name = table.primaryKey.name ?? defaultConstraintName(t, [], 'pkey');
        const path: Path = [...tp, 'primaryKey'];
        relations.push([name, path]);
        constraints.push([name, path]);
      }
      for (const [u] of entries(table.unique)) {
        relations.push([u, [...tp, 'unique', u]]);
        constraints.push([u, [...tp, 'unique', u]]);
      }
      for (const [i] of entries(table.indexes)) relations.push([i, [...tp, 'indexes', i]]);
      for (const [f] of entries(table.foreignKeys)) constraints.push([f, [...tp, 'foreignKeys', f]]);
      for (const [c] of entries(table.checks)) constraints.push([c, [...tp, 'checks', c]]);
      // An exclusion constraint owns an index of its name, as a unique constraint does.
      for (const [x] of entries(table.exclusions)) {
        relations.push([x, [...tp, 'exclusions', x]]);
        constraints.push([x, [...tp, 'exclusions', x]]);
      }
      clashes(ctx, report, constraints, 'constraint names are unique per table');
    }
    // Constraint-backed clashes inside one table were reported above; report the rest once.
    clashes(
      ctx,
      report,
      dropSameTableConstraints(relations),
      'tables, views, sequences, indexes and key constraints share one namespace per schema',
    );
    clashes(ctx, report, types, 'a table has a row type of its name, and types share one namespace per schema');
  }
}

/** A primary key and a unique constraint of one table with the same name are a constraint clash already. */
function dropSameTableConstraints(items: readonly Named[]): Named[] {
  const seen = new Set<string>();
  return items.filter(([name, path]) => {
    const isConstraint = path[4] === 'primaryKey' || path[4] === 'unique' || path[4] === 'exclusions';
    const key = `${String(path[3])}\0${name}`;
    if (!isConstraint) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
