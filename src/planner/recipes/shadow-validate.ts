// What the two-column recipe (rename_column, alter_column_type) refuses, each with the way out.
//
// It rebuilds plain indexes and checks on the new column, but not keys: a primary key, a unique constraint or a
// foreign key on the column (or one referencing it from another table) would have to move between two columns
// while both application versions write, and a moment without them breaks replica identity or integrity.
// Identity and generated columns cannot be filled by a trigger. Anything else that uses the column and would
// block dropping it (a generated column, a trigger's WHEN) is refused too, as are indexes and checks on it that
// this plan also changes (their own changes would race the copies).
import type { Change } from '../../diff/index.js';
import { omit, same } from '../../diff/list.js';
import type { Index } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import type { PlanContext, PlanProblem } from '../types.js';
import { indexUses, mentions, shadowKind, type ShadowPlan } from './shadow-plan.js';
import { backfillKey, findTable, renamedSource, sourceTableName } from './tables.js';

export function shadowProblems(change: Change, ctx: PlanContext, p: ShadowPlan): PlanProblem[] {
  const col = `${qualified(p.schema, p.table)}.${ident(p.final)}`;
  const how =
    p.kind === 'rename'
      ? `renaming ${qualified(p.schema, p.table)}.${ident(p.old)} to ${ident(p.final)}`
      : `changing the type of ${col}`;
  const problems: PlanProblem[] = [];
  const refuse = (message: string, fix: string) => problems.push({ change, message, fix });
  const twoPlans = p.kind === 'rename' ? 'keep the old name' : 'keep the old type';

  if (p.downMissing) {
    refuse(
      `${how} from ${p.source.type} to ${p.target.type} needs \`down\`: the previous application version writes the old column while the new one writes the new column`,
      'add `down:` computing the old value from the new one',
    );
  }
  if ([p.source, p.target].some((c) => c.identity !== undefined || c.generated !== undefined)) {
    refuse(
      `${how}: identity and generated columns cannot be kept in sync by a trigger`,
      `${twoPlans}, or drop the identity or generation in one plan and ${p.kind === 'rename' ? 'rename' : 'change the type'} in the next`,
    );
  }
  if (!backfillKey(p.sourceTable)) {
    refuse(
      `${how} copies existing rows in batches, which needs a primary key or a unique NOT NULL key on ${qualified(p.schema, p.table)}`,
      'add a primary key to the table in an earlier plan',
    );
  }
  const keys = [
    ...(p.sourceTable.primaryKey ? [p.sourceTable.primaryKey] : []),
    ...p.sourceTable.unique,
    ...p.sourceTable.foreignKeys,
  ].filter((k) => k.columns.includes(p.old));
  const targetKeys = [
    ...(p.targetTable.primaryKey ? [p.targetTable.primaryKey] : []),
    ...p.targetTable.unique,
    ...p.targetTable.foreignKeys,
  ].filter((k) => k.columns.includes(p.final));
  for (const name of new Set([...keys, ...targetKeys].map((k) => k.name))) {
    refuse(
      `${how}: constraint ${ident(name)} (a primary key, unique constraint or foreign key) uses the column, and cannot move to the new column without a moment unprotected`,
      `${twoPlans}; or replace the constraint with a unique index (or drop the foreign key) in an earlier plan`,
    );
  }
  for (const ref of incomingForeignKeys(ctx, p))
    refuse(
      `${how}: foreign key ${ref} references the column`,
      `${twoPlans}; or drop the foreign key in an earlier plan and re-add it in a later one`,
    );
  const generated = new Set<string>();
  const triggers = new Set<string>();
  for (const [t, name] of [
    [p.sourceTable, p.old],
    [p.targetTable, p.final],
  ] as const) {
    for (const c of t.columns) if (c.name !== name && mentions(c.generated, name)) generated.add(c.name);
    for (const tr of t.triggers) if (mentions(tr.when, name)) triggers.add(tr.name);
  }
  for (const g of generated)
    refuse(
      `${how}: generated column ${ident(g)} is computed from it`,
      `${twoPlans}, or drop the generated column first`,
    );
  for (const tr of triggers)
    refuse(
      `${how}: trigger ${ident(tr)} tests it in its WHEN clause`,
      `${twoPlans}, or drop the trigger in an earlier plan`,
    );
  changedDependents(ctx, p, how, refuse);
  for (const ix of p.indexes) {
    const others = otherShadowed(ctx, p, ix.temp);
    if (others.length > 0)
      refuse(
        `${how}: index ${ident(ix.name)} also uses ${others.map(ident).join(', ')}, rebuilt in the same plan`,
        'change one column of the index per plan',
      );
    if (ix.source.unique && ix.source.nullsNotDistinct)
      refuse(
        `${how}: unique index ${ident(ix.name)} is NULLS NOT DISTINCT, and the retired column holds NULLs until it is dropped`,
        `${twoPlans}, or make the index NULLS DISTINCT first`,
      );
  }
  nameClashes(ctx, p, how, refuse);
  const v = ctx.serverVersionNum;
  if (p.indexes.length > 0 && v >= 140000 && v < 140004) {
    refuse(
      `${how} rebuilds indexes with CREATE INDEX CONCURRENTLY, which can silently corrupt indexes on PostgreSQL 14.0 to 14.3 (this server is ${v})`,
      'upgrade to 14.4+',
    );
  }
  return problems;
}

