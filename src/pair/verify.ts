// `pair verify`: are the rows on the standby those on live? Both sides are read at one replication position:
// a REPEATABLE READ, READ ONLY snapshot on live and the WAL position it stands at, then, once the standby has
// applied past that position, a REPEATABLE READ, READ ONLY snapshot on the standby. Each table is compared in
// primary-key chunks (row count and the sum of a 64-bit hash of each row's text, an order-free checksum); a
// chunk that differs is read row by row and its keys are named. A table without a key is one checksum of all
// its rows. Nothing is written on either side while reading; the result is then recorded in live's ledger
// (verify-record.ts) for the cutover gate (`cutover.requireVerify`).
//
// Under writes, the standby read a little after live can hold a row live's snapshot did not have yet: a key
// that differs is read again at a newer position (`rechecks` times) and named only if it differs every time.
import type { Client } from '../db/connect.js';
import { qualified } from '../db/quote.js';
import { UsageError } from '../errors.js';
import { introspect } from '../introspect/index.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import { PairError } from './errors.js';
import type { PairConfig } from './init.js';
import { streamName } from './names.js';
import { readApplication, schemaNames } from './scope.js';
import { openPair, resolvePair, resolveSides, type PairFlags, type PairSession } from './session.js';
import type { Side } from './types.js';
import {
  boundariesSql,
  chunkSql,
  multisetSql,
  READ_SETTINGS,
  rowsSql,
  type ChunkRange,
  type VerifyTable,
} from './verify-sql.js';
import { recordVerify } from './verify-record.js';

export interface VerifyOptions extends PairFlags {
  /** Only these tables (`schema.table`, or `table` in any application schema). */
  readonly tables?: readonly string[];
  /** Percent of each table's chunks to compare (0 < P <= 100); absent: every chunk. */
  readonly sample?: number;
  /** Rows per chunk (default 10,000). */
  readonly chunkRows?: number;
  /** Keys named per table (default 10). */
  readonly maxKeys?: number;
  /** Differing keys held per table before later differing chunks are only counted (default 10,000). */
  readonly keyCap?: number;
  /** How many times a differing key is read again at a newer position before it is reported (default 2). */
  readonly rechecks?: number;
  /** How long to wait for the standby to apply past live's position (default 120 s). */
  readonly waitTimeoutMs?: number;
  /** Record the result in live's ledger (default true). */
  readonly record?: boolean;
  readonly onEvent?: (e: VerifyEvent) => void;
  /** Fault injection for tests: called once live's snapshot is taken, before the standby is waited for. */
  readonly afterLiveSnapshot?: (round: number) => void | Promise<void>;
}

/** What verify reports while it works (the CLI draws a bar on a terminal, JSON lines otherwise). */
export type VerifyEvent =
  | { readonly kind: 'position'; readonly lsn: string; readonly waitedMs: number; readonly paused: boolean }
  | {
      readonly kind: 'chunk';
      readonly table: string;
      readonly tables: number;
      readonly tableIndex: number;
      readonly chunks: number;
      readonly done: number;
      readonly rows: number;
    }
  | { readonly kind: 'recheck'; readonly round: number; readonly keys: number; readonly lsn: string }
  | { readonly kind: 'notice'; readonly message: string };

/** A key (or, without a key, a row) that differs, and how. */
export interface RowDifference {
  /** `missing`: on live, not on the standby; `extra`: on the standby only; `changed`: on both, different. */
  readonly kind: 'missing' | 'extra' | 'changed';
  /** Column -> value (text) of the key; without a key, `row` holds the row's text. */
  readonly key: Readonly<Record<string, string>>;
}

export interface TableVerdict {
  readonly table: string;
  /** Primary key columns; null: no key (one whole-table checksum). */
  readonly key: readonly string[] | null;
  readonly equal: boolean;
  /** Rows compared on each side (in the sampled chunks with --sample). */
  readonly rows: { readonly live: number; readonly standby: number };
  readonly chunks: number;
  readonly comparedChunks: number;
  readonly differingChunks: number;
  /** The first differences (at most maxKeys), and how many more there are. */
  readonly differences: readonly RowDifference[];
  readonly moreDifferences: number;
  /** Columns not compared because only one side has them. */
  readonly onlyLive: readonly string[];
  readonly onlyStandby: readonly string[];
  /** Why the verdict is what it is beyond the checksums: missing table, no key, sampled. */
  readonly notes: readonly string[];
}

