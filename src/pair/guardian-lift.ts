// What the fence guardian (guardian.ts) does once the switchyard process that fenced writes is gone or past its
// deadline: it reads the switch from the ledger and either undoes it (the topology has not moved: the old live
// side takes writes again, the reverse stream goes, the forward stream comes back) or, when the switch
// committed (the topology moved on either side), finishes the part that lets writes flow on the new side
// (topology on both sides, the new side's fence and watch lifted, the router switched and resumed), then fences
// and watches the old side. The rest of a committed switch (the old stream dropped, `done` recorded) is left to
// the next `cutover` run, which reads the ledger as usual.
import type { Client } from '../db/connect.js';
import { qualified, ident } from '../db/quote.js';
import { fenceRoles, unfenceRoles } from './fence.js';
import { SWITCH_TABLE, publicationName, streamName } from './names.js';
import { dropPublications, dropSlots, dropSubscriptions, pairSlots, pairSubscriptions } from './replicate.js';
import type { Router } from './router.js';
import type { PairSession } from './session.js';
import { readTopology, switchTopology, SWITCH_STEPS, type SwitchStep } from './topology.js';
import { armWatch, disarmWatch } from './watch.js';
import { SIDES, type Side } from './types.js';

/** The switch a guardian watches over. */
export interface GuardedSwitch {
  readonly ledgerSchema: string;
  /** The generation the switch started from. */
  readonly generation: number;
  readonly from: Side;
  readonly to: Side;
  readonly fence: 'router' | 'roles';
}

/** What lifting did: undone (writes back on the old side), forward (writes on the new side), nothing (someone else finished it). */
export interface LiftReport {
  readonly outcome: 'undone' | 'forward' | 'nothing';
  readonly detail: string;
}

interface Row {
  step: SwitchStep;
  state: 'running' | 'done' | 'undone';
}

/** The switch as both ledgers record it: committed once the topology moved on either side or `topology` is recorded. */
export async function switchState(
  session: PairSession,
  s: GuardedSwitch,
): Promise<{ committed: boolean; state: Row['state'] | undefined }> {
  let committed = false;
  let state: Row['state'] | undefined;
  for (const side of SIDES) {
    const db = session.db(side);
    const t = await readTopology(db, s.ledgerSchema);
    if (t && t.generation > s.generation) committed = true;
    const { rows } = await db.query<Row>(
      `SELECT step, state FROM ${qualified(s.ledgerSchema, SWITCH_TABLE)} WHERE generation = $1`,
      [s.generation],
    );
    const r = rows[0];
    if (!r) continue;
    if (r.state === 'done' || SWITCH_STEPS.indexOf(r.step) >= SWITCH_STEPS.indexOf('topology')) committed = true;
    if (r.state !== 'running' || state === undefined) state = r.state;
  }
  return { committed, state };
}

