// Checks of the plan file against what surrounds it: the ledger, the rehearsal report, the hazards the
// configuration allows, timeouts, and the estimated duration against the window.
import { allSteps } from '../../planner/plan.js';
import { lintPlan } from '../../planner/lint.js';
import { PHASES, type Plan } from '../../planner/types.js';
import { readReport, rehearsalProblem } from '../rehearsal-report.js';
import { ident, qualified } from '../../db/quote.js';
import { checkDrift, DriftError } from '../drift.js';
import { LEDGER_VERSION, ledgerExists, planStatus, stepStatuses } from '../ledger.js';
import { planPosition } from '../state.js';
import { fail, guarded, listed, pass, plural, warn, type Check, type CheckContext } from './types.js';

/** The ledger must describe this plan: same checksum, only steps the plan has, nothing half-done unnoticed. */
export async function ledgerCheck(ctx: CheckContext): Promise<Check> {
  const id = 'ledger',
    title = 'ledger consistent with the plan';
  const schema = ctx.config.ledgerSchema;
  return guarded(id, title, async () => {
    const {
      rows: [exists],
    } = await ctx.db.query<{ plans: string | null; version: string | null }>(
      'SELECT to_regclass($1) AS plans, to_regclass($2) AS version',
      [qualified(schema, 'plans'), qualified(schema, 'ledger_version')],
    );
    if (!exists?.plans) return pass(id, title, `no ledger in schema ${ident(schema)} yet: apply creates it`);
    if (exists.version) {
      const {
        rows: [v],
      } = await ctx.db.query<{ v: number }>(
        `SELECT coalesce(max(version), 0)::int AS v FROM ${qualified(schema, 'ledger_version')}`,
      );
      if ((v?.v ?? 0) > LEDGER_VERSION)
        return fail(
          id,
          title,
          `the ledger in ${ident(schema)} is version ${v?.v}, newer than this switchyard knows (${LEDGER_VERSION})`,
          'upgrade switchyard to the version that last applied plans here',
        );
    }
    const plan = ctx.plan;
    const record = await planStatus(ctx.db, plan.name, schema);
    if (!record) return pass(id, title, `plan ${ident(plan.name)} is not in the ledger yet`);
    if (record.checksum !== plan.checksum) {
      return fail(
        id,
        title,
        `the ledger records plan ${ident(plan.name)} with checksum ${record.checksum.slice(0, 19)}..., the file has ${plan.checksum.slice(0, 19)}...: the plan changed after it was (partly) applied`,
        'roll back what the old version applied (switchyard rollback with the old plan file), or plan the new change under a new name',
      );
    }
    const steps = new Map(allSteps(plan).map((s) => [s.id, s]));
    const rows = await stepStatuses(ctx.db, plan.name, undefined, schema);
    const tenant = (t: string) => (t ? ` (tenant ${t})` : '');
    const unknown = rows.filter((r) => !steps.has(r.stepId));
    const moved = rows.filter((r) => {
      const s = steps.get(r.stepId);
      return s && (s.release !== r.release || s.phase !== r.phase);
    });
    if (unknown.length || moved.length) {
      const what = [
        ...unknown.map((r) => `${r.stepId}${tenant(r.tenant)} is ${r.status} but not in the plan`),
        ...moved.map(
          (r) =>
            `${r.stepId}${tenant(r.tenant)} is recorded in release ${r.release} ${r.phase}, the plan has it elsewhere`,
        ),
      ];
      return fail(
        id,
        title,
        `ledger rows that do not match ${ident(plan.name)}: ${listed(what, 5)}`,
        'the ledger was written by another plan under the same name: restore the plan file that was applied, or clean the rows after checking the schema by hand',
      );
    }
    const running = rows.filter((r) => r.status === 'running');
    const failed = rows.filter((r) => r.status === 'failed');
    if (running.length || failed.length) {
      return warn(
        id,
        title,
        [
          running.length ? `interrupted: ${listed(running.map((r) => r.stepId + tenant(r.tenant)))}` : '',
          failed.length
            ? `failed: ${listed(
                failed.map((r) => `${r.stepId}${tenant(r.tenant)} (${r.error ?? ''})`),
                3,
              )}`
            : '',
        ]
          .filter(Boolean)
          .join('; '),
        'run the same apply again to resume the phase (switchyard status shows where it stopped), or roll the phase back',
      );
    }
    const done = rows.filter((r) => r.status === 'done').length;
    return pass(
      id,
      title,
      `plan ${ident(plan.name)} is recorded with the same checksum; ${done} of ${rows.length} step rows done${record.appliedAt ? ', fully applied' : ''}`,
    );
  });
}

