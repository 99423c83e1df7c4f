// The backfill runner: walks a table's key in keyset batches, each batch one statement in its own short
// transaction with its own lock_timeout and statement_timeout, sized toward a target duration. The caller
// records `position` in the ledger from `onBatch`, which runs only after the batch has committed, so a
// killed run resumes with `startAfter` and redoes at most the uncommitted batch.
import type pg from 'pg';
import { serverMessage, SwitchyardError } from '../errors.js';
import type { BackfillSpec } from '../planner/types.js';
import { qualified } from '../db/quote.js';
import { ESTIMATE_ROWS, renderBatch, renderRowsAfter } from './backfill-sql.js';
import { BatchSizer } from './backfill-sizing.js';
import { extended } from '../db/send.js';

type Queryable = Pick<pg.Client, 'query'>;

export interface BackfillProgress {
  /** Key values (as text) of the last row of the last committed batch: where to resume. */
  readonly position: readonly string[];
  /** Rows walked by this run (updated or not). */
  readonly rows: number;
  /** Rows updated by this run. */
  readonly updatedRows: number;
  /** Estimated rows this run walks (the whole table, or the rows after `startAfter`), corrected as it goes. */
  readonly totalRows: number;
  /** Rows walked by the last batch, and the batch size asked for. */
  readonly batchRows: number;
  readonly batchSize: number;
  readonly batchMs: number;
  readonly rowsPerSecond: number;
  readonly etaSeconds: number;
}

export interface BackfillOptions {
  /** Position of the last committed batch (from the ledger) to resume after. */
  readonly startAfter?: readonly unknown[];
  readonly targetBatchMs?: number;
  /** After each batch, rest this fraction of its duration (default 0: none)... */
  readonly restRatio?: number;
  /** ...or this one while other sessions of the database are at work (default 1: the backfill takes half the time). */
  readonly restWhenBusy?: number;
  readonly initialBatchSize?: number;
  readonly minBatchSize?: number;
  readonly maxBatchSize?: number;
  readonly lockTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  /** Attempts per batch on lock timeout (55P03) or deadlock (40P01) before giving up. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles on each attempt, with jitter. */
  readonly retryBaseMs?: number;
  /** Called after each committed batch; persist `position` here. */
  readonly onBatch?: (progress: BackfillProgress) => Promise<void> | void;
  /** Milliseconds to wait before the next batch (replication lag, lock waits...); asked again until 0. */
  readonly shouldPause?: () => Promise<number>;
  readonly signal?: AbortSignal;
}

export interface BackfillResult {
  /** False when stopped by the signal before the end of the table. */
  readonly done: boolean;
  /** Last committed position; undefined when no batch ran and there was no `startAfter`. */
  readonly position: readonly unknown[] | undefined;
  readonly rows: number;
  readonly updatedRows: number;
  readonly batches: number;
  /** Lock timeouts and deadlocks that were retried. */
  readonly retries: number;
}

/** A batch that kept failing, or failed for good; names the table and the position it started after. */
export class BackfillError extends SwitchyardError {
  readonly schema: string;
  readonly table: string;
  readonly position: readonly unknown[] | undefined;
  readonly attempts: number;
  readonly sqlstate: string | undefined;
  constructor(
    code: 'BACKFILL_RETRIES_EXHAUSTED' | 'BACKFILL_FAILED',
    spec: BackfillSpec,
    position: readonly unknown[] | undefined,
    attempts: number,
    cause: unknown,
  ) {
    const sqlstate = (cause as { code?: unknown })?.code;
    const what = code === 'BACKFILL_RETRIES_EXHAUSTED' ? `still blocked after ${attempts} attempts` : 'failed';
    const at = position === undefined ? 'at the start' : `after key (${position.map(String).join(', ')})`;
    const msg = serverMessage(cause);
    super(code, `backfill of ${qualified(spec.schema, spec.table)} ${what} ${at}: ${String(msg)}`, 3, { cause });
    this.name = 'BackfillError';
    this.schema = spec.schema;
    this.table = spec.table;
    this.position = position;
    this.attempts = attempts;
    this.sqlstate = typeof sqlstate === 'string' ? sqlstate : undefined;
  }
}

