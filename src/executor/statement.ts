// Running one planned statement safely: its own lock_timeout and statement_timeout, inside a transaction when
// it may run in one, alone otherwise (CONCURRENTLY and friends). Retries on lock timeouts live in the
// phase runner; this is the single place a step's SQL meets the database.
import type pg from 'pg';
import { databaseError } from '../errors.js';
import { withoutLiterals } from '../db/quote.js';
import { sendOne } from '../db/send.js';

export interface StatementOptions {
  readonly transactional: boolean;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

type Queryable = Pick<pg.Client, 'query'>;

const ms = (n: number) => `'${Math.max(0, Math.floor(n))}ms'`;

/**
 * Statements that PostgreSQL refuses inside a transaction block. Read on the SQL without its string literals,
 * quoted identifiers and comments: a comment text saying "REFRESH CONCURRENTLY" does not make a step run alone
 * (run alone, a transactional step's ledger row would not commit with it, and its rollback would be skipped).
 */
export function mustRunAlone(sql: string): boolean {
  const code = withoutLiterals(sql);
  return /\bCONCURRENTLY\b/i.test(code) || /^\s*(VACUUM|CREATE\s+SUBSCRIPTION|DROP\s+SUBSCRIPTION)\b/i.test(code);
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
 * nothing leaks into the session; `inTransaction` runs extra statements (a ledger row) in the same one. A
 * statement that must run alone runs alone even when the step says it is transactional, and `inTransaction`
 * then runs right after it succeeds (not atomically with it, but never skipped: a skipped ledger row would
 * leave the step `running` and its rollback unrun).
 */
export async function runStatement(
  db: Queryable,
  sql: string,
  o: StatementOptions,
  inTransaction?: () => Promise<void>,
): Promise<void> {
  if (runsInTransaction(sql, o)) {
    await db.query('BEGIN');
    try {
      await db.query(timeoutSettings(o, true));
      await sendOne(db, sql);
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
    await sendOne(db, sql);
  } finally {
    await db.query(RESET).catch(() => undefined);
  }
  await inTransaction?.();
}

/**
 * A transactional step's rollback when every statement of it may run in a transaction: all of them and
 * `inTransaction` (the ledger row saying the step is rolled back) commit together, so an executor killed
 * half-way leaves the step either applied and recorded done, or undone and recorded rolled back. Run one by
 * one, a kill between two statements (say, after re-adding a column and before refilling it) or before the
 * ledger write leaves a schema the ledger does not describe, which the next run refuses as drift.
 */
export async function runRollbackInTransaction(
  db: Queryable,
  statements: readonly string[],
  o: Omit<StatementOptions, 'transactional'>,
  inTransaction: () => Promise<void>,
): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(timeoutSettings(o, true));
    for (const sql of statements) {
      try {
        await sendOne(db, sql);
      } catch (e) {
        throw databaseError(`rollback statement failed: ${sql}`, e);
      }
    }
    await inTransaction();
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

const NAME = `("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const CREATE_CONCURRENTLY = new RegExp(
  String.raw`^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}\s+ON\s+(?:ONLY\s+)?${NAME}\.`,
  'i',
);
const DROP_CONCURRENTLY = new RegExp(
  String.raw`^\s*DROP\s+INDEX\s+CONCURRENTLY\s+(?:IF\s+EXISTS\s+)?${NAME}\.${NAME}\s*;?\s*$`,
  'i',
);
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase());

/**
 * The index a CONCURRENTLY statement builds or drops, read from the SQL the planner rendered (names written
 * by the quoting function): what makes such a statement idempotent, by asking the catalog before running it.
 */
export function concurrentIndex(
  sql: string,
): { readonly op: 'create' | 'drop'; readonly schema: string; readonly name: string } | undefined {
  const c = CREATE_CONCURRENTLY.exec(sql);
  if (c) return { op: 'create', schema: unquote(c[2]!), name: unquote(c[1]!) };
  const d = DROP_CONCURRENTLY.exec(sql);
  if (d) return { op: 'drop', schema: unquote(d[1]!), name: unquote(d[2]!) };
  return undefined;
}
