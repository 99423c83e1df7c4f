// replace_view, in one transaction (one step, a DO block when it takes several statements):
// - a plain view whose output keeps its leading columns (same names and types, only appended ones):
//   CREATE OR REPLACE VIEW with the target definition and options, and the comments that differ;
// - a materialized view whose definition is unchanged: only its indexes change (CONCURRENTLY, each its own step);
// - a materialized view whose query changes, read by no view: built beside it under a temporary name, populated
//   by a REFRESH in the backfill phase, swapped in by a short transaction in contract (stageMaterialized);
// - anything else: DROP and CREATE, with the views reading it (directly or through others) dropped first and
//   built again after in their target shape, so that nobody sees the view missing. A materialized view is
//   rebuilt WITH DATA inside that transaction: readers wait for it instead of failing on an empty one.
// The step goes in expand, unless the source side reads a table or column the target no longer has under that
// name and type: then in the contract of the next release, before the steps dropping those (it requires them).
// A view reading a column that a rename or type change retires, or that changes type or collation in place, is
// rebuilt by that column's step instead (recipes/views.ts rebuiltByColumnStep), and plans nothing here; so is a
// view read by another view this change recreates (carriedBy).
import type { ReplaceView } from '../../diff/index.js';
import {
  comment,
  createIndex,
  createView,
  dropIndex,
  dropView,
  refreshMaterializedView,
  viewComments,
  viewStatements,
} from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { derivedName } from '../recipes/tables.js';
import type { View } from '../../schema/model/model.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { milestone } from '../recipes/dependents.js';
import { doBlock } from '../recipes/shadow-steps.js';
import {
  buildAll,
  carriedBy,
  dropAll,
  findView,
  readsRetired,
  rebuiltByColumnStep,
  recreatedView,
  viewDependents,
  viewLabel,
  viewRequirements,
} from '../recipes/views.js';

/** COMMENT statements turning `from`'s comments into `to`'s (a column comment is removed only where the column stays). */
export function commentChanges(schema: string, from: View, to: View): string[] {
  const out: string[] = [];
  const kind = to.materialized ? 'materialized view' : 'view';
  if (from.comment !== to.comment) out.push(comment({ kind, schema, name: to.name }, to.comment ?? null));
  const f = new Map((from.columnComments ?? []).map((c) => [c.name, c.comment]));
  const t = new Map((to.columnComments ?? []).map((c) => [c.name, c.comment]));
  const kept = new Set(to.derived?.columns.map((c) => c.name) ?? []);
  for (const name of [...new Set([...f.keys(), ...t.keys()])].sort()) {
    if (f.get(name) === t.get(name) || (!t.has(name) && !kept.has(name))) continue;
    out.push(comment({ kind: 'column', schema, table: to.name, column: name }, t.get(name) ?? null));
  }
  return out;
}

function late(c: ReplaceView, ctx: PlanContext): boolean {
  const deps = viewDependents(ctx.source, c.schema, c.from.name);
  return (
    readsRetired(ctx, c.from) ||
    deps.some((d) => !findView(ctx.target, d.schema, d.view.name) || readsRetired(ctx, d.view))
  );
}

