// Views and materialized views for the planner: what a view needs (the relations and columns it reads, from the
// catalog's pg_depend as introspection carries it in `derived`), whether PostgreSQL can replace it in place,
// the statements that build it, and which views a change of another view drags along.
//
// Keys: a view or materialized view is key.view(schema, name); its indexes key.index. A step creating a view
// requires what the view reads in the target; a step dropping one requires what it reads in the source, so it
// runs before the steps that drop those (drop_column, drop_table) and the rollback finds them.
import { qualified } from '../../db/quote.js';
import type { DatabaseSchema, Schema, View } from '../../schema/model/model.js';
import {
  dependencyOrder,
  dropView,
  refreshMaterializedView,
  viewReads,
  viewStatements,
  type PlacedView,
} from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { findTable } from '../../schema/model/lookup.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { shadowKind } from './shadow-plan.js';
import { sourceColumn, sourceTableName } from './tables.js';

const same = (a: string, b: string) => a === b;

export function findSchema(db: DatabaseSchema, schema: string): Schema | undefined {
  return db.schemas.find((s) => same(s.name, schema));
}

export function findView(db: DatabaseSchema, schema: string, name: string): View | undefined {
  return findSchema(db, schema)?.views?.find((v) => same(v.name, name));
}

/** What a view is called in messages. */
export function viewLabel(schema: string, v: Pick<View, 'name' | 'materialized'>): string {
  return `${v.materialized ? 'materialized view' : 'view'} ${qualified(schema, v.name)}`;
}

/**
 * Keys of what `v` reads in `db`: a view it reads, or a table and the columns read. Without catalog data (a
 * model never built on a server) the relations its text names, matched against `db`.
 */
export function viewRequirements(db: DatabaseSchema, schema: string, v: View): ObjectKey[] {
  const out = new Set<ObjectKey>([key.schema(schema)]);
  const relation = (s: string, r: string): void => {
    if (findView(db, s, r)) out.add(key.view(s, r));
    else if (findSchema(db, s)?.tables.some((t) => t.name === r)) out.add(key.table(s, r));
  };
  if (v.derived) {
    for (const r of v.derived.reads) {
      relation(r.schema, r.relation);
      if (!findView(db, r.schema, r.relation)) for (const c of r.columns) out.add(key.column(r.schema, r.relation, c));
    }
  } else {
    for (const k of viewReads(schema, v)) {
      const [s, r] = k.split('\u001f') as [string, string];
      relation(s, r);
    }
  }
  return [...out];
}

/** Keys a view brings: itself and its indexes. */
export function viewObjects(schema: string, v: View): ObjectKey[] {
  return [key.view(schema, v.name), ...(v.indexes ?? []).map((i) => key.index(schema, i.name))];
}

/**
 * Whether CREATE OR REPLACE VIEW turns `from` into `to`: both plain views, and `to`'s output columns start with
 * exactly `from`'s (same names and types, in order), new ones only appended. Unknown output columns (no catalog
 * data on either side) are not assumed compatible.
 */
export function replaceableInPlace(from: View, to: View): boolean {
  if (from.materialized || to.materialized || !from.derived || !to.derived) return false;
  const a = from.derived.columns;
  const b = to.derived.columns;
  return a.length <= b.length && a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type);
}

/** Views of `db` that read `schema.name` directly or through other views, dependents last. */
export function viewDependents(db: DatabaseSchema, schema: string, name: string): PlacedView[] {
  const all = db.schemas.flatMap((s) => (s.views ?? []).map((view) => ({ schema: s.name, view })));
  const found = new Map<string, PlacedView>();
  const visit = (s: string, n: string) => {
    for (const p of all) {
      const k = `${p.schema}\u001f${p.view.name}`;
      if (found.has(k) || !viewReads(p.schema, p.view).includes(`${s}\u001f${n}`)) continue;
      found.set(k, p);
      visit(p.schema, p.view.name);
    }
  };
  visit(schema, name);
  return dependencyOrder([...found.values()]);
}

