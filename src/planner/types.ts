// The planner's vocabulary: phases, hazards, locks, steps, handlers and plans. Handlers return data; only the
// executor runs SQL against a database it changes.
import type { Change, ChangeKind } from '../diff/index.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import type { Extension } from '../introspect/extensions.js';

/** The phases of a release, in the order they run. */
export const PHASES = ['expand', 'backfill', 'contract'] as const;
/** A phase of a release: expand, backfill or contract. */
export type Phase = (typeof PHASES)[number];

/** The fixed set of hazard names. `apply` and `lint` refuse a hazard that is not allowed. */
export const HAZARDS = [
  'ACCESS_EXCLUSIVE_LOCK', // blocks reads and writes of the table while held (kept brief by lock_timeout)
  'SHARE_LOCK', // blocks writes (plain CREATE INDEX on an existing table)
  'TABLE_REWRITE', // the table and its indexes are rewritten
  'FULL_SCAN', // reads every row (validation, backfill)
  'DELETES_DATA', // drops a table, a column or values
  'BREAKS_OLD_APP', // the previous application version would fail after this step
  'INDEX_BUILD', // builds an index (CPU, I/O, WAL)
  'INDEX_DROPPED', // queries may lose an index they rely on
  'NOT_REPLICATION_SAFE', // would break logical replication between the pair
  'CORRECTNESS', // the step can fail on existing data (a NOT VALID constraint being validated, a cast)
  'USER_SQL', // runs a user-supplied expression (up, down, backfill, check) or a raw SQL step (sql:)
  'IRREVERSIBLE', // no rollback (a raw SQL step declared without one, an extension update): rolling back its phase leaves its effect in place
] as const;
/** A hazard a step carries (a lock, a rewrite, deleted data...); `allowHazards` and `--allow-hazard` accept them. */
export type Hazard = (typeof HAZARDS)[number];

