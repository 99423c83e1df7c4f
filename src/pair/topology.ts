// The pair's own tables, in the ledger schema of each database: its DDL version, the topology (which side
// this database is, which side is live, the generation) and the heartbeat table that is published with the
// application so a marker written on live proves, when it shows up on the standby, that nothing is in flight.
// The DDL is versioned apart from the plan ledger and applied idempotently under a transaction-level lock.
import { withTransaction, type Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import type { Queryable } from '../introspect/index.js';
import { ident, literal, qualified } from '../db/quote.js';
import { TopologyConflictError } from './errors.js';
import { FENCE_TABLE, HEARTBEAT_TABLE, INIT_TABLE, PAIR_VERSION_TABLE, SWITCH_TABLE, TOPOLOGY_TABLE } from './names.js';
import { SIDES, TOPOLOGY_STATES, type Side, type Topology, type TopologyState } from './types.js';

const inList = (values: readonly string[]) => values.map(literal).join(', ');

/** Each entry is one version; never edit one that has shipped, append a new one. */
export function pairMigrations(schema: string): readonly (readonly string[])[] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, TOPOLOGY_TABLE)} (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  side text NOT NULL CHECK (side IN (${inList(SIDES)})),
  live text NOT NULL CHECK (live IN (${inList(SIDES)})),
  generation bigint NOT NULL CHECK (generation >= 1),
  state text NOT NULL CHECK (state IN (${inList(TOPOLOGY_STATES)})),
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, HEARTBEAT_TABLE)} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  generation bigint NOT NULL,
  side text NOT NULL CHECK (side IN (${inList(SIDES)})),
  written_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
    ],
    [
      // A switch of live side (cutover or cutback) in progress or finished, one row per generation it leaves,
      // written on both sides: how a rerun knows where an interrupted switch stopped.
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, SWITCH_TABLE)} (
  generation bigint PRIMARY KEY CHECK (generation >= 1),
  from_side text NOT NULL CHECK (from_side IN (${inList(SIDES)})),
  to_side text NOT NULL CHECK (to_side IN (${inList(SIDES)})),
  command text NOT NULL CHECK (command IN ('cutover', 'cutback')),
  fence text NOT NULL CHECK (fence IN ('router', 'roles')),
  step text NOT NULL CHECK (step IN (${inList(SWITCH_STEPS)})),
  state text NOT NULL CHECK (state IN ('running', 'done', 'undone')),
  pause_ms integer CHECK (pause_ms >= 0),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CONSTRAINT pair_switch_two_sides CHECK (from_side <> to_side),
  CONSTRAINT pair_switch_finished CHECK ((state = 'running') = (finished_at IS NULL))
)`,
      // Application roles this database's writes are fenced from (per database: ALTER ROLE ... IN DATABASE),
      // so that lifting the fence restores exactly what switchyard changed.
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, FENCE_TABLE)} (
  role text PRIMARY KEY,
  generation bigint NOT NULL,
  fenced_at timestamptz NOT NULL DEFAULT now()
)`,
    ],
    [
      // Where the last `pair init` (or resync) stopped when it failed, and why (the server's message, passwords
      // masked): every later command names it instead of saying only that the pair is initializing.
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, INIT_TABLE)} (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  command text NOT NULL,
  after_step text,
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
)`,
    ],
  ];
}

export const PAIR_LEDGER_VERSION = 3;

/** The steps of a switch, in order (DESIGN.md, "Cutover"); `pair_switch.step` is the last one finished. */
export const SWITCH_STEPS = [
  'begin',
  'gate',
  'fence',
  'marker',
  'sequences',
  'forward_off',
  'reverse',
  'topology',
  'unfence',
  'route',
  'resume',
  'done',
] as const;
export type SwitchStep = (typeof SWITCH_STEPS)[number];

/** Arbitrary, fixed: serializes concurrent `ensurePairLedger` calls on one database. */
const LOCK_KEYS = [0x5779, 0x7061] as const;

/** Creates or upgrades the pair tables; a no-op when they are current. Returns the versions it applied. */
export async function ensurePairLedger(db: Client, schema: string): Promise<number[]> {
  try {
    return await withTransaction(db, async () => {
      await db.query(`SELECT pg_advisory_xact_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      const version = qualified(schema, PAIR_VERSION_TABLE);
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${version} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await db.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${version}`);
      const current = rows[0]?.v ?? 0;
      const applied: number[] = [];
      const migrations = pairMigrations(schema);
      for (let v = current + 1; v <= migrations.length; v++) {
        for (const statement of migrations[v - 1]!) await db.query(statement);
        await db.query(`INSERT INTO ${version} (version) VALUES ($1)`, [v]);
        applied.push(v);
      }
      return applied;
    });
  } catch (e) {
    throw databaseError(`creating the pair tables in schema ${ident(schema)}`, e);
  }
}

interface TopologyRow {
  side: Side;
  live: Side;
  generation: string;
  state: TopologyState;
  updated_at: Date;
}

/** This database's topology, or undefined when it was never paired (no table or no row). */
export async function readTopology(db: Queryable, schema: string): Promise<Topology | undefined> {
  try {
    const {
      rows: [exists],
    } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(schema, TOPOLOGY_TABLE)]);
    if (!exists?.t) return undefined;
    const {
      rows: [r],
    } = await db.query<TopologyRow>(
      `SELECT side, live, generation::text, state, updated_at FROM ${qualified(schema, TOPOLOGY_TABLE)}`,
    );
    return r
      ? { side: r.side, live: r.live, generation: Number(r.generation), state: r.state, updatedAt: r.updated_at }
      : undefined;
  } catch (e) {
    throw databaseError('reading the pair topology', e);
  }
}

export async function writeTopology(db: Queryable, schema: string, t: Omit<Topology, 'updatedAt'>): Promise<void> {
  try {
    await db.query(
      `INSERT INTO ${qualified(schema, TOPOLOGY_TABLE)} AS t (singleton, side, live, generation, state) VALUES (true, $1, $2, $3, $4)
       ON CONFLICT (singleton) DO UPDATE SET side = EXCLUDED.side, live = EXCLUDED.live, generation = EXCLUDED.generation, state = EXCLUDED.state, updated_at = now()`,
      [t.side, t.live, t.generation, t.state],
    );
  } catch (e) {
    throw databaseError('storing the pair topology', e);
  }
}

/**
 * Moves this database's topology to `next` only if it still holds generation `expected` (compare-and-set):
 * the fencing step of a switch. Throws TopologyConflictError when another command moved it first.
 */
export async function switchTopology(
  db: Queryable,
  schema: string,
  expected: number,
  next: { live: Side; generation: number },
): Promise<Topology> {
  let row: TopologyRow | undefined;
  try {
    ({
      rows: [row],
    } = await db.query<TopologyRow>(
      `UPDATE ${qualified(schema, TOPOLOGY_TABLE)} SET live = $1, generation = $2, updated_at = now() WHERE generation = $3 RETURNING side, live, generation::text, state, updated_at`,
      [next.live, next.generation, expected],
    ));
  } catch (e) {
    throw databaseError('switching the pair topology', e);
  }
  if (!row) {
    const now = await readTopology(db, schema);
    throw new TopologyConflictError(
      'disagreement',
      `the pair moved under this command: expected generation ${expected}, the database holds ${now ? `generation ${now.generation} (live=${now.live})` : 'no topology'}; run pair status and start again`,
    );
  }
  return {
    side: row.side,
    live: row.live,
    generation: Number(row.generation),
    state: row.state,
    updatedAt: row.updated_at,
  };
}

export interface Heartbeat {
  readonly id: string;
  readonly generation: number;
  readonly side: Side;
  readonly writtenAt: Date;
}

/** Writes a marker row on `db` (the live side): it reaches the standby through the publication. */
export async function writeHeartbeat(
  db: Queryable,
  schema: string,
  generation: number,
  side: Side,
): Promise<Heartbeat> {
  // Committed with synchronous_commit on: an asynchronous commit waits for the WAL writer (up to
  // wal_writer_delay, 200 ms) before the walsender may send it. The marker is on the write pause's path, so it is
  // one statement: set_config(..., true) sets it for this statement's own transaction, read at its commit.
  try {
    const {
      rows: [r],
    } = await db.query<{ id: string; written_at: Date }>(
      `WITH sync AS (SELECT set_config('synchronous_commit', 'on', true))
       INSERT INTO ${qualified(schema, HEARTBEAT_TABLE)} (generation, side) SELECT $1, $2 FROM sync RETURNING id::text, written_at`,
      [generation, side],
    );
    return { id: r!.id, generation, side, writtenAt: r!.written_at };
  } catch (e) {
    throw databaseError('writing a heartbeat', e);
  }
}

/** Waits until the heartbeat `id` is visible on `db`; resolves to the milliseconds waited, or undefined on timeout. */
export async function waitForHeartbeat(
  db: Queryable,
  schema: string,
  id: string,
  timeoutMs: number,
  pollMs = 20,
): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    const { rows } = await db.query(`SELECT 1 FROM ${qualified(schema, HEARTBEAT_TABLE)} WHERE id = $1`, [id]);
    if (rows.length) return Date.now() - started;
    if (Date.now() - started >= timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A `pair init` or `pair resync` that failed: the command, the last step it finished and the error. */
export interface InitFailure {
  readonly command: string;
  readonly afterStep: string | null;
  readonly error: string;
  readonly failedAt: Date;
}

/** Records why init stopped (replacing an older record); `error` must already be free of passwords. */
export async function recordInitFailure(
  db: Queryable,
  schema: string,
  f: Omit<InitFailure, 'failedAt'>,
): Promise<void> {
  await db.query(
    `INSERT INTO ${qualified(schema, INIT_TABLE)} (command, after_step, error) VALUES ($1, $2, $3)
     ON CONFLICT (singleton) DO UPDATE SET command = EXCLUDED.command, after_step = EXCLUDED.after_step, error = EXCLUDED.error, failed_at = now()`,
    [f.command, f.afterStep, f.error],
  );
}

export async function clearInitFailure(db: Queryable, schema: string): Promise<void> {
  await db.query(`DELETE FROM ${qualified(schema, INIT_TABLE)}`);
}

/** The recorded failure of the last init on this side, if any (none before the pair tables are version 3). */
export async function readInitFailure(db: Queryable, schema: string): Promise<InitFailure | undefined> {
  const {
    rows: [exists],
  } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(schema, INIT_TABLE)]);
  if (!exists?.t) return undefined;
  const {
    rows: [r],
  } = await db.query<{ command: string; after_step: string | null; error: string; failed_at: Date }>(
    `SELECT command, after_step, error, failed_at FROM ${qualified(schema, INIT_TABLE)}`,
  );
  return r ? { command: r.command, afterStep: r.after_step, error: r.error, failedAt: r.failed_at } : undefined;
}

/**
 * What later commands say about a pair whose topology says `initializing`: the failure recorded on either
 * side, with how to resume or tear down; without one, init is running now or was killed.
 */
export async function describeInitializing(dbs: readonly Queryable[], schema: string): Promise<string> {
  let failure: InitFailure | undefined;
  for (const db of dbs) {
    const f = await readInitFailure(db, schema).catch(() => undefined);
    if (f && (!failure || f.failedAt > failure.failedAt)) failure = f;
  }
  const next =
    'once the cause is fixed, run switchyard pair init again (it resumes: every step looks before it acts), or switchyard pair teardown to remove what it made';
  if (!failure) return `pair init has not finished (it is running now, or was killed); ${next}`;
  const when = failure.failedAt.toISOString();
  const where = failure.afterStep ? `after step ${failure.afterStep}` : 'before its first step';
  return `switchyard ${failure.command} failed ${where} at ${when}: ${failure.error}\nfix: ${next}`;
}