export interface VerifyReport {
  readonly live: Side;
  readonly standby: Side;
  readonly generation: number;
  /** Live's WAL position the standby was read at (or past). */
  readonly position: string;
  /** The standby's subscription was disabled: it was read as it stands, without waiting. */
  readonly paused: boolean;
  readonly sample: number | null;
  readonly filtered: boolean;
  readonly tables: readonly TableVerdict[];
  /** Tables the standby has and live does not (an expand on the standby): named, not compared. */
  readonly onlyStandby: readonly string[];
  readonly clean: boolean;
  readonly startedAt: string;
  readonly ms: number;
  /** Recorded in live's ledger (the cutover gate reads it). */
  readonly recorded: boolean;
  readonly fingerprints: { readonly live: string; readonly standby: string };
}

const DEFAULT_CHUNK_ROWS = 10_000;

/** The tables to compare: the application's, filtered by `--table`; a name that matches none is refused. */
export function selectTables(model: DatabaseSchema, filter: readonly string[] | undefined) {
  const all = model.schemas.flatMap((s) => s.tables.map((t) => ({ schema: s.name, table: t })));
  if (!filter?.length) return all;
  const unknown = filter.filter(
    (f) => !all.some((x) => f === `${x.schema}.${x.table.name}` || (!f.includes('.') && f === x.table.name)),
  );
  if (unknown.length)
    throw new UsageError(
      `--table ${unknown.join(', ')}: no such table in the application schemas (${schemaNames(model).join(', ')}); name it as schema.table`,
    );
  return all.filter((x) => filter.some((f) => f === `${x.schema}.${x.table.name}` || f === x.table.name));
}

