// `pair status`: where the pair stands, read from both sides: topology, the stream (lag in bytes and time),
// each table's sync state, sequence drift (sequences are not replicated), schema drift between the sides,
// and apply errors. Problems that break or stall replication make `ok` false; drift that the release
// process creates on purpose (expand on the standby, sequences behind until cutover) is reported, not failed.
import type { Client } from '../db/connect.js';
import { standbyColumnsCheck } from '../executor/preflight/replication.js';
import { describeNotModeled, introspect, inventory, type NotModeled, serverVersion } from '../introspect/index.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import { schemaDifferences } from './copy.js';
import { compareSides, releasesInFlight, type CatalogComparison } from './catalog-gate.js';
import { TopologyConflictError } from './errors.js';
import { isPublicationName, isWatchPublicationName, streamName } from './names.js';
import { pairSlots, pairSubscriptions, type SlotInfo } from './replicate.js';
import { readApplication, schemaNames } from './scope.js';
import { openPair, resolvePair, resolveSides, type PairFlags, type PairSession, type Sides } from './session.js';
import { tableSyncStates, type TableSync } from './sync.js';
import { peekWatch, WATCH_RETAINED_LIMIT, type WatchPeek } from './watch.js';
import type { PairConfig } from './init.js';
import { SIDES, type Side, type Topology } from './types.js';
import { describeInitializing } from './topology.js';

export interface StreamStatus {
  readonly subscription: string;
  readonly enabled: boolean;
  /** The apply worker's pid on the standby; null when none runs. */
  readonly workerPid: number | null;
  readonly lastMessageAt: Date | null;
  readonly slot: SlotInfo | null;
}

export interface Lag {
  /** WAL on live not yet confirmed by the standby (slot confirmed_flush_lsn). */
  readonly bytes: number | null;
  /** Replay lag from pg_stat_replication; 0 when nothing is outstanding, null when unknown. */
  readonly seconds: number | null;
}

export interface SequenceDrift {
  readonly sequence: string;
  readonly live: string | null;
  readonly standby: string | null;
  /** live - standby last_value (null when either is unknown). */
  readonly behind: string | null;
}

/** The pair as `pair status` reports it: topology, streams, lag and sequence drift. */
export interface PairStatus {
  readonly blue: string;
  readonly green: string;
  readonly topology: Readonly<Partial<Record<Side, Topology>>>;
  readonly paired: boolean;
  readonly live: Side | null;
  readonly standby: Side | null;
  readonly generation: number | null;
  readonly stream: StreamStatus | null;
  readonly lag: Lag | null;
  readonly tables: readonly TableSync[];
  readonly sequences: readonly SequenceDrift[];
  readonly schema: {
    readonly live: string;
    readonly standby: string;
    readonly equal: boolean;
    readonly differences: readonly string[];
  } | null;
  /**
   * The full catalog of both sides (every object of the application schemas, modeled or not), each difference
   * named; the cutover gate refuses on one unless a release is in flight (catalog-gate.ts). Null when not paired.
   */
  readonly catalog: (CatalogComparison & { readonly inFlight: readonly string[] }) | null;
  /** pg_stat_subscription_stats (15+): null on older servers or without a subscription. */
  readonly errors: { readonly apply: number; readonly sync: number } | null;
  /**
   * Objects in the application schemas that the model does not hold, on each side (the pair's own
   * publications left out): the schema comparison above does not see them. Null when not paired.
   */
  readonly notModeled: { readonly live: readonly NotModeled[]; readonly standby: readonly NotModeled[] } | null;
  /** The split-brain watch on the standby (the fenced side after a switch): foreign writes pending in its slot. */
  readonly watch: WatchPeek | null;
  readonly problems: readonly string[];
  readonly ok: boolean;
}

async function sequenceValues(db: Client, schemas: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ name: string; v: string | null }>(
    `SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS v FROM pg_sequences WHERE schemaname = ANY($1::text[])`,
    [schemas],
  );
  return new Map(rows.map((r) => [r.name, r.v]));
}

export function sequenceDrift(live: Map<string, string | null>, standby: Map<string, string | null>): SequenceDrift[] {
  const names = [...new Set([...live.keys(), ...standby.keys()])].sort();
  return names.map((sequence) => {
    const l = live.get(sequence) ?? null;
    const s = standby.get(sequence) ?? null;
    // A sequence never used reads NULL; it stands at its start, and counts as 0 behind a used one.
    const behind = l === null && s === null ? '0' : (BigInt(l ?? 0) - BigInt(s ?? 0)).toString();
    return { sequence, live: l, standby: s, behind: live.has(sequence) && standby.has(sequence) ? behind : null };
  });
}

