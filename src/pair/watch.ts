// The split-brain watch (DESIGN.md, "Cutover", step 7): after a switch the old live side is fenced, and the only
// writes it should see are the ones the reverse subscription's apply worker brings from the new live side.
// Those carry a replication origin. A dedicated logical slot on the fenced side, decoded with pgoutput, shows
// every other write: on 16+ the server drops replicated changes itself (`origin 'none'`); on older servers
// they are recognised by the Origin message pgoutput sends after Begin for a transaction with an origin.
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type pg from 'pg';
import type { SwitchyardConfig } from '../config/config.js';
import { open, type Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import { serverVersion, type Queryable } from '../introspect/index.js';
import { ident, literal, qualified } from '../db/quote.js';
import { PairError } from './errors.js';
import { NAME_LIKE, parseWatchSlotName, publicationName, watchPublicationName, watchSlotName } from './names.js';
import { ensurePublication, publishedTables, type Outcome } from './replicate.js';
import { openPair, resolvePair, resolveSides, type PairFlags } from './session.js';
import { createSlot, dropPublication, dropSlot, type PublishedTable } from './sql.js';
import { readTopology } from './topology.js';
import type { Side } from './types.js';

/** A write on the fenced side that did not come from replication. */
export interface ForeignWrite {
  /** `schema.table`, quoted as needed. */
  readonly table: string;
  readonly kind: 'insert' | 'update' | 'delete' | 'truncate';
  /** Replica identity columns and their values as text (the whole row without one); null for a truncate. */
  readonly key: Readonly<Record<string, string | null>> | null;
  /** Commit time from the server's clock (the Begin message), null if the server sent none. */
  readonly committedAt: Date | null;
  readonly xid: number | null;
  /** Where the transaction commits in the fenced side's WAL. */
  readonly lsn: string | null;
}

const text = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString()
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v as string);

function keyOf(
  relation: Pgoutput.MessageRelation,
  row: Record<string, unknown> | null,
): Record<string, string | null> | null {
  if (!row) return null;
  const columns = relation.keyColumns.length ? relation.keyColumns : Object.keys(row);
  return Object.fromEntries(columns.map((c) => [c, text(row[c])]));
}

/**
 * Follows pgoutput messages transaction by transaction and returns, at each Commit, the changes of that
 * transaction that carried no replication origin. Messages must be fed in stream order.
 */
export class WatchDecoder {
  private txn:
    | {
        xid: number | null;
        at: Date | null;
        lsn: string | null;
        replicated: boolean;
        changes: Omit<ForeignWrite, 'committedAt' | 'xid' | 'lsn'>[];
      }
    | undefined;

  /** True between a Begin and its Commit: acknowledging a position there would skip part of a transaction. */
  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  feed(m: Pgoutput.Message): ForeignWrite[] {
    const t = this.txn;
    switch (m.tag) {
      case 'begin':
        // commitTime: microseconds since the Unix epoch (the parser adds the 2000-01-01 offset correctly).
        this.txn = {
          xid: m.xid,
          at: new Date(Number(BigInt(m.commitTime as bigint) / 1000n)),
          lsn: m.commitLsn,
          replicated: false,
          changes: [],
        };
        return [];
      case 'origin':
        if (t) t.replicated = true;
        return [];
      case 'insert':
        t?.changes.push({
          table: qualified(m.relation.schema, m.relation.name),
          kind: 'insert',
          key: keyOf(m.relation, m.new),
        });
        return [];
      case 'update':
        t?.changes.push({
          table: qualified(m.relation.schema, m.relation.name),
          kind: 'update',
          key: keyOf(m.relation, m.key ?? m.old ?? m.new),
        });
        return [];
      case 'delete':
        t?.changes.push({
          table: qualified(m.relation.schema, m.relation.name),
          kind: 'delete',
          key: keyOf(m.relation, m.key ?? m.old),
        });
        return [];
      case 'truncate':
        for (const r of m.relations)
          t?.changes.push({ table: qualified(r.schema, r.name), kind: 'truncate', key: null });
        return [];
      case 'commit': {
        this.txn = undefined;
        if (!t || t.replicated) return [];
        return t.changes.map((c) => ({ ...c, committedAt: t.at, xid: t.xid, lsn: m.commitLsn ?? t.lsn }));
      }
      default:
        return [];
    }
  }
}

/** The plugin options of the watch: the same for the stream and for a peek. */
export function watchOptions(
  side: Side,
  serverVersionNum: number,
): { protoVersion: 1 | 2; publication: string; originNone: boolean } {
  return {
    protoVersion: serverVersionNum >= 140000 ? 2 : 1,
    publication: watchPublicationName(side),
    originNone: serverVersionNum >= 160000,
  };
}

