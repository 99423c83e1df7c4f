// The traffic router: what moves the application from one side to the other at cutover. PgBouncer is paused,
// its [databases] entry rewritten and reloaded, then resumed; a command is run with the side and URL; or
// nothing (the operator moves traffic). Only the entry's host, port and dbname change: the password in a pair
// URL is never written anywhere (PgBouncer takes it from its auth_file), and every other line stays as it was.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import type { RouterSettings } from '../config/config.js';
import { UsageError } from '../errors.js';
import { connect } from '../db/connect.js';
import { passwordOf } from '../db/conninfo.js';
import { redactText, redactUrl } from '../db/redact.js';
import { ident } from '../db/quote.js';
import type { RouterErrorCode } from '../errors.js';
import { RouterError } from './errors.js';
import {
  endpointOf,
  entryEndpoint,
  findDatabaseEntry,
  replaceFile,
  rewriteDatabaseEntry,
  sameEndpoint,
  type Endpoint,
} from './pgbouncer-ini.js';

export { RouterError, type RouterErrorCode };
export * from './pgbouncer-ini.js';
import type { Side } from './types.js';

export interface Router {
  readonly kind: 'pgbouncer' | 'command' | 'none';
  /** Holds new transactions for the database and returns when in-flight ones are done (PgBouncer: PAUSE db). */
  pause(): Promise<void>;
  /** Points the application at `side` (whose URL is `url`); PgBouncer: rewrite the [databases] entry and RELOAD. Idempotent. */
  switchTo(side: Side, url: string): Promise<void>;
  /** Lets held transactions go (RESUME db). Idempotent. */
  resume(): Promise<void>;
  /** Which side the router points at now, when it can tell (pgbouncer: the ini entry compared with the two URLs). */
  current(blueUrl: string, greenUrl: string): Promise<Side | undefined>;
  /**
   * Ends the admin connection. A router this object paused and did not resume is resumed first, so traffic is
   * never left held (`resume: false` leaves it paused: cutover hands a fence to its guardian that way).
   */
  close(o?: { readonly resume?: boolean }): Promise<void>;
}

export type RouterEvent =
  | { readonly kind: 'pause' | 'resume'; readonly database: string; readonly ms: number }
  | { readonly kind: 'switch'; readonly side: Side; readonly target: string; readonly ms: number }
  /** A line the router command printed (passwords masked). */
  | { readonly kind: 'output'; readonly line: string };

export interface RouterOptions {
  readonly onEvent?: (e: RouterEvent) => void;
  /** PAUSE waits this long for in-flight transactions, then RESUMEs and fails (default 10 s). */
  readonly pauseTimeoutMs?: number;
  /** kind command: how long the command may run (default 120 s). */
  readonly commandTimeoutMs?: number;
}

export async function openRouter(settings: RouterSettings | undefined, o: RouterOptions = {}): Promise<Router> {
  switch (settings?.kind ?? 'none') {
    case 'none':
      return noneRouter();
    case 'command':
      if (!settings?.run)
        throw new UsageError(
          '`router.run` is required with kind command: set it to a command such as "./switch-traffic.sh {side} {url}"',
        );
      return commandRouter(settings.run, o);
    case 'pgbouncer': {
      const { admin, config, database } = settings ?? {};
      if (!admin || !config || !database)
        throw new UsageError(
          'router kind pgbouncer needs `router.admin`, `router.config` and `router.database` in switchyard.yaml',
        );
      return pgbouncerRouter(admin, config, database, o);
    }
  }
}

function noneRouter(): Router {
  const nothing = async () => undefined;
  return { kind: 'none', pause: nothing, switchTo: nothing, resume: nothing, current: nothing, close: nothing };
}

// ---------------------------------------------------------------------------------------------------------
// PgBouncer: the admin console speaks only the simple query protocol, so every command is a plain string
// query without parameters (pg then sends a Query message, never Parse/Bind).

