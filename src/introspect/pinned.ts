// Catalog reads run with PINNED_SETTINGS (queries.ts) for the session and put the previous values back after:
// the same database then always gives the same text (search_path, date and float styles), and JIT stays off
// (compiling one large catalog query costs seconds, running it well under one).
import { databaseError } from '../errors.js';
import type { Queryable } from './options.js';
import * as q from './queries.js';
import type { PinnedSettingRow } from './rows.js';

/** Queries withPinnedSettings adds to those of `fn`: one to pin, one to restore. */
export const PINNING_QUERIES = 2;

/**
 * Runs `fn` with the settings pinned; `fn` gets the server version (read by the same query). Inside a
 * transaction that later aborts, PostgreSQL puts the settings back itself.
 */
export async function withPinnedSettings<T>(
  db: Queryable,
  what: string,
  fn: (versionNum: number) => Promise<T>,
): Promise<T> {
  const names = Object.keys(q.PINNED_SETTINGS);
  let previous: PinnedSettingRow[];
  try {
    previous = (await db.query<PinnedSettingRow>(q.PIN_SETTINGS, [names, Object.values(q.PINNED_SETTINGS)])).rows;
  } catch (e) {
    throw databaseError(`${what} could not pin its session settings`, e);
  }
  let failed = false;
  try {
    return await fn(previous[0]?.version_num ?? 0);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // After a failure inside a transaction this cannot run (the transaction is aborted, and its rollback
    // restores the settings); its own error must not hide the first one.
    await db
      .query(q.RESTORE_SETTINGS, [previous.map((p) => p.name), previous.map((p) => p.value)])
      .catch((e: unknown) => {
        if (!failed) throw databaseError(`${what} could not restore its session settings`, e);
      });
  }
}
