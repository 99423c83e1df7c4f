// The ledger: per-database tables recording each plan and each step (per tenant). Invariants are SQL
// constraints, so a bug in the executor fails loudly instead of leaving a ledger that lies. The ledger is
// versioned by `ledger_version` so that its own schema can change later by appending to LEDGER_MIGRATIONS.
import type pg from 'pg';
import { SwitchyardError } from '../errors.js';
import type { Phase, Plan, Step } from '../planner/types.js';
import { ident, qualified } from '../db/quote.js';

type Queryable = Pick<pg.Client, 'query'>;

export const DEFAULT_LEDGER_SCHEMA = 'switchyard';
export const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'rolling_back', 'rolled_back'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The ledger cannot record what was asked: unknown step, wrong state, plan checksum mismatch, newer ledger. */
export class LedgerError extends SwitchyardError {
  readonly plan: string | undefined;
  readonly step: string | undefined;
  constructor(message: string, fields: { plan?: string; step?: string } = {}) {
    super('LEDGER', message, 1);
    this.plan = fields.plan;
    this.step = fields.step;
  }
}

/** Ledger schema migrations, in order; index + 1 is the version. Never edit one that has shipped. */
const LEDGER_MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
CREATE TABLE ${qualified(s, 'plans')} (
  name text PRIMARY KEY,
  number integer NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz,
  execution_time_ms bigint CONSTRAINT plans_execution_time_ms_check CHECK (execution_time_ms >= 0),
  planned_for text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT plans_applied_has_time CHECK ((applied_at IS NULL) = (execution_time_ms IS NULL))
);
CREATE TABLE ${qualified(s, 'steps')} (
  plan text NOT NULL REFERENCES ${qualified(s, 'plans')} (name),
  step_id text NOT NULL,
  release integer NOT NULL CONSTRAINT steps_release_check CHECK (release >= 0),
  phase text NOT NULL CONSTRAINT steps_phase_check CHECK (phase IN ('expand', 'backfill', 'contract')),
  tenant text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'pending'
    CONSTRAINT steps_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'rolled_back')),
  started_at timestamptz,
  finished_at timestamptz,
  error text,
  backfill_position jsonb,
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT steps_attempts_check CHECK (attempts >= 0),
  CONSTRAINT steps_plan_step_tenant_key UNIQUE (plan, step_id, tenant),
  CONSTRAINT steps_finished_after_started CHECK (finished_at IS NULL OR (started_at IS NOT NULL AND finished_at >= started_at)),
  CONSTRAINT steps_done_has_finished_at CHECK (status <> 'done' OR finished_at IS NOT NULL),
  CONSTRAINT steps_running_has_started_at CHECK (status <> 'running' OR (started_at IS NOT NULL AND finished_at IS NULL)),
  CONSTRAINT steps_error_only_when_failed CHECK ((error IS NOT NULL) = (status = 'failed'))
);`,
  // 2: a rollback that cannot commit with its ledger row (it has a CONCURRENTLY statement) records how many
  // of its statements are done, so a killed executor resumes it instead of finding a half-undone step.
  (s) => `
ALTER TABLE ${qualified(s, 'steps')}
  DROP CONSTRAINT steps_status_check,
  ADD CONSTRAINT steps_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'rolling_back', 'rolled_back')),
  DROP CONSTRAINT steps_error_only_when_failed,
  ADD CONSTRAINT steps_failed_has_error CHECK (status <> 'failed' OR error IS NOT NULL),
  ADD CONSTRAINT steps_error_only_when_failed_or_rolling_back CHECK (error IS NULL OR status IN ('failed', 'rolling_back')),
  ADD COLUMN rollback_position integer
    CONSTRAINT steps_rollback_position_check CHECK (rollback_position >= 0),
  ADD CONSTRAINT steps_rollback_position_only_when_rolling_back CHECK ((rollback_position IS NOT NULL) = (status = 'rolling_back'));`,
  // 3: a tenant run reads one tenant's rows per tenant; without this, each read scans the rows of every tenant.
  (s) => `CREATE INDEX steps_plan_tenant_idx ON ${qualified(s, 'steps')} (plan, tenant)`,
  // 4: the raw SQL step (`sql:` of the declared file) a step row runs a statement of: a raw SQL step runs once,
  // and `plan` leaves out the ones a plan of the ledger has run or will run.
  (s) => `ALTER TABLE ${qualified(s, 'steps')} ADD COLUMN sql_step text`,
  // 5: each `pair verify` (the side it read as live, the generation, the WAL position, clean or not, the schema
  // fingerprints it read under): the cutover gate asks for a recent clean one (`cutover.requireVerify`).
  (s) => `
