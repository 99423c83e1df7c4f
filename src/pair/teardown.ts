// `pair teardown`: every subscription, publication and slot the pair made, on both sides, removed; no slot is
// left retaining WAL. The application schemas and the topology stay (marked `unpaired`), so `pair init`
// can pair again with the same live side.
import type { SwitchyardConfig } from '../config/config.js';
import { TopologyConflictError } from './errors.js';
import {
  pairPublications,
  pairSlots,
  pairSubscriptions,
  dropPublications,
  dropSlots,
  dropSubscriptions,
} from './replicate.js';
import { lockPair, openPair, resolvePair, resolveSides, type PairFlags, type PairSession } from './session.js';
import { readTopology, writeTopology } from './topology.js';
import { SIDES, type Side } from './types.js';

export interface Removed {
  readonly subscriptions: readonly string[];
  readonly publications: readonly string[];
  readonly slots: readonly string[];
}

/** What `pair teardown` removed on each side. */
export interface PairTeardownResult {
  readonly blue: string;
  readonly green: string;
  readonly removed: Readonly<Record<Side, Removed>>;
  /** Slots of the pair still present afterwards (always empty unless something recreated one meanwhile). */
  readonly remainingSlots: readonly string[];
}

/** Removes the pair's replication objects on an open session; returns what was removed per side. */
export async function teardownPair(session: PairSession, ledgerSchema: string): Promise<Record<Side, Removed>> {
  const subscriptions = { blue: [] as string[], green: [] as string[] };
  // Subscriptions first, on both sides: a slot in use by a subscription's walsender cannot be dropped.
  for (const side of SIDES) {
    subscriptions[side] = (await pairSubscriptions(session.db(side))).map((s) => s.name);
    await dropSubscriptions(session.db(side), subscriptions[side]);
  }
  const removed = {} as Record<Side, Removed>;
  for (const side of SIDES) {
    const db = session.db(side);
    const publications = await pairPublications(db);
    await dropPublications(db, publications);
    const slots = (await pairSlots(db)).map((s) => s.name);
    await dropSlots(db, slots);
    removed[side] = { subscriptions: subscriptions[side], publications, slots };
    const t = await readTopology(db, ledgerSchema);
    if (t && t.state !== 'unpaired')
      await writeTopology(db, ledgerSchema, {
        side: t.side,
        live: t.live,
        generation: t.generation,
        state: 'unpaired',
      });
  }
  return removed;
}

export async function pairTeardown(
  config: Pick<SwitchyardConfig, 'pair' | 'unsetVariables' | 'ledgerSchema'>,
  o: PairFlags = {},
): Promise<PairTeardownResult> {
  const session = await openPair(resolvePair(config, o), 'switchyard pair teardown');
  try {
    await lockPair(session);
    // Swapped URLs are refused before anything is dropped; a disagreement about live does not stop a teardown.
    await resolveSides(session, config.ledgerSchema).catch((e: unknown) => {
      if (!(e instanceof TopologyConflictError) || e.reason === 'swapped') throw e;
    });
    const removed = await teardownPair(session, config.ledgerSchema);
    const remainingSlots = [...(await pairSlots(session.blue)), ...(await pairSlots(session.green))].map((s) => s.name);
    return { blue: session.names.blue, green: session.names.green, removed, remainingSlots };
  } finally {
    await session.close();
  }
}
