// Opening a pair: the two URLs (flags over switchyard.yaml), one connection to each, and which side is live
// according to the topology both databases store.
import type { SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, type Client } from '../db/connect.js';
import { parseConninfo, type Conninfo } from '../db/conninfo.js';
import { resolveKeywords } from '../db/libpq.js';
import { UsageError } from '../errors.js';
import { prepareSession } from '../rehearsal/shadow.js';
import { PairError, TopologyConflictError } from './errors.js';
import { readTopology } from './topology.js';
import { SIDES, otherSide, type Side, type Topology } from './types.js';

export interface PairFlags {
  readonly blue?: string;
  readonly green?: string;
  readonly replicationUser?: string;
}

export interface PairTargets {
  readonly blue: string;
  readonly green: string;
  readonly replicationUser?: string;
}

/** The pair's URLs: `--blue`/`--green` over `pair.blue`/`pair.green`; a missing one is named with its fix. */
export function resolvePair(
  config: Pick<SwitchyardConfig, 'pair' | 'unsetVariables'>,
  flags: PairFlags = {},
): PairTargets {
  const pick = (side: Side): string => {
    const url = flags[side] ?? config.pair?.[side];
    if (url !== undefined && url.trim() !== '') return url;
    const unset = config.unsetVariables?.length
      ? ` (switchyard.yaml names ${config.unsetVariables.map((v) => `$${v}`).join(', ')}, which is not set)`
      : '';
    throw new UsageError(
      `no URL for the ${side} database${unset}: set \`pair.${side}\` in switchyard.yaml (e.g. ${side}: \${${side.toUpperCase()}_URL}) or pass --${side} postgres://user@host:5432/db`,
    );
  };
  const blue = pick('blue');
  const green = pick('green');
  for (const [side, url] of [
    ['blue', blue],
    ['green', green],
  ] as const) {
    try {
      parseConninfo(url);
    } catch (e) {
      throw new UsageError(
        `the ${side} URL is not a postgres://user@host:port/database URL or a key=value string: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  if (sameDatabase(blue, green))
    throw new UsageError(
      `pair.blue and pair.green name the same database (${describeTarget({ url: blue })}): the standby must be another database`,
    );
  const replicationUser = flags.replicationUser ?? config.pair?.replicationUser;
  return { blue, green, ...(replicationUser ? { replicationUser } : {}) };
}

function sameDatabase(a: string, b: string): boolean {
  // As libpq would settle them (a service or PGHOST may fill what the string leaves out).
  const [x, y] = [resolveKeywords(a), resolveKeywords(b)];
  const at = (k: Conninfo) => [k.host ?? 'localhost', k.port ?? '5432', k.dbname ?? k.user ?? ''].join('\0');
  return at(x) === at(y);
}

export interface PairSession {
  readonly targets: PairTargets;
  readonly blue: Client;
  readonly green: Client;
  /** Printable (password-free) name of each side. */
  readonly names: Readonly<Record<Side, string>>;
  db(side: Side): Client;
  close(): Promise<void>;
}

export async function openPair(targets: PairTargets, applicationName: string): Promise<PairSession> {
  const blue = await connect({ url: targets.blue }, applicationName);
  let green: Client;
  try {
    green = await connect({ url: targets.green }, applicationName);
  } catch (e) {
    await blue.end().catch(() => undefined);
    throw e;
  }
  for (const c of [blue, green]) await prepareSession(c);
  const clients = { blue, green };
  return {
    targets,
    blue,
    green,
    names: { blue: describeTarget({ url: targets.blue }), green: describeTarget({ url: targets.green }) },
    db: (side) => clients[side],
    async close() {
      await Promise.all([blue.end().catch(() => undefined), green.end().catch(() => undefined)]);
    },
  };
}

export interface Sides {
  readonly live: Side;
  readonly standby: Side;
  readonly generation: number;
  /** What each database stores (absent: never paired, or pair tables not created yet). */
  readonly stored: Readonly<Partial<Record<Side, Topology>>>;
}

/**
 * Which side is live: what the databases store, else `preferLive` (default blue) for a pair never set up.
 * Refuses when the stores disagree, or when a database says it is the other side (URLs swapped).
 */
export async function resolveSides(session: PairSession, ledgerSchema: string, preferLive?: Side): Promise<Sides> {
  const stored: Partial<Record<Side, Topology>> = {};
  for (const side of SIDES) {
    const t = await readTopology(session.db(side), ledgerSchema);
    if (!t) continue;
    if (t.side !== side) {
      throw new TopologyConflictError(
        'swapped',
        `the database configured as ${side} (${session.names[side]}) says it is ${t.side}: pair.blue and pair.green look swapped; fix the URLs (flags or switchyard.yaml)`,
      );
    }
    stored[side] = t;
  }
  const [b, g] = [stored.blue, stored.green];
  if (b && g && (b.live !== g.live || b.generation !== g.generation)) {
    throw new TopologyConflictError(
      'disagreement',
      `the two sides disagree about the pair: blue says live=${b.live} generation ${b.generation}, green says live=${g.live} generation ${g.generation}. ` +
        'An interrupted cutover or cutback leaves this: run the same cutover or cutback again to finish it',
    );
  }
  const known = b ?? g;
  if (known && preferLive && known.live !== preferLive) {
    throw new UsageError(
      `--live ${preferLive} contradicts the pair's topology: ${known.live} is live (generation ${known.generation}); leave --live out`,
    );
  }
  const live = known?.live ?? preferLive ?? 'blue';
  return { live, standby: otherSide(live), generation: known?.generation ?? 1, stored };
}

/** Two int4 halves (pg_locks objsubid 2): apart from the executor's bigint key, shared by every pair command. */
const PAIR_LOCK = [0x53_59_50, 0x41_49_52] as const;

/**
 * One pair command at a time: a session-level advisory lock on both sides, held until the session closes.
 * init, resync and teardown take it (cutover and cutback should too); status does not need it.
 */
export async function lockPair(session: PairSession, o: { readonly guardianWaitMs?: number } = {}): Promise<void> {
  const started = Date.now();
  for (const side of SIDES) {
    const db = session.db(side);
    const {
      rows: [r],
    } = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${PAIR_LOCK[0]}, ${PAIR_LOCK[1]}) AS ok`);
    if (r?.ok) continue;
    // A fence guardian lifting the fence of a switch that died (guardian.ts) is done within moments: waited for.
    const guardian = await db.query(
      `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND a.application_name = 'switchyard guardian'`,
      [PAIR_LOCK[0], PAIR_LOCK[1]],
    );
    if (guardian.rows.length && Date.now() - started < (o.guardianWaitMs ?? 30_000)) {
      await new Promise((done) => setTimeout(done, 50));
      return lockPair(session, { guardianWaitMs: (o.guardianWaitMs ?? 30_000) - (Date.now() - started) });
    }
    const {
      rows: [h],
    } = await db.query<{ pid: number; app: string | null }>(
      `SELECT l.pid, a.application_name AS app FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [PAIR_LOCK[0], PAIR_LOCK[1]],
    );
    throw new PairError(
      'PAIR_BUSY',
      `another pair command is running on ${side}: ${h ? `pid ${h.pid} (${JSON.stringify(h.app ?? '')})` : 'a session that has just ended'}; wait for it to finish, or end it with SELECT pg_terminate_backend(pid)`,
      1,
    );
  }
}
