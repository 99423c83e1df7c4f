// One phase over the tenants, as tenantUnits (run.ts) runs it under the executor lock: the phase cut into
// segments (split.ts), shared steps once under the shared unit's lock and each tenant's steps under its own lock
// through the fan-out; a tenant whose schema drifted from the template is refused and reported, the others go on.
// Shared steps that need every tenant of the fleet at a point wait for them, whoever's job runs those tenants.
import type { Client } from '../db/connect.js';
import { fanout, type FanoutProgress, type TenantOutcome } from '../executor/fanout.js';
import { stepStatuses, tookEffect, type StepRecord } from '../executor/ledger.js';
import { UnitBusyError, withUnitLock, type ExecutorLockKey } from '../executor/lock.js';
import { applyPhase, rollbackPhase } from '../executor/phase.js';
import { RefusedError, type ExecutorEvent, type PhaseRef } from '../executor/run.js';
import { phaseCommand as command } from '../executor/single.js';
import { phaseLabel, phaseStatuses } from '../executor/state.js';
import type { Phase, Plan, Step } from '../planner/types.js';
import type { RehearsalReport } from '../executor/rehearsal-report.js';
import { ident, qualified } from '../db/quote.js';
import { modelAtBoundary, schemaOf, sharedDrift, tenantDrift, type UnitDrift } from './drift.js';
import type { Shard } from './registry.js';
import { segmentPlan, segments, unitPlan, type Segment } from './split.js';

/**
 * `--tenants NAME` as a shell takes it, for the fix commands messages print: a registry name is data and may
 * hold quotes, spaces or semicolons. A name with a comma cannot be given to --tenants (it splits on commas).
 */
export function tenantsArg(name: string): string {
  if (name.includes(',') || /[\n\r\0]/.test(name)) return '--tenants-file FILE (a file naming the tenant on one line)';
  return `--tenants ${/^[A-Za-z0-9_.@%+=:/-]+$/.test(name) ? name : `'${name.replaceAll("'", `'\\''`)}'`}`;
}

const ids = (s: Segment) => new Set(s.steps.map((x) => x.id));

/** A unit's records by step id (unit '' is the shared steps). */
function byUnit(records: readonly StepRecord[]): Map<string, Map<string, StepRecord>> {
  const out = new Map<string, Map<string, StepRecord>>();
  for (const r of records) {
    let m = out.get(r.tenant);
    if (!m) out.set(r.tenant, (m = new Map()));
    m.set(r.stepId, r);
  }
  return out;
}

type Where = 'none' | 'partial' | 'all';
function progressOf(steps: readonly Step[], rec: Map<string, StepRecord> | undefined): Where {
  if (!steps.length) return 'all';
  const done = steps.filter((s) => rec?.get(s.id)?.status === 'done').length;
  const touched = steps.filter((s) => tookEffect(rec?.get(s.id))).length;
  return done === steps.length ? 'all' : touched === 0 ? 'none' : 'partial';
}

/** A tenant run's inputs: the plan and phase, the tenants, and how to open a worker where the phase runs. */
export interface TenantUnitsInput {
  readonly verb: 'apply' | 'rollback';
  readonly plan: Plan;
  readonly path: string;
  readonly report: RehearsalReport | undefined;
  readonly template: string;
  readonly registry: string;
  readonly selection: PhaseRef;
  readonly shard: Shard | undefined;
  readonly tenants: readonly string[] | undefined;
  readonly concurrency: number | undefined;
  readonly onError: 'continue' | 'abort' | undefined;
  /** A session on the database the phase runs on (the placement chose it), prepared as the executor's. */
  readonly openWorker: () => Promise<Client>;
}

/** Runs `work`; whatever happened, what the workers committed is made durable before the command reports. */
export async function durably<T>(ctx: RunContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await flushWorkers(ctx.client, ctx.plan.name, ctx.ledger).catch(() => undefined);
  }
}

/**
 * A worker's session commits without waiting for the WAL flush (synchronous_commit off): a tenant's steps
 * commit with their ledger rows, and WAL keeps commits in order, so a server crash can only lose the newest of
 * them together (schema and ledger still agree; a concurrent index build is checked in the catalog on the
 * rerun). One synchronous commit at the end (flushWorkers) makes all of them durable before the command reports.
 */