interface WatchSlot {
  readonly name: string;
  readonly generation: number;
  readonly activePid: number | null;
}

/** The watch slots of `side` in this database, newest generation first. */
export async function watchSlots(db: Queryable, side: Side): Promise<WatchSlot[]> {
  const { rows } = await db.query<{ name: string; pid: number | null }>(
    `SELECT slot_name::text AS name, active_pid AS pid FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE $1`,
    [NAME_LIKE],
  );
  return rows
    .map((r) => ({ name: r.name, activePid: r.pid, parsed: parseWatchSlotName(r.name) }))
    .filter((r) => r.parsed?.side === side)
    .map((r) => ({ name: r.name, generation: r.parsed!.generation, activePid: r.activePid }))
    .sort((a, b) => b.generation - a.generation);
}

/** The tables the pair publishes from `side` (its own publication), else every permanent table outside the ledger. */
async function watchedTables(db: Client, ledgerSchema: string, side: Side): Promise<PublishedTable[]> {
  const published = await publishedTables(db, publicationName(side));
  const { rows } = await db.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition AND n.nspname <> $1
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1, 2`,
    [ledgerSchema],
  );
  return rows
    .filter((r) => !published || published.includes(qualified(r.schema, r.table)))
    .map((r) => [r.schema, r.table] as const);
}

export interface ArmedWatch {
  readonly slot: string;
  readonly publication: string;
  readonly tables: number;
  readonly outcome: Outcome;
}

/**
 * Arms the watch on the fenced `side` for `generation` (the generation the switch moved to): its publication,
 * then its slot (a slot decodes only changes after it exists, and needs the publication to exist first). Watch
 * slots of older generations are dropped. Idempotent.
 */
export async function armWatch(db: Client, ledgerSchema: string, side: Side, generation: number): Promise<ArmedWatch> {
  const t = await readTopology(db, ledgerSchema);
  if (t && t.side !== side)
    throw new PairError(
      'WATCH_WRONG_SIDE',
      `this database is ${t.side}, not ${side}: the watch is armed on the fenced side`,
      2,
    );
  if (t && t.live === side)
    throw new PairError('WATCH_LIVE_SIDE', `${side} is the live side: the watch belongs on the fenced side`, 1);
  const tables = await watchedTables(db, ledgerSchema, side);
  if (!tables.length) throw new PairError('WATCH_NO_TABLES', `no application table on ${side} to watch`, 1);
  const publication = watchPublicationName(side);
  const slot = watchSlotName(side, generation);
  await ensurePublication(db, publication, { tables });
  const existing = await watchSlots(db, side);
  await dropWatchSlots(
    db,
    existing.filter((s) => s.name !== slot),
  );
  if (existing.some((s) => s.name === slot)) return { slot, publication, tables: tables.length, outcome: 'exists' };
  try {
    await db.query(createSlot(slot));
  } catch (e) {
    throw databaseError(`creating the watch slot ${slot} on ${side}`, e);
  }
  return { slot, publication, tables: tables.length, outcome: 'created' };
}

async function dropWatchSlots(db: Client, slots: readonly WatchSlot[]): Promise<void> {
  for (const s of slots) {
    // Dropped at once when nothing streams it (a switch drops it while writes are paused); 55006: in use.
    if (s.activePid === null) {
      const dropped = await db.query(dropSlot(s.name)).then(
        () => true,
        (e: unknown) => {
          if ((e as { code?: string }).code === '55006' || (e as { code?: string }).code === '42704') return false;
          throw databaseError(`dropping the watch slot ${s.name}`, e);
        },
      );
      if (dropped) continue;
    }
    // A slot in use (a `pair watch` streaming it) is freed by ending its walsender.
    for (let i = 0; ; i++) {
      const now = (
        await db.query<{ pid: number | null }>(
          `SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = $1`,
          [s.name],
        )
      ).rows[0];
      if (!now) break;
      if (now.pid !== null) await db.query(`SELECT pg_terminate_backend($1)`, [now.pid]);
      else {
        try {
          await db.query(dropSlot(s.name));
          break;
        } catch (e) {
          if ((e as { code?: string }).code !== '55006' || i > 50)
            throw databaseError(`dropping the watch slot ${s.name}`, e);
        }
      }
      if (i > 50)
        throw new PairError(
          'SLOT_IN_USE',
          `watch slot ${s.name} is still in use by pid ${now.pid ?? '?'}; fix: SELECT pg_terminate_backend(pid) and run the command again`,
          3,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Drops every watch slot of `side` and the watch publication: the side is live again, or the pair is torn down. */
export async function disarmWatch(
  db: Client,
  side: Side,
  o: { keepPublication?: boolean } = {},
): Promise<{ slots: string[]; publication: string }> {
  const slots = await watchSlots(db, side);
  await dropWatchSlots(db, slots);
  // Without its slot the watch sees nothing: a switch drops the publication (as many rows as tables) after the
  // write pause, calling this again.
  if (o.keepPublication) return { slots: slots.map((s) => s.name), publication: watchPublicationName(side) };
  await db.query(dropPublication(watchPublicationName(side))).catch((e: unknown) => {
    throw databaseError(`dropping publication ${watchPublicationName(side)}`, e);
  });
  return { slots: slots.map((s) => s.name), publication: watchPublicationName(side) };
}

export interface WatchPeek {
  /** The watch slot, or null when none is armed on this side. */
  readonly slot: string | null;
  /** Foreign writes pending in the slot (at most `limit` transactions' worth are decoded); null while a stream holds the slot. */
  readonly pending: number | null;
  readonly writes: readonly ForeignWrite[];
  /** The pid of the walsender streaming the slot (`pair watch`), which consumes what it reports. */
  readonly streamedBy: number | null;
  /** WAL the slot holds back on this side (current LSN - restart_lsn): it grows until `pair watch` reads the slot. */
  readonly retainedBytes: number | null;
}

/** Above this, pair status reports the watch slot's retained WAL as a problem (the fenced side's disk fills). */
export const WATCH_RETAINED_LIMIT = 1024 ** 3;

/**
 * Foreign writes pending in the watch slot of `side`, without consuming them. Only flushed WAL is decoded: with
 * synchronous_commit = off a write shows up after the WAL writer flushes it (wal_writer_delay).
 */
export async function peekWatch(db: Client, side: Side, o: { limit?: number } = {}): Promise<WatchPeek> {
  const [slot] = await watchSlots(db, side);
  if (!slot) return { slot: null, pending: null, writes: [], streamedBy: null, retainedBytes: null };
  const {
    rows: [r],
  } = await db.query<{ bytes: string | null }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS bytes FROM pg_replication_slots WHERE slot_name = $1`,
    [slot.name],
  );
  const retainedBytes = r?.bytes == null ? null : Number(r.bytes);
  if (slot.activePid !== null)
    return { slot: slot.name, pending: null, writes: [], streamedBy: slot.activePid, retainedBytes };
  const w = watchOptions(side, (await serverVersion(db)).num);
  const options = [
    `'proto_version', '${w.protoVersion}'`,
    `'publication_names', ${literal(w.publication)}`,
    ...(w.originNone ? [`'origin', 'none'`] : []),
  ];
  let rows: { data: Buffer }[];
  try {
    ({ rows } = await db.query<{ data: Buffer }>(
      `SELECT data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2, ${options.join(', ')})`,
      [slot.name, o.limit ?? null],
    ));
  } catch (e) {
    throw databaseError(`reading the watch slot ${slot.name} on ${side}`, e);
  }
  const plugin = new PgoutputPlugin({ protoVersion: w.protoVersion, publicationNames: [w.publication] });
  const decoder = new WatchDecoder();
  const writes = rows.flatMap((r) => decoder.feed(plugin.parse(r.data)));
  return { slot: slot.name, pending: writes.length, writes, streamedBy: null, retainedBytes };
}

