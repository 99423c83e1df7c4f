// The drift check: before a phase runs (or is rolled back), the live schema must be exactly what the plan
// expects at that point. The plan carries the fingerprints (and models) of its source and target; the
// rehearsal report carries the fingerprint after every step and the model at every phase boundary.
import { SwitchyardError } from '../errors.js';
import { diff, describeChange } from '../diff/index.js';
import { introspect, type Queryable } from '../introspect/index.js';
import { allSteps } from '../planner/plan.js';
import type { Plan, Step } from '../planner/types.js';
import type { RehearsalReport } from './rehearsal-report.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import type { PlanPosition } from './state.js';
import { concurrentIndex, mustRunAlone } from './statement.js';

/** The schemas a plan is about: the ones it was planned from and to. */
export function planSchemas(plan: Plan): string[] {
  return [...new Set([...plan.source.snapshot.schemas, ...plan.target.snapshot.schemas].map((s) => s.name))].sort();
}

/** The live schema as the planner saw it: the plan's schemas, read the way `plan` reads them. */
export async function liveSchema(db: Queryable, plan: Plan): Promise<DatabaseSchema> {
  return introspect(db, { includeSchemas: planSchemas(plan) });
}

export interface Expectation {
  /** Fingerprints the schema may have (more than one while an interrupted step's outcome is unknown). */
  readonly fingerprints: readonly string[];
  /** False when a state the schema may be in is not known (no rehearsal recorded it): a mismatch is then not drift for sure. */
  readonly complete: boolean;
  /** An index an interrupted CONCURRENTLY build may have left invalid (the next run drops and rebuilds it). */
  readonly pendingIndex?: { readonly schema: string; readonly name: string };
  /** The expected model, when known, to show the drift as changes. */
  readonly model?: DatabaseSchema;
  /** Where in the plan: "before the first step", "after step r1-expand-003". */
  readonly where: string;
}

/**
 * What the schema should be at `position`, or a reason it cannot be known (no rehearsal report, and a point
 * in the middle of the plan).
 */
export function expectation(
  plan: Plan,
  position: PlanPosition,
  report: RehearsalReport | undefined,
): Expectation | { readonly unknown: string } {
  const steps = allSteps(plan);
  const byStep = new Map(report?.phases.flatMap((p) => p.steps.map((s) => [s.id, s] as const)) ?? []);
  const models = report?.models ?? {};
  const after = (s: Step | undefined): { fp: string; model?: DatabaseSchema } | undefined => {
    if (!s) return { fp: plan.source.fingerprint, model: plan.source.snapshot };
    if (s.id === steps[steps.length - 1]?.id) return { fp: plan.target.fingerprint, model: plan.target.snapshot };
    const r = byStep.get(s.id);
    if (!r) return undefined;
    const model = models[r.after] as DatabaseSchema | undefined;
    return { fp: r.after, ...(model ? { model } : {}) };
  };
  const base = after(position.lastDone);
  const where = position.lastDone ? `after step ${position.lastDone.id}` : 'before the first step';
  if (!base)
    return { unknown: `the schema ${where} is known only from a rehearsal report, and there is none for this plan` };
  const model = base.model ? { model: base.model } : {};
  if (position.rollingBack) {
    // states[k]: the schema after k statements of the rollback (states[0]: the step applied; the last: before it).
    const { step, done } = position.rollingBack;
    const n = step.rollback.length;
    const recorded = byStep.get(step.id)?.rollback;
    const states = [
      after(step)?.fp,
      ...(recorded?.length === n - 1 ? recorded : Array.from({ length: n - 1 }, () => undefined)),
      base.fp,
    ];
    const candidates = [states[done]];
    const next = step.rollback[done];
    if (next !== undefined && mustRunAlone(next)) candidates.push(states[done + 1]);
    const known = candidates.filter((f): f is string => f !== undefined);
    const ix = next !== undefined ? concurrentIndex(next) : undefined;
    return {
      fingerprints: known,
      complete: known.length === candidates.length,
      ...(ix?.op === 'create' ? { pendingIndex: ix } : {}),
      ...model,
      where: `${where}, with ${done} of the ${n} rollback statements of step ${step.id} done`,
    };
  }
  const fps = [base.fp];
  let complete = true;
  let pendingIndex: Expectation['pendingIndex'];
  if (position.uncertain) {
    const next = after(position.uncertain);
    if (next) fps.push(next.fp);
    else complete = false;
    const ix = concurrentIndex(position.uncertain.sql);
    if (ix?.op === 'create') pendingIndex = ix;
  }
  return { fingerprints: fps, complete, ...(pendingIndex ? { pendingIndex } : {}), ...model, where };
}

/** The schema without `ix` when it is an invalid index (what an interrupted CONCURRENTLY build leaves). */
function withoutInvalidIndex(live: DatabaseSchema, ix: { schema: string; name: string }): DatabaseSchema | undefined {
  let found = false;
  const schemas = live.schemas.map((s) =>
    s.name !== ix.schema
      ? s
      : {
          ...s,
          tables: s.tables.map((t) => {
            const indexes = t.indexes.filter((i) => !(i.name === ix.name && i.invalid));
            if (indexes.length === t.indexes.length) return t;
            found = true;
            return { ...t, indexes };
          }),
        },
  );
  return found ? { ...live, schemas } : undefined;
}

