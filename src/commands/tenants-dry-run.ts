// `apply --dry-run` and `rollback --dry-run` of a plan with tenants: exactly the SQL the fan-out would send,
// shared steps once and each selected tenant's steps under its own schema-qualified names, leaving out what the
// ledger records as done (apply) or never done (rollback). Nothing is written, no lock is taken.
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget } from '../db/connect.js';
import { ledgerExists, stepStatuses, tookEffect } from '../executor/ledger.js';
import { phaseLabel } from '../executor/state.js';
import {
  allowedHazards, hazardRefusal, rollbackScript, stepScript, type DryRunResult, type PairPlace,
} from './apply.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import { contractWarning, pairMode, placeApply, placeRollback, readPairLedgers } from '../pair/phases.js';
import { reviewProblem } from '../planner/reviewed.js';
import { rehearsalProblem } from '../executor/rehearsal-report.js';
import { readRegistry } from '../introspect/registry.js';
import { parseShard, parseTenantsFlag, selectTenants } from '../tenants/registry.js';
import { segments, unitPlan } from '../tenants/split.js';
import { DEFAULT_CONCURRENCY, loadTenantRun, someNames, type TenantRunOptions } from '../tenants/run.js';

export async function dryRunTenants(config: SwitchyardConfig, o: TenantRunOptions, verb: 'apply' | 'rollback'): Promise<DryRunResult> {
  const { plan, path, report, t, sel } = await loadTenantRun(config, o, verb);
  const shard = o.shard !== undefined ? parseShard(o.shard) : undefined;
  const notices: string[] = [];
  const reviewed = await reviewProblem(config, plan, path);
  if (reviewed) notices.push(`${verb} would refuse: ${reviewed.message}`);
  const steps = plan.releases.find((r) => r.number === sel.release)![sel.phase];
  if (verb === 'apply') {
    const rehearsal = o.skipRehearsal ? undefined : rehearsalProblem(plan, report, path);
    if (rehearsal) notices.push(`apply would refuse: ${rehearsal}`);
    const refused = hazardRefusal(plan, allowedHazards(config, o.allowHazard), steps, path);
    if (refused) notices.push(`apply would refuse: ${refused.message}`);
  }
  let url = o.db;
  let pair: PairPlace | undefined;
  if (pairMode(config, o.db)) {
    const ledgers = await readPairLedgers(config, plan.name, `switchyard ${verb} ${plan.name} --dry-run`, { streaming: false });
    const place = verb === 'apply' ? placeApply(ledgers, sel.phase) : placeRollback(plan, ledgers, sel);
    url = place.url;
    pair = { side: place.side, role: place.role };
    if (verb === 'apply' && sel.phase === 'contract') notices.push(`${contractWarning(sel, place.side)}; apply needs --yes`);
    if (verb === 'apply' && sel.phase === 'expand') {
      const problems = replicationProblems(plan, steps);
      if (problems.length) notices.push(`apply would refuse: ${new NotReplicationCompatibleError(path, phaseLabel(sel), problems).message}`);
    }
  }
  const target = resolveTarget(url, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    const registry = await readRegistry(client, t);
    const units = selectTenants(registry, t.template, parseTenantsFlag(o.tenants), shard);
    const records = (await ledgerExists(client, config.ledgerSchema)) ? await stepStatuses(client, plan.name, undefined, config.ledgerSchema) : [];
    const of = (unit: string) => new Map(records.filter((r) => r.tenant === unit).map((r) => [r.stepId, r]));
    const segs = segments(plan, sel.release, sel.phase, t.template);
    const out: { id: string; tenant?: string; sql: string[] }[] = [];
    const script = (unit: string, ids: ReadonlySet<string>) => {
      const rec = of(unit);
      const unitSteps = unitPlan(plan, t.template, unit).releases.find((r) => r.number === sel.release)![sel.phase].filter((s) => ids.has(s.id));
      const tenant = unit === '' ? {} : { tenant: unit };
      if (verb === 'apply') {
        for (const s of unitSteps) if (rec.get(s.id)?.status !== 'done') out.push({ id: s.id, ...tenant, sql: stepScript(s) });
      } else {
        for (const s of [...unitSteps].reverse()) if (tookEffect(rec.get(s.id))) out.push({ id: s.id, ...tenant, sql: rollbackScript(s, rec.get(s.id)) });
      }
    };
    for (const seg of verb === 'apply' ? segs : [...segs].reverse()) {
      const ids = new Set(seg.steps.map((s) => s.id));
      if (seg.kind === 'shared') script('', ids);
      else for (const unit of units) script(unit, ids);
    }
    notices.push(
      `${units.length} tenant(s) selected${shard ? ` (shard ${shard.index}/${shard.count})` : ''}; each runs on its own connection, ${o.concurrency ?? DEFAULT_CONCURRENCY} at a time, after a drift check against the template` +
        (registry.missing.length ? `; the registry lists ${registry.missing.length} tenant(s) with no schema: ${someNames(registry.missing)}` : ''),
    );
    return { plan: plan.name, database: describeTarget(target), ...(pair ? { pair } : {}), phases: [{ ...sel, steps: out }], notices };
  } finally {
    await client.end().catch(() => undefined);
  }
}