/** Table-level lock modes, weakest first ('none' for steps that lock no existing table). */
export const LOCK_LEVELS = [
  'none',
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockLevel = (typeof LOCK_LEVELS)[number];

/**
 * Names of database objects, for the dependency graph: `schema:s`, `type:s.n`, `sequence:s.n`,
 * `function:s.n(args)`, `table:s.t`, `column:s.t.c`, `index:s.n`, `constraint:s.t.n`, `trigger:s.t.n`, `view:s.n`.
 * Parts are raw names joined with NUL-free separators; see keys.ts for the constructors.
 */
export type ObjectKey = string;

/** A batched data movement the executor runs in keyset batches on the primary key. */
export interface BackfillSpec {
  readonly schema: string;
  readonly table: string;
  /** Key columns walked in order (primary key, or a unique not-null key). */
  readonly key: readonly string[];
  /** Assignments: column = SQL expression over the row (user-supplied expressions are labelled USER_SQL). */
  readonly set: readonly { readonly column: string; readonly expression: string }[];
  /** Rows that still need the update (SQL over the row); makes the backfill idempotent and resumable. */
  readonly where: string;
}

/** A step as a handler drafts it; the planner adds ids, releases, ordering and timeouts. */
export interface StepDraft {
  /** Release relative to the change: 0 this release, 1 the next (removals after a release of bake time)... */
  readonly releaseOffset: number;
  readonly phase: Phase;
  /** Short machine name of what the step does, e.g. `create_table`, `add_foreign_key_not_valid`. */
  readonly action: string;
  /** One line for humans, names quoted. */
  readonly description: string;
  /** One SQL statement. For a backfill step, the statement of one batch is rendered by the executor. */
  readonly sql: string;
  /** Statements that undo this step, in order; empty when there is nothing to undo. */
  readonly rollback: readonly string[];
  readonly lock: LockLevel;
  /** Qualified names of the existing tables the lock is taken on. */
  readonly lockedTables: readonly string[];
  /** False for statements that cannot run in a transaction block (CONCURRENTLY...): they run alone. */
  readonly transactional: boolean;
  readonly hazards: readonly Hazard[];
  /** Objects this step brings into existence, needs to exist, and removes. */
  readonly creates: readonly ObjectKey[];
  readonly requires: readonly ObjectKey[];
  readonly drops: readonly ObjectKey[];
  /**
   * Existing objects this step renames, retypes or rewrites in place (a column swapped out of the way, an enum's
   * columns converted, a function replaced...). Like `drops`, what depends on them in the source database must be
   * dropped by this step or an earlier one (planner/dependents.ts). Absent when none; not written to plan files.
   */
  readonly alters?: readonly ObjectKey[];
  readonly backfill?: BackfillSpec;
  /** The raw SQL step (`sql:` in the declared file) this statement belongs to, recorded in the ledger as run. */
  readonly sqlStep?: string;
  /** Table whose size drives this step's cost (scan, rewrite, index build or backfill). */
  readonly costTable?: {
    readonly schema: string;
    readonly table: string;
    readonly work: 'scan' | 'rewrite' | 'index' | 'backfill' | 'none';
  };
}

/** Estimated cost of a step when planned against a live database. */
export interface StepCost {
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** One step of a plan: its SQL, its rollback, its hazards and the objects it creates, requires and drops. */
export interface Step extends Omit<StepDraft, 'releaseOffset' | 'costTable' | 'alters'> {
  /** Stable id: same inputs, same ids. */
  readonly id: string;
  readonly release: number;
  /** The change this step belongs to. */
  readonly change: ChangeKind;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly cost?: StepCost;
}

/** A release of a plan: its expand, backfill and contract steps. */
export interface Release {
  readonly number: number;
  readonly expand: readonly Step[];
  readonly backfill: readonly Step[];
  readonly contract: readonly Step[];
}

export interface ComplexityScore {
  readonly score: number;
  readonly tablesTouched: number;
  readonly foreignKeys: number;
  readonly uniqueIndexes: number;
  readonly rowsScanned: number;
  readonly rowsRewritten: number;
  readonly accessExclusiveLocks: number;
  readonly nonTransactionalSteps: number;
  readonly releases: number;
  readonly estimatedSeconds: number;
  /** At least twice the estimate, as the postmortem asks. */
  readonly recommendedWindowSeconds: number;
}

/** A plan file: source and target schemas, the releases with their steps, the complexity score and the checksum. */
export interface Plan {
  readonly format: 1;
  readonly name: string;
  readonly number: number;
  readonly server: { readonly version: string; readonly versionNum: number };
  /**
   * The source database's extensions, which a rehearsal creates before building the source schema. Absent when
   * there are none or the plan was made from a snapshot (so plans without extensions keep their bytes).
   */
  readonly extensions?: readonly Extension[];
  readonly source: { readonly fingerprint: string; readonly snapshot: DatabaseSchema };
  readonly target: { readonly fingerprint: string; readonly snapshot: DatabaseSchema };
  readonly releases: readonly Release[];
  readonly score: ComplexityScore;
  /** sha256 of the plan without this field. */
  readonly checksum: string;
}

/** Facts a handler may consult; it never queries a database. */
export interface PlanContext {
  readonly source: DatabaseSchema;
  readonly target: DatabaseSchema;
  /** server_version_num, e.g. 170010. */
  readonly serverVersionNum: number;
  /** Tables created by this plan (`schema.table` keys): their indexes need no CONCURRENTLY. */
  readonly newTables: ReadonlySet<string>;
}

/** A problem that makes a change impossible to plan safely, with the fix. */
export interface PlanProblem {
  readonly change: Change;
  readonly message: string;
  readonly fix: string;
}

/** One change kind, one handler: validate first, then draft the steps of every phase. */
export interface Handler<C extends Change = Change> {
  validate(change: C, ctx: PlanContext): readonly PlanProblem[];
  expand(change: C, ctx: PlanContext): readonly StepDraft[];
  backfill(change: C, ctx: PlanContext): readonly StepDraft[];
  contract(change: C, ctx: PlanContext): readonly StepDraft[];
}