/** Dropping views (dependents first) and building them again (in dependency order), as statements. */
export function dropAll(views: readonly PlacedView[]): string[] {
  return [...views].reverse().map((p) => dropView(p.schema, p.view));
}

export function buildAll(views: readonly PlacedView[]): string[] {
  return dependencyOrder(views).flatMap((p) => viewStatements(p.schema, p.view, { withData: true }));
}

/** Whether a view changes so that it must be dropped and created again (not replaced in place, not only indexes). */
export function recreatedView(from: View, to: View): boolean {
  if (Boolean(from.materialized) !== Boolean(to.materialized)) return true;
  if (from.materialized) {
    const bare = (v: View) => ({
      ...v,
      indexes: undefined,
      comment: undefined,
      columnComments: undefined,
      derived: undefined,
    });
    return JSON.stringify(bare(from)) !== JSON.stringify(bare(to)) || !sameOutput(from, to);
  }
  return !replaceableInPlace(from, to);
}

function sameOutput(from: View, to: View): boolean {
  if (!from.derived || !to.derived) return true;
  return JSON.stringify(from.derived.columns) === JSON.stringify(to.derived.columns);
}

/** Whether two sides of a view differ at all in what a replace_view carries (not comments alone). */
function replaced(from: View, to: View): boolean {
  const shape = (v: View) =>
    JSON.stringify({ ...v, comment: undefined, columnComments: undefined, derived: undefined });
  return shape(from) !== shape(to) || !sameOutput(from, to);
}

/**
 * The view whose recreation carries `name` along: a view it reads in the source (directly or through other
 * views) that is dropped and created again by its own replace_view. That step drops and rebuilds this one too
 * (PostgreSQL would refuse to drop the view it reads first), so this view's own change plans nothing.
 */
export function carriedBy(
  ctx: { readonly source: DatabaseSchema; readonly target: DatabaseSchema },
  schema: string,
  name: string,
): PlacedView | undefined {
  const seen = new Set<string>();
  const walk = (s: string, n: string): PlacedView | undefined => {
    const v = findView(ctx.source, s, n);
    if (!v) return undefined;
    for (const k of viewReads(s, v)) {
      if (seen.has(k)) continue;
      seen.add(k);
      const [rs, rn] = k.split('\u001f') as [string, string];
      const from = findView(ctx.source, rs, rn);
      if (!from) continue;
      const to = findView(ctx.target, rs, rn);
      if (to && replaced(from, to) && recreatedView(from, to)) return walk(rs, rn) ?? { schema: rs, view: from };
      const up = walk(rs, rn);
      if (up) return up;
    }
    return undefined;
  };
  return walk(schema, name);
}

/**
 * Whether the source side of a view reads something the target no longer has under that name and type (a
 * dropped table or column, a column changing type): it then changes in the contract of the next release, next
 * to the steps that drop or retire what it read.
 */
export function readsRetired(ctx: { readonly target: DatabaseSchema }, from: View): boolean {
  for (const r of from.derived?.reads ?? []) {
    if (findView(ctx.target, r.schema, r.relation)) continue;
    const t = findSchema(ctx.target, r.schema)?.tables.find((x) => x.name === r.relation);
    if (!t) return true;
    if (r.columns.some((c) => !t.columns.some((x) => x.name === c && x.renamedFrom === undefined))) return true;
  }
  return false;
}

/**
 * Source columns of a target table that a column step changes under the views reading them: retired by the
 * two-column recipe (a rename, or a type change through a new column: at the switch a view would follow the
 * renamed old column), or retyped or given another collation in place (which PostgreSQL refuses while a view
 * reads the column).
 */