/** The live schema is what the plan expects at the point the ledger says it has reached (apply's own check). */
export async function schemaDriftCheck(ctx: CheckContext): Promise<Check> {
  const id = 'schema-drift',
    title = 'schema as the plan expects at this point';
  return guarded(id, title, async () => {
    const schema = ctx.config.ledgerSchema;
    const records = (await ledgerExists(ctx.db, schema)) ? await stepStatuses(ctx.db, ctx.plan.name, '', schema) : [];
    const report = await readReport(ctx.planPath).catch(() => undefined);
    try {
      const r = await checkDrift(
        ctx.db,
        ctx.plan,
        planPosition(ctx.plan, records),
        report?.checksum === ctx.plan.checksum ? report : undefined,
        1000,
      );
      if (!r.checked)
        return warn(
          id,
          title,
          r.notice ?? 'not checked',
          `run \`switchyard rehearse ${ctx.planPath}\`: its report records the schema after every step`,
        );
      return pass(id, title, `fingerprint ${r.fingerprint.slice(0, 19)}... is the one expected ${r.where}`);
    } catch (e) {
      if (!(e instanceof DriftError)) throw e;
      return fail(
        id,
        title,
        `changed behind the plan's back: ${listed(e.differences.length ? e.differences : ['(fingerprint differs)'], 5)}`,
        'undo those changes, or plan again from the live schema',
      );
    }
  });
}

export async function rehearsalCheck(ctx: CheckContext): Promise<Check> {
  const id = 'rehearsal',
    title = 'rehearsal passed for this checksum';
  try {
    const report = await readReport(ctx.planPath);
    const problem = rehearsalProblem(ctx.plan, report, ctx.planPath);
    if (problem)
      return fail(
        id,
        title,
        problem.split(': run `')[0] ?? problem,
        `run \`switchyard rehearse ${ctx.planPath}\` and fix what it finds`,
      );
    return pass(
      id,
      title,
      `rehearsed on ${report!.engine} ${report!.server} at ${report!.startedAt}, checksum ${ctx.plan.checksum.slice(0, 19)}...`,
    );
  } catch (e) {
    return fail(id, title, (e as Error).message, `run \`switchyard rehearse ${ctx.planPath}\` again`);
  }
}

/** The hazards the configuration allows, as `lint` and `apply` judge them. */
export async function hazardsCheck(ctx: CheckContext): Promise<Check> {
  const id = 'hazards',
    title = 'hazards allowed and safe-DDL rules kept';
  const r = lintPlan(ctx.plan, ctx.config.allowHazards);
  // Only what is about to run: a harmless expand is not held back by a later release's drops.
  const ids = new Set(ctx.steps.map((s) => s.id));
  const findings = r.findings.filter((f) => f.step === undefined || ids.has(f.step));
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.length - errors.length;
  if (errors.length) {
    const hazards = [...new Set(errors.filter((f) => f.rule === 'hazard').map((f) => f.message.split(':')[0]!))];
    return fail(
      id,
      title,
      `${plural(errors.length, 'lint error')}: ${listed(
        errors.map((f) => `${f.step ?? ''} ${f.message}`.trim()),
        4,
      )}`,
      hazards.length
        ? `review, then allow ${hazards.join(', ')} with --allow-hazard (here and on apply) or in switchyard.yaml allowHazards; see switchyard lint`
        : 'plan again; see switchyard lint',
    );
  }
  return pass(
    id,
    title,
    `${ctx.scope === 'the plan' ? '' : `${ctx.scope}: `}no hazard beyond the allowed ones (${r.allowed.join(', ')})${warnings ? `; ${plural(warnings, 'lint warning')} (switchyard lint)` : ''}`,
  );
}

