// switchyard's own trigger functions, installed in expand and removed one release later.
//
// The two-way sync trigger keeps an old column and its replacement (rename_column, alter_column_type) equal
// while both application versions run: a write to the old column derives the new one with `up`, a write to
// the new one derives the old one with `down`. A column counts as written when its value changed (UPDATE)
// or, on INSERT, when the new column is not NULL (it has no default during the transition, so only a writer
// that knows it sets it). A new value that already equals up(old) leaves the old one alone, so the backfill
// (`SET new = up(old)`) never rewrites old values through a lossy `down`. Any other UPDATE of a row the
// backfill has not reached yet (new still NULL) fills it too: the NOT VALID `new IS NOT NULL` check the
// expand phase adds holds for every row written from then on, whatever column the writer changed. Rows applied by logical replication
// fire it too (ENABLE ALWAYS), so the standby completes what the live side writes.
//
// The fill trigger gives a new NOT NULL column without a default its `backfill` value on rows written by the
// previous application version, which does not know the column.
//
// Expressions are user SQL over the row: they are evaluated in `SELECT (expr) FROM (SELECT NEW.*) AS _sy_row`,
// so column names resolve to the row's columns (`#variable_conflict use_column` makes a column named like a
// PL/pgSQL variable, e.g. `tg_op`, mean the column). The trigger is named `zz_sy_...`: BEFORE ROW triggers fire
// in name order, and this one must see what the application's own triggers wrote.
import type { Function, Trigger } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { createFunction, createTrigger, dropFunction, dropTrigger, enableTrigger } from '../../sql/render/index.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { ObjectKey, PlanContext, StepDraft } from '../types.js';
import { derivedName, lockOn } from './tables.js';

export interface TriggerNames {
  readonly function: string;
  readonly trigger: string;
}

export function syncNames(table: string, column: string): TriggerNames {
  return { function: derivedName(`_sy_sync_${table}_${column}`), trigger: derivedName(`zz_sy_sync_${column}`) };
}

export function fillNames(table: string, column: string): TriggerNames {
  return { function: derivedName(`_sy_fill_${table}_${column}`), trigger: derivedName(`zz_sy_fill_${column}`) };
}