/** pgoutput with the watch's options: `origin 'none'` on 16+, which the library's plugin cannot pass. */
class WatchPlugin extends PgoutputPlugin {
  constructor(private readonly w: ReturnType<typeof watchOptions>) {
    super({ protoVersion: w.protoVersion, publicationNames: [w.publication] });
  }

  override start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    const options = [
      `proto_version ${literal(String(this.w.protoVersion))}`,
      `publication_names ${literal(this.w.publication)}`,
      ...(this.w.originNone ? [`origin 'none'`] : []),
    ];
    return client.query(`START_REPLICATION SLOT ${ident(slotName)} LOGICAL ${lastLsn} (${options.join(', ')})`);
  }
}

export interface WatchOptions {
  readonly side: Side;
  readonly onAlarm: (w: ForeignWrite) => void;
  /** After each transaction the stream decoded (foreign or replicated on servers before 16), once acknowledged. */
  readonly onCommit?: (lsn: string | null, foreign: number) => void;
  readonly onError?: (e: Error) => void;
}

export interface WatchHandle {
  readonly slot: string;
  /** Settles when the stream ends: after stop(), or with the error that ended it. */
  readonly ended: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Streams the watch slot of `side` from the database at `url` (a role with REPLICATION) and calls `onAlarm` for
 * every write that did not come from replication. Each decoded transaction is acknowledged, so the slot keeps
 * no WAL it has reported: a reported write is not reported again, by this stream or by peekWatch.
 */
export async function watchWrites(url: string, o: WatchOptions): Promise<WatchHandle> {
  // The stream reuses the settings that connected the probe (the sslmode attempt that worked, the password).
  const { client: probe, config } = await open({ url }, 'switchyard pair watch');
  let slot: WatchSlot | undefined;
  let num: number;
  try {
    [slot] = await watchSlots(probe, o.side);
    num = (await serverVersion(probe)).num;
  } finally {
    await probe.end();
  }
  if (!slot)
    throw new PairError(
      'WATCH_NOT_ARMED',
      `no watch slot on ${o.side}\nfix: it is armed by cutover and cutback on the side they fence`,
      1,
    );
  const name = slot.name;
  const service = new LogicalReplicationService(config, { acknowledge: { auto: false, timeoutSeconds: 0 } });
  const decoder = new WatchDecoder();
  // The last position every message before it was decoded and handled: safe to confirm.
  let safe = '0/0';
  const ack = (lsn: string) => void service.acknowledge(lsn).catch((e: unknown) => o.onError?.(e as Error));
  service.on('data', (_lsn: string, m: Pgoutput.Message) => {
    const writes = decoder.feed(m);
    for (const w of writes) o.onAlarm(w);
    if (m.tag === 'commit' && m.commitEndLsn) {
      safe = m.commitEndLsn;
      ack(safe);
      o.onCommit?.(m.commitLsn, writes.length);
    }
  });
  service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
    // Outside a transaction everything up to the walsender's position has been handled (16+ skips replicated
    // transactions without a message, so this is how the slot moves past them).
    if (!decoder.inTransaction) safe = lsn;
    if (shouldRespond || !decoder.inTransaction) ack(safe);
  });
  const started = new Promise<void>((resolve, reject) => {
    service.once('start', () => resolve());
    service.once('error', (e: Error) => reject(e));
  });
  service.on('error', (e: Error) => o.onError?.(e));
  const ended = service.subscribe(new WatchPlugin(watchOptions(o.side, num)), name).then(
    () => undefined,
    (e: unknown) => {
      o.onError?.(e as Error);
      throw databaseError(`streaming the watch slot ${name} on ${o.side}`, e);
    },
  );
  try {
    await Promise.race([started, ended]);
  } catch (e) {
    await service.destroy().catch(() => undefined);
    throw databaseError(`streaming the watch slot ${name} on ${o.side}`, e);
  }
  ended.catch(() => undefined);
  return { slot: name, ended, stop: async () => void (await service.destroy()) };
}