const RETRYABLE = new Set(['55P03', '40P01']);
const ms = (n: number) => `'${Math.max(0, Math.floor(n))}ms'`;

/**
 * Runs the backfill to the end of the key, or until `signal` aborts (after the batch in flight commits).
 * `client` must not be inside a transaction: each batch opens and commits its own. Only lock timeouts and
 * deadlocks are retried; anything else (a bad expression, statement_timeout) fails with BACKFILL_FAILED.
 */
export async function runBackfill(
  client: Queryable,
  spec: BackfillSpec,
  options: BackfillOptions = {},
): Promise<BackfillResult> {
  const o = {
    targetBatchMs: 200,
    restRatio: 0,
    restWhenBusy: 1,
    initialBatchSize: 1000,
    minBatchSize: 10,
    maxBatchSize: 50_000,
    lockTimeoutMs: 2000,
    statementTimeoutMs: 30_000,
    maxAttempts: 5,
    retryBaseMs: 100,
    ...options,
  };
  if (o.startAfter !== undefined && o.startAfter.length !== spec.key.length) {
    throw new TypeError(
      `startAfter has ${o.startAfter.length} values; the key of ${qualified(spec.schema, spec.table)} has ${spec.key.length}`,
    );
  }
  const sizer = new BatchSizer(o, o.initialBatchSize);
  const busy: boolean[] = [];
  const first = renderBatch(spec, false);
  const next = renderBatch(spec, true);
  let position: readonly unknown[] | undefined = o.startAfter;
  let rows = 0;
  let updatedRows = 0;
  let batches = 0;
  let retries = 0;
  let estimate =
    o.startAfter === undefined ? await estimateRows(client, spec) : await rowsAfter(client, spec, o.startAfter);
  const started = performance.now();
  const result = (done: boolean): BackfillResult => ({ done, position, rows, updatedRows, batches, retries });

  for (;;) {
    if (o.signal?.aborted) return result(false);
    if (!(await pause(o.shouldPause, o.signal))) return result(false);
    const size = sizer.size;
    const sql = position === undefined ? first : next;
    const values = position === undefined ? [size] : [size, ...position];
    let batch: Batch | undefined;
    for (let attempt = 1; batch === undefined; attempt++) {
      try {
        batch = await runBatch(client, sql, values, o.lockTimeoutMs, o.statementTimeoutMs);
      } catch (e) {
        const code = (e as { code?: unknown })?.code;
        if (typeof code !== 'string' || !RETRYABLE.has(code))
          throw new BackfillError('BACKFILL_FAILED', spec, position, attempt, e);
        if (attempt >= o.maxAttempts) throw new BackfillError('BACKFILL_RETRIES_EXHAUSTED', spec, position, attempt, e);
        retries++;
        const delay = o.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        if (!(await sleep(delay, o.signal))) return result(false);
      }
    }
    if (batch.last === undefined) return result(true);
    position = batch.last;
    batches++;
    rows += batch.selected;
    updatedRows += batch.updated;
    const finished = batch.selected < size;
    if (!finished) sizer.observe(batch.selected, batch.ms);
    // Statistics drift: never report fewer rows than walked, and keep at least one batch ahead until the end.
    if (finished) estimate = rows;
    else if (estimate < rows + sizer.size) estimate = rows + sizer.size;
    const elapsed = (performance.now() - started) / 1000;
    const rowsPerSecond = elapsed > 0 ? rows / elapsed : 0;
    await o.onBatch?.({
      position: batch.last,
      rows,
      updatedRows,
      totalRows: estimate,
      batchRows: batch.selected,
      batchSize: size,
      batchMs: batch.ms,
      rowsPerSecond,
      etaSeconds: rowsPerSecond > 0 ? (estimate - rows) / rowsPerSecond : 0,
    });
    if (finished) return result(true);
    // While the application is at work, a rest after each batch, in proportion to it, hands the server's cores
    // back to it: a backfill on a busy server goes slower rather than slowing the application down.
    const rest = (await othersBusy(client, busy)) ? o.restWhenBusy : o.restRatio;
    if (rest > 0 && !(await sleep(batch.ms * rest, o.signal))) return result(false);
  }
}

