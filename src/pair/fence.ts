// Fencing writes without a pooler: every application role is made read-only in this database (ALTER ROLE ...
// IN DATABASE ... SET default_transaction_read_only, so a pair of databases in one cluster is fenced one side
// at a time) and its sessions are ended. Replication is spared: superusers, REPLICATION roles, the owners of
// subscriptions (the apply worker runs as them) and the role running switchyard are never fenced. The roles
// fenced are recorded in `pair_fence`, so lifting the fence restores exactly what was changed.
import type { Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import { ident, literal, qualified } from '../db/quote.js';
import { FENCE_TABLE } from './names.js';

/** Login roles that may write here through the application: not superuser, not replication, not subscription owners, not us. */
export async function applicationRoles(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ role: string }>(
    `SELECT r.rolname::text AS role FROM pg_roles r
      WHERE r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolreplication AND r.rolname <> current_user AND r.rolname NOT LIKE 'pg\\_%'
        AND r.oid NOT IN (SELECT subowner FROM pg_subscription)
        AND has_database_privilege(r.oid, current_database(), 'CONNECT')
      ORDER BY 1`,
  );
  return rows.map((r) => r.role);
}

/**
 * What lets a role that is not a superuser fence `roles` (ALTER ROLE ... IN DATABASE ... SET): CREATEROLE, and
 * on 16+ ADMIN OPTION on each. `me` is the role switchyard connects as.
 */
export function fenceFix(roles: readonly string[], me = 'CURRENT_USER'): string {
  const who = me === 'CURRENT_USER' ? me : ident(me);
  return [
    `ALTER ROLE ${who} CREATEROLE`,
    ...roles.map((r) => `GRANT ${ident(r)} TO ${who} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE`),
  ].join('; ');
}

export interface FenceResult {
  readonly roles: readonly string[];
  /** Sessions of those roles ended. */
  readonly terminated: number;
}

/** Fences every application role's writes in this database and ends their sessions. Idempotent. */
export async function fenceRoles(db: Client, ledgerSchema: string, generation: number): Promise<FenceResult> {
  try {
    const roles = await applicationRoles(db);
    const {
      rows: [d],
    } = await db.query<{ db: string }>('SELECT current_database() AS db');
    for (const role of roles) {
      // Recorded first: a crash between the two leaves a row whose RESET is harmless.
      await db.query(
        `INSERT INTO ${qualified(ledgerSchema, FENCE_TABLE)} (role, generation) VALUES ($1, $2) ON CONFLICT (role) DO NOTHING`,
        [role, generation],
      );
      await db.query(`ALTER ROLE ${ident(role)} IN DATABASE ${ident(d!.db)} SET default_transaction_read_only = on`);
    }
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename = ANY($1::text[]) AND backend_type = 'client backend'`,
      [roles],
    );
    return { roles, terminated: rows[0]?.n ?? 0 };
  } catch (e) {
    throw databaseError('fencing the application roles', e);
  }
}

/** Lifts the fences switchyard recorded in this database; returns the roles it let write again. */
export async function unfenceRoles(db: Client, ledgerSchema: string): Promise<string[]> {
  try {
    // Two round trips whatever the number of roles (the lift is on the write pause's path): one read, then every
    // ALTER ROLE and the ledger's rows in one query string, which runs as one transaction.
    const { rows } = await db.query<{ role: string; fenced: boolean; db: string }>(
      `SELECT f.role, current_database() AS db, EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                WHERE r.rolname = f.role AND s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'default\\_transaction\\_read\\_only=%')) AS fenced
         FROM ${qualified(ledgerSchema, FENCE_TABLE)} f ORDER BY f.role`,
    );
    if (!rows.length) return [];
    // Only a fence that took is lifted: a row recorded before an ALTER ROLE that failed (no privilege to
    // alter the role) or a role dropped since leaves nothing to reset.
    const statements = [
      ...rows
        .filter((r) => r.fenced)
        .map((r) => `ALTER ROLE ${ident(r.role)} IN DATABASE ${ident(r.db)} RESET default_transaction_read_only`),
      `DELETE FROM ${qualified(ledgerSchema, FENCE_TABLE)} WHERE role IN (${rows.map((r) => literal(r.role)).join(', ')})`,
    ];
    await db.query(statements.join('; '));
    return rows.map((r) => r.role);
  } catch (e) {
    throw databaseError('lifting the write fence of the application roles', e);
  }
}
