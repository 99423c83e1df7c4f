// The server and the role: connection and version, the plan's server, the 14.0-14.3 CONCURRENTLY bug,
// privileges, and another executor already running.
import { executorLockKey } from '../lock.js';
import { grantAdvice, needsOf, privilegeProblems } from './privileges.js';
import { fail, guarded, listed, pass, warn, type Check, type CheckContext } from './types.js';

/** The oldest major switchyard plans and applies for (every recipe in reference/postgres-ddl-risk.md holds from 12). */
export const MIN_SERVER_VERSION_NUM = 120000;

const major = (num: number) => Math.floor(num / 10000);
const versionText = (num: number) => `${major(num)}.${num % 10000}`;

export async function connectionCheck(ctx: CheckContext): Promise<Check> {
  const id = 'connection',
    title = 'connection and server version';
  return guarded(id, title, async () => {
    const { rows } = await ctx.db.query<{ db: string; usr: string; version: string }>(
      `SELECT current_database() AS db, current_user AS usr, current_setting('server_version') AS version`,
    );
    const r = rows[0]!;
    const num = ctx.serverVersionNum;
    const where = `connected to database ${r.db} as ${r.usr}, PostgreSQL ${r.version}`;
    if (num === undefined)
      return warn(
        id,
        title,
        `${where}, but server_version_num could not be read`,
        'check the server version by hand: switchyard supports PostgreSQL 12 and later',
      );
    if (num < MIN_SERVER_VERSION_NUM)
      return fail(
        id,
        title,
        `${where}: older than PostgreSQL 12`,
        'upgrade the server to PostgreSQL 12 or later before applying plans with switchyard',
      );
    return pass(id, title, where);
  });
}

/** A plan is made for one server's catalog and capabilities; an older live server may reject its SQL. */
export async function serverVersionCheck(ctx: CheckContext): Promise<Check> {
  const id = 'server-version',
    title = "server major version matches the plan's";
  const planned = ctx.plan.server.versionNum;
  const num = ctx.serverVersionNum;
  if (num === undefined)
    return warn(
      id,
      title,
      'the server version could not be read',
      `check by hand that the server runs PostgreSQL ${major(planned)}`,
    );
  const detail = `the plan was made for PostgreSQL ${ctx.plan.server.version} (${planned}); the server runs ${versionText(num)} (${num})`;
  if (major(num) < major(planned))
    return fail(
      id,
      title,
      detail,
      `plan again against this server (or a snapshot of it with --pg-version ${major(num)}): the SQL may use features of ${major(planned)}`,
    );
  if (major(num) > major(planned))
    return warn(
      id,
      title,
      detail,
      `rehearse with --pg-version ${major(num)}, or plan again against this server, so the plan uses what ${major(num)} allows`,
    );
  return pass(id, title, detail);
}

/** PostgreSQL 14.0 to 14.3 could silently corrupt indexes built or rebuilt CONCURRENTLY (fixed in 14.4). */
export function concurrentlyIsBroken(versionNum: number): boolean {
  return versionNum >= 140000 && versionNum < 140004;
}

export async function concurrentlyCheck(ctx: CheckContext): Promise<Check> {
  return concurrentlyVerdict(
    ctx.serverVersionNum,
    ctx.steps.filter((s) => /\bCONCURRENTLY\b/i.test(s.sql)).map((s) => s.id),
  );
}

/** The verdict as a function of the version and the plan's CONCURRENTLY steps (testable without a 14.2 server). */
export function concurrentlyVerdict(versionNum: number | undefined, concurrentSteps: readonly string[]): Check {
  const id = 'concurrently-version',
    title = 'CONCURRENTLY is safe on this server version';
  if (versionNum === undefined)
    return warn(
      id,
      title,
      'the server version could not be read',
      'make sure the server is not PostgreSQL 14.0 to 14.3 before building indexes CONCURRENTLY',
    );
  if (concurrentSteps.length === 0) return pass(id, title, 'the plan builds or drops no index CONCURRENTLY');
  if (concurrentlyIsBroken(versionNum)) {
    return fail(
      id,
      title,
      `PostgreSQL ${versionText(versionNum)} can corrupt indexes built CONCURRENTLY; the plan does so in steps ${listed(concurrentSteps)}`,
      'upgrade to 14.4 or later first (a minor upgrade: new binaries, restart), then REINDEX indexes built concurrently on 14.0-14.3',
    );
  }
  return pass(
    id,
    title,
    `${concurrentSteps.length} CONCURRENTLY step(s); PostgreSQL ${versionText(versionNum)} is not affected by the 14.0-14.3 bug`,
  );
}

/**
 * ALTER TABLE needs the table's owner; a backfill needs SELECT and UPDATE; the ledger needs its schema (or
 * CREATE on the database to make it); a new table needs CREATE on its schema.
 */
export async function privilegesCheck(ctx: CheckContext): Promise<Check> {
  const id = 'privileges',
    title = 'privileges of the connected role';
  return guarded(id, title, async () => {
    const needs = needsOf(
      ctx.steps,
      ctx.config.ledgerSchema,
      ctx.plan.target.snapshot.schemas.map((s) => s.name),
    );
    const r = await privilegeProblems(ctx.db, needs);
    if (r.superuser) return pass(id, title, `${r.user} is a superuser`);
    if (r.problems.length === 0)
      return pass(
        id,
        title,
        `${r.user} owns the ${needs.altered.length} table(s) the plan alters and can write the ledger`,
      );
    return fail(
      id,
      title,
      `${r.user}: ${listed(r.problems.map((p) => p.problem))}`,
      `run switchyard as the owner of the application tables (or a member of the owning role), with CREATE on the database for the ledger; or ${grantAdvice(r.problems)}`,
    );
  });
}

/** `apply` refuses to start while another executor holds the lock; better to know now. */
export async function executorLockCheck(ctx: CheckContext): Promise<Check> {
  const id = 'executor-lock',
    title = 'no other switchyard executor is running';
  return guarded(id, title, async () => {
    const {
      rows: [db],
    } = await ctx.db.query<{ name: string }>('SELECT current_database() AS name');
    const k = executorLockKey({ database: db!.name, ledgerSchema: ctx.config.ledgerSchema });
    const { rows } = await ctx.db.query<{ pid: number; app: string | null }>(
      `SELECT l.pid, a.application_name AS app FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1`,
      [k.classid, k.objid],
    );
    if (rows.length === 0) return pass(id, title, 'the executor lock is free');
    return fail(
      id,
      title,
      `pid ${rows[0]!.pid} (${JSON.stringify(rows[0]!.app ?? '')}) holds the executor lock`,
      'wait for that run to finish (switchyard status), or stop it; never run two executors on one database',
    );
  });
}