CREATE TABLE ${qualified(s, 'verifications')} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  live_side text NOT NULL CONSTRAINT verifications_live_side_check CHECK (live_side IN ('blue', 'green')),
  generation bigint NOT NULL CONSTRAINT verifications_generation_check CHECK (generation >= 1),
  position pg_lsn NOT NULL,
  paused boolean NOT NULL,
  clean boolean NOT NULL,
  tables integer NOT NULL CONSTRAINT verifications_tables_check CHECK (tables >= 0),
  differing_tables integer NOT NULL CONSTRAINT verifications_differing_tables_check CHECK (differing_tables >= 0),
  sample numeric CONSTRAINT verifications_sample_check CHECK (sample > 0 AND sample <= 100),
  filtered boolean NOT NULL,
  live_fingerprint text NOT NULL,
  standby_fingerprint text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT verifications_clean_has_no_difference CHECK (NOT clean OR differing_tables = 0)
);
CREATE INDEX verifications_generation_idx ON ${qualified(s, 'verifications')} (generation, finished_at);`,
];

export const LEDGER_VERSION = LEDGER_MIGRATIONS.length;

/**
 * Creates or upgrades the ledger in `schema`. Idempotent; runs in its own transaction (call it outside one).
 * A transaction-level advisory lock serializes concurrent callers: IF NOT EXISTS alone races on the catalog.
 */
export async function ensureLedger(db: Queryable, schema = DEFAULT_LEDGER_SCHEMA): Promise<number> {
  const version = qualified(schema, 'ledger_version');
  await db.query('BEGIN');
  try {
    await db.query("SELECT pg_advisory_xact_lock(hashtext('switchyard ledger ' || $1))", [schema]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
    await db.query(
      `CREATE TABLE IF NOT EXISTS ${version} (version integer PRIMARY KEY CHECK (version > 0), applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await db.query<{ v: number }>(`SELECT coalesce(max(version), 0)::int AS v FROM ${version}`);
    const current = rows[0]?.v ?? 0;
    if (current > LEDGER_VERSION) {
      throw new LedgerError(
        `the ledger in schema ${ident(schema)} is version ${current}, newer than this switchyard knows (${LEDGER_VERSION}): upgrade switchyard`,
      );
    }
    for (let v = current + 1; v <= LEDGER_VERSION; v++) {
      await db.query(LEDGER_MIGRATIONS[v - 1]!(schema));
      await db.query(`INSERT INTO ${version} (version) VALUES ($1)`, [v]);
    }
    await db.query('COMMIT');
    return LEDGER_VERSION;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

function checksumConflict(plan: Plan, recorded: string | undefined): LedgerError {
  return new LedgerError(
    `plan ${ident(plan.name)} is already recorded with checksum ${recorded ?? '?'}, not ${plan.checksum}: the plan file changed after it was applied`,
    { plan: plan.name },
  );
}

/** Records the plan (once; a different checksum under the same name is refused) and a pending row per step and tenant. */
export async function recordPlan(
  db: Queryable,
  plan: Plan,
  tenants: readonly string[] = [''],
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  await db.query(
    `INSERT INTO ${qualified(schema, 'plans')} (name, number, checksum, planned_for) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
    [plan.name, plan.number, plan.checksum, plan.server.version],
  );
  const { rows } = await db.query<{ checksum: string }>(
    `SELECT checksum FROM ${qualified(schema, 'plans')} WHERE name = $1`,
    [plan.name],
  );
  if (rows[0]?.checksum !== plan.checksum) throw checksumConflict(plan, rows[0]?.checksum);
  const steps = plan.releases.flatMap((r) => [...r.expand, ...r.backfill, ...r.contract]);
  const ids: string[] = [],
    releases: number[] = [],
    phases: string[] = [],
    tenantCol: string[] = [],
    sqlSteps: (string | null)[] = [];
  for (const t of tenants)
    for (const s of steps)
      ids.push(s.id),
        releases.push(s.release),
        phases.push(s.phase),
        tenantCol.push(t),
        sqlSteps.push(s.sqlStep ?? null);
  await db.query(
    `INSERT INTO ${qualified(schema, 'steps')} (plan, step_id, release, phase, tenant, sql_step)
     SELECT $1::text, * FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (plan, step_id, tenant) DO NOTHING`,
    [plan.name, ids, releases, phases, tenantCol, sqlSteps],
  );
}

/** Which step row: `tenant` is '' (or omitted) when the plan has no tenants. */
export interface StepRef {
  readonly plan: string;
  readonly step: Pick<Step, 'id' | 'release' | 'phase'>;
  readonly tenant?: string;
}

const refParams = (r: StepRef) => [r.plan, r.step.id, r.tenant ?? ''];
const refName = (r: StepRef) =>
  `step ${r.step.id} of plan ${ident(r.plan)}${r.tenant ? ` for tenant ${ident(r.tenant)}` : ''}`;

async function update(
  db: Queryable,
  schema: string,
  r: StepRef,
  set: string,
  fromStatuses: readonly StepStatus[],
  extra: unknown[] = [],
): Promise<void> {
  const res = await db.query(
    `UPDATE ${qualified(schema, 'steps')} SET ${set} WHERE plan = $1 AND step_id = $2 AND tenant = $3 AND status = ANY($4::text[])`,
    [...refParams(r), fromStatuses, ...extra],
  );
  if (res.rowCount !== 1) {
    const { rows } = await db.query<{ status: string }>(
      `SELECT status FROM ${qualified(schema, 'steps')} WHERE plan = $1 AND step_id = $2 AND tenant = $3`,
      refParams(r),
    );
    const was = rows[0] ? `it is ${rows[0].status}` : 'it is not in the ledger';
    throw new LedgerError(`cannot record ${refName(r)}: expected status ${fromStatuses.join(' or ')}, but ${was}`, {
      plan: r.plan,
      step: r.step.id,
    });
  }
}

/** Starts (or restarts) a step; a step already done is refused. Creates the row if recordPlan did not (a new tenant). */
export async function markStepRunning(db: Queryable, r: StepRef, schema = DEFAULT_LEDGER_SCHEMA): Promise<void> {
  const res = await db.query(
    `INSERT INTO ${qualified(schema, 'steps')} AS s (plan, step_id, tenant, release, phase, status, started_at, attempts)
     VALUES ($1, $2, $3, $4, $5, 'running', clock_timestamp(), 1)
     ON CONFLICT (plan, step_id, tenant) DO UPDATE
       SET status = 'running', started_at = clock_timestamp(), finished_at = NULL, error = NULL, attempts = s.attempts + 1
       WHERE s.status NOT IN ('done', 'rolling_back')`,
    [...refParams(r), r.step.release, r.step.phase],
  );
  if (res.rowCount !== 1) {
    const { rows } = await db.query<{ status: string }>(
      `SELECT status FROM ${qualified(schema, 'steps')} WHERE plan = $1 AND step_id = $2 AND tenant = $3`,
      refParams(r),
    );
    const why =
      rows[0]?.status === 'rolling_back'
        ? 'its rollback was interrupted: finish it with `switchyard rollback` first'
        : 'it is already done';
    throw new LedgerError(`cannot start ${refName(r)}: ${why}`, { plan: r.plan, step: r.step.id });
  }
}

/** Marks a running step done. Takes no transaction of its own: call it inside the step's transaction. */
export async function markStepDone(db: Queryable, r: StepRef, schema = DEFAULT_LEDGER_SCHEMA): Promise<void> {
  await update(db, schema, r, `status = 'done', finished_at = greatest(clock_timestamp(), started_at)`, ['running']);
}

export async function markStepFailed(
  db: Queryable,
  r: StepRef,
  error: string,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  await update(
    db,
    schema,
    r,
    `status = 'failed', finished_at = greatest(clock_timestamp(), started_at), error = $5`,
    ['running'],
    [error],
  );
}

/** After the step's rollback statements ran. The failure's error text is cleared (errors belong to 'failed'). */
export async function markStepRolledBack(db: Queryable, r: StepRef, schema = DEFAULT_LEDGER_SCHEMA): Promise<void> {
  // The backfill position goes too: applying the step again must walk the table from the start.
  await update(
    db,
    schema,
    r,
    `status = 'rolled_back', finished_at = greatest(clock_timestamp(), started_at), error = NULL, backfill_position = NULL, rollback_position = NULL`,
    ['running', 'done', 'failed', 'rolling_back'],
  );
}

/**
 * Starts a rollback that runs statement by statement (see rollbackPhase): `position` statements of it are
 * done. From done (the step took effect), or running/failed (an interrupted non-transactional step).
 */
export async function markStepRollingBack(db: Queryable, r: StepRef, schema = DEFAULT_LEDGER_SCHEMA): Promise<void> {
  await update(db, schema, r, `status = 'rolling_back', rollback_position = 0, error = NULL`, [
    'running',
    'done',
    'failed',
  ]);
}

/** `position` statements of the step's rollback are done. Call it in the transaction of the last one, when it has one. */
export async function saveRollbackPosition(
  db: Queryable,
  r: StepRef,
  position: number,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  await update(db, schema, r, `rollback_position = $5, error = NULL`, ['rolling_back'], [position]);
}

/** A statement of a rollback failed: the step stays rolling_back at its position, with the error. */
export async function markRollbackFailed(
  db: Queryable,
  r: StepRef,
  error: string,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  await update(db, schema, r, `error = $5`, ['rolling_back'], [error]);
}

/** Position of the last committed backfill batch, so a restarted executor resumes after it. */
export async function saveBackfillPosition(
  db: Queryable,
  r: StepRef,
  position: unknown,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  await update(db, schema, r, `backfill_position = $5::jsonb`, ['running'], [JSON.stringify(position)]);
}

/** Sets applied_at and execution_time_ms when the plan's last phase completes. */
export async function markPlanApplied(
  db: Queryable,
  plan: string,
  executionTimeMs: number,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<void> {
  const res = await db.query(
    `UPDATE ${qualified(schema, 'plans')} SET applied_at = now(), execution_time_ms = $2 WHERE name = $1`,
    [plan, Math.round(executionTimeMs)],
  );
  if (res.rowCount !== 1) throw new LedgerError(`plan ${ident(plan)} is not in the ledger`, { plan });
}

/** A step that ran, or may have (its rollback has something to undo): done, running, failed or half rolled back. */
export function tookEffect(r: Pick<StepRecord, 'status'> | undefined): boolean {
  return (
    r !== undefined &&
    (r.status === 'done' || r.status === 'running' || r.status === 'failed' || r.status === 'rolling_back')
  );
}

export interface StepRecord {
  readonly plan: string;
  readonly stepId: string;
  readonly release: number;
  readonly phase: Phase;
  readonly tenant: string;
  readonly status: StepStatus;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  readonly backfillPosition: unknown;
  /** Statements of the step's rollback done, while it is rolling_back. */
  readonly rollbackPosition: number | null;
  readonly attempts: number;
}

interface StepRow {
  plan: string;
  step_id: string;
  release: number;
  phase: Phase;
  tenant: string;
  status: StepStatus;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  backfill_position: unknown;
  rollback_position: number | null;
  attempts: number;
}

/** Every step of a plan (of one tenant when given), in execution order: tenant, release, phase, id. */
export async function stepStatuses(
  db: Queryable,
  plan: string,
  tenant?: string,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<StepRecord[]> {
  // Two spellings rather than `$2 IS NULL OR tenant = $2`, which keeps a prepared plan off the (plan, tenant) index.
  const { rows } = await db.query<StepRow>(
    `SELECT plan, step_id, release, phase, tenant, status, started_at, finished_at, error, backfill_position, rollback_position, attempts
       FROM ${qualified(schema, 'steps')}
      WHERE plan = $1${tenant === undefined ? '' : ' AND tenant = $2'}
      ORDER BY tenant, release, array_position(ARRAY['expand', 'backfill', 'contract'], phase), step_id`,
    tenant === undefined ? [plan] : [plan, tenant],
  );
  return rows.map((r) => ({
    plan: r.plan,
    stepId: r.step_id,
    release: r.release,
    phase: r.phase,
    tenant: r.tenant,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    backfillPosition: r.backfill_position,
    rollbackPosition: r.rollback_position,
    attempts: r.attempts,
  }));
}

export interface PlanRecord {
  readonly name: string;
  readonly number: number;
  readonly checksum: string;
  readonly appliedAt: Date | null;
  readonly executionTimeMs: number | null;
  readonly plannedFor: string;
  readonly createdAt: Date;
  /** Step rows per status, over all tenants. */
  readonly steps: Readonly<Record<StepStatus, number>>;
}

/** The plan's ledger row and its step counts; undefined when the plan was never recorded. */
export async function planStatus(
  db: Queryable,
  plan: string,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<PlanRecord | undefined> {
  const { rows } = await db.query<{
    name: string;
    number: number;
    checksum: string;
    applied_at: Date | null;
    ms: number | null;
    planned_for: string;
    created_at: Date;
  }>(
    `SELECT name, number, checksum, applied_at, execution_time_ms::float8 AS ms, planned_for, created_at FROM ${qualified(schema, 'plans')} WHERE name = $1`,
    [plan],
  );
  const p = rows[0];
  if (!p) return undefined;
  const counts = await db.query<{ status: StepStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM ${qualified(schema, 'steps')} WHERE plan = $1 GROUP BY status`,
    [plan],
  );
  const steps = Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>;
  for (const c of counts.rows) steps[c.status] = c.n;
  return {
    name: p.name,
    number: p.number,
    checksum: p.checksum,
    appliedAt: p.applied_at,
    executionTimeMs: p.ms,
    plannedFor: p.planned_for,
    createdAt: p.created_at,
    steps,
  };
}

/** Clears applied_at when a phase of a fully applied plan is rolled back. */
export async function markPlanUnapplied(db: Queryable, plan: string, schema = DEFAULT_LEDGER_SCHEMA): Promise<void> {
  await db.query(
    `UPDATE ${qualified(schema, 'plans')} SET applied_at = NULL, execution_time_ms = NULL WHERE name = $1`,
    [plan],
  );
}

/** Whether the ledger exists in `schema` (read-only commands never create it). */
export async function ledgerExists(db: Queryable, schema = DEFAULT_LEDGER_SCHEMA): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok`,
    [qualified(schema, 'plans'), qualified(schema, 'steps')],
  );
  return rows[0]?.ok === true;
}

/**
 * The plan's step rows (of one tenant when given) read without creating anything, so that a command can refuse
 * before it writes: none when there is no ledger yet (nothing applied). A plan recorded under another checksum
 * is refused as recordPlan would.
 */
export async function readSteps(
  db: Queryable,
  plan: Plan,
  tenant?: string,
  schema = DEFAULT_LEDGER_SCHEMA,
): Promise<StepRecord[]> {
  if (!(await ledgerExists(db, schema))) return [];
  const { rows } = await db.query<{ checksum: string }>(
    `SELECT checksum FROM ${qualified(schema, 'plans')} WHERE name = $1`,
    [plan.name],
  );
  if (rows[0] && rows[0].checksum !== plan.checksum) throw checksumConflict(plan, rows[0].checksum);
  return stepStatuses(db, plan.name, tenant, schema);
}

/** A raw SQL step some plan of the ledger has run (`done`) or holds to run (`pending`: recorded, not all done). */
export interface SqlStepTaken {
  readonly name: string;
  readonly plan: string;
  readonly state: 'done' | 'pending';
}

/**
 * The raw SQL steps the ledger's plans have run or will run: every step row naming it is done, or some row is
 * not rolled back. Read-only: none without a ledger, or with one older than the `sql_step` column.
 */
export async function sqlStepsTaken(db: Queryable, schema = DEFAULT_LEDGER_SCHEMA): Promise<SqlStepTaken[]> {
  if (!(await ledgerExists(db, schema))) return [];
  const { rows: column } = await db.query(
    `SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'sql_step' AND NOT attisdropped`,
    [qualified(schema, 'steps')],
  );
  if (column.length === 0) return [];
  const { rows } = await db.query<{ name: string; plan: string; done: boolean }>(
    `SELECT s.sql_step AS name, s.plan, bool_and(s.status = 'done') AS done
       FROM ${qualified(schema, 'steps')} s JOIN ${qualified(schema, 'plans')} p ON p.name = s.plan
      WHERE s.sql_step IS NOT NULL
      GROUP BY s.sql_step, s.plan, p.number
     HAVING bool_or(s.status <> 'rolled_back')
      ORDER BY p.number, s.plan, s.sql_step`,
  );
  return rows.map((r) => ({ name: r.name, plan: r.plan, state: r.done ? 'done' : 'pending' }));
}

/** Every plan the ledger knows, by number. */
export async function listPlans(db: Queryable, schema = DEFAULT_LEDGER_SCHEMA): Promise<PlanRecord[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM ${qualified(schema, 'plans')} ORDER BY number, name`,
  );
  const out: PlanRecord[] = [];
  for (const r of rows) {
    const p = await planStatus(db, r.name, schema);
    if (p) out.push(p);
  }
  return out;
}