/** What `pair watch` saw: writes arriving on the standby that did not come through replication. */
export interface PairWatchResult {
  /** The fenced side that is watched. */
  readonly side: Side;
  readonly slot: string | null;
  readonly writes: readonly ForeignWrite[];
  /** Pending writes not decoded (`--once` while `pair watch` streams the slot): null then. */
  readonly pending: number | null;
}

/** Options of `pairWatchCommand`: once or until `signal` aborts, callbacks for each alarm, and the pair's URLs. */
export interface PairWatchOptions extends PairFlags {
  readonly once?: boolean;
  readonly onStart?: (side: Side, slot: string) => void;
  readonly onAlarm?: (w: ForeignWrite, side: Side) => void;
  readonly signal?: AbortSignal;
}

export type PairWatchConfig = Pick<SwitchyardConfig, 'pair' | 'unsetVariables' | 'ledgerSchema'>;

/**
 * `pair watch`: the fenced side (the standby after a switch) is found from the topology. `once`: what is pending,
 * without consuming it. Otherwise streams until `signal` aborts, calling `onAlarm` per foreign write.
 */
export async function pairWatch(config: PairWatchConfig, o: PairWatchOptions = {}): Promise<PairWatchResult> {
  const targets = resolvePair(config, o);
  const session = await openPair(targets, 'switchyard pair watch');
  let side: Side;
  try {
    side = (await resolveSides(session, config.ledgerSchema)).standby;
    if (o.once) {
      const p = await peekWatch(session.db(side), side);
      if (!p.slot)
        throw new PairError(
          'WATCH_NOT_ARMED',
          `no watch slot on ${side} (the fenced side): nothing has been switched yet, or the watch was removed\nfix: cutover and cutback arm it on the side they fence`,
          1,
        );
      return { side, slot: p.slot, writes: p.writes, pending: p.pending };
    }
  } finally {
    await session.close();
  }
  const writes: ForeignWrite[] = [];
  const handle = await watchWrites(targets[side], { side, onAlarm: (w) => (writes.push(w), o.onAlarm?.(w, side)) });
  o.onStart?.(side, handle.slot);
  const aborted = new Promise<void>((resolve) =>
    o.signal?.aborted ? resolve() : o.signal?.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    await Promise.race([handle.ended, aborted]);
  } finally {
    await handle.stop();
  }
  return { side, slot: handle.slot, writes, pending: writes.length };
}
