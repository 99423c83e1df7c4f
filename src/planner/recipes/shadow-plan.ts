// The two-column recipe shared by rename_column and alter_column_type (not binary-coercible): what the new
// ("shadow") column is called at each moment, the `up` / `down` expressions under those names, and which
// indexes and checks on the column must be rebuilt on the shadow column.
//
//   rename a -> b:     old `a`, shadow `b`; after the switch `a` stays until it is dropped (same release).
//   retype c:          old `c`, shadow `c__new`; the switch renames c -> c__old and c__new -> c; c__old is
//                      dropped one release later.
//
// The differ sees an index or check on the column as unchanged (it compares under the new names), yet the real
// index is on the old column and goes with it: each one is copied onto the shadow column under a temporary
// name (`<name>__new`), the old one is renamed `<name>__old` by the switch and the copy takes the name.
import { isBinaryCoercible } from '../../diff/index.js';
import { renameColumnsIn } from '../../diff/expression.js';
import type { Check, Column, Index, Table } from '../../schema/model/model.js';
import { ident } from '../../db/quote.js';
import type { PlanContext } from '../types.js';
import { syncNames, type TriggerNames } from './sync-trigger.js';
import { derivedName, findTable, renamedColumns, sourceColumn, sourceTable, targetColumn } from './tables.js';

export type ShadowKind = 'rename' | 'type';

/** Whether this target column is rebuilt with the two-column recipe, and by which change. */
export function shadowKind(ctx: PlanContext, schema: string, table: string, column: string): ShadowKind | undefined {
  if (renamedColumns(ctx, schema, table).has(column)) return 'rename';
  const before = sourceColumn(ctx, schema, table, column);
  const after = targetColumn(ctx, schema, table, column);
  if (!before || !after || before.type === after.type) return undefined;
  // The differ's rule: a user `up` is a computation, so the server would rewrite whatever the types are.
  return after.up === undefined && isBinaryCoercible(before.type, after.type) ? undefined : 'type';
}

export interface IndexCopy {
  /** The name in the target (and of the old index in the source). */
  readonly name: string;
  /** The old index as the source has it, on the old column. */
  readonly source: Index;
  /** The copy on the shadow column, under its temporary name. */
  readonly temp: Index;
  /** The old index after the switch: renamed `<name>__old`, on the retired column. */
  readonly retired: Index;
  readonly comment?: string;
}

export interface CheckCopy {
  readonly name: string;
  readonly source: Check;
  readonly temp: Check;
  /** Validated in contract unless the target keeps it NOT VALID. */
  readonly validate: boolean;
  /** The target's comment, set when the copy takes the name. */
  readonly comment?: string;
}

export interface ShadowPlan {
  readonly kind: ShadowKind;
  readonly schema: string;
  readonly table: string;
  readonly source: Column;
  readonly target: Column;
  /** Physical names: the old column and the shadow while both exist; the old column after the switch; the target name. */
  readonly old: string;
  readonly shadow: string;
  readonly retired: string;
  readonly final: string;
  /** Over the row, with the names of the transition (up, down) and of after the switch (for rollbacks). */
  readonly up: string;
  readonly down: string;
  readonly upAfter: string;
  readonly downAfter: string;
  /** Whether `up` or `down` (or `up` alone) is user-supplied SQL. */
  readonly userSql: boolean;
  readonly userUp: boolean;
  /** Whether `down` is missing where it cannot default to the identity. */
  readonly downMissing: boolean;
  readonly names: TriggerNames;
  /** The release (relative) in which the retired column is dropped. */
  readonly dropOffset: number;
  readonly indexes: readonly IndexCopy[];
  readonly checks: readonly CheckCopy[];
  readonly sourceTable: Table;
  readonly targetTable: Table;
}

const rename = (e: string, from: string, to: string) => (from === to ? e : renameColumnsIn(e, new Map([[from, to]])));

/** An index with one column renamed everywhere it appears, under a new name. */
export function renameInIndex(ix: Index, from: string, to: string, name: string): Index {
  const col = (c: string) => (c === from ? to : c);
  const { comment: _comment, invalid: _invalid, ...rest } = ix;
  return {
    ...rest,
    name,
    keys: ix.keys.map((k) => ({
      ...k,
      ...(k.column !== undefined ? { column: col(k.column) } : {}),
      ...(k.expression !== undefined ? { expression: rename(k.expression, from, to) } : {}),
    })),
    ...(ix.include ? { include: ix.include.map(col) } : {}),
    ...(ix.where !== undefined ? { where: rename(ix.where, from, to) } : {}),
  };
}