async function streamStatus(
  live: Client,
  standby: Client,
  subscription: string,
): Promise<{ stream: StreamStatus | null; lag: Lag | null }> {
  const sub = (await pairSubscriptions(standby)).find((s) => s.name === subscription);
  const slot = (await pairSlots(live)).find((s) => s.name === subscription) ?? null;
  if (!sub) return { stream: null, lag: slot ? { bytes: slot.lagBytes, seconds: null } : null };
  const {
    rows: [w],
  } = await standby.query<{ pid: number | null; at: Date | null }>(
    `SELECT max(pid) AS pid, max(last_msg_receipt_time) AS at FROM pg_stat_subscription WHERE subname = $1 AND relid IS NULL`,
    [subscription],
  );
  const {
    rows: [r],
  } = await live.query<{ s: number | null }>(
    `SELECT extract(epoch FROM coalesce(replay_lag, flush_lag, write_lag))::float8 AS s FROM pg_stat_replication WHERE application_name = $1`,
    [subscription],
  );
  const bytes = slot?.lagBytes ?? null;
  const seconds = r?.s ?? (bytes === 0 ? 0 : null);
  return {
    stream: { subscription, enabled: sub.enabled, workerPid: w?.pid ?? null, lastMessageAt: w?.at ?? null, slot },
    lag: { bytes, seconds },
  };
}

async function errorCounts(standby: Client, subscription: string): Promise<{ apply: number; sync: number } | null> {
  if ((await serverVersion(standby)).num < 150000) return null;
  const {
    rows: [r],
  } = await standby.query<{ a: string; s: string }>(
    `SELECT apply_error_count::text AS a, sync_error_count::text AS s FROM pg_stat_subscription_stats WHERE subname = $1`,
    [subscription],
  );
  return r ? { apply: Number(r.a), sync: Number(r.s) } : null;
}

/** The inventory without the pair's own publications (pair init and the watch make them). */
function ownedByOthers(items: readonly NotModeled[]): NotModeled[] {
  return items.filter(
    (n) => n.kind !== 'publication' || !(isPublicationName(n.name ?? '') || isWatchPublicationName(n.name ?? '')),
  );
}

/** The status of two databases that are not (or not consistently) a pair: nothing else to read. */
function unpaired(base: Pick<PairStatus, 'blue' | 'green'>, problem: string): PairStatus {
  return {
    ...base,
    topology: {},
    paired: false,
    live: null,
    standby: null,
    generation: null,
    stream: null,
    lag: null,
    tables: [],
    sequences: [],
    schema: null,
    catalog: null,
    errors: null,
    notModeled: null,
    watch: null,
    problems: [problem],
    ok: false,
  };
}

