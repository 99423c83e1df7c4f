// Columns are matched by name (after renames); their order is not compared, since PostgreSQL cannot reorder
// the columns of an existing table and a declared order only matters when the table is created.
import type { Column } from '../schema/model/model.js';
import { isBinaryCoercible } from './coercion.js';
import { diffComment } from './comments.js';
import { opt } from './list.js';
import type { Emit } from './order.js';

/** `renamed`: target column name -> source column name, for the columns renamed in this table. */
export function diffColumns(
  emit: Emit,
  schema: string,
  table: string,
  from: readonly Column[],
  to: readonly Column[],
  renamed: ReadonlyMap<string, string>,
): void {
  const source = new Map(from.map((c) => [c.name, c]));
  const target = new Set(to.map((c) => c.name));
  for (const column of to) {
    const previous = source.get(column.name);
    if (previous) diffColumn(emit, schema, table, previous, column, renamed.get(column.name));
    else emit({ kind: 'add_column', schema, table, column });
  }
  for (const column of from) if (!target.has(column.name)) emit({ kind: 'drop_column', schema, table, column });
}

// The order within one column: the rename first (the rest use the new name), then what removes a default,
// identity or generation (which would block a type change), the type, then what adds them, then nullability.
function diffColumn(
  emit: Emit,
  schema: string,
  table: string,
  previous: Column,
  column: Column,
  renamedFrom: string | undefined,
): void {
  const on = { schema, table, column } as const;
  if (renamedFrom !== undefined) emit({ kind: 'rename_column', ...on, from: renamedFrom, to: column.name });
  if (previous.default !== undefined && column.default === undefined)
    emit({ kind: 'drop_default', ...on, from: previous.default });
  if (previous.identity !== undefined && column.identity === undefined)
    emit({ kind: 'drop_identity', ...on, from: previous.identity });
  if (previous.generated !== column.generated) {
    const fromTo = { ...opt('from', previous.generated), ...opt('to', column.generated) };
    emit({ kind: 'alter_generated', ...on, previous, ...fromTo });
  }
  if (previous.type !== column.type) {
    // A user-supplied `up` is a computation, so the server rewrites whatever the types are.
    const binaryCoercible = column.up === undefined && isBinaryCoercible(previous.type, column.type);
    const hints = { ...opt('using', column.up), ...opt('down', column.down) };
    emit({
      kind: 'alter_column_type',
      ...on,
      previous,
      from: previous.type,
      to: column.type,
      ...hints,
      binaryCoercible,
    });
  } else if (previous.collation !== column.collation) {
    emit({ kind: 'alter_collation', ...on, ...opt('from', previous.collation), ...opt('to', column.collation) });
  }
  if (column.default !== undefined && previous.default !== column.default) {
    emit({ kind: 'set_default', ...on, ...opt('from', previous.default), to: column.default });
  }
  if (column.identity !== undefined && previous.identity !== column.identity) {
    emit({ kind: 'set_identity', ...on, ...opt('from', previous.identity), to: column.identity });
  }
  if (!previous.nullable && column.nullable) emit({ kind: 'drop_not_null', ...on });
  if (previous.nullable && !column.nullable) emit({ kind: 'set_not_null', ...on, ...opt('backfill', column.backfill) });
  diffComment(emit, schema, { kind: 'column', table, column: column.name }, previous.comment, column.comment);
}
