// Phases on the pair (DESIGN.md, "How a release moves (pair mode)"): expand and backfill run on the standby
// while live replicates into it, contract on the live side. The ledger is per database, so where a phase ran
// is read from the two ledgers, and a rollback goes where its phase ran. Only reads here: the executor changes.
import type { SwitchyardConfig } from '../config/config.js';
import { ledgerExists, listPlans, stepStatuses, type PlanRecord, type StepRecord } from '../executor/ledger.js';
import { lockHolder, type LockHolder } from '../executor/lock.js';
import { phaseStatuses, planPhases, type PhaseStatus } from '../executor/state.js';
import type { Queryable } from '../introspect/index.js';
import type { Phase, Plan } from '../planner/types.js';
import { PairError } from './errors.js';
import { openPair, resolvePair, resolveSides, type Sides } from './session.js';
import { describeInitializing, readTopology } from './topology.js';
import { SIDES, type Side } from './types.js';

export type Role = 'live' | 'standby';

/** Where `apply` runs a phase: expand and backfill on the standby, contract on live. */
export const phaseRole = (phase: Phase): Role => (phase === 'contract' ? 'live' : 'standby');

/** Executor commands target the pair when switchyard.yaml has one and no --db names a single database. */
export const pairMode = (config: Pick<SwitchyardConfig, 'pair'>, db: string | undefined): boolean =>
  db === undefined && config.pair !== undefined;

export interface SideLedger {
  readonly side: Side;
  /** Printable (password-free) name of the database. */
  readonly name: string;
  readonly url: string;
  readonly ledger: boolean;
  readonly executor?: LockHolder;
  readonly plans: readonly PlanRecord[];
  /** Ledger rows of the plan asked about (empty without one). */
  readonly records: readonly StepRecord[];
}

/** The pair as executor commands see it: which side is live, and each side's ledger. */
export interface PairLedgers {
  readonly live: Side;
  readonly standby: Side;
  readonly generation: number;
  readonly sides: Readonly<Record<Side, SideLedger>>;
}

export interface Placement {
  readonly side: Side;
  readonly role: Role;
  readonly generation: number;
  readonly url: string;
  readonly name: string;
}

export const roleOf = (pair: Pick<PairLedgers, 'live'>, side: Side): Role => (side === pair.live ? 'live' : 'standby');

/** `green (standby)`: how output says where a phase runs or ran. */
export const placeLabel = (p: { side: Side; role: Role }): string => `${p.side} (${p.role})`;

/** The pair must be set up; `streaming` says whether it still replicates (a contract closes the stream). */
function requirePaired(sides: Sides, streaming: boolean, initializing: string): void {
  const stored = SIDES.map((s) => sides.stored[s]).filter((t) => t !== undefined);
  if (
    stored.length === 0 ||
    stored.some((t) => t.state === 'initializing') ||
    (streaming && stored.some((t) => t.state !== 'paired'))
  ) {
    const state = stored.length
      ? `its topology says ${stored.map((t) => `${t.side}: ${t.state}`).join(', ')}`
      : 'neither database holds a topology';
    if (stored.some((t) => t.state === 'initializing'))
      throw new PairError(
        'PAIR_NOT_PAIRED',
        `switchyard.yaml names a pair, but it is not streaming (${state}): ${initializing}; or pass --db URL to run the phase on one database`,
        2,
      );
    throw new PairError(
      'PAIR_NOT_PAIRED',
      `switchyard.yaml names a pair, but it is not streaming (${state}): expand and backfill run on the standby of a streaming pair\nfix: switchyard pair init (or pair resync after a contract), or pass --db URL to run the phase on one database`,
      2,
    );
  }
}

/** Opens both sides, reads the topology and each ledger (the rows of `plan` when given), and closes them. */
export async function readPairLedgers(
  config: SwitchyardConfig,
  plan: string | undefined,
  applicationName: string,
  o: { streaming?: boolean } = {},
): Promise<PairLedgers> {
  const session = await openPair(resolvePair(config), applicationName);
  try {
    const sides = await resolveSides(session, config.ledgerSchema);
    const initializing = SIDES.some((s) => sides.stored[s]?.state === 'initializing')
      ? await describeInitializing([session.blue, session.green], config.ledgerSchema)
      : '';
    requirePaired(sides, o.streaming ?? true, initializing);
    const read = async (side: Side): Promise<SideLedger> => {
      const db = session.db(side);
      const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
      const executor = await lockHolder(db, { database: rows[0]!.db, ledgerSchema: config.ledgerSchema });
      const ledger = await ledgerExists(db, config.ledgerSchema);
      const plans = ledger ? await listPlans(db, config.ledgerSchema) : [];
      const records = ledger && plan !== undefined ? await stepStatuses(db, plan, '', config.ledgerSchema) : [];
      return {
        side,
        name: session.names[side],
        url: session.targets[side],
        ledger,
        ...(executor ? { executor } : {}),
        plans,
        records,
      };
    };
    return {
      live: sides.live,
      standby: sides.standby,
      generation: sides.generation,
      sides: { blue: await read('blue'), green: await read('green') },
    };
  } finally {
    await session.close();
  }
}

