// `switchyard status`: where plans stand, read from the ledger. The ledger is per database, so on a pair (a
// `pair:` section and no --db) both ledgers are read, and each phase says which side ran it.
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget } from '../db/connect.js';
import { ledgerExists, listPlans, stepStatuses, type PlanRecord } from '../executor/ledger.js';
import { lockHolder, type LockHolder } from '../executor/lock.js';
import { phaseStatuses, type PhaseStatus } from '../executor/state.js';
import { pairMode, pairPhaseStatuses, readPairLedgers } from '../pair/phases.js';
import { openPair, resolvePair } from '../pair/session.js';
import { SIDES, type Side } from '../pair/types.js';
import { rehearsalProblem } from '../executor/rehearsal-report.js';
import { command, deployFirst, load, nextCommand, type Loaded } from './apply.js';
import { assertModeled, DEFAULT_EXCLUDED, inventory, type NotModeled } from '../introspect/index.js';
import { readRegistry } from '../introspect/registry.js';
import { planInventory } from './not-modeled.js';
import { planTenants, unitPlan } from '../tenants/split.js';
import { tenantsStatus, type TenantsStatus } from '../tenants/status.js';
import type { Client } from '../db/connect.js';
import type { StepRecord } from '../executor/ledger.js';

/** Where plans stand on a database, as `switchyard status --json` prints it. */
export interface StatusResult {
  readonly database: string;
  readonly ledger: boolean;
  readonly executor?: LockHolder;
  /** On a pair, each plan once per side whose ledger holds it. */
  readonly plans: readonly (PlanRecord & { readonly side?: Side })[];
  readonly pair?: { readonly live: Side; readonly standby: Side; readonly generation: number };
  /**
   * On one database: what the plan's schemas (without a plan, every schema but the ledger's) hold outside
   * the model. On a pair, `switchyard pair status` lists it for both sides.
   */
  readonly notModeled?: readonly NotModeled[];
  readonly plan?: {
    readonly name: string;
    readonly path: string;
    readonly checksum: string;
    readonly rehearsal: string;
    /** On a pair, `ranOn`: the sides whose ledger records steps of the phase. */
    readonly phases: readonly (PhaseStatus & { readonly ranOn?: readonly Side[] })[];
    readonly next?: string;
    /** A plan with tenants: where each tenant stands (and, with --tenants, which drifted). */
    readonly tenants?: TenantsStatus;
  };
}

type PlanStatus = NonNullable<StatusResult['plan']>;

function planPart(loaded: Loaded, phases: PlanStatus['phases'], next: string | undefined): PlanStatus {
  const { plan, path, report } = loaded;
  const problem = rehearsalProblem(plan, report, path);
  return {
    name: plan.name,
    path,
    checksum: plan.checksum,
    rehearsal: problem ?? `passed (${report!.engine}, ${report!.server}, ${report!.startedAt})`,
    phases,
    ...(next ? { next } : {}),
  };
}

/**
 * A plan with tenants on a pair: each side's ledger holds the tenant rows of the phases that ran there (expand
 * and backfill on the standby of the time, contract on live). Each phase is taken from the side that did most
 * of it, each tenant's position (and drift, compared on that side) from the side where it is furthest.
 */
async function pairTenantStatus(
  config: SwitchyardConfig,
  loaded: Loaded,
  live: Side,
  drift: boolean,
): Promise<PlanStatus> {
  const session = await openPair(resolvePair(config), 'switchyard status');
  try {
    const per: { side: Side; st: PlanStatus }[] = [];
    for (const side of SIDES) {
      const c = session.db(side);
      const ledger = (await ledgerExists(c, config.ledgerSchema)) ? config.ledgerSchema : undefined;
      per.push({ side, st: await tenantPlanStatus(c, loaded, ledger, drift) });
    }
    const phases = per[0]!.st.phases.map((_, i) => {
      const all = per.map((x) => ({ side: x.side, p: x.st.phases[i]! }));
      const best = all.reduce((a, b) => (b.p.done > a.p.done || (b.p.done === a.p.done && b.side === live) ? b : a));
      return { ...best.p, ranOn: all.filter((x) => x.p.done > 0 || x.p.unfinished.length > 0).map((x) => x.side) };
    });
    const rank = (t: TenantsStatus['tenants'][number]) =>
      t.state === 'not started' ? -2 : (t.boundary ?? Number.MAX_SAFE_INTEGER);
    const chosen = new Map<string, Side>();
    // Every tenant either side lists (a tenant added while the pair was not streaming is on live only), live's first.
    const base = [...per]
      .sort((a, b) => (a.side === live ? -1 : b.side === live ? 1 : 0))
      .flatMap((x) => x.st.tenants!.tenants);
    const seen = new Set<string>();
    const positions = base
      .filter((t) => !seen.has(t.tenant) && seen.add(t.tenant))
      .map((t) => {
        const best = per
          .map((x) => ({ side: x.side, t: x.st.tenants!.tenants.find((y) => y.tenant === t.tenant) ?? t }))
          .reduce((a, b) => (rank(b.t) > rank(a.t) || (rank(b.t) === rank(a.t) && b.side === live) ? b : a));
        chosen.set(t.tenant, best.side);
        return best.t;
      });
    const tenants: TenantsStatus = {
      template: per[0]!.st.tenants!.template,
      tenants: positions,
      missing: per.find((x) => x.side === live)!.st.tenants!.missing,
      ...(drift
        ? { drifted: per.flatMap((x) => (x.st.tenants!.drifted ?? []).filter((d) => chosen.get(d.tenant) === x.side)) }
        : {}),
      unchecked: per.reduce((n, x) => n + x.st.tenants!.unchecked, 0),
    };
    return { ...planPart(loaded, phases, pairNext(phases, live, loaded)), tenants };
  } finally {
    await session.close();
  }
}