/** Whether an expression mentions a column (the tokenizer the differ uses for renames). */
export function mentions(expression: string | undefined, column: string): boolean {
  return expression !== undefined && renameColumnsIn(expression, new Map([[column, `${column}\u0001`]])) !== expression;
}

export function indexUses(ix: Index, column: string): boolean {
  return (
    ix.keys.some((k) => k.column === column || mentions(k.expression, column)) ||
    (ix.include ?? []).includes(column) ||
    mentions(ix.where, column)
  );
}

interface Hints {
  readonly up?: string;
  readonly down?: string;
}

/** Undefined when the source or target table or column is missing (nothing to plan). */
export function shadowPlan(
  ctx: PlanContext,
  kind: ShadowKind,
  schema: string,
  table: string,
  column: string,
  hints: Hints,
): ShadowPlan | undefined {
  const sourceT = sourceTable(ctx, schema, table);
  const targetT = findTable(ctx.target, schema, table);
  const source = sourceColumn(ctx, schema, table, column);
  const target = targetT?.columns.find((c) => c.name === column);
  if (!sourceT || !targetT || !source || !target) return undefined;
  const old = source.name;
  const shadow = kind === 'rename' ? column : derivedName(column, '__new');
  const retired = kind === 'rename' ? old : derivedName(column, '__old');
  const sameType = source.type === target.type;
  const up = hints.up ?? (sameType ? ident(old) : `${ident(old)}::${target.type}`);
  const downMissing = hints.down === undefined && !sameType;
  // Without `down` the plan is refused; the placeholder only keeps the shape total.
  const down = hints.down ?? (sameType ? ident(column) : 'NULL');
  const names = syncNames(table, column);
  const base = {
    kind,
    schema,
    table,
    source,
    target,
    old,
    shadow,
    retired,
    final: column,
    names,
    sourceTable: sourceT,
    targetTable: targetT,
  };
  const copies = dependents(base);
  return {
    ...base,
    // During the transition: old values under the old name, new ones in the shadow. `down` is written over the
    // target's names, where `column` means the new value.
    up,
    down: rename(down, column, shadow),
    // After the switch: new values under the final name, old ones under the retired name.
    upAfter: rename(up, old, retired),
    downAfter: down,
    userSql: hints.up !== undefined || hints.down !== undefined,
    userUp: hints.up !== undefined,
    downMissing,
    dropOffset: kind === 'rename' ? 1 : 2,
    ...copies,
  };
}

type Base = Pick<ShadowPlan, 'kind' | 'table' | 'old' | 'shadow' | 'retired' | 'final' | 'sourceTable' | 'targetTable'>;

/** Indexes and checks of the source on the old column that the target keeps: copied onto the shadow column. */
function dependents(p: Base): Pick<ShadowPlan, 'indexes' | 'checks'> {
  const indexes: IndexCopy[] = [];
  for (const ix of p.sourceTable.indexes) {
    const kept = p.targetTable.indexes.find((t) => t.name === ix.name);
    if (!indexUses(ix, p.old) || !kept || !indexUses(kept, p.final)) continue;
    indexes.push({
      name: ix.name,
      source: ix,
      temp: renameInIndex(kept, p.final, p.shadow, derivedName(ix.name, '__new')),
      retired: renameInIndex(ix, p.old, p.retired, derivedName(ix.name, '__old')),
      ...(kept.comment !== undefined ? { comment: kept.comment } : {}),
    });
  }
  const checks: CheckCopy[] = [];
  for (const ck of p.sourceTable.checks) {
    const kept = p.targetTable.checks.find((t) => t.name === ck.name);
    if (!mentions(ck.expression, p.old) || !kept || !mentions(kept.expression, p.final)) continue;
    const temp: Check = {
      kind: 'check',
      name: derivedName(ck.name, '__new'),
      expression: rename(kept.expression, p.final, p.shadow),
      ...(kept.noInherit ? { noInherit: true } : {}),
    };
    checks.push({
      name: ck.name,
      source: ck,
      temp,
      validate: kept.notValid === undefined,
      ...(kept.comment !== undefined ? { comment: kept.comment } : {}),
    });
  }
  return { indexes, checks };
}
