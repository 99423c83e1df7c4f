// The replication objects of a pair, made idempotently (each is looked up first, so a rerun after a crash
// converges) and removed completely (no slot left retaining WAL).
import type { Client } from '../db/connect.js';
import { passwordOf } from '../db/conninfo.js';
import { redactText } from '../db/redact.js';
import { databaseError } from '../errors.js';
import type { Queryable } from '../introspect/index.js';
import { ident, qualified } from '../db/quote.js';
import { PairError } from './errors.js';
import { isPublicationName, isStreamName, isWatchPublicationName, isWatchSlotName, NAME_LIKE } from './names.js';
import {
  createPublication,
  createSlot,
  createSubscription,
  detachSubscription,
  dropPublication,
  dropSlot,
  setPublication,
  type PublicationContent,
  type SubscriptionOptions,
} from './sql.js';

export type Outcome = 'created' | 'updated' | 'exists';

/** Published tables of `name` as `schema.table` (quoted), sorted; undefined when there is no such publication. */
export async function publishedTables(db: Queryable, name: string): Promise<string[] | undefined> {
  const {
    rows: [p],
  } = await db.query<{ oid: string }>(`SELECT oid::text FROM pg_publication WHERE pubname = $1`, [name]);
  if (!p) return undefined;
  const { rows } = await db.query<{ schemaname: string; tablename: string }>(
    `SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1`,
    [name],
  );
  return rows.map((r) => qualified(r.schemaname, r.tablename)).sort();
}

export async function ensurePublication(db: Client, name: string, content: PublicationContent): Promise<Outcome> {
  try {
    const existing = await publishedTables(db, name);
    if (existing === undefined) {
      await db.query(createPublication(name, content));
      return 'created';
    }
    await db.query(setPublication(name, content));
    const after = await publishedTables(db, name);
    return after!.join() === existing.join() ? 'exists' : 'updated';
  } catch (e) {
    throw databaseError(`creating publication ${name} on the live side`, e);
  }
}

export interface SlotInfo {
  readonly name: string;
  readonly active: boolean;
  readonly activePid: number | null;
  readonly walStatus: string | null;
  /** WAL the slot holds back: current LSN - restart_lsn. */
  readonly retainedBytes: number | null;
  /** Not yet confirmed by the subscriber: current LSN - confirmed_flush_lsn. */
  readonly lagBytes: number | null;
}

/** switchyard's slots for this database. */
export async function pairSlots(db: Queryable): Promise<SlotInfo[]> {
  const { rows } = await db.query<{
    name: string;
    active: boolean;
    pid: number | null;
    wal_status: string | null;
    retained: string | null;
    lag: string | null;
  }>(
    `SELECT slot_name::text AS name, active, active_pid AS pid, to_jsonb(s) ->> 'wal_status' AS wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
       FROM pg_replication_slots s WHERE database = current_database() AND slot_name LIKE $1 ORDER BY 1`,
    [NAME_LIKE],
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows
    .filter((r) => isStreamName(r.name) || isWatchSlotName(r.name))
    .map((r) => ({
      name: r.name,
      active: r.active,
      activePid: r.pid,
      walStatus: r.wal_status,
      retainedBytes: num(r.retained),
      lagBytes: num(r.lag),
    }));
}

/**
 * Creates the slot, or keeps the existing one. `stale`: no subscription uses it now, so a walsender still
 * holding it belongs to a subscription dropped before (a crash, an older run) and is ended; otherwise the new
 * subscription's worker would be refused the slot and retry only every wal_retrieve_retry_interval.
 */
export async function ensureSlot(db: Client, name: string, stale = false): Promise<Outcome> {
  try {
    const slot = (await pairSlots(db)).find((s) => s.name === name);
    if (slot) {
      if (stale && slot.active && slot.activePid !== null)
        await db.query(`SELECT pg_terminate_backend($1)`, [slot.activePid]);
      return 'exists';
    }
    await db.query(createSlot(name));
    return 'created';
  } catch (e) {
    throw databaseError(`creating replication slot ${name} on the live side`, e);
  }
}

export interface SubscriptionInfo {
  readonly name: string;
  readonly enabled: boolean;
  readonly slot: string | null;
  readonly publications: readonly string[];
}

/** switchyard's subscriptions in this database. */
export async function pairSubscriptions(db: Queryable): Promise<SubscriptionInfo[]> {
  const { rows } = await db.query<{ name: string; enabled: boolean; slot: string | null; publications: string[] }>(
    `SELECT subname::text AS name, subenabled AS enabled, subslotname::text AS slot, subpublications AS publications FROM pg_subscription
      WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND subname LIKE $1 ORDER BY 1`,
    [NAME_LIKE],
  );
  return rows.filter((r) => isStreamName(r.name));
}

/** switchyard's publications in this database. */
export async function pairPublications(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT pubname::text AS name FROM pg_publication WHERE pubname LIKE $1 ORDER BY 1`,
    [NAME_LIKE],
  );
  return rows.map((r) => r.name).filter((n) => isPublicationName(n) || isWatchPublicationName(n));
}

export async function ensureSubscription(
  db: Client,
  name: string,
  conninfo: string,
  publication: string,
  o: SubscriptionOptions,
): Promise<Outcome> {
  const existing = (await pairSubscriptions(db)).find((s) => s.name === name);
  if (existing?.enabled) return 'exists';
  try {
    if (existing) {
      // The stream of the current direction and generation is meant to run: a disabled one is enabled.
      await db.query(`ALTER SUBSCRIPTION ${ident(name)} ENABLE`);
      return 'updated';
    }
    await db.query(createSubscription(name, conninfo, publication, o));
    return 'created';
  } catch (e) {
    // The statement holds the connection string: only the server's message, with any password masked.
    const password = passwordOf(conninfo);
    const err = databaseError(`creating subscription ${name} on the standby`, e);
    err.message = redactText(err.message, password ? [password] : []);
    throw err;
  }
}

export async function dropSubscriptions(db: Client, names: readonly string[]): Promise<void> {
  for (const name of names) {
    for (const statement of detachSubscription(name)) {
      try {
        await db.query(statement);
      } catch (e) {
        throw databaseError(`dropping subscription ${name}`, e);
      }
    }
  }
}

export async function dropPublications(db: Client, names: readonly string[]): Promise<void> {
  for (const name of names)
    await db.query(dropPublication(name)).catch((e: unknown) => {
      throw databaseError(`dropping publication ${name}`, e);
    });
}

/**
 * Drops slots; one still in use (its walsender has not noticed the subscription is gone) is waited for, and
 * after `waitMs` its walsender is terminated.
 */
export async function dropSlots(db: Client, names: readonly string[], waitMs = 1000): Promise<void> {
  for (const name of names) {
    const started = Date.now();
    for (;;) {
      const slot = (await pairSlots(db)).find((s) => s.name === name);
      if (!slot) break;
      if (!slot.active) {
        try {
          await db.query(dropSlot(name));
          break;
        } catch (e) {
          // 55006: it became active between the look and the drop.
          if ((e as { code?: string }).code !== '55006') throw databaseError(`dropping replication slot ${name}`, e);
        }
      } else if (Date.now() - started > 4 * waitMs) {
        throw new PairError(
          'SLOT_IN_USE',
          `replication slot ${name} is still in use by pid ${slot.activePid ?? '?'} after ${(4 * waitMs) / 1000} s; fix: end that session (SELECT pg_terminate_backend(pid)) and run the command again`,
          3,
        );
      } else if (Date.now() - started > waitMs && slot.activePid !== null) {
        await db.query(`SELECT pg_terminate_backend($1)`, [slot.activePid]);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