/** live's snapshot and the WAL position every commit it sees lies before. */
async function beginRead(db: Client): Promise<string> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await db.query(READ_SETTINGS);
  // The snapshot is taken as this statement starts: every commit it sees was inserted before this position.
  const {
    rows: [r],
  } = await db.query<{ lsn: string }>(`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
  return r!.lsn;
}

async function beginStandby(db: Client): Promise<void> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await db.query(READ_SETTINGS);
  await db.query('SELECT 1'); // the snapshot
}

/**
 * Waits until the standby has applied everything live committed before `lsn`: the slot's confirmed position
 * (the subscriber confirms what it has applied and flushed) or the subscription's origin reached it. A
 * disabled subscription is not waited for (replication paused on purpose): the standby is read as it stands.
 */
async function waitApplied(
  live: Client,
  standby: Client,
  subscription: string,
  lsn: string,
  timeoutMs: number,
): Promise<{ paused: boolean; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const {
      rows: [s],
    } = await standby.query<{ enabled: boolean; origin: string | null; copying: string[] }>(
      `SELECT s.subenabled AS enabled,
              CASE WHEN has_table_privilege('pg_catalog.pg_replication_origin_status', 'SELECT')
                   THEN (SELECT o.remote_lsn::text FROM pg_replication_origin_status o WHERE o.external_id = 'pg_' || s.oid) END AS origin,
              array(SELECT r.srrelid::regclass::text FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate NOT IN ('r', 's') ORDER BY 1) AS copying
         FROM pg_subscription s WHERE s.subname = $1`,
      [subscription],
    );
    if (!s)
      throw new PairError(
        'NOT_PAIRED',
        `no subscription ${subscription} on the standby: the pair is not streaming\nfix: switchyard pair init`,
        1,
      );
    if (!s.enabled) return { paused: true, waitedMs: Date.now() - started };
    const {
      rows: [r],
    } = await live.query<{ done: boolean; behind: string | null }>(
      `SELECT coalesce(confirmed_flush_lsn >= $2::pg_lsn, false) OR coalesce($3::pg_lsn >= $2::pg_lsn, false) AS done,
              ($2::pg_lsn - confirmed_flush_lsn)::text AS behind
         FROM pg_replication_slots WHERE slot_name = $1`,
      [subscription, lsn, s.origin],
    );
    if (!r)
      throw new PairError(
        'NOT_PAIRED',
        `no slot ${subscription} on live: the stream cannot run\nfix: switchyard pair resync`,
        1,
      );
    // A table still in its initial copy is filled by its own worker, not at the stream's position.
    if (r.done && !s.copying.length) return { paused: false, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new PairError(
        'VERIFY_TIMEOUT',
        s.copying.length
          ? `tables still in their initial copy on the standby after ${Math.round(timeoutMs / 1000)} s: ${s.copying.join(', ')}; nothing was compared\nfix: wait until switchyard pair status shows every table ready, then verify (or give a longer --timeout)`
          : `the standby did not apply live's position ${lsn} within ${Math.round(timeoutMs / 1000)} s (${r.behind ?? '?'} bytes behind); nothing was compared\nfix: switchyard pair status shows why the stream is behind; verify again with a longer --timeout`,
        1,
      );
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Opens both snapshots at one position. */
async function openReads(
  session: PairSession,
  live: Side,
  standby: Side,
  subscription: string,
  timeoutMs: number,
  afterLiveSnapshot?: () => void | Promise<void>,
): Promise<{ lsn: string; paused: boolean; waitedMs: number }> {
  const l = session.db(live);
  const s = session.db(standby);
  const lsn = await beginRead(l);
  try {
    await afterLiveSnapshot?.();
    const w = await waitApplied(l, s, subscription, lsn, timeoutMs);
    await beginStandby(s);
    return { lsn, ...w };
  } catch (e) {
    await l.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function closeReads(session: PairSession): Promise<void> {
  // Read only: nothing to commit; COMMIT ends the transactions without a trace.
  await Promise.all([session.blue.query('COMMIT'), session.green.query('COMMIT')]);
}

interface Chunked {
  readonly ranges: readonly ChunkRange[];
}

async function chunksOf(db: Client, t: VerifyTable, chunkRows: number, sample?: number): Promise<Chunked> {
  if (!t.key.length) return { ranges: [{ from: null, to: null }] };
  // A sample picks its boundaries from the same share of the table's blocks, so it never reads the whole key.
  let rows: Record<string, string>[] = [];
  if (sample !== undefined && sample < 100)
    ({ rows } = await db.query<Record<string, string>>(boundariesSql(t, true), [
      Math.max(1, Math.round((chunkRows * sample) / 100)),
      sample,
    ]));
  // Fewer than three chunks from the sample (a small table, or few blocks drawn): the whole key decides.
  if (rows.length < 2) ({ rows } = await db.query<Record<string, string>>(boundariesSql(t), [chunkRows]));
  const starts = rows.map((r) => t.key.map((_, i) => r[`k${i}`]!));
  const ranges: ChunkRange[] = [];
  for (let i = 0; i <= starts.length; i++) ranges.push({ from: i ? starts[i - 1]! : null, to: starts[i] ?? null });
  return { ranges };
}

/** Each row of a chunk, by key text (a JSON array of the key values), with its hash. */
async function rowHashes(
  db: Client,
  t: VerifyTable,
  r: ChunkRange,
): Promise<Map<string, { key: Record<string, string>; h: string }>> {
  const q = rowsSql(t, r);
  const { rows } = await db.query<Record<string, string>>(q.sql, q.params);
  const out = new Map<string, { key: Record<string, string>; h: string }>();
  for (const row of rows) {
    const values = t.key.map((_, i) => row[`k${i}`]!);
    out.set(JSON.stringify(values), {
      key: Object.fromEntries(t.key.map((k, i) => [k.name, values[i]!])),
      h: row.h!,
    });
  }
  return out;
}

function diffRows(
  live: Map<string, { key: Record<string, string>; h: string }>,
  standby: Map<string, { key: Record<string, string>; h: string }>,
): Map<string, RowDifference> {
  const out = new Map<string, RowDifference>();
  for (const [k, l] of live) {
    const s = standby.get(k);
    if (!s) out.set(k, { kind: 'missing', key: l.key });
    else if (s.h !== l.h) out.set(k, { kind: 'changed', key: l.key });
  }
  for (const [k, s] of standby) if (!live.has(k)) out.set(k, { kind: 'extra', key: s.key });
  return out;
}

/** A table without a key: rows (by their text) whose count differs between the sides. */
async function diffMultiset(l: Client, s: Client, t: VerifyTable): Promise<Map<string, RowDifference>> {
  const sql = multisetSql(t);
  const [a, b] = await Promise.all([l.query<{ r: string; n: number }>(sql), s.query<{ r: string; n: number }>(sql)]);
  const counts = new Map<string, number>();
  for (const r of a.rows) counts.set(r.r, r.n);
  for (const r of b.rows) counts.set(r.r, (counts.get(r.r) ?? 0) - r.n);
  const out = new Map<string, RowDifference>();
  for (const [r, n] of counts) if (n !== 0) out.set(r, { kind: n > 0 ? 'missing' : 'extra', key: { row: r } });
  return out;
}

/** Rows above which a table without a key is not read row by row to name its differences. */
const NAME_UNKEYED_ROWS = 100_000;
/** Differing keys held per table; beyond, differing chunks are only counted (memory stays bounded). */
const DIFF_CAP = 10_000;

interface Plan {
  readonly label: string;
  readonly table: VerifyTable | null;
  readonly onlyLive: string[];
  readonly onlyStandby: string[];
  readonly notes: string[];
}

function plans(liveModel: DatabaseSchema, standbyModel: DatabaseSchema, filter?: readonly string[]): Plan[] {
  return selectTables(liveModel, filter).map(({ schema, table }) => {
    const label = `${schema}.${table.name}`;
    const other = standbyModel.schemas.find((s) => s.name === schema)?.tables.find((t) => t.name === table.name);
    if (!other)
      return { label, table: null, onlyLive: [], onlyStandby: [], notes: ['the table is missing on the standby'] };
    const theirs = new Set(other.columns.map((c) => c.name));
    const ours = new Set(table.columns.map((c) => c.name));
    const columns = table.columns.filter((c) => theirs.has(c.name)).map((c) => c.name);
    const pk = table.primaryKey?.columns ?? [];
    const keyed = pk.length > 0 && pk.every((k) => theirs.has(k));
    const notes: string[] = [];
    if (!pk.length) notes.push('no primary key: one checksum of all rows (order-free), not chunked');
    else if (!keyed) notes.push('a key column is missing on the standby: one checksum of all rows, not chunked');
    return {
      label,
      table: {
        schema,
        name: table.name,
        key: keyed
          ? pk.map((k) => ({ name: k, type: table.columns.find((c) => c.name === k)!.type }))
          : ([] as VerifyTable['key']),
        columns,
      },
      onlyLive: table.columns.filter((c) => !theirs.has(c.name)).map((c) => c.name),
      onlyStandby: other.columns.filter((c) => !ours.has(c.name)).map((c) => c.name),
      notes,
    };
  });
}

/** Picks `percent` of `n` chunks at random (at least one; the first and last always: rows beyond live's keys). */
function sampleChunks(n: number, percent: number | undefined): number[] {
  const all = [...Array(n).keys()];
  if (percent === undefined || percent >= 100 || n <= 2) return all;
  const want = Math.max(1, Math.round((n * percent) / 100));
  const middle = all.slice(1, -1);
  for (let i = middle.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [middle[i], middle[j]] = [middle[j]!, middle[i]!];
  }
  return [0, n - 1, ...middle.slice(0, Math.max(0, want - 2))].sort((a, b) => a - b);
}

export async function verifyOn(session: PairSession, config: PairConfig, o: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  if (o.sample !== undefined && !(o.sample > 0 && o.sample <= 100))
    throw new UsageError(`--sample ${o.sample} is not a percentage: give 0 < P <= 100`);
  const chunkRows = o.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new UsageError(`--chunk-rows ${chunkRows}: give a whole number >= 1`);
  const maxKeys = o.maxKeys ?? 10;
  const keyCap = o.keyCap ?? DIFF_CAP;
  const sides = await resolveSides(session, config.ledgerSchema);
  const stored = Object.values(sides.stored);
  if (!stored.length || stored.some((t) => t?.state !== 'paired'))
    throw new PairError(
      'NOT_PAIRED',
      `the pair is not streaming (${
        Object.entries(sides.stored)
          .map(([side, t]) => `${side}: ${t?.state}`)
          .join(', ') || 'neither side holds a topology'
      })\nfix: switchyard pair init`,
      1,
    );
  const live = session.db(sides.live);
  const standby = session.db(sides.standby);
  const subscription = streamName(sides.live, sides.standby, sides.generation);
  const liveModel = await readApplication(live, config);
  const standbyModel = await introspect(standby, { includeSchemas: schemaNames(liveModel) });
  const todo = plans(liveModel, standbyModel, o.tables);
  const timeoutMs = o.waitTimeoutMs ?? 120_000;

  const pos = await openReads(session, sides.live, sides.standby, subscription, timeoutMs, () =>
    o.afterLiveSnapshot?.(0),
  );
  o.onEvent?.({ kind: 'position', lsn: pos.lsn, waitedMs: pos.waitedMs, paused: pos.paused });
  if (pos.paused)
    o.onEvent?.({
      kind: 'notice',
      message: `subscription ${subscription} is disabled (replication paused): the standby is compared as it stands, so rows written on live since it was paused show as differences`,
    });
  const verdicts: TableVerdict[] = [];
  /** Per table index: differing keys still to confirm, with the chunk ranges they lie in. */
  const pending = new Map<number, { diffs: Map<string, RowDifference>; ranges: ChunkRange[] }>();
  const counts: { live: number; standby: number; chunks: number; compared: number; differing: number }[] = [];
  try {
    for (const [index, p] of todo.entries()) {
      const count = { live: 0, standby: 0, chunks: 0, compared: 0, differing: 0 };
      counts.push(count);
      if (!p.table) continue;
      const t = p.table;
      const { ranges } = await chunksOf(live, t, chunkRows, o.sample);
      const picked = sampleChunks(ranges.length, t.key.length ? o.sample : undefined);
      count.chunks = ranges.length;
      if (picked.length < ranges.length)
        p.notes.push(`sample: ${picked.length} of ${ranges.length} chunks compared (${o.sample}%)`);
      const diffs = new Map<string, RowDifference>();
      const differing: ChunkRange[] = [];
      // Each side reads its chunks in its own loop (no lockstep between the servers); a chunk counts as done
      // once both sides have it.
      type Sum = { n: string; h: string };
      const sums: Record<'live' | 'standby', Sum[]> = { live: [], standby: [] };
      let shown = 0;
      let rowsShown = 0;
      const progress = () => {
        const both = Math.min(sums.live.length, sums.standby.length);
        for (; shown < both; shown++) rowsShown += Number(sums.live[shown]!.n);
        o.onEvent?.({
          kind: 'chunk',
          table: p.label,
          tables: todo.length,
          tableIndex: index,
          chunks: picked.length,
          done: shown,
          rows: rowsShown,
        });
      };
      const read = async (db: Client, out: Sum[]) => {
        for (const i of picked) {
          const q = chunkSql(t, ranges[i]!);
          out.push((await db.query<Sum>(q.sql, q.params)).rows[0]!);
          if (out.length <= Math.min(sums.live.length, sums.standby.length)) progress();
        }
      };
      await Promise.all([read(live, sums.live), read(standby, sums.standby)]);
      for (const [j, i] of picked.entries()) {
        const r = ranges[i]!;
        const [x, y] = [sums.live[j]!, sums.standby[j]!];
        count.live += Number(x.n);
        count.standby += Number(y.n);
        count.compared++;
        if (x.n === y.n && x.h === y.h) continue;
        count.differing++;
        // Past DIFF_CAP differing keys (a table whose copy failed), later chunks are counted, not read row by row.
        if (diffs.size >= keyCap) {
          if (!p.notes.some((n) => n.startsWith('more than')))
            p.notes.push(
              `more than ${keyCap} keys differ: the differing chunks after them are counted, their keys not named`,
            );
          continue;
        }
        differing.push(r);
        if (!t.key.length) {
          if (Math.max(Number(x.n), Number(y.n)) <= NAME_UNKEYED_ROWS)
            for (const [k, d] of await diffMultiset(live, standby, t)) diffs.set(k, d);
          else p.notes.push(`no key and more than ${NAME_UNKEYED_ROWS} rows: the differing rows are not named`);
        } else {
          const [l, s] = await Promise.all([rowHashes(live, t, r), rowHashes(standby, t, r)]);
          for (const [k, d] of diffRows(l, s)) diffs.set(k, d);
        }
      }
      if (differing.length) pending.set(index, { diffs, ranges: differing });
    }
  } finally {
    await closeReads(session).catch(() => undefined);
  }

  // A key that differs is read again at a newer position, unless replication is paused (nothing would move).
  const rechecks = pos.paused ? 0 : (o.rechecks ?? 2);
  for (let round = 0; round < rechecks && [...pending.values()].some((x) => x.diffs.size); round++) {
    const again = await openReads(session, sides.live, sides.standby, subscription, timeoutMs, () =>
      o.afterLiveSnapshot?.(round + 1),
    );
    o.onEvent?.({
      kind: 'recheck',
      round: round + 1,
      keys: [...pending.values()].reduce((n, x) => n + x.diffs.size, 0),
      lsn: again.lsn,
    });
    try {
      for (const [index, x] of pending) {
        const t = todo[index]!.table!;
        if (!t.key.length) {
          x.diffs = x.diffs.size ? intersect(x.diffs, await diffMultiset(live, standby, t)) : x.diffs;
          continue;
        }
        const now = new Map<string, RowDifference>();
        for (const r of x.ranges) {
          const [l, s] = await Promise.all([rowHashes(live, t, r), rowHashes(standby, t, r)]);
          for (const [k, d] of diffRows(l, s)) now.set(k, d);
        }
        x.diffs = intersect(x.diffs, now);
      }
    } finally {
      await closeReads(session).catch(() => undefined);
    }
  }

  for (const [index, p] of todo.entries()) {
    const count = counts[index]!;
    const x = pending.get(index);
    const all = x ? [...x.diffs.values()] : [];
    // A chunk whose checksums differed but whose rows all settled on a recheck was a write in flight.
    const settled = Boolean(x && !all.length);
    const noNames = p.notes.some((n) => n.includes('not named'));
    const equal = p.table !== null && (x === undefined || (settled && !noNames));
    if (settled && !noNames)
      p.notes.push(`${count.differing} chunk(s) differed at first and matched when read again (writes in flight)`);
    verdicts.push({
      table: p.label,
      key: p.table?.key.length ? p.table.key.map((k) => k.name) : null,
      equal,
      rows: { live: count.live, standby: count.standby },
      chunks: count.chunks,
      comparedChunks: count.compared,
      differingChunks: equal ? 0 : count.differing,
      differences: all.slice(0, maxKeys),
      moreDifferences: Math.max(0, all.length - maxKeys),
      onlyLive: p.onlyLive,
      onlyStandby: p.onlyStandby,
      notes: p.notes,
    });
  }
  const clean = verdicts.every((v) => v.equal);
  const fingerprints = { live: fingerprint(liveModel), standby: fingerprint(standbyModel) };
  const report = {
    live: sides.live,
    standby: sides.standby,
    generation: sides.generation,
    position: pos.lsn,
    paused: pos.paused,
    sample: o.sample ?? null,
    filtered: Boolean(o.tables?.length),
    tables: verdicts,
    onlyStandby: o.tables?.length ? [] : standbyOnly(liveModel, standbyModel),
    clean,
    startedAt,
    ms: Date.now() - started,
    recorded: false,
    fingerprints,
  };
  if (o.record === false) return report;
  await recordVerify(live, config.ledgerSchema, report);
  return { ...report, recorded: true };
}

function standbyOnly(live: DatabaseSchema, standby: DatabaseSchema): string[] {
  const ours = new Set(live.schemas.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)));
  return standby.schemas.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)).filter((n) => !ours.has(n));
}

function intersect(a: Map<string, RowDifference>, b: Map<string, RowDifference>): Map<string, RowDifference> {
  const out = new Map<string, RowDifference>();
  for (const [k, d] of b) if (a.has(k)) out.set(k, d);
  return out;
}

/** `switchyard pair verify`. */
export async function pairVerify(config: PairConfig, o: VerifyOptions = {}): Promise<VerifyReport> {
  const session = await openPair(resolvePair(config, o), 'switchyard pair verify');
  try {
    return await verifyOn(session, config, o);
  } finally {
    await session.close();
  }
}

/** The ledger table verify records in (for messages). */
export const verifyTable = (schema: string) => qualified(schema, 'verifications');
