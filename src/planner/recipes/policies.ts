// Pieces shared by the policy handlers and the column steps: what a policy needs to exist, the statements
// recreating it, and the policies a column step drops and builds again around itself.
//
// Keys: a policy is key.policy(schema, table, name). A step creating one requires its table and what its
// expressions read in the target (tables, views, columns from the catalog's pg_depend, functions and sequences
// named in the text); a step dropping one requires what it read in the source, so it runs before the steps
// dropping those. Like a view, a policy reading a column is trusted by the dependents rule only once a step at
// or before the one changing the column builds it again (planner/dependents.ts).
import type { Policy } from '../../schema/model/model.js';
import { findTable } from '../../schema/model/lookup.js';
import { createPolicy, dropPolicy } from '../../sql/render/index.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext } from '../types.js';
import { restoreComment } from './comments.js';
import { expressionNeeds, sourceTableName } from './tables.js';
import { columnsChangedUnderViews, findSchema, findView } from './views.js';

/** A policy and the table it is on. */
export interface PlacedPolicy {
  readonly schema: string;
  readonly table: string;
  readonly policy: Policy;
}

/** Keys of what `p` (on `schema.table` of `db`) needs: its table, what it reads, the functions it calls. */
export function policyRequirements(
  ctx: PlanContext,
  db: 'source' | 'target',
  schema: string,
  table: string,
  p: Policy,
): ObjectKey[] {
  const snapshot = ctx[db];
  const out = new Set<ObjectKey>([key.table(schema, table)]);
  for (const r of p.derived?.reads ?? []) {
    if (findView(snapshot, r.schema, r.relation)) {
      out.add(key.view(r.schema, r.relation));
      continue;
    }
    const t = findTable(snapshot, r.schema, r.relation);
    if (!t) continue;
    out.add(key.table(r.schema, r.relation));
    for (const c of r.columns) if (t.columns.some((x) => x.name === c)) out.add(key.column(r.schema, r.relation, c));
  }
  for (const e of [p.using, p.withCheck]) if (e !== undefined) for (const k of expressionNeeds(ctx, e)) out.add(k);
  return [...out];
}

/** CREATE POLICY, then its comment. */
export function recreatePolicy(schema: string, table: string, p: Policy): string[] {
  return [
    createPolicy(schema, table, p),
    ...restoreComment({ kind: 'policy', schema, table, name: p.name }, p.comment),
  ];
}

const reads = (p: Policy, schema: string, relation: string, columns: readonly string[]): boolean =>
  (p.derived?.reads ?? []).some(
    (r) => r.schema === schema && r.relation === relation && r.columns.some((c) => columns.includes(c)),
  );

/** The target table a source table becomes (itself, or the table renamed from it), if any. */
function targetTableOf(ctx: PlanContext, schema: string, sourceName: string): string | undefined {
  const tables = findSchema(ctx.target, schema)?.tables ?? [];
  return (tables.find((t) => t.renamedFrom === sourceName) ?? tables.find((t) => t.name === sourceName))?.name;
}

/** Policies around a column step: what it drops first (source shapes) and builds after (target shapes). */
export interface PoliciesAround {
  readonly drop: readonly PlacedPolicy[];
  readonly build: readonly PlacedPolicy[];
}

/**
 * Source policies (on any table) reading `columns` of source table `schema.table` (the target table's source),
 * and with `created` the policies this plan creates in expand reading those target columns: a column step
 * retyping a column in place (refused by PostgreSQL while a policy reads it) or retiring it (a swap's RENAME
 * would carry the policy along to the retired column) drops them first and builds them again last.
 */
export function policiesAroundColumns(
  ctx: PlanContext,
  schema: string,
  targetTable: string,
  columns: readonly string[],
  created: readonly string[] = [],
): PoliciesAround {
  const table = sourceTableName(ctx, schema, targetTable);
  const drop: PlacedPolicy[] = [];
  const build: PlacedPolicy[] = [];
  for (const s of ctx.source.schemas)
    for (const t of s.tables)
      for (const p of t.policies ?? []) {
        if (!reads(p, schema, table, columns)) continue;
        drop.push({ schema: s.name, table: t.name, policy: p });
        const tt = targetTableOf(ctx, s.name, t.name);
        const to =
          tt === undefined ? undefined : findTable(ctx.target, s.name, tt)?.policies?.find((x) => x.name === p.name);
        if (tt !== undefined && to) build.push({ schema: s.name, table: tt, policy: to });
      }
  if (created.length)
    for (const s of ctx.target.schemas)
      for (const t of s.tables)
        for (const p of t.policies ?? []) {
          const before = findTable(ctx.source, s.name, sourceTableName(ctx, s.name, t.name))?.policies?.some(
            (x) => x.name === p.name,
          );
          if (before || !reads(p, schema, targetTable, created)) continue;
          drop.push({ schema: s.name, table: t.name, policy: p });
          build.push({ schema: s.name, table: t.name, policy: p });
        }
  return { drop, build };
}

/** `statements` with the policies around them dropped before and built after (`undo`: the rollback's mirror). */
export function aroundPolicies(around: PoliciesAround, statements: readonly string[]): string[] {
  return [
    ...around.drop.map((p) => dropPolicy(p.schema, p.table, p.policy.name)),
    ...statements,
    ...around.build.flatMap((p) => recreatePolicy(p.schema, p.table, p.policy)),
  ];
}

export function undoAroundPolicies(around: PoliciesAround, statements: readonly string[]): string[] {
  return [
    ...around.build.map((p) => dropPolicy(p.schema, p.table, p.policy.name)),
    ...statements,
    ...around.drop.flatMap((p) => recreatePolicy(p.schema, p.table, p.policy)),
  ];
}

/** Keys of a column step that rebuilds policies: those it builds, and those it drops for good. */
export function aroundPolicyKeys(around: PoliciesAround): { creates: ObjectKey[]; drops: ObjectKey[] } {
  const built = new Set(around.build.map((p) => key.policy(p.schema, p.table, p.policy.name)));
  return {
    creates: [...built],
    drops: around.drop.map((p) => key.policy(p.schema, p.table, p.policy.name)).filter((k) => !built.has(k)),
  };
}

/**
 * Whether a source policy is dropped (and built again in its target shape) by a column step: it reads a column
 * such a step retypes or retires. Its own change then plans nothing.
 */
export function policyRebuiltByColumnStep(ctx: PlanContext, schema: string, table: string, name: string): boolean {
  const p = findTable(ctx.source, schema, table)?.policies?.find((x) => x.name === name);
  if (!p) return false;
  return (p.derived?.reads ?? []).some((r) => {
    const t = targetTableOf(ctx, r.schema, r.relation);
    if (t === undefined || findView(ctx.source, r.schema, r.relation)) return false;
    if (sourceTableName(ctx, r.schema, t) !== r.relation) return false;
    const changed = columnsChangedUnderViews(ctx, r.schema, t);
    return r.columns.some((c) => changed.has(c));
  });
}