function inPlace(c: ReplaceView, ctx: PlanContext, at: Pick<StepDraft, 'phase' | 'releaseOffset'>): StepDraft[] {
  const { schema, from, to } = c;
  // What the source reads too: the step runs before those are dropped.
  const requires = [
    ...new Set([
      key.view(schema, to.name),
      ...viewRequirements(ctx.source, schema, from),
      ...viewRequirements(ctx.target, schema, to),
    ]),
  ];
  if (!to.materialized) {
    const fewer = (from.derived?.columns.length ?? 0) < (to.derived?.columns.length ?? 0);
    const deps = viewDependents(ctx.source, schema, from.name);
    // Without its appended columns the view cannot be replaced in place: dropped and built again.
    const back = fewer
      ? [...dropAll(deps), dropView(schema, to), ...viewStatements(schema, from), ...buildAll(deps)]
      : [createView(schema, from, { replace: true }), ...commentChanges(schema, to, from)];
    return [
      draft({
        ...at,
        action: 'replace_view',
        description: `replace the definition of ${viewLabel(schema, to)} in place (CREATE OR REPLACE)`,
        sql: doBlock([createView(schema, to, { replace: true }), ...commentChanges(schema, from, to)]),
        rollback: [doBlock(back)],
        requires,
      }),
    ];
  }
  const steps: StepDraft[] = [];
  const byName = new Map((to.indexes ?? []).map((i) => [i.name, i]));
  const fromByName = new Map((from.indexes ?? []).map((i) => [i.name, i]));
  for (const ix of from.indexes ?? []) {
    if (JSON.stringify(byName.get(ix.name)) === JSON.stringify(ix)) continue;
    steps.push(
      draft({
        ...at,
        action: 'drop_index_concurrently',
        description: `drop index ${ix.name} of ${viewLabel(schema, from)}`,
        sql: dropIndex(schema, ix.name, { concurrently: true }),
        rollback: [createIndex(schema, from.name, ix, { concurrently: true })],
        lock: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
        hazards: ['INDEX_DROPPED'],
        creates: [milestone.gone(key.index(schema, ix.name))],
        requires: [key.view(schema, from.name)],
        drops: [key.index(schema, ix.name)],
      }),
    );
  }
  for (const ix of to.indexes ?? []) {
    const old = fromByName.get(ix.name);
    if (JSON.stringify(old) === JSON.stringify(ix)) continue;
    steps.push(
      draft({
        ...at,
        action: 'create_index_concurrently',
        description: `create index ${ix.name} of ${viewLabel(schema, to)}`,
        sql: createIndex(schema, to.name, ix, { concurrently: true }),
        rollback: [dropIndex(schema, ix.name, { concurrently: true })],
        lock: 'SHARE UPDATE EXCLUSIVE',
        transactional: false,
        hazards: ['INDEX_BUILD'],
        creates: [key.index(schema, ix.name)],
        requires: [key.view(schema, to.name), ...(old ? [milestone.gone(key.index(schema, ix.name))] : [])],
      }),
    );
  }
  const comments = commentChanges(schema, from, to);
  if (comments.length)
    steps.push(
      draft({
        ...at,
        action: 'set_comment',
        description: `set the comments of ${viewLabel(schema, to)}`,
        sql: doBlock(comments),
        rollback: [doBlock(commentChanges(schema, to, from))],
        requires: [key.view(schema, to.name)],
      }),
    );
  return steps;
}

function recreate(c: ReplaceView, ctx: PlanContext, at: Pick<StepDraft, 'phase' | 'releaseOffset'>): StepDraft {
  const { schema, from, to } = c;
  const deps = viewDependents(ctx.source, schema, from.name);
  const targetDeps = deps.flatMap((d) => {
    const t = findView(ctx.target, d.schema, d.view.name);
    return t ? [{ schema: d.schema, view: t }] : [];
  });
  const gone = deps.filter((d) => !findView(ctx.target, d.schema, d.view.name));
  const lost = (from.derived?.columns ?? []).some(
    (x) => !to.derived?.columns.some((y) => y.name === x.name && y.type === x.type),
  );
  const also = deps.length ? ` with the ${deps.length} view(s) reading it` : '';
  return draft({
    ...at,
    action: 'recreate_view',
    description: `drop and create ${viewLabel(schema, to)} again in one transaction${also} (its columns change)`,
    sql: doBlock([
      ...dropAll(deps),
      dropView(schema, from),
      ...viewStatements(schema, to, { withData: true }),
      ...buildAll(targetDeps),
    ]),
    rollback: [
      doBlock([
        ...dropAll(targetDeps),
        dropView(schema, to),
        ...viewStatements(schema, from, { withData: true }),
        ...buildAll(deps),
      ]),
    ],
    hazards: lost || gone.length ? ['BREAKS_OLD_APP'] : [],
    creates: [
      key.view(schema, to.name),
      ...(to.indexes ?? []).map((i) => key.index(schema, i.name)),
      ...targetDeps.map((d) => key.view(d.schema, d.view.name)),
    ],
    requires: [
      ...new Set([
        ...viewRequirements(ctx.source, schema, from),
        ...viewRequirements(ctx.target, schema, to),
        ...deps.flatMap((d) => viewRequirements(ctx.source, d.schema, d.view)),
        ...targetDeps.flatMap((d) => viewRequirements(ctx.target, d.schema, d.view)),
      ]),
    ].filter((k) => k !== key.view(schema, from.name) && !deps.some((d) => k === key.view(d.schema, d.view.name))),
    drops: gone.map((d) => key.view(d.schema, d.view.name)),
  });
}

const renameMaterialized = (schema: string, from: string, to: string) =>
  `ALTER MATERIALIZED VIEW ${qualified(schema, from)} RENAME TO ${ident(to)}`;
const renameIndex = (schema: string, from: string, to: string) =>
  `ALTER INDEX ${qualified(schema, from)} RENAME TO ${ident(to)}`;

/** A materialized view rebuilt under a temporary name: its name and its indexes' names. */
function staged(to: View): { view: View; indexes: ReadonlyArray<readonly [string, string]> } {
  const indexes = (to.indexes ?? []).map((i) => [i.name, derivedName(i.name, '__new')] as const);
  const names = new Map(indexes);
  const { comment: _c, columnComments: _cc, ...bare } = to;
  return {
    view: {
      ...bare,
      name: derivedName(to.name, '__new'),
      ...(to.indexes
        ? { indexes: to.indexes.map(({ comment: _ic, ...i }) => ({ ...i, name: names.get(i.name) ?? i.name })) }
        : {}),
    },
    indexes,
  };
}

