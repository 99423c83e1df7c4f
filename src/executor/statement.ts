// Running one planned statement safely: its own lock_timeout and statement_timeout, inside a transaction when
// it may run in one, alone otherwise (CONCURRENTLY and friends). Retries on lock timeouts live in the
// phase runner; this is the single place a step's SQL meets the database.
import type pg from 'pg';
import { databaseError } from '../errors.js';

export interface StatementOptions {
  readonly transactional: boolean;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

type Queryable = Pick<pg.Client, 'query'>;

const ms = (n: number) => `'${Math.max(0, Math.floor(n))}ms'`;

/** Statements that PostgreSQL refuses inside a transaction block. */
export function mustRunAlone(sql: string): boolean {
  return /\bCONCURRENTLY\b/i.test(sql) || /^\s*(VACUUM|CREATE\s+SUBSCRIPTION|DROP\s+SUBSCRIPTION)\b/i.test(sql);
}

/** The timeout settings a statement runs under: SET LOCAL inside its transaction, SET around a lone one. */
export function timeoutSettings(o: Omit<StatementOptions, 'transactional'>, local: boolean): string {
  const set = local ? 'SET LOCAL' : 'SET';
  return `${set} lock_timeout = ${ms(o.lockTimeoutMs)}; ${set} statement_timeout = ${ms(o.statementTimeoutMs)}`;
}

const RESET = 'RESET lock_timeout; RESET statement_timeout';

/** Whether `sql` runs in its own transaction (with its ledger row) or alone. */
export function runsInTransaction(sql: string, o: Pick<StatementOptions, 'transactional'>): boolean {
  return o.transactional && !mustRunAlone(sql);
}

/**
 * Exactly what runStatement sends, in order, for `--dry-run`. `ledger` stands for the ledger write that
 * commits with a transactional step.
 */
export function statementScript(sql: string, o: StatementOptions, ledger?: string): string[] {
  return runsInTransaction(sql, o)
    ? ['BEGIN', timeoutSettings(o, true), sql, ...(ledger ? [ledger] : []), 'COMMIT']
    : [timeoutSettings(o, false), sql, RESET];
}

/**
 * Runs `sql` with the timeouts. Transactional statements run in their own transaction with SET LOCAL, so
 * nothing leaks into the session; `inTransaction` runs extra statements (a ledger row) in the same one.
 */
export async function runStatement(db: Queryable, sql: string, o: StatementOptions, inTransaction?: () => Promise<void>): Promise<void> {
  if (runsInTransaction(sql, o)) {
    await db.query('BEGIN');
    try {
      await db.query(timeoutSettings(o, true));
      await db.query(sql);
      await inTransaction?.();
      await db.query('COMMIT');
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return;
  }
  await db.query(timeoutSettings(o, false));
  try {
    await db.query(sql);
  } finally {
    await db.query(RESET).catch(() => undefined);
  }
}

/** Runs a step's rollback statements in order, each in its own transaction or alone. */
export async function runRollback(db: Queryable, statements: readonly string[], o: Omit<StatementOptions, 'transactional'>): Promise<void> {
  for (const sql of statements) {
    try {
      await runStatement(db, sql, { ...o, transactional: !mustRunAlone(sql) });
    } catch (e) {
      throw databaseError(`rollback statement failed: ${sql}`, e);
    }
  }
}
