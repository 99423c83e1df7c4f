// Preflight's vocabulary: a check is a small function of the plan, the connected database and the
// configuration that returns one finding with the fix. A check that cannot run says why (warn); it never
// stops the others.
import type pg from 'pg';
import type { SwitchyardConfig } from '../../config/config.js';
import type { Phase, Plan, Step } from '../../planner/types.js';

export type Queryable = Pick<pg.Client, 'query'>;

export const CHECK_STATUSES = ['pass', 'warn', 'fail'] as const;
/** The outcome of one preflight check. */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** One preflight check: what it found and what to do about it. */
export interface Check {
  /** Stable kebab-case id, e.g. `pending-locks`; scripts and --json rely on it. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, naming the objects: tables, pids, indexes. */
  readonly detail: string;
  /** What to do; empty when the check passed. */
  readonly fix: string;
}

/** Thresholds, with defaults chosen for a busy primary; tests lower them so they need not wait minutes. */
export interface PreflightThresholds {
  /** A transaction open longer than this fails the check (default 300 s). */
  readonly longTransactionSeconds: number;
  /** A session idle in a transaction longer than this is reported (default 60 s). */
  readonly idleInTransactionSeconds: number;
  /** An inactive replication slot retaining more WAL than this is reported (default 1 GiB). */
  readonly slotRetainedBytes: number;
  /** A step's lock_timeout above this is reported: a waiting ACCESS EXCLUSIVE queues everyone (default 10 s). */
  readonly maxLockTimeoutMs: number;
  /** A table grown by more than this factor since planning makes the estimates stale (default 2). */
  readonly growthFactor: number;
}

export const DEFAULT_THRESHOLDS: PreflightThresholds = {
  longTransactionSeconds: 300,
  idleInTransactionSeconds: 60,
  slotRetainedBytes: 1024 ** 3,
  maxLockTimeoutMs: 10_000,
  growthFactor: 2,
};

/** The two sides of a blue/green pair, connected. */
export interface PreflightPair {
  readonly live: Queryable;
  readonly standby: Queryable;
  /** How cutover fences writes (the router configured), for the privileges it needs; default roles. */
  readonly fence?: 'router' | 'roles';
  /** Whether each side's subscription connection to the other carries a password (16+ non-superusers need one). */
  readonly passwords?: { readonly standby?: boolean; readonly live?: boolean };
  /** `pair.replicationUser`: the role subscriptions log in as, when not the connected one. */
  readonly replicationUser?: string;
}

export type PreflightConfig = Pick<
  SwitchyardConfig,
  'ledgerSchema' | 'backup' | 'windowMinutes' | 'root' | 'allowHazards'
> & {
  /** Objects outside the model fail the `not-modeled` check instead of warning (`strict: true`). */
  readonly strict?: boolean;
};

export interface PreflightInput {
  readonly plan: Plan;
  /** The plan file, as given: the rehearsal report is found beside it. */
  readonly planPath: string;
  /** The database the plan will be applied to (the live side when paired). */
  readonly db: Queryable;
  readonly config: PreflightConfig;
  readonly pair?: PreflightPair;
  readonly thresholds?: Partial<PreflightThresholds>;
  /** The clock (tests); default now. */
  readonly now?: Date;
  /** Only this phase is about to run (`--release N --phase P`): the checks of steps look at its steps only. */
  readonly selection?: { readonly release: number; readonly phase: Phase };
}

/** What every check receives: the input with thresholds filled in and facts shared by several checks. */
export interface CheckContext extends Omit<PreflightInput, 'thresholds' | 'now'> {
  readonly thresholds: PreflightThresholds;
  readonly now: Date;
  /** server_version_num of `db`, or undefined when it could not be read. */
  readonly serverVersionNum: number | undefined;
  /** Qualified names (`schema.table`) of the existing tables the steps about to run lock. */
  readonly lockedTables: ReadonlySet<string>;
  /** The steps about to run: the selected phase's, or the whole plan's. */
  readonly steps: readonly Step[];
  /** What `steps` are, for messages: `release 1 expand`, or `the plan`. */
  readonly scope: string;
}

export type CheckFn = (ctx: CheckContext) => Promise<Check>;

export const pass = (id: string, title: string, detail: string): Check => ({
  id,
  title,
  status: 'pass',
  detail,
  fix: '',
});
export const warn = (id: string, title: string, detail: string, fix: string): Check => ({
  id,
  title,
  status: 'warn',
  detail,
  fix,
});
export const fail = (id: string, title: string, detail: string, fix: string): Check => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});

/** A check that threw (no privilege to read a view, a dropped connection) becomes a warning saying why. */
export async function guarded(id: string, title: string, fn: () => Promise<Check>): Promise<Check> {
  try {
    return await fn();
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    return warn(
      id,
      title,
      `could not run this check: ${msg}`,
      'run preflight as a role that can read the catalog views it needs (pg_monitor, or the table owner), or check this by hand',
    );
  }
}

/** "a, b and 3 more": lists stay readable on one line. */
export function listed(items: readonly string[], max = 8): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** SQL for the schema-qualified, quoted name of the relation `oid` (regclass::text drops the schema on the search_path). */
export function relName(oid: string): string {
  return `(SELECT format('%I.%I', rn.nspname, rc.relname) FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = ${oid})`;
}

/**
 * Runs a query that opens relations (pg_relation_size takes ACCESS SHARE) with a short lock_timeout, so a
 * preflight never queues behind the very ACCESS EXCLUSIVE lock it is there to report.
 */
export async function withShortLockTimeout<R>(db: Queryable, sql: string, params: unknown[]): Promise<R[]> {
  await db.query('BEGIN');
  try {
    await db.query("SET LOCAL lock_timeout = '250ms'");
    const { rows } = await db.query(sql, params);
    await db.query('COMMIT');
    return rows as R[];
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    if ((e as { code?: string }).code === '55P03')
      throw new Error(
        'another session holds a lock on a table the plan uses (see pending-locks); sizes could not be read',
        { cause: e },
      );
    throw e;
  }
}