/** Every locking step carries lock_timeout and statement_timeout, and the lock_timeout is short. */
export async function lockTimeoutCheck(ctx: CheckContext): Promise<Check> {
  const id = 'lock-timeout',
    title = 'lock_timeout and statement_timeout on every step';
  const steps = ctx.steps;
  const missing = steps.filter((s) => !(s.lockTimeoutMs > 0) || !(s.statementTimeoutMs > 0));
  if (missing.length)
    return fail(
      id,
      title,
      `steps without lock_timeout or statement_timeout: ${listed(missing.map((s) => s.id))}`,
      'plan again: every step gets both (the executor sets them per statement)',
    );
  const max = ctx.thresholds.maxLockTimeoutMs;
  const long = steps.filter((s) => s.lock !== 'none' && s.lockTimeoutMs > max);
  if (long.length) {
    return warn(
      id,
      title,
      `lock_timeout above ${max} ms on ${listed(long.map((s) => `${s.id} (${s.lockTimeoutMs} ms, ${s.lock})`))}: while it waits, every later query on the table queues behind it`,
      'plan again with a shorter lock timeout; the executor retries a timed-out lock with backoff',
    );
  }
  const lo = Math.min(...steps.map((s) => s.lockTimeoutMs)),
    hi = Math.max(...steps.map((s) => s.lockTimeoutMs));
  return pass(
    id,
    title,
    steps.length
      ? `all ${steps.length} steps set lock_timeout (${lo === hi ? `${lo} ms` : `${lo}-${hi} ms`}) and statement_timeout`
      : `${ctx.scope} has no steps`,
  );
}

/** A step whose estimated run exceeds its statement_timeout would be cancelled part way, every time. */
export async function statementTimeoutCheck(ctx: CheckContext): Promise<Check> {
  const id = 'statement-timeouts',
    title = 'estimated step durations fit their statement_timeout';
  // A backfill's timeout applies per batch, not to the whole step.
  const tight = ctx.steps.filter((s) => !s.backfill && s.cost && s.cost.seconds * 1000 > s.statementTimeoutMs);
  if (tight.length) {
    return fail(
      id,
      title,
      `estimated longer than their statement_timeout: ${listed(tight.map((s) => `${s.id} (~${s.cost!.seconds} s, timeout ${s.statementTimeoutMs / 1000} s)`))}`,
      'plan again against current statistics (heavy steps get a longer budget), or split the work',
    );
  }
  return pass(
    id,
    title,
    ctx.steps.some((s) => s.cost)
      ? 'every estimate is within its timeout'
      : 'the plan has no cost estimates (planned from a snapshot)',
  );
}

/** Estimated seconds per phase: a fixed overhead per step plus its cost. */
export function phaseEstimates(plan: Plan): { release: number; phase: string; seconds: number }[] {
  return plan.releases.flatMap((r) =>
    PHASES.filter((p) => r[p].length > 0).map((p) => ({
      release: r.number,
      phase: p,
      seconds: Math.round(r[p].reduce((sum, s) => sum + 0.05 + (s.cost?.seconds ?? 0), 0) * 10) / 10,
    })),
  );
}

/** Each phase must fit the window twice over, as the postmortem asks. */
export async function windowCheck(ctx: CheckContext): Promise<Check> {
  const id = 'window',
    title = 'estimated duration fits the window';
  const phases = phaseEstimates(ctx.plan).filter(
    (p) => !ctx.selection || (p.release === ctx.selection.release && p.phase === ctx.selection.phase),
  );
  const longest = phases.reduce((m, p) => (p.seconds > m.seconds ? p : m), { release: 0, phase: '-', seconds: 0 });
  const where = phases.length
    ? ctx.selection
      ? `release ${longest.release} ${longest.phase} is estimated at ${longest.seconds} s`
      : `the longest phase, release ${longest.release} ${longest.phase}, is estimated at ${longest.seconds} s`
    : `${ctx.scope} has no steps`;
  const minutes = ctx.config.windowMinutes;
  const recommended = Math.max(1, Math.ceil((2 * longest.seconds) / 60));
  if (minutes === undefined)
    return warn(
      id,
      title,
      `no window configured; ${where}`,
      `set windowMinutes in switchyard.yaml (at least ${recommended})`,
    );
  const window = minutes * 60;
  if (longest.seconds > window)
    return fail(
      id,
      title,
      `${where}, longer than the ${minutes}-minute window`,
      `ask for a window of at least ${recommended} minutes, or split the plan into smaller ones`,
    );
  if (2 * longest.seconds > window)
    return warn(
      id,
      title,
      `${where}: it fits the ${minutes}-minute window, but not twice over`,
      `ask for a window of at least ${recommended} minutes: estimates are guesses`,
    );
  return pass(id, title, `${where}; the window is ${minutes} minutes`);
}