async function pairStatus(config: SwitchyardConfig, loaded: Loaded | undefined, drift = false): Promise<StatusResult> {
  // A pair whose stream a contract closed still has both ledgers to read.
  const pair = await readPairLedgers(config, loaded?.plan.name, 'switchyard status', { streaming: false });
  const sides = SIDES.map((s) => pair.sides[s]);
  const executor = sides.find((s) => s.executor)?.executor;
  const base: StatusResult = {
    database: sides.map((s) => `${s.side} ${s.name}`).join(', '),
    ledger: sides.some((s) => s.ledger),
    ...(executor ? { executor } : {}),
    plans: sides.flatMap((s) => s.plans.map((p) => ({ ...p, side: s.side }))),
    pair: { live: pair.live, standby: pair.standby, generation: pair.generation },
  };
  if (!loaded) return base;
  if (planTenants(loaded.plan)) return { ...base, plan: await pairTenantStatus(config, loaded, pair.live, drift) };
  const phases = pairPhaseStatuses(loaded.plan, pair);
  return { ...base, plan: planPart(loaded, phases, pairNext(phases, pair.live, loaded)) };
}

/** What to run next on a pair: contract runs on live, so phases that ran only on the standby get there by cutover. */
function pairNext(
  phases: readonly (PhaseStatus & { readonly ranOn: readonly Side[] })[],
  live: Side,
  { plan, path }: Loaded,
): string | undefined {
  const upcoming = phases.find((s) => s.state !== 'applied' && s.state !== 'empty');
  if (upcoming?.phase !== 'contract') return nextCommand(phases, path, plan);
  const standbyOnly = phases.some((p) => p.ranOn.length > 0 && !p.ranOn.includes(live));
  return deployFirst(
    plan,
    upcoming,
    `${standbyOnly ? 'switchyard cutover, then ' : ''}${command(path, 'apply', upcoming)} --yes`,
  );
}

/**
 * A plan with tenants: each phase counts its steps over the shared unit and every tenant (a phase is applied
 * when it is applied everywhere), and the tenants' positions come along.
 */
async function tenantPlanStatus(
  client: Client,
  loaded: Loaded,
  ledger: string | undefined,
  drift: boolean,
): Promise<PlanStatus> {
  const { plan } = loaded;
  const t = planTenants(plan)!;
  const registry = await readRegistry(client, t);
  const tenants = await tenantsStatus(client, plan, loaded.report, t.template, registry, ledger, { drift });
  const records: StepRecord[] = ledger ? await stepStatuses(client, plan.name, undefined, ledger) : [];
  const shared = phaseStatuses(
    unitPlan(plan, t.template, ''),
    records.filter((r) => r.tenant === ''),
  );
  const tenantOnly = unitPlan(plan, t.template, t.template);
  const perUnit = tenants.tenants.map((u) =>
    phaseStatuses(
      tenantOnly,
      records.filter((r) => r.tenant === u.tenant),
    ),
  );
  const phases = shared.map((s, i): PhaseStatus => {
    const all = [s, ...perUnit.map((u) => u[i]!)];
    const steps = all.reduce((n, x) => n + x.steps, 0);
    const done = all.reduce((n, x) => n + x.done, 0);
    const unfinished = all.flatMap((x) => x.unfinished);
    const state =
      steps === 0
        ? 'empty'
        : done === steps
          ? 'applied'
          : all.some((x) => x.state === 'failed')
            ? 'failed'
            : done > 0 || unfinished.length
              ? 'partial'
              : 'pending';
    return { ...s, steps, done, unfinished: unfinished.slice(0, 20), state };
  });
  return { ...planPart(loaded, phases, nextCommand(phases, loaded.path, loaded.plan)), tenants };
}

/**
 * `switchyard status`: where plans stand on the database (or the pair): every phase, interrupted or failed steps,
 * what to run next.
 */
export async function statusCommand(
  config: SwitchyardConfig,
  o: { plan?: string; db?: string; tenants?: boolean; strict?: boolean },
): Promise<StatusResult> {
  const loaded = o.plan ? await load(config, o.plan) : undefined;
  if (pairMode(config, o.db)) return pairStatus(config, loaded, o.tenants === true);
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    const ledger = config.ledgerSchema;
    const notModeled = loaded
      ? await planInventory(client, loaded.plan)
      : await inventory(client, { excludeSchemas: [...new Set([...DEFAULT_EXCLUDED, ledger])] });
    assertModeled(notModeled, o.strict ?? config.strict);
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    const executor = await lockHolder(client, { database: rows[0]!.db, ledgerSchema: ledger });
    const exists = await ledgerExists(client, ledger);
    const plans = exists ? await listPlans(client, ledger) : [];
    const base = {
      database: describeTarget(target),
      ledger: exists,
      ...(executor ? { executor } : {}),
      plans,
      notModeled,
    };
    if (!loaded) return base;
    if (planTenants(loaded.plan))
      return { ...base, plan: await tenantPlanStatus(client, loaded, exists ? ledger : undefined, o.tenants === true) };
    const records = exists ? await stepStatuses(client, loaded.plan.name, '', ledger) : [];
    const phases = phaseStatuses(loaded.plan, records);
    return { ...base, plan: planPart(loaded, phases, nextCommand(phases, loaded.path, loaded.plan)) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
