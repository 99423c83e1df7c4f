// Shared by the tables* unit tests: a plan context from two snapshots, the changes the differ finds, and the
// steps of one handler in a compact form that exact-SQL tables can state in full.
import { diff, type Change, type ChangeKind, type ChangeOf } from '../../../src/diff/index.js';
import { tableHandlers, type TableKind } from '../../support/families.js';
import type { Handler, PlanContext, PlanProblem, StepDraft } from '../../../src/planner/types.js';
import type { DatabaseSchema, Table } from '../../../src/schema/model/model.js';
import { db, schema } from '../diff/fixtures.js';

export * from '../diff/fixtures.js';

/** A hostile schema name: quotes, a space, upper case, non-ASCII. */
export const H = 'Tenant "1" ñ';
export const HQ = '"Tenant ""1"" ñ"';

/** A database with one schema `H` holding these tables. */
export const hostile = (...tables: Table[]): DatabaseSchema => db(schema(H, { tables }));

export function context(source: DatabaseSchema, target: DatabaseSchema, serverVersionNum = 170004): PlanContext {
  const newTables = new Set(
    diff(source, target).flatMap((c) => (c.kind === 'add_table' ? [`${c.schema}.${c.table}`] : [])),
  );
  return { source, target, serverVersionNum, newTables };
}

/** The one change of this kind the differ finds between the two snapshots. */
export function changeOf<K extends ChangeKind>(kind: K, ctx: PlanContext): ChangeOf<K> {
  const found = diff(ctx.source, ctx.target).filter((c): c is ChangeOf<K> => c.kind === kind);
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind}, found ${found.length}: ${diff(ctx.source, ctx.target)
        .map((c) => c.kind)
        .join(', ')}`,
    );
  return found[0] as ChangeOf<K>;
}

function handler(c: Change): Handler<Change> {
  return tableHandlers[c.kind as TableKind] as unknown as Handler<Change>;
}

/** Every step of every phase, in phase order then draft order. */
export function steps(c: Change, ctx: PlanContext): StepDraft[] {
  const h = handler(c);
  return [...h.expand(c, ctx), ...h.backfill(c, ctx), ...h.contract(c, ctx)];
}

export function problems(c: Change, ctx: PlanContext): readonly PlanProblem[] {
  return handler(c).validate(c, ctx);
}

/** `release/phase action [lock, non-transactional] hazards` — the shape of a plan, one line per step. */
export function shape(s: StepDraft): string {
  const lock = s.lock === 'none' ? '' : ` [${s.lock}${s.transactional ? '' : ', non-transactional'}]`;
  return `${s.releaseOffset}/${s.phase} ${s.action}${lock}${s.hazards.length ? ` ${s.hazards.join(',')}` : ''}`;
}

/** SQL and rollback of a step: what exact-SQL tables compare. */
export const sql = (s: StepDraft) => ({ sql: s.sql, rollback: s.rollback });

/** The plan of one change for the given source and target. */
export function planOf<K extends ChangeKind>(
  kind: K,
  source: DatabaseSchema,
  target: DatabaseSchema,
  version = 170004,
) {
  const ctx = context(source, target, version);
  const change = changeOf(kind, ctx);
  return { ctx, change, steps: steps(change, ctx), problems: problems(change, ctx) };
}
