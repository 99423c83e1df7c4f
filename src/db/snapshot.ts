// One snapshot read by several connections (pg_export_snapshot), the way `pg_dump --jobs` reads a database: both
// see the same catalog, and both transactions are READ ONLY, so a read-only command cannot write.
import type pg from 'pg';
import { literal } from './quote.js';

type Queryable = Pick<pg.Client, 'query'>;

/** Ends both transactions (COMMIT: nothing was written; after an error it is a rollback). */
export interface SharedSnapshot {
  /** False when the server could not export one (then each statement reads its own snapshot, as before). */
  readonly shared: boolean;
  end(): Promise<void>;
}

/**
 * Opens a REPEATABLE READ READ ONLY transaction on `a`, exports its snapshot and makes each of `others` read the
 * same one. A server that cannot export a snapshot (a hot standby before PostgreSQL 10, a pooler in statement
 * mode) is not an error: the connections then read separately, as one connection reading statement by statement
 * does.
 */
export async function shareSnapshot(a: Queryable, ...others: Queryable[]): Promise<SharedSnapshot> {
  const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
  await a.query(begin);
  let id: string | undefined;
  try {
    id = (await a.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id;
  } catch {
    await a.query('ROLLBACK');
    return { shared: false, end: async () => undefined };
  }
  const imported = await Promise.allSettled(
    others.map((b) => b.query(`${begin}; SET TRANSACTION SNAPSHOT ${literal(id ?? '')}`)),
  );
  if (imported.some((r) => r.status === 'rejected')) {
    await Promise.all([a, ...others].map((c) => c.query('ROLLBACK').catch(() => undefined)));
    return { shared: false, end: async () => undefined };
  }
  return {
    shared: true,
    end: async () => {
      await Promise.all([a, ...others].map((c) => c.query('COMMIT')));
    },
  };
}