export async function statusOn(
  session: PairSession,
  config: PairConfig & { readonly strict?: boolean },
): Promise<PairStatus> {
  const base = { blue: session.names.blue, green: session.names.green };
  let sides: Sides;
  try {
    sides = await resolveSides(session, config.ledgerSchema);
  } catch (e) {
    if (!(e instanceof TopologyConflictError)) throw e;
    return unpaired(base, e.message);
  }
  const stored = sides.stored;
  if (!stored.blue && !stored.green) {
    return unpaired(base, 'not paired: neither database holds a pair topology (run switchyard pair init)');
  }
  const problems: string[] = [];
  const live = session.db(sides.live);
  const standby = session.db(sides.standby);
  const subscription = streamName(sides.live, sides.standby, sides.generation);
  const paired = Object.values(stored).some((t) => t?.state === 'paired');
  for (const side of ['blue', 'green'] as const) {
    const t = stored[side];
    if (!t) problems.push(`${side} holds no topology (run switchyard pair init to finish the pairing)`);
    else if (t.state === 'unpaired')
      problems.push(`${side} says the pair is unpaired: run switchyard pair init to pair again`);
  }
  // Initializing: what failed and how to resume or tear down, once for both sides.
  const initializing = SIDES.filter((side) => stored[side]?.state === 'initializing');
  if (initializing.length)
    problems.push(
      `${initializing.join(' and ')} say${initializing.length === 1 ? 's' : ''} the pair is initializing: ${(
        await describeInitializing([session.blue, session.green], config.ledgerSchema)
      ).replace('\nfix: ', '; ')}`,
    );
  const { stream, lag } = await streamStatus(live, standby, subscription);
  if (!stream)
    problems.push(`no subscription ${subscription} on ${sides.standby}: run switchyard pair init (or pair resync)`);
  else {
    if (!stream.enabled) problems.push(`subscription ${subscription} on ${sides.standby} is disabled`);
    else if (stream.workerPid === null)
      problems.push(`no apply worker runs for ${subscription} on ${sides.standby}: see the standby's log`);
    if (!stream.slot)
      problems.push(
        `slot ${subscription} is missing on ${sides.live}: the stream cannot run; run switchyard pair resync`,
      );
    else if (stream.slot.walStatus === 'lost')
      problems.push(`slot ${subscription} on ${sides.live} lost its WAL: run switchyard pair resync`);
  }
  const tables = stream ? await tableSyncStates(standby, subscription) : [];
  const notReady = tables.filter((t) => t.state !== 'r');
  if (notReady.length)
    problems.push(`tables not ready: ${notReady.map((t) => `${t.table} (${t.stateName})`).join(', ')}`);
  const errors = stream ? await errorCounts(standby, subscription) : null;
  if (errors && (errors.apply || errors.sync))
    problems.push(
      `${errors.apply} apply error(s) and ${errors.sync} initial-copy error(s) on ${sides.standby}: the standby's log says which rows; fix the cause (a missing column, a constraint the standby adds)`,
    );

  const watch = await peekWatch(standby, sides.standby, { limit: 10_000 });
  if (watch.pending)
    problems.push(
      `${watch.pending} write(s) on ${sides.standby} (fenced) since the switch that did not come from replication: split brain (switchyard pair watch --once lists them)`,
    );
  if (watch.retainedBytes !== null && watch.retainedBytes > WATCH_RETAINED_LIMIT && watch.streamedBy === null) {
    problems.push(
      `the watch slot ${watch.slot} holds ${Math.round(watch.retainedBytes / 1024 ** 2)} MB of WAL on ${sides.standby} and nothing reads it: run switchyard pair watch as a service (it consumes the slot), or pair teardown when the switch is final`,
    );
  }
  const liveModel = await readApplication(live, config);
  const names = schemaNames(liveModel);
  const standbyModel = await introspect(standby, { includeSchemas: names });
  const [fl, fs] = [fingerprint(liveModel), fingerprint(standbyModel)];
  const schema = {
    live: fl,
    standby: fs,
    equal: fl === fs,
    differences: fl === fs ? [] : schemaDifferences(liveModel, standbyModel),
  };
  const compared = await compareSides(live, standby, names, { live: sides.live, standby: sides.standby });
  const inFlight = compared.equal
    ? []
    : (await releasesInFlight([live, standby], config.ledgerSchema)).map((f) => f.release);
  // Listed, as the model's drift is: a difference does not stop replication; the cutover gate refuses it.
  const catalog = { ...compared, inFlight };
  const columns = await standbyColumnsCheck({ live, standby }, { schemas: names, ledgerSchema: config.ledgerSchema });
  if (columns.status !== 'pass') problems.push(`${columns.detail} (${columns.fix})`);
  const sequences = sequenceDrift(await sequenceValues(live, names), await sequenceValues(standby, names));
  const notModeled = {
    live: ownedByOthers(await inventory(live, { includeSchemas: names })),
    standby: ownedByOthers(await inventory(standby, { includeSchemas: names })),
  };
  const unmodeled = notModeled.live.length + notModeled.standby.length;
  if (config.strict && unmodeled > 0)
    problems.push(
      `${unmodeled} object(s) not modeled (strict): ${[...notModeled.live, ...notModeled.standby]
        .slice(0, 5)
        .map(describeNotModeled)
        .join('; ')}`,
    );
  return {
    ...base,
    topology: stored,
    paired,
    live: sides.live,
    standby: sides.standby,
    generation: sides.generation,
    stream,
    lag,
    tables,
    sequences,
    schema,
    catalog,
    errors,
    notModeled,
    watch,
    problems,
    ok: problems.length === 0,
  };
}

export async function pairStatus(
  config: PairConfig & { readonly strict?: boolean },
  o: PairFlags = {},
): Promise<PairStatus> {
  const session = await openPair(resolvePair(config, o), 'switchyard pair status');
  try {
    return await statusOn(session, config);
  } finally {
    await session.close();
  }
}