/** From this many differences at the start of a plan, the database is taken for another one, not a drifted source. */
export const NOT_SOURCE_DIFFERENCES = 10;

/**
 * Before the plan's first step, a schema far from the plan's source (many differences, or most of the source's
 * tables missing) is not drift but the wrong database: one line with the count says so better than a long list.
 */
export function notTheSource(plan: Plan, live: DatabaseSchema, differences: readonly string[]): boolean {
  if (differences.length >= NOT_SOURCE_DIFFERENCES) return true;
  const tables = (m: DatabaseSchema) => new Set(m.schemas.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)));
  const source = tables(plan.source.snapshot);
  const present = tables(live);
  const missing = [...source].filter((t) => !present.has(t)).length;
  return source.size > 0 && missing * 2 > source.size;
}

/** The database is not the state the plan expects before (or after) a phase; `differences` names each object. */
export class DriftError extends SwitchyardError {
  readonly differences: readonly string[];
  constructor(
    plan: Plan,
    where: string,
    actual: string,
    expected: readonly string[],
    differences: readonly string[],
    notSource = false,
  ) {
    if (notSource) {
      const n = differences.length;
      const e = differences.slice(0, 2).join('; ');
      super(
        'DRIFT',
        `this database does not look like the source of plan ${plan.name}: ${n} difference${n === 1 ? '' : 's'} from the schema it was planned from${e ? ` (${e}${n > 2 ? '; ...' : ''})` : ''}` +
          `\nfix: check --db (or database: in switchyard.yaml) names the database the plan was made from (--json lists every difference)`,
        1,
      );
      this.differences = differences;
      return;
    }
    const shown = differences.length
      ? differences
          .slice(0, 50)
          .map((d) => `  - ${d}`)
          .join('\n') + (differences.length > 50 ? `\n  ... and ${differences.length - 50} more` : '')
      : `  schema fingerprint ${actual}, expected ${expected.join(' or ')}`;
    super(
      'DRIFT',
      `the database schema has drifted from what plan ${plan.name} expects ${where}; what changed behind the plan's back:\n${shown}\n` +
        `fix: undo those changes (they were not made by this plan), or plan again from the live schema with \`switchyard plan --name ...\``,
      1,
    );
    this.differences = differences;
  }
}

export interface DriftCheck {
  readonly checked: boolean;
  readonly fingerprint: string;
  readonly where: string;
  /** Why the check could not be exact, when it could not. */
  readonly notice?: string;
}

/** Compares the live schema with the expectation; throws DriftError with the differences on a mismatch. */
export async function checkDrift(
  db: Queryable,
  plan: Plan,
  position: PlanPosition,
  report: RehearsalReport | undefined,
  lockTimeoutMs = 5000,
): Promise<DriftCheck> {
  // Reading the catalog can wait behind a session holding ACCESS EXCLUSIVE on a table; never for long.
  await db.query(`SET lock_timeout = '${Math.floor(lockTimeoutMs)}ms'`);
  let live: DatabaseSchema;
  try {
    live = await liveSchema(db, plan);
  } catch (e) {
    if ((e as { sqlstate?: string; code?: string }).sqlstate === '55P03' || (e as { code?: string }).code === '55P03') {
      throw new SwitchyardError(
        'DRIFT_UNREADABLE',
        `cannot read the schema to check it for drift: another session holds a lock on one of the plan's tables for more than ${lockTimeoutMs} ms (see pg_locks); try again when it is released`,
        1,
        { cause: e },
      );
    }
    throw e;
  } finally {
    await db.query('RESET lock_timeout').catch(() => undefined);
  }
  let fp = fingerprint(live);
  const e = expectation(plan, position, report);
  if ('unknown' in e) return { checked: false, fingerprint: fp, where: '', notice: `drift not checked: ${e.unknown}` };
  if (e.fingerprints.includes(fp)) return { checked: true, fingerprint: fp, where: e.where };
  const cleaned = e.pendingIndex ? withoutInvalidIndex(live, e.pendingIndex) : undefined;
  if (cleaned && e.fingerprints.includes(fingerprint(cleaned))) {
    return {
      checked: true,
      fingerprint: fp,
      where: e.where,
      notice: `index ${e.pendingIndex!.schema}.${e.pendingIndex!.name} was left invalid by an interrupted build; it is dropped and built again`,
    };
  }
  if (!e.complete) {
    const interrupted = position.rollingBack
      ? `the rollback of step ${position.rollingBack.step.id}`
      : `step ${position.uncertain?.id ?? '?'}`;
    return {
      checked: false,
      fingerprint: fp,
      where: e.where,
      notice: `drift not checked exactly: ${interrupted} was interrupted and no rehearsal recorded the schema at that point`,
    };
  }
  if (cleaned) fp = fingerprint(cleaned);
  const differences = e.model ? diff(e.model, live).map(describeChange) : [];
  const atStart = !position.lastDone && !position.uncertain && !position.rollingBack;
  throw new DriftError(
    plan,
    e.where,
    fp,
    e.fingerprints,
    differences,
    atStart && notTheSource(plan, cleaned ?? live, differences),
  );
}
