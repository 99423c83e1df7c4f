// Foreign keys that depend on a unique key: the failure of the postmortem (seeds/000), where a rollback dropped
// unique indexes that foreign keys still used and PostgreSQL refused with 2BP01.
//
// PostgreSQL records a foreign key's dependency on ONE unique index of the referenced table: the first valid,
// non-partial, non-expression unique index (primary key, unique constraint or plain unique index) whose
// columns equal the referenced columns as a set, in index OID order, chosen when the constraint is created.
// Snapshots carry no OIDs, so every foreign key whose references match a key's columns as a set is treated as
// a dependent of that key: dropping and re-adding one that did not need it is harmless, missing one fails.
//
// Keys convention (see constraints.ts): a primary key or unique constraint creates key.index(schema, name) and
// key.constraint(schema, table, name); a plain unique index only key.index. A foreign key requires key.index of
// every key it could pick, so it is built after all of them and rolled back before any of them.
import type { Change } from '../../diff/index.js';
import type { DatabaseSchema, ForeignKey } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { addForeignKey, dropConstraint, validateConstraint } from '../../sql/render/index.js';
import { commentSteps, restoreComment } from './comments.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, PlanProblem, StepDraft } from '../types.js';
import { findTable, isNewTable } from './constraints.js';

/** A key's columns on its table. */
export interface KeyColumns {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly string[];
}

/** A key a foreign key could use: a primary key or unique constraint (`constraint`), or a plain unique index. */
export interface CandidateKey {
  readonly name: string;
  readonly constraint: boolean;
}

/**
 * Ordering-only keys ("milestones"), for orders that object keys cannot say. `gone(k)` is created by the step
 * that drops k and required by steps that must not see k any more (a foreign key re-added after the key it
 * used is gone, so that PostgreSQL picks the remaining one; an index rebuilt under the name of an invalid one).
 * `readded(k)` is created by the step re-adding constraint k and required by the step validating it.
 */
export const milestone = {
  gone: (k: ObjectKey): ObjectKey => `gone:${k}`,
  readded: (k: ObjectKey): ObjectKey => `readded:${k}`,
};

export function sameColumnSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return a.length === b.length && sa.size === new Set(b).size && b.every((c) => sa.has(c));
}