interface Batch {
  readonly selected: number;
  readonly updated: number;
  readonly last: readonly string[] | undefined;
  readonly ms: number;
}

async function runBatch(
  client: Queryable,
  text: string,
  values: unknown[],
  lockTimeoutMs: number,
  statementTimeoutMs: number,
): Promise<Batch> {
  const t0 = performance.now();
  await client.query(
    `BEGIN; SET LOCAL lock_timeout = ${ms(lockTimeoutMs)}; SET LOCAL statement_timeout = ${ms(statementTimeoutMs)}`,
  );
  try {
    const res = await client.query<unknown[]>({ ...extended(text, values), rowMode: 'array' });
    await client.query('COMMIT');
    const row = res.rows[0];
    if (row === undefined) return { selected: 0, updated: 0, last: undefined, ms: performance.now() - t0 };
    const [selected, updated, ...last] = row;
    return { selected: Number(selected), updated: Number(updated), last: last.map(String), ms: performance.now() - t0 };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

// Other sessions of this database running a statement or inside a transaction, right now.
const OTHERS_BUSY = `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state IN ('active', 'idle in transaction')`;

/** Whether other sessions were at work at any of the last 4 looks (one look per batch; a failed look says no). */
async function othersBusy(client: Queryable, seen: boolean[]): Promise<boolean> {
  const n = await client.query<{ n: number }>(OTHERS_BUSY).then(
    (r) => r.rows[0]?.n ?? 0,
    () => 0,
  );
  seen.push(n > 0);
  if (seen.length > 4) seen.shift();
  return seen.some(Boolean);
}

async function estimateRows(client: Queryable, spec: BackfillSpec): Promise<number> {
  const res = await client.query<{ n: number }>(ESTIMATE_ROWS, [qualified(spec.schema, spec.table)]);
  const n = res.rows[0]?.n ?? -1;
  return n > 0 ? Math.round(n) : 0;
}

/**
 * The rows after `position` (a resumed run's share): the table's estimate times the planner's fraction of it
 * after the position. A fraction, not the planner's row count: both of its counts grow with the pages the
 * earlier batches' updates added, the fraction stays true. The table's estimate when the planner cannot tell.
 */
async function rowsAfter(client: Queryable, spec: BackfillSpec, position: readonly unknown[]): Promise<number> {
  const table = await estimateRows(client, spec);
  type Explained = { 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] };
  const planRows = async (text: string, values: readonly unknown[]) =>
    (await client.query<Explained>(extended(text, values))).rows[0]?.['QUERY PLAN']?.[0]?.Plan?.['Plan Rows'];
  try {
    const after = await planRows(renderRowsAfter(spec), position);
    const all = await planRows(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${qualified(spec.schema, spec.table)}`, []);
    if (typeof after === 'number' && typeof all === 'number' && all > 0)
      return Math.round(table * Math.min(1, after / all));
  } catch {
    // An estimate only: the table's is a safe upper bound.
  }
  return table;
}

/** Waits as long as `shouldPause` asks; false when aborted meanwhile. */
async function pause(
  shouldPause: (() => Promise<number>) | undefined,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (!shouldPause) return true;
  for (let wait = await shouldPause(); wait > 0; wait = await shouldPause()) {
    if (!(await sleep(wait, signal))) return false;
  }
  return true;
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