async function pgbouncerRouter(adminUrl: string, file: string, database: string, o: RouterOptions): Promise<Router> {
  const readIni = () =>
    readFile(file, 'utf8').catch((e: unknown) => {
      throw new RouterError(
        'ROUTER_CONFIG',
        `cannot read router.config ${file}: ${(e as Error).message}; set router.config to the path of the pgbouncer.ini PgBouncer runs with`,
        { cause: e },
      );
    });
  findDatabaseEntry(await readIni(), database, file);
  const name = ident(database);
  const admin = redactUrl(adminUrl);
  let client: pg.Client | undefined = await connectAdmin(adminUrl);
  // A connection given up on (a PAUSE that timed out): its failing query must not be retried.
  const abandoned = new WeakSet<pg.Client>();

  // Closed for good: a command still in flight when close() ran (a PAUSE a guardian's deadline cut short)
  // must not reconnect and run again behind the back of whoever took over.
  let closed = false;
  const run = async <T extends object>(sql: string): Promise<T[]> => {
    for (let attempt = 0; ; attempt++) {
      if (closed)
        throw new RouterError('ROUTER_ADMIN', `the router was closed: ${sql} was not sent to PgBouncer (${admin})`);
      const c = (client ??= await connectAdmin(adminUrl));
      try {
        return (await c.query<T>(sql)).rows;
      } catch (e) {
        const lost = (e as { code?: string }).code === undefined; // no SQLSTATE: the connection went away
        if (lost && !abandoned.has(c)) {
          if (client === c) client = undefined;
          void c.end().catch(() => undefined);
          if (attempt === 0) continue; // once: PgBouncer may have restarted
        }
        throw new RouterError(
          'ROUTER_ADMIN',
          `PgBouncer (${admin}) refused ${sql}: ${redactText((e as Error).message)}`,
          { cause: e },
        );
      }
    }
  };
  // Whether this object paused the database and has not resumed it since (close() resumes it then).
  let paused = false;
  const resume = async () => {
    const started = performance.now();
    // PAUSE can still close a server connection in the middle of its login (a race the wait in pause() narrows
    // but cannot close); PgBouncer counts that as a failed login and opens nothing for server_login_retry
    // (15 s by default) while every held client waits. So while traffic comes back, retries are immediate;
    // the setting is restored once the pool has a server connection (a RELOAD restores it too).
    const retry = (await run<{ key: string; value: string }>('SHOW CONFIG').catch(() => [])).find(
      (r) => r.key === 'server_login_retry',
    )?.value;
    const fast = retry !== undefined && /^[0-9.]+$/.test(retry) && Number(retry) > 0;
    if (fast) await run('SET server_login_retry = 0').catch(() => undefined);
    try {
      await run(`RESUME ${name}`);
    } catch (e) {
      if (!/is not paused/.test((e as Error).message)) throw e;
    }
    paused = false;
    o.onEvent?.({ kind: 'resume', database, ms: performance.now() - started });
    if (!fast) return;
    for (const until = Date.now() + 2000; Date.now() < until; await new Promise((r) => setTimeout(r, 5))) {
      const pool = (await run<Record<string, string | number>>('SHOW POOLS')).find((p) => p.database === database);
      if (
        !pool ||
        Number(pool.cl_waiting) === 0 ||
        Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used) > 0
      )
        break;
    }
    await run(`SET server_login_retry = ${retry}`).catch(() => undefined);
  };

  return {
    kind: 'pgbouncer',
    async pause() {
      // A server connection still logging in when PAUSE closes it counts as a failed login, and PgBouncer then
      // opens no new one for server_login_retry (15 s by default): every client would wait that long after
      // RESUME. So PAUSE only once the pool has no login in progress (briefly; new logins stop once paused).
      for (const until = Date.now() + 2000; Date.now() < until; await new Promise((r) => setTimeout(r, 5))) {
        const pools = await run<{ database: string; sv_login: number | string }>('SHOW POOLS');
        if (!pools.some((p) => p.database === database && Number(p.sv_login) > 0)) break;
      }
      const started = performance.now();
      const limit = o.pauseTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), limit)));
      const pausing = run(`PAUSE ${name}`);
      pausing.catch(() => undefined);
      const outcome = await Promise.race([pausing.then(() => 'paused' as const), timeout]).finally(() =>
        clearTimeout(timer),
      );
      if (outcome === 'timeout') {
        // The waiting connection stays blocked: let traffic go from a fresh one, then drop it.
        const stuck = client;
        if (stuck) abandoned.add(stuck);
        client = undefined;
        const resumed = await resume().then(
          () => 'the database was resumed',
          (e: unknown) => `RESUME failed too (${(e as Error).message}): run RESUME ${name} on the console now`,
        );
        await stuck?.end().catch(() => undefined);
        throw new RouterError(
          'ROUTER_PAUSE_TIMEOUT',
          `PAUSE ${database} did not finish within ${limit} ms: a transaction through PgBouncer stayed open; ${resumed}. Find it with SHOW SERVERS on the console (or pg_stat_activity state 'idle in transaction') and retry`,
        );
      }
      paused = true;
      o.onEvent?.({ kind: 'pause', database, ms: performance.now() - started });
    },
    async switchTo(side, url) {
      const started = performance.now();
      const target = endpointOf(url);
      const ini = await readIni();
      const next = rewriteDatabaseEntry(ini, database, target, file);
      if (next !== ini) await replaceFile(file, next);
      await run('RELOAD');
      const rows = await run<{ name: string; host: string | null; port: number | string; database: string }>(
        'SHOW DATABASES',
      );
      const row = rows.find((r) => r.name === database);
      const loaded: Endpoint | undefined = row && {
        ...(row.host ? { host: row.host } : {}),
        port: Number(row.port),
        dbname: row.database,
      };
      const applied =
        loaded &&
        (target.host === undefined
          ? loaded.port === target.port && loaded.dbname === target.dbname
          : sameEndpoint(loaded, target));
      if (!applied) {
        const now = loaded
          ? `host=${loaded.host ?? ''} port=${loaded.port} dbname=${loaded.dbname}`
          : 'no such database';
        throw new RouterError(
          'ROUTER_RELOAD',
          `PgBouncer (${admin}) did not take the new [databases] entry ${database} after RELOAD (it reports ${now}): check its log for an error in ${file}, and that PgBouncer runs with this file`,
        );
      }
      o.onEvent?.({ kind: 'switch', side, target: redactUrl(url), ms: performance.now() - started });
    },
    resume,
    async current(blueUrl, greenUrl) {
      const at = entryEndpoint(findDatabaseEntry(await readIni(), database, file), database);
      if (sameEndpoint(at, endpointOf(blueUrl))) return 'blue';
      if (sameEndpoint(at, endpointOf(greenUrl))) return 'green';
      return undefined;
    },
    async close(c) {
      if (paused && (c?.resume ?? true)) await resume().catch(() => undefined);
      closed = true;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

async function connectAdmin(url: string): Promise<pg.Client> {
  try {
    return await connect({ url }, 'switchyard router');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // connect() names the target and masks the password already; the fix is router-specific.
    throw new RouterError(
      'ROUTER_ADMIN',
      `${(e as Error).message.replace(/^cannot connect to /, 'cannot connect to the PgBouncer admin console ')}; check router.admin (the user must be in admin_users)`,
      { cause: e },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// A command: {side} and {url} become single-quoted shell words, so no value can break out of its argument.

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function renderCommand(run: string, side: Side, url: string): string {
  return run.replace(/\{(side|url)\}/g, (_, key: string) => shellQuote(key === 'side' ? side : url));
}

function commandRouter(run: string, o: RouterOptions): Router {
  if (/["']\{(side|url)\}|\{(side|url)\}["']/.test(run)) {
    throw new UsageError(
      `router.run puts {side} or {url} in quotes (${run}): leave the quotes out, switchyard quotes the values itself`,
    );
  }
  const nothing = async () => undefined;
  return {
    kind: 'command',
    pause: nothing,
    resume: nothing,
    current: nothing,
    close: nothing,
    async switchTo(side, url) {
      const started = performance.now();
      const secrets = [passwordOf(url)].filter(Boolean);
      const shown = redactText(renderCommand(run, side, redactUrl(url)), secrets);
      const lines: string[] = [];
      const code = await new Promise<number | string>((resolve) => {
        const child = spawn('/bin/sh', ['-c', renderCommand(run, side, url)], {
          env: { ...process.env, SWITCHYARD_SIDE: side, SWITCHYARD_URL: url },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), o.commandTimeoutMs ?? 120_000);
        // Whole lines only: a password split across two chunks would escape the mask.
        const reader = () => {
          let pending = '';
          return {
            take(chunk: Buffer | string, end = false) {
              const parts = (pending + chunk.toString()).split('\n');
              pending = end ? '' : parts.pop()!;
              for (const line of parts) {
                if (line.trim() === '') continue;
                const safe = redactText(line, secrets);
                lines.push(safe);
                o.onEvent?.({ kind: 'output', line: safe });
              }
            },
          };
        };
        const [out, err] = [reader(), reader()];
        child.stdout.on('data', (c: Buffer) => out.take(c));
        child.stderr.on('data', (c: Buffer) => err.take(c));
        child.on('error', (e) => resolve(e.message));
        child.on('close', (c, signal) => {
          clearTimeout(timer);
          out.take('', true);
          err.take('', true);
          resolve(c ?? `signal ${signal}`);
        });
      });
      if (code !== 0) {
        const why = typeof code === 'number' ? `exited with code ${code}` : `failed (${code})`;
        throw new RouterError(
          'ROUTER_COMMAND',
          `the router command ${shown} ${why}; traffic may not have moved to ${side}${lines.length ? `:\n${lines.slice(-20).join('\n')}` : ''}`,
        );
      }
      o.onEvent?.({ kind: 'switch', side, target: redactUrl(url), ms: performance.now() - started });
    },
  };
}
