// set_comment: COMMENT ON in expand (comments break nothing); the rollback puts the previous comment back, or
// removes it (IS NULL). COMMENT ON a table, column, index or sequence, or on a constraint or trigger of a table,
// takes SHARE UPDATE EXCLUSIVE on that relation: it waits for DDL but blocks no reads or writes. A comment on
// an object the plan creates is set by the step creating it (it carries its comment).
import type { CommentTarget as ChangeTarget, SetComment } from '../../diff/index.js';
import { comment, type CommentTarget } from '../../sql/render/index.js';
import { ident, qualified } from '../../db/quote.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, LockLevel, ObjectKey, PlanContext } from '../types.js';

interface Resolved {
  readonly target: CommentTarget;
  readonly what: string;
  readonly requires: readonly ObjectKey[];
  /** The relation COMMENT ON locks, if any. */
  readonly relation?: readonly [string, string];
  /** The table that relation belongs to, to tell whether it exists before the plan. */
  readonly table?: string;
}

function resolve(schema: string, t: ChangeTarget): Resolved {
  switch (t.kind) {
    case 'schema':
      return { target: { kind: 'schema', schema }, what: `schema ${ident(schema)}`, requires: [key.schema(schema)] };
    case 'table':
      return {
        target: { kind: 'table', schema, table: t.table },
        what: `table ${qualified(schema, t.table)}`,
        requires: [key.table(schema, t.table)],
        relation: [schema, t.table],
        table: t.table,
      };
    case 'column':
      return {
        target: { kind: 'column', schema, table: t.table, column: t.column },
        what: `column ${qualified(schema, t.table)}.${ident(t.column)}`,
        requires: [key.table(schema, t.table), key.column(schema, t.table, t.column)],
        relation: [schema, t.table],
        table: t.table,
      };
    case 'index':
      return {
        target: { kind: 'index', schema, name: t.index },
        what: `index ${qualified(schema, t.index)}`,
        requires: [key.index(schema, t.index)],
        relation: [schema, t.index],
        table: t.table,
      };
    case 'enum':
      return {
        target: { kind: 'type', schema, name: t.enum },
        what: `enum ${qualified(schema, t.enum)}`,
        requires: [key.type(schema, t.enum)],
      };
    case 'type':
      return {
        target: { kind: 'type', schema, name: t.type },
        what: `${t.what} ${qualified(schema, t.type)}`,
        requires: [key.type(schema, t.type)],
      };
    // COMMENT ON a view or its column takes SHARE UPDATE EXCLUSIVE on the view only: no table is locked.
    case 'view':
      return {
        target: { kind: t.materialized ? 'materialized view' : 'view', schema, name: t.view },
        what: `${t.materialized ? 'materialized view' : 'view'} ${qualified(schema, t.view)}`,
        requires: [key.view(schema, t.view)],
      };
    case 'view_column':
      return {
        target: { kind: 'column', schema, table: t.view, column: t.column },
        what: `column ${qualified(schema, t.view)}.${ident(t.column)}`,
        requires: [key.view(schema, t.view)],
      };
    case 'constraint':
      return {
        target: { kind: 'constraint', schema, table: t.table, name: t.constraint },
        what: `constraint ${ident(t.constraint)} on ${qualified(schema, t.table)}`,
        requires: [key.table(schema, t.table), key.constraint(schema, t.table, t.constraint)],
        relation: [schema, t.table],
        table: t.table,
      };
    case 'trigger':
      return {
        target: { kind: 'trigger', schema, table: t.table, name: t.trigger },
        what: `trigger ${ident(t.trigger)} on ${qualified(schema, t.table)}`,
        requires: [key.table(schema, t.table), key.trigger(schema, t.table, t.trigger)],
        relation: [schema, t.table],
        table: t.table,
      };
    case 'sequence':
      // SHARE UPDATE EXCLUSIVE on the sequence itself: nextval (ROW EXCLUSIVE) goes on.
      return {
        target: { kind: 'sequence', schema, name: t.sequence },
        what: `sequence ${qualified(schema, t.sequence)}`,
        requires: [key.sequence(schema, t.sequence)],
        relation: [schema, t.sequence],
      };
    case 'function':
      return {
        target: { kind: 'function', schema, name: t.function, args: t.args },
        what: `function ${qualified(schema, t.function)}(${t.args})`,
        requires: [key.function(schema, t.function, t.args)],
      };
  }
}

export const setCommentHandler: Handler<SetComment> = {
  validate: () => [],
  expand(c, ctx: PlanContext) {
    const r = resolve(c.schema, c.target);
    const existing = r.relation !== undefined && r.table !== undefined && !ctx.newTables.has(`${c.schema}.${r.table}`);
    const lock: LockLevel = r.relation !== undefined ? 'SHARE UPDATE EXCLUSIVE' : 'none';
    return [
      draft({
        phase: 'expand',
        action: 'set_comment',
        description: `${c.to === null ? 'remove the comment on' : 'set the comment on'} ${r.what}`,
        sql: comment(r.target, c.to),
        rollback: [comment(r.target, c.from)],
        lock,
        locks: existing && r.relation ? [r.relation] : [],
        requires: r.requires,
      }),
    ];
  },
  backfill: none,
  contract: none,
};