async function openWorker(ctx: RunContext): Promise<Client> {
  const client = await ctx.openWorker();
  await client.query('SET synchronous_commit = off');
  return client;
}

/** A synchronous commit after every worker finished: the WAL is flushed up to it, theirs included. */
async function flushWorkers(client: Client, plan: string, ledger: string): Promise<void> {
  await client.query('BEGIN');
  try {
    // Synchronous whatever the role's or database's default is.
    await client.query('SET LOCAL synchronous_commit = on');
    await client.query(`UPDATE ${qualified(ledger, 'plans')} SET checksum = checksum WHERE name = $1`, [plan]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export interface RunContext extends TenantUnitsInput {
  readonly client: Client;
  readonly key: ExecutorLockKey;
  readonly ledger: string;
  readonly units: readonly string[];
  /** Every unit of the fleet, whatever this job selected (--tenants, --shard). */
  readonly fleet: readonly string[];
  readonly emit: (e: ExecutorEvent) => void;
  readonly notices: string[];
  readonly concurrency: number;
  readonly onError: 'continue' | 'abort';
}

interface UnitsResult {
  readonly shared: number;
  readonly outcomes: TenantOutcome[];
  readonly notStarted: string[];
}

/** Runs `work` for each unit over the worker pool, reporting progress as `tenants` events. */
async function fanOut(
  ctx: RunContext,
  units: readonly string[],
  work: (c: Client, unit: string) => Promise<number | 'skipped'>,
) {
  return fanout(units, (c, unit) => withUnitLock(c, ctx.key, unit, {}, () => work(c, unit)), {
    concurrency: ctx.concurrency,
    onError: ctx.onError,
    open: () => openWorker(ctx),
    close: (c) => c.end(),
    onProgress: (p: FanoutProgress) => ctx.emit({ kind: 'tenants', ...p }),
  });
}

/**
 * One tenant segment of the phase, run (or undone) for each pending tenant over the worker pool. Returns the
 * tenants to go on with (not failed, started), and whether --on-error abort stopped the run.
 */
async function tenantSegment(
  ctx: RunContext,
  verb: 'apply' | 'rollback',
  seg: Segment,
  pending: readonly string[],
  results: Map<string, TenantOutcome>,
  notStarted: string[],
) {
  const { plan, template, selection: sel } = ctx;
  const run = verb === 'apply' ? applyPhase : rollbackPhase;
  const only = ids(seg);
  const f = await fanOut(ctx, pending, async (c, unit) => {
    const r = await run(
      c,
      segmentPlan(plan, sel.release, sel.phase, seg.steps, template, unit),
      sel.release,
      sel.phase,
      { ledgerSchema: ctx.ledger, tenant: unit, only, ledgerReady: true },
    );
    return r.ran === 0 ? 'skipped' : r.ran;
  });
  merge(results, f.outcomes);
  notStarted.push(...f.notStarted);
  return {
    pending: pending.filter((u) => results.get(u)?.state !== 'failed' && !f.notStarted.includes(u)),
    stop: f.notStarted.length > 0,
  };
}

/** The first names of a list for a message, quoted. */
export function someNames(names: readonly string[], max = 10): string {
  return `${names.slice(0, max).map(ident).join(', ')}${names.length > max ? ', ...' : ''}`;
}

/** Outcomes of one unit over the segments of a phase, merged: a failure wins, then done, then skipped. */
function merge(into: Map<string, TenantOutcome>, outcomes: readonly TenantOutcome[]): void {
  for (const x of outcomes) {
    const prev = into.get(x.tenant);
    if (!prev) into.set(x.tenant, x);
    else if (prev.state !== 'failed')
      into.set(
        x.tenant,
        x.state === 'skipped' ? { ...prev, ms: prev.ms + x.ms } : { ...x, ran: prev.ran + x.ran, ms: prev.ms + x.ms },
      );
  }
}

function failed(tenant: string, error: string): TenantOutcome {
  return { tenant, state: 'failed', ran: 0, ms: 0, error };
}

/**
 * The drift check reads every tenant in a few catalog queries, without their locks: another executor (a second
 * shard job) may be migrating one right now. Each tenant that looks drifted is looked at again under its lock:
 * held by another executor, it is reported busy; its ledger rows moved on from `expected` meanwhile, it is not
 * drifted (its steps are skipped or resumed). Returns the tenants to refuse, with why.
 */
async function driftedUnderLock(
  ctx: RunContext,
  found: readonly UnitDrift[],
  steps: readonly Step[],
  expected: Where,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const d of found) {
    const verdict = await withUnitLock(ctx.client, ctx.key, d.tenant, {}, async () =>
      progressOf(steps, byUnit(await stepStatuses(ctx.client, ctx.plan.name, d.tenant, ctx.ledger)).get(d.tenant)) ===
      expected
        ? 'drifted'
        : 'moved',
    ).catch((e: unknown) => (e instanceof UnitBusyError ? e : Promise.reject(e)));
    if (verdict === 'moved') continue;
    const more = d.differences.length > 5 ? `; and ${d.differences.length - 5} more` : '';
    out.set(
      d.tenant,
      verdict instanceof UnitBusyError
        ? verdict.message
        : `drifted from the template ${ident(ctx.template)}: ${d.differences.slice(0, 5).join('; ')}${more}`,
    );
  }
  return out;
}

/**
 * The units of the whole fleet (every registry tenant, and the template schema when it exists) that are not yet
 * at `want` ('all' done, or 'none' left: undone) for `steps`: a shared step that depends on them waits.
 */
async function fleetBehind(ctx: RunContext, steps: readonly Step[], want: Where): Promise<string[]> {
  if (!steps.length) return [];
  const records = byUnit(await stepStatuses(ctx.client, ctx.plan.name, undefined, ctx.ledger));
  const touched = (u: string) => steps.some((s) => tookEffect(records.get(u)?.get(s.id)));
  return ctx.fleet.filter((u) => (want === 'all' ? progressOf(steps, records.get(u)) !== 'all' : touched(u)));
}

/**
 * Apply checks the tenants no step touched yet against the schema before the phase, rollback the tenants every
 * step ran on against the schema after it; a drifted one is refused (recorded in `results`) and returned.
 */
async function refuseDrifted(
  ctx: RunContext,
  boundary: 'before' | 'after',
  units: readonly string[],
  steps: readonly Step[],
  results: Map<string, TenantOutcome>,
): Promise<Set<string>> {
  const { plan, template, selection: sel, client } = ctx;
  const model = modelAtBoundary(plan, ctx.report, sel.release, sel.phase, boundary);
  if (!model)
    ctx.notices.push(
      `tenants not checked for drift: the schema ${boundary} ${phaseLabel(sel)} is known only from a rehearsal report, and there is none for this plan`,
    );
  const drifted = new Set<string>();
  if (!model || !units.length) return drifted;
  const expected: Where = boundary === 'before' ? 'none' : 'all';
  for (const [tenant, why] of await driftedUnderLock(
    ctx,
    await tenantDrift(client, schemaOf(model, template), units),
    steps,
    expected,
  )) {
    drifted.add(tenant);
    results.set(tenant, failed(tenant, why));
  }
  return drifted;
}

export async function applyUnits(ctx: RunContext): Promise<UnitsResult> {
  const { plan, template, selection: sel, client, ledger, path } = ctx;
  const records = byUnit(await stepStatuses(client, plan.name, undefined, ledger));
  const segs = segments(plan, sel.release, sel.phase, template);
  const tenantSteps = segs.filter((s) => s.kind === 'tenant').flatMap((s) => s.steps);
  const sharedSteps = segs.filter((s) => s.kind === 'shared').flatMap((s) => s.steps);
  const tenantOnly = unitPlan(plan, template, template);
  const results = new Map<string, TenantOutcome>();
  // Each tenant: earlier phases done, then where it stands in this one.
  const fresh: string[] = [];
  const eligible: string[] = [];
  for (const unit of ctx.units) {
    const rec = records.get(unit);
    const st = phaseStatuses(tenantOnly, [...(rec?.values() ?? [])]);
    const i = st.findIndex((x) => x.release === sel.release && x.phase === sel.phase);
    const missing = st.slice(0, i).find((x) => x.state !== 'applied' && x.state !== 'empty');
    if (missing) {
      results.set(
        unit,
        failed(
          unit,
          `${phaseLabel(missing)} is ${missing.state} for this tenant, and phases run in order; fix: ${command(path, 'apply', missing)} ${tenantsArg(unit)}`,
        ),
      );
      continue;
    }
    const where = progressOf(tenantSteps, rec);
    if (where === 'all') results.set(unit, { tenant: unit, state: 'skipped', ran: 0, ms: 0 });
    else {
      eligible.push(unit);
      if (where === 'none') fresh.push(unit);
    }
  }
  const drifted = await refuseDrifted(ctx, 'before', fresh, tenantSteps, results);
  let pending = eligible.filter((u) => !drifted.has(u));
  let shared = 0;
  let stopped = false;
  const notStarted: string[] = [];
  // --on-error abort: a tenant refused before anything ran (drifted, or an earlier phase missing) stops the run
  // as a failure during it would.
  if (ctx.onError === 'abort' && [...results.values()].some((r) => r.state === 'failed') && pending.length) {
    ctx.notices.push(
      `--on-error abort: ${[...results.values()].filter((r) => r.state === 'failed').length} tenant(s) were refused before anything ran, so no tenant was started`,
    );
    return { shared, outcomes: ordered(ctx.units, results), notStarted: pending };
  }
  for (const seg of segs) {
    if (stopped) break;
    if (seg.kind === 'shared') {
      if ([...results.values()].some((r) => r.state === 'failed') && segs.indexOf(seg) > 0) {
        ctx.notices.push(
          `the shared steps after the tenants' (${seg.steps.map((s) => s.id).join(', ')}) did not run: some tenants failed; fix them and run the same command again`,
        );
        stopped = true;
        break;
      }
      const i = segs.indexOf(seg);
      // Under the shared steps' lock, with the ledger read again: other jobs (shards) run them too.
      const r = await withUnitLock(client, ctx.key, '', { wait: true }, async () => {
        const now = byUnit(await stepStatuses(client, plan.name, '', ledger)).get('');
        if (progressOf(seg.steps, now) === 'all') return 0;
        if (progressOf(sharedSteps, now) === 'none') await refuseSharedDrift(client, plan, ctx.report, sel, template);
        // Shared steps after tenant steps wait for every tenant of the fleet, not only this job's.
        const waiting = await fleetBehind(
          ctx,
          segs
            .slice(0, i)
            .filter((x) => x.kind === 'tenant')
            .flatMap((x) => x.steps),
          'all',
        );
        if (waiting.length) return waiting;
        return (
          await applyPhase(client, unitPlan(plan, template, ''), sel.release, sel.phase, {
            ledgerSchema: ledger,
            only: ids(seg),
            onEvent: ctx.emit,
          })
        ).ran;
      });
      if (typeof r !== 'number') {
        ctx.notices.push(
          `the shared steps after the tenants' (${seg.steps.map((s) => s.id).join(', ')}) wait until every tenant has done its part (${r.length} not yet: ${someNames(r)}); the job that finishes the last of them runs them, or run this command again then`,
        );
        stopped = true;
        break;
      }
      shared += r;
      continue;
    }
    const next = await tenantSegment(ctx, 'apply', seg, pending, results, notStarted);
    pending = next.pending;
    stopped = next.stop;
  }
  return { shared, outcomes: ordered(ctx.units, results), notStarted };
}

export async function rollbackUnits(ctx: RunContext): Promise<UnitsResult> {
  const { plan, template, selection: sel, client, ledger, path } = ctx;
  const records = byUnit(await stepStatuses(client, plan.name, undefined, ledger));
  const segs = segments(plan, sel.release, sel.phase, template).reverse();
  const tenantSteps = segs.filter((s) => s.kind === 'tenant').flatMap((s) => s.steps);
  const results = new Map<string, TenantOutcome>();
  const tenantOnly = unitPlan(plan, template, template);
  const full: string[] = [];
  const eligible: string[] = [];
  for (const unit of ctx.units) {
    const rec = records.get(unit);
    const st = phaseStatuses(tenantOnly, [...(rec?.values() ?? [])]);
    const i = st.findIndex((x) => x.release === sel.release && x.phase === sel.phase);
    const later = st
      .slice(i + 1)
      .reverse()
      .find((x) => x.done > 0 || x.unfinished.length > 0);
    if (later) {
      results.set(
        unit,
        failed(
          unit,
          `${phaseLabel(later)} is ${later.state} for this tenant, and phases roll back in reverse order; fix: ${command(path, 'rollback', later)} ${tenantsArg(unit)}`,
        ),
      );
      continue;
    }
    const touched = tenantSteps.some((s) => tookEffect(rec?.get(s.id)));
    if (!touched) results.set(unit, { tenant: unit, state: 'skipped', ran: 0, ms: 0 });
    else {
      eligible.push(unit);
      if (progressOf(tenantSteps, rec) === 'all') full.push(unit);
    }
  }
  const drifted = await refuseDrifted(ctx, 'after', full, tenantSteps, results);
  let pending = eligible.filter((u) => !drifted.has(u));
  let shared = 0;
  const notStarted: string[] = [];
  if (ctx.onError === 'abort' && [...results.values()].some((r) => r.state === 'failed') && pending.length) {
    ctx.notices.push(
      `--on-error abort: ${[...results.values()].filter((r) => r.state === 'failed').length} tenant(s) were refused before anything was undone, so no tenant was started`,
    );
    return { shared, outcomes: ordered(ctx.units, results), notStarted: pending };
  }
  for (const seg of segs) {
    if (seg.kind === 'shared') {
      if ([...results.values()].some((r) => r.state === 'failed') && segs.indexOf(seg) > 0) {
        ctx.notices.push(
          `the shared steps before the tenants' were not rolled back: some tenants failed; fix them and run the same command again`,
        );
        break;
      }
      const i = segs.indexOf(seg);
      const r = await withUnitLock(client, ctx.key, '', { wait: true }, async () => {
        // Shared steps that came before tenant steps are undone once every tenant of the fleet has undone those.
        const waiting = await fleetBehind(
          ctx,
          segs
            .slice(0, i)
            .filter((x) => x.kind === 'tenant')
            .flatMap((x) => x.steps),
          'none',
        );
        if (waiting.length) return waiting;
        return (
          await rollbackPhase(client, unitPlan(plan, template, ''), sel.release, sel.phase, {
            ledgerSchema: ledger,
            only: ids(seg),
            onEvent: ctx.emit,
          })
        ).ran;
      });
      if (typeof r !== 'number') {
        ctx.notices.push(
          `the shared steps before the tenants' (${seg.steps.map((s) => s.id).join(', ')}) are undone once every tenant has undone its part (${r.length} not yet: ${someNames(r)}); run this command again then`,
        );
        break;
      }
      shared += r;
      continue;
    }
    const next = await tenantSegment(ctx, 'rollback', seg, pending, results, notStarted);
    pending = next.pending;
    if (next.stop) break;
  }
  return { shared, outcomes: ordered(ctx.units, results), notStarted };
}

/** Refuses (DRIFT) shared schemas that differ from the plan's expectation before the phase, when it is known. */
export async function refuseSharedDrift(
  client: Client,
  plan: Plan,
  report: RehearsalReport | undefined,
  sel: { release: number; phase: Phase },
  template: string,
): Promise<void> {
  const before = modelAtBoundary(plan, report, sel.release, sel.phase, 'before');
  const d = before ? await sharedDrift(client, before, template) : [];
  if (d.length)
    throw new RefusedError(
      'DRIFT',
      `the shared schemas have drifted from what plan ${plan.name} expects before ${phaseLabel(sel)}:\n${d
        .slice(0, 50)
        .map((x) => `  - ${x}`)
        .join('\n')}\nfix: undo those changes, or plan again`,
    );
}

function ordered(units: readonly string[], results: Map<string, TenantOutcome>): TenantOutcome[] {
  return units.map((u) => results.get(u)).filter((x): x is TenantOutcome => x !== undefined);
}

/** Every phase applied for the shared steps and for every tenant (and the template schema when it exists). */
export async function planComplete(
  client: Client,
  plan: Plan,
  template: string,
  tenants: readonly string[],
  templateExists: boolean,
  ledger: string,
): Promise<boolean> {
  const records = byUnit(await stepStatuses(client, plan.name, undefined, ledger));
  const all = (unit: string) => {
    const st = phaseStatuses(unitPlan(plan, template, unit === '' ? '' : template), [
      ...(records.get(unit)?.values() ?? []),
    ]);
    return st.every((s) => s.state === 'applied' || s.state === 'empty');
  };
  return all('') && [...tenants, ...(templateExists ? [template] : [])].every(all);
}