/** The keys of `db`'s table that PostgreSQL could pick for a foreign key referencing these columns, by name. */
export function candidateKeys(db: DatabaseSchema, ref: KeyColumns): CandidateKey[] {
  const t = findTable(db, ref.schema, ref.table);
  if (!t) return [];
  const keys: CandidateKey[] = [];
  if (t.primaryKey && sameColumnSet(t.primaryKey.columns, ref.columns))
    keys.push({ name: t.primaryKey.name, constraint: true });
  for (const u of t.unique) if (sameColumnSet(u.columns, ref.columns)) keys.push({ name: u.name, constraint: true });
  for (const ix of t.indexes) {
    if (!ix.unique || ix.where !== undefined || ix.invalid) continue;
    const cols = ix.keys.map((k) => k.column);
    if (cols.every((c) => c !== undefined) && sameColumnSet(cols as string[], ref.columns))
      keys.push({ name: ix.name, constraint: false });
  }
  return keys.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Object keys of every candidate key in `db`: the index, and with `constraints` the constraint too. */
export function candidateKeyObjects(
  db: DatabaseSchema,
  ref: KeyColumns,
  opts: { readonly constraints: boolean },
): ObjectKey[] {
  return candidateKeys(db, ref).flatMap((k) => [
    key.index(ref.schema, k.name),
    ...(opts.constraints && k.constraint ? [key.constraint(ref.schema, ref.table, k.name)] : []),
  ]);
}

/** A foreign key referencing a key's columns, as it is in the source and in the target (absent where it does not exist). */
export interface DependentForeignKey {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly source?: ForeignKey;
  readonly target?: ForeignKey;
}

/** Foreign keys of the source and of the target whose references match `ref` as a set, by schema, table, name. */
export function dependentForeignKeys(ctx: PlanContext, ref: KeyColumns): DependentForeignKey[] {
  const found = new Map<
    string,
    { schema: string; table: string; name: string; source?: ForeignKey; target?: ForeignKey }
  >();
  for (const side of ['source', 'target'] as const) {
    for (const s of ctx[side].schemas) {
      for (const t of s.tables) {
        for (const fk of t.foreignKeys) {
          const r = fk.references;
          if (r.schema !== ref.schema || r.table !== ref.table || !sameColumnSet(r.columns, ref.columns)) continue;
          const id = JSON.stringify([s.name, t.name, fk.name]);
          const entry = found.get(id) ?? { schema: s.name, table: t.name, name: fk.name };
          entry[side] = fk;
          found.set(id, entry);
        }
      }
    }
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/** A foreign key in a given state: the definition, and whether it is validated. */
interface FkState {
  readonly schema: string;
  readonly table: string;
  readonly fk: ForeignKey;
  readonly valid: boolean;
}

/**
 * A dependent as it stands while release 1's contract phase runs, once every later step of that phase is
 * rolled back: a source foreign key as in the source (one this plan validates is validated by a step that
 * requires the key's constraint, so it comes later and is NOT VALID again); one this plan adds is NOT VALID
 * (added so in expand, validated in contract after the key), except on a table created by the plan, where it
 * was added valid.
 */
function duringFirstRelease(ctx: PlanContext, d: DependentForeignKey): FkState | undefined {
  if (d.source) return { schema: d.schema, table: d.table, fk: d.source, valid: d.source.notValid !== true };
  if (d.target)
    return {
      schema: d.schema,
      table: d.table,
      fk: d.target,
      valid: isNewTable(ctx, d.schema, d.table) && d.target.notValid !== true,
    };
  return undefined;
}

/**
 * Re-adding a foreign key exactly as it was: NOT VALID first (brief lock), then VALIDATE if it was valid (no
 * write block), then its comment.
 */
export function readdForeignKey(schema: string, table: string, fk: ForeignKey, valid: boolean): string[] {
  return [
    addForeignKey(schema, table, fk, { notValid: true }),
    ...(valid ? [validateConstraint(schema, table, fk.name)] : []),
    ...restoreComment({ kind: 'constraint', schema, table, name: fk.name }, fk.comment),
  ];
}

/**
 * Rollback statements that must remove a key while foreign keys depend on it (release 1): drop every
 * dependent, run `inner`, re-add every dependent as it was. Without the drops PostgreSQL refuses `inner` with
 * 2BP01 ("cannot drop constraint ... because other objects depend on it").
 */
export function aroundDependents(ctx: PlanContext, ref: KeyColumns, inner: readonly string[]): string[] {
  const deps = dependentForeignKeys(ctx, ref)
    .map((d) => duringFirstRelease(ctx, d))
    .filter((d) => d !== undefined);
  return [
    ...deps.map((d) => dropConstraint(d.schema, d.table, d.fk.name)),
    ...inner,
    ...deps.flatMap((d) => readdForeignKey(d.schema, d.table, d.fk, d.valid)),
  ];
}

/**
 * A key dropped in a later release while foreign keys of the target still reference its columns (they use
 * another key of the target from then on). Each of them may still depend on the dropped key, and PostgreSQL
 * would keep picking it while it exists, so around `drop` (contract of the next release): take each foreign key
 * off, drop the key, re-add the foreign key NOT VALID (it now picks a remaining key), validate it.
 */
export function withDependents(ctx: PlanContext, ref: KeyColumns, what: string, drop: StepDraft): StepDraft[] {
  const dropped = dropping(drop);
  const deps = dependentForeignKeys(ctx, ref).filter(
    (d): d is DependentForeignKey & { target: ForeignKey } => d.target !== undefined,
  );
  if (deps.length === 0) return [dropped];
  // A key of the target under the dropped one's name (a key redefined under the same name) takes that name only
  // after the drop: the foreign keys go back on it under its temporary name, after the drop.
  const remaining = candidateKeyObjects(ctx.target, ref, { constraints: true }).filter((k) => !drop.drops.includes(k));
  const base = { phase: 'contract', releaseOffset: drop.releaseOffset } as const;
  const before: StepDraft[] = [];
  const after: StepDraft[] = [];
  for (const d of deps) {
    const fk = d.target;
    const child: readonly [string, string] = [d.schema, d.table];
    const parent: readonly [string, string] = [ref.schema, ref.table];
    const both = d.schema === ref.schema && d.table === ref.table ? [child] : [child, parent];
    const name = `foreign key ${ident(fk.name)} on ${qualified(d.schema, d.table)}`;
    const fkKey = key.constraint(d.schema, d.table, fk.name);
    const valid = fk.notValid !== true;
    before.push(
      draft({
        ...base,
        action: 'detach_foreign_key',
        description: `take ${name} off ${what} before dropping it`,
        sql: dropConstraint(d.schema, d.table, fk.name),
        rollback: readdForeignKey(d.schema, d.table, fk, valid),
        lock: 'ACCESS EXCLUSIVE',
        locks: both,
        requires: [fkKey, ...drop.drops],
      }),
    );
    after.push(
      draft({
        ...base,
        action: 'reattach_foreign_key',
        description: `add ${name} back NOT VALID, on a remaining key`,
        sql: addForeignKey(d.schema, d.table, fk, { notValid: true }),
        rollback: [dropConstraint(d.schema, d.table, fk.name)],
        lock: 'SHARE ROW EXCLUSIVE',
        locks: both,
        creates: [milestone.readded(fkKey)],
        requires: [...drop.drops.map(milestone.gone), ...remaining],
      }),
      ...commentSteps(
        {
          ...base,
          target: { kind: 'constraint', schema: d.schema, table: d.table, name: fk.name },
          what: name,
          requires: [milestone.readded(fkKey)],
        },
        fk.comment,
      ),
    );
    if (valid) {
      after.push(
        draft({
          ...base,
          action: 'validate_foreign_key',
          description: `validate ${name} again`,
          sql: validateConstraint(d.schema, d.table, fk.name),
          rollback: readdAfterDrop(d.schema, d.table, fk),
          lock: 'SHARE UPDATE EXCLUSIVE',
          locks: [child],
          hazards: ['FULL_SCAN', 'CORRECTNESS'],
          requires: [milestone.readded(fkKey)],
          costTable: { schema: d.schema, table: d.table, work: 'scan' },
        }),
      );
    }
  }
  return [...before, dropped, ...after];
}

/** A step dropping keys also creates their `gone` milestones, for the steps that must come after it. */
export function dropping(step: StepDraft): StepDraft {
  const gone = step.drops.map(milestone.gone).filter((k) => !step.creates.includes(k));
  return gone.length === 0 ? step : { ...step, creates: [...step.creates, ...gone] };
}

/** Undoing a VALIDATE: PostgreSQL cannot unvalidate, so drop and re-add NOT VALID. */
export function readdAfterDrop(schema: string, table: string, fk: ForeignKey): string[] {
  return [
    dropConstraint(schema, table, fk.name),
    addForeignKey(schema, table, fk, { notValid: true }),
    ...restoreComment({ kind: 'constraint', schema, table, name: fk.name }, fk.comment),
  ];
}

/** Foreign keys of the target referencing `ref` although no key of the target covers those columns: unplannable. */
export function orphanedDependents(change: Change, ctx: PlanContext, ref: KeyColumns, what: string): PlanProblem[] {
  if (candidateKeys(ctx.target, ref).length > 0) return [];
  const orphans = dependentForeignKeys(ctx, ref).filter((d) => d.target !== undefined);
  if (orphans.length === 0) return [];
  const names = orphans.map((d) => `${ident(d.name)} on ${qualified(d.schema, d.table)}`).join(', ');
  return [
    {
      change,
      message: `dropping ${what} leaves foreign key(s) ${names} of the target without a unique key on (${ref.columns.map(ident).join(', ')})`,
      fix: `keep a primary key, unique constraint or unique index on those columns of ${qualified(ref.schema, ref.table)}, or drop the foreign keys`,
    },
  ];
}
