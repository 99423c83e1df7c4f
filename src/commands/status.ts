// `switchyard status`: where plans stand, read from the ledger. The ledger is per database, so on a pair (a
// `pair:` section and no --db) both ledgers are read, and each phase says which side ran it.
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget } from '../db/connect.js';
import { ledgerExists, listPlans, stepStatuses, type PlanRecord } from '../executor/ledger.js';
import { lockHolder, type LockHolder } from '../executor/lock.js';
import { phaseStatuses, type PhaseStatus } from '../executor/state.js';
import { pairMode, pairPhaseStatuses, readPairLedgers } from '../pair/phases.js';
import { SIDES, type Side } from '../pair/types.js';
import { rehearsalProblem } from '../rehearsal/report.js';
import { command, load, nextCommand, type Loaded } from './apply.js';

export interface StatusResult {
  readonly database: string;
  readonly ledger: boolean;
  readonly executor?: LockHolder;
  /** On a pair, each plan once per side whose ledger holds it. */
  readonly plans: readonly (PlanRecord & { readonly side?: Side })[];
  readonly pair?: { readonly live: Side; readonly standby: Side; readonly generation: number };
  readonly plan?: {
    readonly name: string;
    readonly path: string;
    readonly checksum: string;
    readonly rehearsal: string;
    /** On a pair, `ranOn`: the sides whose ledger records steps of the phase. */
    readonly phases: readonly (PhaseStatus & { readonly ranOn?: readonly Side[] })[];
    readonly next?: string;
  };
}

type PlanStatus = NonNullable<StatusResult['plan']>;

function planPart(loaded: Loaded, phases: PlanStatus['phases'], next: string | undefined): PlanStatus {
  const { plan, path, report } = loaded;
  const problem = rehearsalProblem(plan, report, path);
  return { name: plan.name, path, checksum: plan.checksum, rehearsal: problem ?? `passed (${report!.engine}, ${report!.server}, ${report!.startedAt})`, phases, ...(next ? { next } : {}) };
}

async function pairStatus(config: SwitchyardConfig, loaded: Loaded | undefined): Promise<StatusResult> {
  const pair = await readPairLedgers(config, loaded?.plan.name, 'switchyard status');
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
  const phases = pairPhaseStatuses(loaded.plan, pair);
  let next = nextCommand(phases, loaded.path);
  const upcoming = phases.find((s) => s.state !== 'applied' && s.state !== 'empty');
  if (upcoming?.phase === 'contract') {
    // Contract runs on live: phases that ran only on the standby get there by cutover.
    const standbyOnly = phases.some((p) => p.ranOn.length > 0 && !p.ranOn.includes(pair.live));
    next = `${standbyOnly ? 'switchyard cutover, then ' : ''}${command(loaded.path, 'apply', upcoming)} --yes`;
  }
  return { ...base, plan: planPart(loaded, phases, next) };
}

export async function statusCommand(config: SwitchyardConfig, o: { plan?: string; db?: string }): Promise<StatusResult> {
  const loaded = o.plan ? await load(config, o.plan) : undefined;
  if (pairMode(config, o.db)) return pairStatus(config, loaded);
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    const ledger = config.ledgerSchema;
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    const executor = await lockHolder(client, { database: rows[0]!.db, ledgerSchema: ledger });
    const exists = await ledgerExists(client, ledger);
    const plans = exists ? await listPlans(client, ledger) : [];
    const base = { database: describeTarget(target), ledger: exists, ...(executor ? { executor } : {}), plans };
    if (!loaded) return base;
    const records = exists ? await stepStatuses(client, loaded.plan.name, '', ledger) : [];
    const phases = phaseStatuses(loaded.plan, records);
    return { ...base, plan: planPart(loaded, phases, nextCommand(phases, loaded.path)) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
