// `apply` and `rollback` of a plan with tenants, as units of the phase runner (executor/run.ts): one phase, its
// shared steps once and the template's steps per tenant (see split.ts, phase.ts), each tenant under its own lock
// and its own ledger rows, N at a time. A drifted tenant is reported and left alone. A rerun skips every tenant
// whose part of the phase is recorded done, so a killed run is finished by running the same command again. The
// guards, the placement and the health check are the runner's, the same as for one database.
import { SwitchyardError, UsageError } from '../errors.js';
import type { TenantOutcome } from '../executor/fanout.js';
import {
  ensureLedger,
  ledgerExists,
  markPlanApplied,
  markPlanUnapplied,
  planStatus,
  readSteps,
  recordPlan,
  stepStatuses,
} from '../executor/ledger.js';
import type { Executor, PhaseRef, PhaseUnits } from '../executor/run.js';
import { executionMs, phaseCommand as command } from '../executor/single.js';
import { phaseLabel } from '../executor/state.js';
import type { Phase, Plan } from '../planner/types.js';
import {
  applyUnits,
  durably,
  planComplete,
  refuseSharedDrift,
  rollbackUnits,
  someNames,
  type RunContext,
  type TenantUnitsInput,
} from './phase.js';
import { readRegistry } from '../introspect/registry.js';
import { parseTenantsFlag, selectTenants } from './registry.js';
import { ident } from '../db/quote.js';
import { checkTenantPlan, planTenants, unitPlan } from './split.js';

export { someNames, tenantsArg, type TenantUnitsInput } from './phase.js';

/** The tenant flags of `apply` and `rollback`. */
export interface TenantFlags {
  /** `--tenants all|a,b` values (absent: all). */
  readonly tenants?: readonly string[] | undefined;
  readonly concurrency?: number | undefined;
  readonly onError?: 'continue' | 'abort' | undefined;
  /** `--shard I/N`. */
  readonly shard?: string | undefined;
}

/** What a tenant run did; the command adds where it ran (database, side of the pair). */
export interface TenantRun {
  readonly verb: 'apply' | 'rollback';
  readonly plan: string;
  readonly release: number;
  readonly phase: Phase;
  /** Shared steps run (or undone) by this command. */
  readonly shared: number;
  /** Every selected tenant, in the order they finished. */
  readonly outcomes: readonly TenantOutcome[];
  /** Tenants an `--on-error abort` left untouched (or a failure in a tenant segment kept from the next). */
  readonly notStarted: readonly string[];
  /** Tenants the registry lists that have no schema. */
  readonly missing: readonly string[];
  readonly notices: readonly string[];
  readonly ms: number;
  /** The whole plan is applied for the shared schemas and every tenant of the registry. */
  readonly complete: boolean;
}

export const DEFAULT_CONCURRENCY = 4;

export function isTenantPlan(plan: Plan): boolean {
  return planTenants(plan) !== undefined;
}

/** The health check failed after a tenant phase, and rolling the phase back failed on some of the tenants. */
export class HealthRollbackIncompleteError extends SwitchyardError {
  readonly tenants: readonly string[];
  constructor(sel: PhaseRef, left: readonly TenantOutcome[], path: string) {
    super(
      'HEALTH_ROLLBACK_INCOMPLETE',
      `the health check failed after ${phaseLabel(sel)}, and rolling it back failed on ${left.length} tenant(s):\n` +
        left.map((t) => `  ${ident(t.tenant)}: ${t.error ?? ''}`).join('\n') +
        `\nfix: ${command(path, 'rollback', sel)} (tenants already rolled back are skipped)`,
      3,
    );
    this.tenants = left.map((t) => t.tenant);
  }
}

/** The plan's tenants settings, refusing a plan that cannot run over tenants. */
export function tenantSettings(plan: Plan): { readonly template: string; readonly registry: string } {
  const t = planTenants(plan);
  if (!t)
    throw new UsageError(
      `plan ${plan.name} has no tenants (its declared schema has no \`tenants:\` section): drop --tenants, --concurrency and --shard`,
    );
  checkTenantPlan(plan, t.template);
  return t;
}

/**
 * The selected tenants as the phase runner's units: under the executor lock (shared, so shard jobs run together)
 * the shared schemas' drift is refused, then the phase runs, shared steps once and each tenant's under its own
 * lock through the fan-out. After an apply the runner's health check judges the phase; its undo rolls the phase
 * back on exactly the tenants this run migrated (and the shared steps, when no other tenant still needs them).
 */
export function tenantUnits(input: TenantUnitsInput): PhaseUnits<TenantRun> {
  return {
    async run(ex: Executor) {
      const { plan, template, selection: sel, verb } = input;
      const { client, ledger, key, emit } = ex;
      const started = performance.now();
      const sharedPlan = unitPlan(plan, template, '');
      const fresh = !(await ledgerExists(client, ledger));
      if (!fresh) await readSteps(client, sharedPlan, '', ledger);
      const registry = await readRegistry(client, { registry: input.registry, template });
      const units = selectTenants(registry, template, parseTenantsFlag(input.tenants), input.shard);
      if (fresh && verb === 'apply') await refuseSharedDrift(client, plan, input.report, sel, template);
      await ex.ready();
      await ensureLedger(client, ledger);
      await recordPlan(client, sharedPlan, [''], ledger);
      // Every selected tenant's rows at once: the workers then only update them.
      await recordPlan(client, unitPlan(plan, template, template), units, ledger);
      const notices: string[] = [];
      if (registry.missing.length)
        notices.push(
          `the registry lists ${registry.missing.length} tenant(s) with no schema, left alone: ${someNames(registry.missing)}`,
        );
      for (const m of notices) emit({ kind: 'notice', message: m });
      const fleet = selectTenants(registry, template, 'all');
      const ctx: RunContext = {
        ...input,
        client,
        key,
        ledger,
        units,
        fleet,
        emit,
        notices,
        concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
        onError: input.onError ?? 'continue',
      };
      const done = await durably(ctx, () => (verb === 'apply' ? applyUnits(ctx) : rollbackUnits(ctx)));
      const { shared, outcomes, notStarted } = done;
      const migrated = outcomes.filter((x) => x.state === 'done').map((x) => x.tenant);
      if (verb === 'apply' && (shared > 0 || migrated.length)) {
        await ex.ran(sel, `${phaseLabel(sel)} of plan ${plan.name} on ${migrated.length} tenant(s)`, async () => {
          const undone = await durably(ctx, () => rollbackUnits({ ...ctx, units: migrated, onError: 'continue' }));
          const left = undone.outcomes.filter((x) => x.state === 'failed');
          // Saying "rolled back" of a phase still on some tenants would hide them from the operator.
          if (left.length) throw new HealthRollbackIncompleteError(sel, left, input.path);
        });
      }
      const complete = await planComplete(client, plan, template, registry.tenants, registry.templateExists, ledger);
      const status = await planStatus(client, plan.name, ledger);
      if (verb === 'apply' && complete && !status?.appliedAt)
        await markPlanApplied(
          client,
          plan.name,
          executionMs(await stepStatuses(client, plan.name, undefined, ledger)),
          ledger,
        );
      if (verb === 'rollback' && status?.appliedAt) await markPlanUnapplied(client, plan.name, ledger);
      return {
        verb,
        plan: plan.name,
        release: sel.release,
        phase: sel.phase,
        shared,
        outcomes,
        notStarted,
        missing: registry.missing,
        notices,
        ms: Math.round(performance.now() - started),
        complete,
      };
    },
  };
}