/** An expression over NEW; a bare reference to a column of the row is read directly. */
function overNew(expression: string): string {
  const bare = /^(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")$/.test(expression);
  return bare ? `NEW.${expression}` : `(SELECT (${expression}) FROM (SELECT NEW.*) AS _sy_row)`;
}

/** A dollar-quote tag that does not occur in the body. */
export function dollarQuote(body: string): string {
  for (let i = 0; ; i++) {
    const t = i === 0 ? '$sy$' : `$sy${i}$`;
    if (!body.includes(t)) return t;
  }
}

function triggerFunction(schema: string, name: string, body: string): Function {
  const q = dollarQuote(body);
  const definition = `CREATE FUNCTION ${ident(schema)}.${ident(name)}() RETURNS trigger LANGUAGE plpgsql AS ${q}\n${body}${q}`;
  return { kind: 'function', name, args: '', definition };
}

export interface SyncSpec {
  readonly schema: string;
  readonly names: TriggerNames;
  /** Physical names while both exist. */
  readonly oldColumn: string;
  readonly newColumn: string;
  /** SQL over the row computing the new column from the old one, and the reverse (physical names). */
  readonly up: string;
  readonly down: string;
}

export function syncFunction(s: SyncSpec): Function {
  const o = `NEW.${ident(s.oldColumn)}`;
  const n = `NEW.${ident(s.newColumn)}`;
  const [up, down] = [overNew(s.up), overNew(s.down)];
  const body = [
    '#variable_conflict use_column',
    'BEGIN',
    "  IF TG_OP = 'INSERT' THEN",
    `    IF ${n} IS NULL THEN`,
    `      ${n} := ${up};`,
    `    ELSIF ${n} IS DISTINCT FROM ${up} THEN`,
    `      ${o} := ${down};`,
    '    END IF;',
    `  ELSIF ${o} IS DISTINCT FROM OLD.${ident(s.oldColumn)} AND ${n} IS NOT DISTINCT FROM OLD.${ident(s.newColumn)} THEN`,
    `    ${n} := ${up};`,
    `  ELSIF ${n} IS DISTINCT FROM OLD.${ident(s.newColumn)} AND ${o} IS NOT DISTINCT FROM OLD.${ident(s.oldColumn)} AND ${n} IS DISTINCT FROM ${up} THEN`,
    `    ${o} := ${down};`,
    `  ELSIF ${n} IS NULL THEN`,
    `    ${n} := ${up};`,
    '  END IF;',
    '  RETURN NEW;',
    'END',
    '',
  ].join('\n');
  return triggerFunction(s.schema, s.names.function, body);
}

export function fillFunction(schema: string, table: string, column: string, expression: string): Function {
  const c = `NEW.${ident(column)}`;
  const body = [
    '#variable_conflict use_column',
    'BEGIN',
    `  IF ${c} IS NULL THEN`,
    `    ${c} := ${overNew(expression)};`,
    '  END IF;',
    '  RETURN NEW;',
    'END',
    '',
  ].join('\n');
  return triggerFunction(schema, fillNames(table, column).function, body);
}

/** A BEFORE INSERT OR UPDATE row trigger calling a function of the table's schema. */
export function rowTrigger(schema: string, names: TriggerNames): Trigger {
  return {
    kind: 'trigger',
    name: names.trigger,
    timing: 'before',
    events: ['insert', 'update'],
    forEach: 'row',
    function: { schema, name: names.function },
    enabled: 'always',
  };
}

/** The statements that install a trigger function and its trigger, ENABLE ALWAYS; and their inverses. */
export function triggerStatements(schema: string, table: string, fn: Function, names: TriggerNames) {
  const trigger = rowTrigger(schema, names);
  return {
    createFunction: createFunction(fn),
    dropFunction: dropFunction(schema, fn.name, ''),
    createTrigger: createTrigger(schema, table, trigger),
    dropTrigger: dropTrigger(schema, table, names.trigger),
    enableAlways: enableTrigger(schema, table, names.trigger, 'always'),
    enableOrigin: enableTrigger(schema, table, names.trigger, 'origin'),
  };
}

export interface InstallOptions {
  /** What the trigger is for, e.g. `sync "a" and "b"`. */
  readonly purpose: string;
  /** The function runs user-supplied expressions. */
  readonly userSql: boolean;
  /** Columns the function reads and writes (ordering: created before, dropped after). */
  readonly columns: readonly string[];
}

/** Expand: CREATE FUNCTION, CREATE TRIGGER, ENABLE ALWAYS TRIGGER; each undone by its inverse. */
export function installSteps(
  ctx: PlanContext,
  schema: string,
  table: string,
  fn: Function,
  names: TriggerNames,
  o: InstallOptions,
): StepDraft[] {
  const st = triggerStatements(schema, table, fn, names);
  const fnKey = key.function(schema, names.function, '');
  const trKey = key.trigger(schema, table, names.trigger);
  const columns = o.columns.map((c) => key.column(schema, table, c));
  const on = qualified(schema, table);
  return [
    draft({
      phase: 'expand',
      action: 'create_sync_function',
      description: `create trigger function ${qualified(schema, names.function)} to ${o.purpose}`,
      sql: st.createFunction,
      rollback: [st.dropFunction],
      hazards: o.userSql ? ['USER_SQL'] : [],
      creates: [fnKey],
      requires: [key.schema(schema)],
    }),
    draft({
      phase: 'expand',
      action: 'create_sync_trigger',
      description: `create trigger ${ident(names.trigger)} BEFORE INSERT OR UPDATE on ${on}`,
      sql: st.createTrigger,
      rollback: [st.dropTrigger],
      lock: 'SHARE ROW EXCLUSIVE',
      locks: lockOn(ctx, schema, table),
      creates: [trKey],
      requires: [fnKey, key.table(schema, table), ...columns],
    }),
    draft({
      phase: 'expand',
      action: 'enable_always_sync_trigger',
      description: `fire ${ident(names.trigger)} for rows applied by logical replication too (ENABLE ALWAYS)`,
      sql: st.enableAlways,
      rollback: [st.enableOrigin],
      lock: 'SHARE ROW EXCLUSIVE',
      locks: lockOn(ctx, schema, table),
      creates: [enabledAlways(trKey)],
      requires: [trKey],
    }),
  ];
}

/** Ordering-only key: created by ENABLE ALWAYS, so that nothing relying on replicated rows comes before it. */
export const enabledAlways = (k: ObjectKey): ObjectKey => `enabled_always:${k}`;

/** Contract, one release later: DROP TRIGGER then DROP FUNCTION; each undone by recreating it as it was. */
export function removeSteps(
  ctx: PlanContext,
  schema: string,
  table: string,
  fn: Function,
  names: TriggerNames,
  o: { readonly releaseOffset: number; readonly columns: readonly string[] },
): StepDraft[] {
  const releaseOffset = o.releaseOffset;
  const st = triggerStatements(schema, table, fn, names);
  const fnKey = key.function(schema, names.function, '');
  const trKey = key.trigger(schema, table, names.trigger);
  return [
    draft({
      phase: 'contract',
      releaseOffset,
      action: 'drop_sync_trigger',
      description: `drop trigger ${ident(names.trigger)} on ${qualified(schema, table)}: the previous application version is gone`,
      sql: st.dropTrigger,
      rollback: [st.createTrigger, st.enableAlways],
      lock: 'ACCESS EXCLUSIVE',
      locks: lockOn(ctx, schema, table),
      drops: [trKey],
      requires: [fnKey, ...o.columns.map((c) => key.column(schema, table, c))],
    }),
    draft({
      phase: 'contract',
      releaseOffset,
      action: 'drop_sync_function',
      description: `drop trigger function ${qualified(schema, names.function)}`,
      sql: st.dropFunction,
      rollback: [st.createFunction],
      drops: [fnKey],
    }),
  ];
}