/** Statements removing every comment `v` has (so that a rollback leaves the staged copy as it was built). */
function uncomment(schema: string, v: View): string[] {
  return [
    ...(v.comment !== undefined ? [comment({ kind: 'materialized view', schema, name: v.name }, null)] : []),
    ...(v.columnComments ?? []).map((x) => comment({ kind: 'column', schema, table: v.name, column: x.name }, null)),
    ...(v.indexes ?? []).flatMap((i) =>
      i.comment !== undefined ? [comment({ kind: 'index', schema, name: i.name }, null)] : [],
    ),
  ];
}

/**
 * A materialized view whose query changes, read by no view: the new one is built beside it under a temporary
 * name (expand, empty), populated by a REFRESH in the backfill phase while the old one keeps serving, and put in
 * place in contract in one short transaction (drop the old one, rename the new one and its indexes, comments).
 */
function stageMaterialized(c: ReplaceView, ctx: PlanContext): StepDraft[] {
  const { schema, from, to } = c;
  const s = staged(to);
  const label = viewLabel(schema, to);
  return [
    draft({
      phase: 'expand',
      action: 'create_materialized_view',
      description: `create ${qualified(schema, s.view.name)}, the new ${label}, empty (populated in the backfill phase)`,
      sql: doBlock(viewStatements(schema, s.view)),
      rollback: [dropView(schema, s.view)],
      creates: [key.view(schema, s.view.name), ...s.indexes.map(([, t]) => key.index(schema, t))],
      requires: viewRequirements(ctx.target, schema, to),
    }),
    draft({
      phase: 'backfill',
      action: 'refresh_materialized_view',
      description: `populate ${qualified(schema, s.view.name)}, the new ${label} (REFRESH reads every row it is computed from)`,
      sql: refreshMaterializedView(schema, s.view.name),
      rollback: [`${refreshMaterializedView(schema, s.view.name)} WITH NO DATA`],
      hazards: ['FULL_SCAN'],
      requires: [key.view(schema, s.view.name)],
    }),
    draft({
      phase: 'contract',
      action: 'swap_materialized_view',
      description: `in one transaction: drop the old ${label} and give ${qualified(schema, s.view.name)} its name`,
      sql: doBlock([
        dropView(schema, from),
        renameMaterialized(schema, s.view.name, to.name),
        ...s.indexes.map(([name, temp]) => renameIndex(schema, temp, name)),
        ...viewComments(schema, to),
      ]),
      rollback: [
        doBlock([
          ...uncomment(schema, to),
          ...s.indexes.map(([name, temp]) => renameIndex(schema, name, temp)),
          renameMaterialized(schema, to.name, s.view.name),
          ...viewStatements(schema, from, { withData: true }),
        ]),
      ],
      hazards: ['BREAKS_OLD_APP'],
      creates: (to.indexes ?? []).map((i) => key.index(schema, i.name)),
      requires: [
        key.view(schema, to.name),
        key.view(schema, s.view.name),
        ...viewRequirements(ctx.source, schema, from),
      ],
      drops: [
        key.view(schema, s.view.name),
        ...s.indexes.map(([, t]) => key.index(schema, t)),
        ...(from.indexes ?? [])
          .filter((i) => !s.indexes.some(([n]) => n === i.name))
          .map((i) => key.index(schema, i.name)),
      ],
    }),
  ];
}

function steps(c: ReplaceView, ctx: PlanContext, phase: 'expand' | 'backfill' | 'contract'): StepDraft[] {
  if (carriedBy(ctx, c.schema, c.from.name) || rebuiltByColumnStep(ctx, c.schema, c.from.name)) return [];
  const isLate = late(c, ctx);
  if (
    c.from.materialized &&
    c.to.materialized &&
    recreatedView(c.from, c.to) &&
    !isLate &&
    viewDependents(ctx.source, c.schema, c.from.name).length === 0
  )
    return stageMaterialized(c, ctx).filter((d) => d.phase === phase);
  if (phase === 'backfill') return [];
  if ((phase === 'contract') !== isLate) return [];
  const at = isLate
    ? ({ phase: 'contract', releaseOffset: 1 } as const)
    : ({ phase: 'expand', releaseOffset: 0 } as const);
  return recreatedView(c.from, c.to) ? [recreate(c, ctx, at)] : inPlace(c, ctx, at);
}

export const replaceViewHandler: Handler<ReplaceView> = {
  validate: () => [],
  expand: (c, ctx) => steps(c, ctx, 'expand'),
  backfill: (c, ctx) => steps(c, ctx, 'backfill'),
  contract: (c, ctx) => steps(c, ctx, 'contract'),
};