/** A plan the ledger shows part way: some of it took effect, not all of it is done, and it is not marked applied. */
export interface UnfinishedPlan {
  readonly name: string;
  readonly number: number;
  readonly checksum: string;
  /** The first phase (in execution order) with a step row that is not done. */
  readonly next: { readonly release: number; readonly phase: Phase };
  /** Step rows done, and in all (over every tenant). */
  readonly done: number;
  readonly rows: number;
}

/**
 * Plans in flight on this database, by number: `plan` refuses to plan against their intermediate state (it
 * holds columns such as `n__old` that their later releases still need). None when there is no ledger.
 */
export async function unfinishedPlans(db: Queryable, schema = DEFAULT_LEDGER_SCHEMA): Promise<UnfinishedPlan[]> {
  if (!(await ledgerExists(db, schema))) return [];
  const { rows } = await db.query<{
    name: string;
    number: number;
    checksum: string;
    release: number;
    phase: Phase;
    done: number;
    rows: number;
    took: boolean;
  }>(
    `WITH s AS (
       SELECT p.name, p.number, p.checksum, s.release, s.phase,
              array_position(ARRAY['expand', 'backfill', 'contract'], s.phase) AS ord,
              count(*) FILTER (WHERE s.status = 'done')::int AS done,
              count(*)::int AS rows,
              bool_or(s.status IN ('done', 'running', 'failed', 'rolling_back')) AS took
         FROM ${qualified(schema, 'plans')} p JOIN ${qualified(schema, 'steps')} s ON s.plan = p.name
        WHERE p.applied_at IS NULL
        GROUP BY p.name, p.number, p.checksum, s.release, s.phase)
     SELECT name, number, checksum, release, phase, done, rows, took FROM s ORDER BY number, name, release, ord`,
  );
  const out: UnfinishedPlan[] = [];
  const byPlan = new Map<string, typeof rows>();
  for (const r of rows) byPlan.set(r.name, [...(byPlan.get(r.name) ?? []), r]);
  for (const [name, phases] of byPlan) {
    if (!phases.some((p) => p.took)) continue;
    const next = phases.find((p) => p.done < p.rows);
    if (!next) continue;
    out.push({
      name,
      number: phases[0]!.number,
      checksum: phases[0]!.checksum,
      next: { release: next.release, phase: next.phase },
      done: phases.reduce((n, p) => n + p.done, 0),
      rows: phases.reduce((n, p) => n + p.rows, 0),
    });
  }
  return out;
}