function incomingForeignKeys(ctx: PlanContext, p: ShadowPlan): string[] {
  const found = new Set<string>();
  const scan = (side: 'source' | 'target', table: string, column: string) => {
    for (const s of ctx[side].schemas) {
      for (const t of s.tables) {
        for (const fk of t.foreignKeys) {
          const r = fk.references;
          if (r.schema === p.schema && r.table === table && r.columns.includes(column))
            found.add(`${ident(fk.name)} on ${qualified(s.name, t.name)}`);
        }
      }
    }
  };
  scan('source', sourceTableName(ctx, p.schema, p.table), p.old);
  scan('target', p.table, p.final);
  return [...found].sort();
}

type Refuse = (message: string, fix: string) => void;

/** Indexes and checks on the column that the plan drops or redefines (or, for a type change, adds). */
function changedDependents(ctx: PlanContext, p: ShadowPlan, how: string, refuse: Refuse): void {
  const renamed = findTable(renamedSource(ctx), p.schema, p.table);
  const fix = 'change the index or check in a separate plan';
  for (const ix of renamed?.indexes ?? []) {
    if (!indexUses(ix, p.final)) continue;
    const t = p.targetTable.indexes.find((x) => x.name === ix.name);
    if (!t || !same(omit(ix, 'comment'), omit(t, 'comment')))
      refuse(`${how}: index ${ident(ix.name)} on the column is dropped or redefined by the same plan`, fix);
  }
  for (const ck of renamed?.checks ?? []) {
    if (!mentions(ck.expression, p.final)) continue;
    const t = p.targetTable.checks.find((x) => x.name === ck.name);
    if (!t || !same(omit(ck, 'notValid'), omit(t, 'notValid')))
      refuse(`${how}: check ${ident(ck.name)} on the column is dropped or redefined by the same plan`, fix);
  }
  if (p.kind !== 'type') return;
  for (const ix of p.targetTable.indexes) {
    if (indexUses(ix, p.final) && !p.sourceTable.indexes.some((x) => x.name === ix.name))
      refuse(`${how}: new index ${ident(ix.name)} would be built on the old column`, 'add the index in the next plan');
  }
  for (const ck of p.targetTable.checks) {
    if (mentions(ck.expression, p.final) && !p.sourceTable.checks.some((x) => x.name === ck.name))
      refuse(`${how}: new check ${ident(ck.name)} would be added on the old column`, 'add the check in the next plan');
  }
}

/** Other columns of an index copy that are themselves rebuilt by this plan. */
function otherShadowed(ctx: PlanContext, p: ShadowPlan, ix: Index): string[] {
  return p.targetTable.columns
    .map((c) => c.name)
    .filter(
      (c) => c !== p.final && c !== p.shadow && indexUses(ix, c) && shadowKind(ctx, p.schema, p.table, c) !== undefined,
    );
}

/** The names the recipe gives its columns, indexes and checks must be free. */
function nameClashes(ctx: PlanContext, p: ShadowPlan, how: string, refuse: Refuse): void {
  const tables = [p.sourceTable, p.targetTable];
  if (p.kind === 'type') {
    for (const name of [p.shadow, p.retired]) {
      if (tables.some((t) => t.columns.some((c) => c.name === name)))
        refuse(`${how} needs a column named ${ident(name)}, which exists`, `rename ${ident(name)} first`);
    }
  }
  const relations = new Set<string>();
  for (const db of [ctx.source, ctx.target]) {
    const s = db.schemas.find((x) => x.name === p.schema);
    for (const t of s?.tables ?? []) {
      relations.add(t.name);
      for (const i of t.indexes) relations.add(i.name);
      for (const k of [...(t.primaryKey ? [t.primaryKey] : []), ...t.unique]) relations.add(k.name);
    }
    for (const q of s?.sequences ?? []) relations.add(q.name);
  }
  for (const ix of p.indexes) {
    for (const name of [ix.temp.name, ix.retired.name])
      if (relations.has(name))
        refuse(
          `${how} needs the index name ${qualified(p.schema, name)}, which is taken`,
          `rename the object called ${ident(name)} first`,
        );
  }
  for (const ck of p.checks) {
    if (tables.some((t) => t.checks.some((c) => c.name === ck.temp.name)))
      refuse(`${how} needs the check name ${ident(ck.temp.name)}, which is taken`, `rename that check first`);
  }
}
