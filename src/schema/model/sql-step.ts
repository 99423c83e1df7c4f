// Raw SQL steps: what the model cannot express (a policy, a statistics object, a data fix), declared under the
// top-level `sql:` of a declared file and planned as steps of their own, flagged USER_SQL. They are not
// structure: fingerprints and snapshots leave them out, and a step that ran is recorded in the ledger and not
// planned again.

/** The kinds of object a raw SQL step may say it creates or requires (the planner's ObjectKey vocabulary). */
export const SQL_OBJECT_KINDS = [
  'schema',
  'type',
  'sequence',
  'function',
  'table',
  'column',
  'index',
  'constraint',
  'trigger',
] as const;
export type SqlObjectKind = (typeof SQL_OBJECT_KINDS)[number];

/** How many dotted name parts each kind takes: `table: public.users`, `column: public.users.email`. */
export const SQL_OBJECT_PARTS: { readonly [K in SqlObjectKind]: number } = {
  schema: 1,
  type: 2,
  sequence: 2,
  function: 2,
  table: 2,
  column: 3,
  index: 2,
  constraint: 3,
  trigger: 3,
};

/** An object named by a raw SQL step; `args` only for functions (identity arguments, e.g. `integer, text`). */
export interface SqlObjectRef {
  readonly kind: SqlObjectKind;
  readonly names: readonly string[];
  readonly args?: string;
}

/** One statement of a raw SQL step, with the statements that undo it (empty for an irreversible step). */
export interface SqlStatement {
  readonly sql: string;
  readonly rollback: readonly string[];
  /** False for statements PostgreSQL refuses inside a transaction block (CONCURRENTLY, VACUUM...). */
  readonly transactional: boolean;
}

export interface SqlStep {
  /** The key under `sql:`; names the step in plans and in the ledger. */
  readonly name: string;
  readonly phase: 'expand' | 'backfill' | 'contract';
  /** 0: the first release of the plan, 1 the next... */
  readonly releaseOffset: number;
  readonly statements: readonly SqlStatement[];
  readonly creates: readonly SqlObjectRef[];
  readonly requires: readonly SqlObjectRef[];
  /** Declared without rollbackSql: rolling back its phase leaves its effect in place. */
  readonly irreversible: boolean;
}