/** Lifts the fence of `s`: undone before the commit, forward after it. Idempotent. */
export async function liftFence(
  session: PairSession,
  router: Router,
  s: GuardedSwitch,
  urls: Readonly<Record<Side, string>>,
  progress: (step: string) => void = () => undefined,
): Promise<LiftReport> {
  const { committed, state } = await switchState(session, s);
  progress(`read: ${committed ? 'committed' : 'not committed'}, ${state ?? 'no record'}`);
  const old = session.db(s.from);
  const next = session.db(s.to);
  if (state === 'done') {
    await router.resume();
    return { outcome: 'nothing', detail: `the switch to ${s.to} was finished already` };
  }
  if (committed) {
    for (const side of [s.to, s.from]) {
      const t = await readTopology(session.db(side), s.ledgerSchema);
      if (t?.generation === s.generation + 1 && t.live === s.to) continue;
      await switchTopology(session.db(side), s.ledgerSchema, s.generation, {
        live: s.to,
        generation: s.generation + 1,
      });
    }
    await disarmWatch(next, s.to);
    const roles = await unfenceRoles(next, s.ledgerSchema);
    await router.switchTo(s.to, urls[s.to]);
    await router.resume();
    progress('resumed');
    // The old side as a finished switch leaves it, so that nothing writes there unseen until the next run:
    // fenced against direct connections (the router fence held only PgBouncer's), and watched.
    const kept: string[] = [];
    try {
      if (s.fence === 'router') await fenceRoles(old, s.ledgerSchema, s.generation + 1);
      kept.push(`${s.from} fenced`);
    } catch (e) {
      kept.push(`${s.from} not fenced against direct connections (${(e as Error).message.replaceAll('\n', ' ')})`);
    }
    try {
      kept.push(
        `split-brain watch armed on ${s.from} (${(await armWatch(old, s.ledgerSchema, s.from, s.generation + 1)).slot})`,
      );
    } catch (e) {
      kept.push(`no split-brain watch on ${s.from} (${(e as Error).message.replaceAll('\n', ' ')})`);
    }
    return {
      outcome: 'forward',
      detail: `the switch had committed: ${s.to} takes writes${roles.length ? ` (fence lifted for ${roles.map(ident).join(', ')})` : ''}${s.fence === 'router' ? ', the router points at it and is resumed' : ''}; ${kept.join(', ')}; run switchyard cutover --yes to finish it (the old stream is dropped, the switch recorded)`,
    };
  }
  // Not committed: recorded as undone first, so that no rerun goes on with a switch whose fence was lifted
  // (the old side's writes after this point would miss the sequences copied and the disabled stream).
  for (const side of SIDES)
    await session
      .db(side)
      .query(
        `UPDATE ${qualified(s.ledgerSchema, SWITCH_TABLE)} SET state = 'undone', finished_at = now() WHERE generation = $1 AND state = 'running'`,
        [s.generation],
      );
  // Writes first: they are safe on the old side now. Its changes wait in the forward slot (a disabled
  // subscription keeps it) and the reverse stream carries nothing (no write reaches the new side).
  const roles = await unfenceRoles(old, s.ledgerSchema);
  if (router.kind === 'pgbouncer' && (await router.current(urls.blue, urls.green)) !== s.from)
    await router.switchTo(s.from, urls[s.from]);
  await router.resume();
  progress('resumed');
  // Then the streams as they were: the reverse one goes before the forward one comes back (before 16 the two
  // would send every change round the loop).
  const reverse = streamName(s.to, s.from, s.generation + 1);
  if ((await pairSubscriptions(old)).some((x) => x.name === reverse)) await dropSubscriptions(old, [reverse]);
  if ((await pairSlots(next)).some((x) => x.name === reverse)) await dropSlots(next, [reverse]);
  await dropPublications(next, [publicationName(s.to)]);
  const forward = streamName(s.from, s.to, s.generation);
  if ((await pairSubscriptions(next)).some((x) => x.name === forward && !x.enabled))
    await next.query(`ALTER SUBSCRIPTION ${ident(forward)} ENABLE`);
  await waitForApplyWorker(next, forward);
  progress('streaming');
  return {
    outcome: 'undone',
    detail: `the switch had not committed: ${s.from} takes writes again${roles.length ? ` (fence lifted for ${roles.map(ident).join(', ')})` : ''}${s.fence === 'router' ? ', the router is resumed' : ''}; ${forward} streams to ${s.to} again`,
  };
}

/**
 * A subscription just enabled gets its apply worker a moment later: waited for (up to 5 s) while the pair lock
 * is held, so that the next cutover's gate (which wants a streaming worker) does not run into the gap.
 */
export async function waitForApplyWorker(db: Client, subscription: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await db.query(
      `SELECT 1 FROM pg_stat_subscription w JOIN pg_subscription x ON x.oid = w.subid WHERE x.subname = $1 AND w.pid IS NOT NULL AND w.relid IS NULL`,
      [subscription],
    );
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