export function columnsChangedUnderViews(ctx: PlanContext, schema: string, table: string): Set<string> {
  const out = new Set<string>();
  for (const c of findTable(ctx.target, schema, table)?.columns ?? []) {
    const before = sourceColumn(ctx, schema, table, c.name);
    if (!before) continue;
    if (
      shadowKind(ctx, schema, table, c.name) !== undefined ||
      before.type !== c.type ||
      before.collation !== c.collation
    )
      out.add(before.name);
  }
  return out;
}

/** The target table a source table becomes (itself, or the table renamed from it), if any. */
function targetTableOf(ctx: PlanContext, schema: string, sourceName: string): string | undefined {
  const tables = findSchema(ctx.target, schema)?.tables ?? [];
  return (tables.find((t) => t.renamedFrom === sourceName) ?? tables.find((t) => t.name === sourceName))?.name;
}

function readsChangedColumn(ctx: PlanContext, v: View): boolean {
  return (v.derived?.reads ?? []).some((r) => {
    const t = targetTableOf(ctx, r.schema, r.relation);
    if (t === undefined || findView(ctx.source, r.schema, r.relation)) return false;
    if (sourceTableName(ctx, r.schema, t) !== r.relation) return false;
    const changed = columnsChangedUnderViews(ctx, r.schema, t);
    return r.columns.some((c) => changed.has(c));
  });
}

/**
 * Whether a source view is dropped and built again by a column step (recipes/shadow-steps.ts switch, an in-place
 * type change): it, or a view it reads, reads a column that step changes. Its own change then plans nothing.
 */
export function rebuiltByColumnStep(ctx: PlanContext, schema: string, name: string): boolean {
  const seen = new Set<string>();
  const walk = (s: string, n: string): boolean => {
    const k = `${s}\u001f${n}`;
    if (seen.has(k)) return false;
    seen.add(k);
    const v = findView(ctx.source, s, n);
    if (!v) return false;
    if (readsChangedColumn(ctx, v)) return true;
    return (v.derived?.reads ?? []).some((r) => walk(r.schema, r.relation));
  };
  return walk(schema, name);
}

/** Views around a column step: what it drops first (source shapes) and builds after (target shapes). */
export interface ViewsAround {
  readonly drop: readonly PlacedView[];
  readonly build: readonly PlacedView[];
}

/** Source views reading `columns` of source table `schema.table` directly, then every view reading those. */
export function viewsAroundColumns(
  ctx: PlanContext,
  schema: string,
  targetTable: string,
  columns: readonly string[],
  /** Also the views this plan creates (in expand, before the step) reading these target columns. */
  created: readonly string[] = [],
): ViewsAround {
  const table = sourceTableName(ctx, schema, targetTable);
  const reading = (v: View, t: string, cols: readonly string[]) =>
    (v.derived?.reads ?? []).some(
      (r) => r.schema === schema && r.relation === t && r.columns.some((c) => cols.includes(c)),
    );
  const fresh = created.length
    ? ctx.target.schemas.flatMap((sc) =>
        (sc.views ?? [])
          .filter((v) => !findView(ctx.source, sc.name, v.name) && reading(v, targetTable, created))
          .map((view) => ({ schema: sc.name, view, fresh: true })),
      )
    : [];
  const direct = ctx.source.schemas.flatMap((sc) =>
    (sc.views ?? []).filter((v) => reading(v, table, columns)).map((view) => ({ schema: sc.name, view })),
  );
  const all = new Map<string, PlacedView>();
  for (const d of direct) {
    all.set(`${d.schema}\u001f${d.view.name}`, d);
    for (const x of viewDependents(ctx.source, d.schema, d.view.name)) all.set(`${x.schema}\u001f${x.view.name}`, x);
  }
  for (const f of fresh) all.set(`${f.schema}\u001f${f.view.name}`, f);
  const drop = dependencyOrder([...all.values()]);
  const build = drop.flatMap((p) => {
    const t = findView(ctx.target, p.schema, p.view.name);
    return t ? [{ schema: p.schema, view: t }] : [];
  });
  return { drop, build };
}