function place(pair: PairLedgers, side: Side): Placement {
  const s = pair.sides[side];
  return { side, role: roleOf(pair, side), generation: pair.generation, url: s.url, name: s.name };
}

/** Where `apply` runs `phase` now. */
export function placeApply(pair: PairLedgers, phase: Phase): Placement {
  return place(pair, pair[phaseRole(phase)]);
}

const touched = (s: PhaseStatus) => s.done > 0 || s.unfinished.length > 0;

/** The sides whose ledger records any step of the phase (done, running, failed, rolling back). */
export function ranOn(plan: Plan, pair: PairLedgers, p: { release: number; phase: Phase }): Side[] {
  return SIDES.filter((side) => {
    const s = phaseStatuses(plan, pair.sides[side].records).find((x) => x.release === p.release && x.phase === p.phase);
    return s !== undefined && touched(s);
  });
}

/** Phases before `p` (with steps) that ran on another side and not on `side`. */
export function ranElsewhere(
  plan: Plan,
  pair: PairLedgers,
  p: { release: number; phase: Phase },
  side: Side,
): { release: number; phase: Phase }[] {
  const phases = planPhases(plan);
  const earlier = phases
    .slice(
      0,
      phases.findIndex((x) => x.release === p.release && x.phase === p.phase),
    )
    .filter((x) => x.steps.length > 0);
  return earlier.filter((x) => {
    const sides = ranOn(plan, pair, x);
    return sides.length > 0 && !sides.includes(side);
  });
}

/** Contract on live ends the cutback window: said before it runs, and required to be meant (--yes). */
export function contractWarning(p: { release: number }, live?: Side): string {
  return (
    `contract runs on the live side${live ? ` (${live})` : ''} and ends the cutback window for release ${p.release}: ` +
    'once it removes what the previous application version needs, cutting back to the other side no longer gives that version a working database'
  );
}

/** Where `rollback` undoes a phase: the side that ran it; when both or neither did, where apply would run it. */
export function placeRollback(plan: Plan, pair: PairLedgers, p: { release: number; phase: Phase }): Placement {
  const sides = ranOn(plan, pair, p);
  return sides.length === 1 ? place(pair, sides[0]!) : placeApply(pair, p.phase);
}

/**
 * The phases as the pair holds them: each phase's state from the side that ran it (from where apply would
 * run it when both or neither did), with the sides that ran it.
 */
export function pairPhaseStatuses(
  plan: Plan,
  pair: PairLedgers,
): (PhaseStatus & { readonly ranOn: readonly Side[] })[] {
  const bySide = {
    blue: phaseStatuses(plan, pair.sides.blue.records),
    green: phaseStatuses(plan, pair.sides.green.records),
  };
  return bySide.blue.map((_, i) => {
    const sides = SIDES.filter((side) => touched(bySide[side][i]!));
    const from = sides.length === 1 ? sides[0]! : pair[phaseRole(bySide.blue[i]!.phase)];
    return { ...bySide[from][i]!, ranOn: sides };
  });
}

/** Under the executor lock: the pair has not switched since the phase was placed (a cutover in between). */
export async function confirmPlacement(db: Queryable, ledgerSchema: string, p: Placement): Promise<void> {
  const t = await readTopology(db, ledgerSchema);
  if (t && t.generation === p.generation && t.side === p.side && roleOf(t, p.side) === p.role) return;
  throw new PairError(
    'PAIR_MOVED',
    `the pair moved while this command started: ${p.side} was ${p.role} at generation ${p.generation}, it now says ${t ? `live=${t.live} generation ${t.generation}` : 'nothing'}; nothing was run\nfix: run the same command again`,
    1,
  );
}
