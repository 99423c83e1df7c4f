// Constraints have no in-place alteration except VALIDATE and COMMENT: any other difference is a drop of the
// source constraint and an add of the target one under the same name (which carries its comment).
import type { Check, ExclusionConstraint, ForeignKey, PrimaryKey, UniqueConstraint } from '../schema/model/model.js';
import type { Change } from './changes.js';
import { diffComment } from './comments.js';
import { byName, omit, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

interface Kinds<T> {
  add(item: T): Change;
  drop(item: T): Change;
  /** For constraints that can be added NOT VALID and validated later. */
  validate?(item: T): Change;
}

function diffNamed<T extends { readonly name: string; readonly notValid?: true; readonly comment?: string }>(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly T[],
  to: readonly T[],
  kinds: Kinds<T>,
): void {
  for (const { from: f, to: t } of pairByKey(from, to, byName)) {
    const comment = () =>
      diffComment(emit, schema, { kind: 'constraint', table, constraint: t!.name }, f!.comment, t!.comment);
    if (f && t && same(omit(f, 'comment'), omit(t, 'comment'))) {
      comment();
      continue;
    }
    if (
      f &&
      t &&
      kinds.validate &&
      f.notValid &&
      !t.notValid &&
      same(omit(f, 'notValid', 'comment'), omit(t, 'comment'))
    ) {
      emit(kinds.validate(t));
      comment();
      continue;
    }
    if (f) emit(kinds.drop(f));
    if (t) emit(kinds.add(t));
  }
}

// A table has at most one primary key, so a changed or renamed one is always dropped before the new one is added.
export function diffPrimaryKey(
  emit: Emit,
  schema: string,
  table: string,
  from: PrimaryKey | undefined,
  to: PrimaryKey | undefined,
): void {
  if (from && to && same(omit(from, 'comment'), omit(to, 'comment'))) {
    diffComment(emit, schema, { kind: 'constraint', table, constraint: to.name }, from.comment, to.comment);
    return;
  }
  if (same(from, to)) return;
  if (from) emit({ kind: 'drop_primary_key', schema, table, primaryKey: from });
  if (to) emit({ kind: 'add_primary_key', schema, table, primaryKey: to });
}

export function diffUnique(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly UniqueConstraint[],
  to: readonly UniqueConstraint[],
): void {
  diffNamed(emit, schema, table, from, to, {
    add: (unique) => ({ kind: 'add_unique', schema, table, unique }),
    drop: (unique) => ({ kind: 'drop_unique', schema, table, unique }),
  });
}

export function diffChecks(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly Check[],
  to: readonly Check[],
): void {
  diffNamed(emit, schema, table, from, to, {
    add: (check) => ({ kind: 'add_check', schema, table, check }),
    drop: (check) => ({ kind: 'drop_check', schema, table, check }),
    validate: (check) => ({ kind: 'validate_check', schema, table, check }),
  });
}

export function diffForeignKeys(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly ForeignKey[],
  to: readonly ForeignKey[],
): void {
  diffNamed(emit, schema, table, from, to, {
    add: (foreignKey) => ({ kind: 'add_foreign_key', schema, table, foreignKey }),
    drop: (foreignKey) => ({ kind: 'drop_foreign_key', schema, table, foreignKey }),
    validate: (foreignKey) => ({ kind: 'validate_foreign_key', schema, table, foreignKey }),
  });
}

/** Exclusion constraints have no NOT VALID: a changed definition is a drop and an add of the same name. */
export function diffExclusions(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly ExclusionConstraint[],
  to: readonly ExclusionConstraint[],
): void {
  diffNamed(emit, schema, table, from, to, {
    add: (exclusion) => ({ kind: 'add_exclusion', schema, table, exclusion }),
    drop: (exclusion) => ({ kind: 'drop_exclusion', schema, table, exclusion }),
  });
}