/**
 * What a view this plan creates waits for: the in-place steps changing a column it reads (PostgreSQL refuses
 * them once a view reads the column). Such a step creates this milestone; a key nobody creates orders nothing.
 */
export const columnChanged = (s: string, t: string, c: string): ObjectKey => `changed:${key.column(s, t, c)}`;

export function changedColumnsRead(ctx: PlanContext, v: View): ObjectKey[] {
  return (v.derived?.reads ?? []).flatMap((r) => {
    if (findView(ctx.target, r.schema, r.relation)) return [];
    const changed = columnsChangedUnderViews(ctx, r.schema, r.relation);
    return r.columns.filter((c) => changed.has(c)).map((c) => columnChanged(r.schema, r.relation, c));
  });
}

/** `statements` with the views around them dropped before and built after (the rollback's mirror: `undo`). */
export function aroundViews(around: ViewsAround, statements: readonly string[]): string[] {
  return [...dropAll(around.drop), ...statements, ...buildAll(around.build)];
}

export function undoAroundViews(around: ViewsAround, statements: readonly string[]): string[] {
  return [...dropAll(around.build), ...statements, ...buildAll(around.drop)];
}

/** Keys of a column step that rebuilds views: the views it builds, and those it drops for good. */
export function aroundViewKeys(around: ViewsAround): { creates: ObjectKey[]; drops: ObjectKey[] } {
  const built = new Set(around.build.map((p) => key.view(p.schema, p.view.name)));
  return {
    creates: [...built],
    drops: around.drop.map((p) => key.view(p.schema, p.view.name)).filter((k) => !built.has(k)),
  };
}

/** Created by a backfill step writing a column: a materialized view reading it is refreshed after. */
export const backfilled = (s: string, t: string, c: string): ObjectKey => `backfilled:${key.column(s, t, c)}`;

/** Whether REFRESH ... CONCURRENTLY can use one of its indexes: unique, on plain columns, without WHERE. */
export function refreshesConcurrently(v: View): boolean {
  return (v.indexes ?? []).some(
    (i) =>
      i.unique && i.where === undefined && i.keys.every((k) => k.column !== undefined && k.expression === undefined),
  );
}

/**
 * REFRESH of the materialized views that read columns a backfill rewrote, in the backfill phase after it:
 * CONCURRENTLY (readers keep the old rows meanwhile) when a unique index allows it. Only views the plan leaves
 * as they are: a changed or rebuilt one is populated by its own step. Nothing to roll back: the rows it
 * computes are the ones the current data gives.
 */
export function refreshAfterBackfill(
  ctx: PlanContext,
  schema: string,
  table: string,
  columns: readonly string[],
): StepDraft[] {
  const source = sourceTableName(ctx, schema, table);
  return ctx.source.schemas.flatMap((sc) =>
    (sc.views ?? []).flatMap((from) => {
      const to = findView(ctx.target, sc.name, from.name);
      const reads = (from.derived?.reads ?? []).some(
        (r) => r.schema === schema && r.relation === source && r.columns.some((c) => columns.includes(c)),
      );
      if (!from.materialized || !to || !reads || replaced(from, to) || rebuiltByColumnStep(ctx, sc.name, from.name))
        return [];
      const concurrently = refreshesConcurrently(from);
      return [
        draft({
          phase: 'backfill',
          action: 'refresh_materialized_view',
          description: `refresh ${viewLabel(sc.name, from)}${concurrently ? ' CONCURRENTLY' : ''}: it reads ${qualified(schema, table)}, which the backfill rewrote`,
          sql: refreshMaterializedView(sc.name, from.name, concurrently),
          transactional: !concurrently,
          hazards: ['FULL_SCAN'],
          requires: [key.view(sc.name, from.name), ...columns.map((c) => backfilled(schema, table, c))],
        }),
      ];
    }),
  );
}
