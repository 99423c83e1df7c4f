// `apply --dry-run` and `rollback --dry-run` on one database or a side of the pair: exactly the statements the
// phase runner would send, leaving out what the ledger records as done (apply) or never done (rollback).
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget, type ConnectionTarget } from '../db/connect.js';
import { hazardRefusal } from '../executor/hazards.js';
import { ledgerExists, stepStatuses, tookEffect, type StepRecord } from '../executor/ledger.js';
import { RefusedError } from '../executor/run.js';
import { rollbackScript, stepScript, type DryRunPhases } from '../executor/script.js';
import { phasesToApply } from '../executor/single.js';
import { phaseLabel, phaseStatuses, planPhases, type PhaseStatus } from '../executor/state.js';
import { NotReplicationCompatibleError, replicationProblems } from '../pair/compat.js';
import {
  contractWarning,
  pairMode,
  placeApply,
  placeLabel,
  placeRollback,
  readPairLedgers,
  type PairLedgers,
  type Placement,
} from '../pair/phases.js';
import type { Hazard, Phase, Plan } from '../planner/types.js';

/** Pair mode: the side a phase ran (or would run) on, and its role then. */
export type PairPlace = Pick<Placement, 'side' | 'role'>;

/** What `apply` or `rollback` with `dryRun: true` would send, phase by phase and step by step; nothing was sent. */
export interface DryRunResult extends DryRunPhases {
  readonly pair?: PairPlace;
}

async function readLedger(
  config: SwitchyardConfig,
  plan: Plan,
  db: string | undefined,
  notices: string[],
  placeOf: (pair: PairLedgers) => Placement,
): Promise<{ records: readonly StepRecord[]; database?: string; pair?: PairPlace }> {
  if (pairMode(config, db)) {
    const pair = await readPairLedgers(config, plan.name, `switchyard ${plan.name} --dry-run`);
    const place = placeOf(pair);
    notices.push(`on the pair: this runs on ${placeLabel(place)}`);
    return {
      records: pair.sides[place.side].records,
      database: place.name,
      pair: { side: place.side, role: place.role },
    };
  }
  let target: ConnectionTarget;
  try {
    target = resolveTarget(db, config.database, config.unsetVariables);
  } catch {
    notices.push('no database given: every step is shown, as on a database where the plan has not started');
    return { records: [] };
  }
  const client = await connect(target);
  try {
    const exists = await ledgerExists(client, config.ledgerSchema);
    return {
      records: exists ? await stepStatuses(client, plan.name, '', config.ledgerSchema) : [],
      database: describeTarget(target),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dryRun(
  config: SwitchyardConfig,
  plan: Plan,
  path: string,
  selection: { release: number; phase: Phase } | 'all',
  allowed: readonly Hazard[],
  refusals: readonly (string | undefined)[],
  o: { readonly db?: string | undefined },
): Promise<DryRunResult> {
  const notices = refusals.filter((r): r is string => r !== undefined).map((r) => `apply would refuse: ${r}`);
  const single = selection === 'all' ? undefined : selection;
  const { records, database, pair } = await readLedger(config, plan, o.db, notices, (p) =>
    placeApply(p, single?.phase ?? 'expand'),
  );
  if (pair && single?.phase === 'contract') notices.push(`${contractWarning(single, pair.side)}; apply needs --yes`);
  if (pair && single?.phase === 'expand') {
    const problems = replicationProblems(
      plan,
      planPhases(plan).find((x) => x.release === single.release && x.phase === 'expand')!.steps,
    );
    if (problems.length)
      notices.push(
        `apply would refuse: ${new NotReplicationCompatibleError(path, phaseLabel(single), problems).message}`,
      );
  }
  const done = new Set(records.filter((r) => r.status === 'done').map((r) => r.stepId));
  const statuses = phaseStatuses(plan, records);
  let phases: PhaseStatus[];
  try {
    phases = phasesToApply(plan, statuses, selection, path);
  } catch (e) {
    if (!(e instanceof RefusedError)) throw e;
    notices.push(`apply would refuse: ${e.message}`);
    phases =
      selection === 'all'
        ? []
        : [statuses.find((s) => s.release === selection.release && s.phase === selection.phase)!];
  }
  const out = phases.map((p) => {
    const steps = planPhases(plan)
      .find((x) => x.release === p.release && x.phase === p.phase)!
      .steps.filter((s) => !done.has(s.id));
    return { release: p.release, phase: p.phase, steps: steps.map((s) => ({ id: s.id, sql: stepScript(s) })) };
  });
  const refused = hazardRefusal(
    plan,
    allowed,
    out.flatMap((p) => planPhases(plan).find((x) => x.release === p.release && x.phase === p.phase)!.steps),
    path,
  );
  if (refused) notices.push(`apply would refuse: ${refused.message}`);
  return { plan: plan.name, ...(database ? { database } : {}), ...(pair ? { pair } : {}), phases: out, notices };
}

export async function dryRunRollback(
  config: SwitchyardConfig,
  plan: Plan,
  selection: { release: number; phase: Phase },
  o: { readonly db?: string | undefined },
  refusals: readonly string[],
): Promise<DryRunResult> {
  const notices = [...refusals];
  const { records, database, pair } = await readLedger(config, plan, o.db, notices, (p) =>
    placeRollback(plan, p, selection),
  );
  const byId = new Map(records.map((r) => [r.stepId, r]));
  const known = records.length > 0;
  const steps = [...planPhases(plan).find((x) => x.release === selection.release && x.phase === selection.phase)!.steps]
    .reverse()
    .filter((s) => !known || tookEffect(byId.get(s.id)));
  return {
    plan: plan.name,
    ...(database ? { database } : {}),
    ...(pair ? { pair } : {}),
    phases: [{ ...selection, steps: steps.map((s) => ({ id: s.id, sql: rollbackScript(s, byId.get(s.id)) })) }],
    notices,
  };
}
