// A local PgBouncer (Debian's /usr/sbin/pgbouncer) for the demo and the tests: transaction pooling on 127.0.0.1
// and a free port, auth_type trust, one [databases] entry pointing at `target`. It refuses to run as root, so it
// runs with `-u postgres` and keeps its ini, auth_file, log, pid and socket in a folder postgres owns.
// The backend password lives only in the auth_file (PgBouncer logs in with it); the ini never holds one. The
// auth_file is a secret file (db/secret-file.ts): mode 0600 from creation, removed on every exit path, Ctrl-C too.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { chmod, chown, readFile, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { own, type Owned } from '../db/cleanup.js';
import { writeSecretFile } from '../db/secret-file.js';
import { freePort } from '../rehearsal/embedded.js';

export interface PgBouncer {
  /** The application URL: the entry `database` through PgBouncer (password-free; trust auth). */
  readonly url: string;
  /** The admin console (database `pgbouncer`, user `pgbouncer`). */
  readonly adminUrl: string;
  readonly iniPath: string;
  readonly database: string;
  readonly port: number;
  /** The tail of PgBouncer's log (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** The [databases] entry name clients connect to (default `app`). */
  readonly database?: string;
  /** Server connections per pool (default 20). */
  readonly poolSize?: number;
  /** Extra lines for the [pgbouncer] section. */
  readonly settings?: Readonly<Record<string, string>>;
}

const BINARY = '/usr/sbin/pgbouncer';
export const ADMIN_USER = 'pgbouncer';

/** Starts PgBouncer in front of `target` (a postgres:// URL whose user and password PgBouncer logs in with). */
export async function startPgBouncer(target: string, o: PgBouncerOptions = {}): Promise<PgBouncer> {
  const database = o.database ?? 'app';
  const t = new URL(target);
  const user = decodeURIComponent(t.username) || 'postgres';
  const password = decodeURIComponent(t.password);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sy-pgbouncer-'));
  // Owned from here (db/cleanup.ts): Ctrl-C stops PgBouncer and removes this folder, whatever the moment.
  const owned = own(`PgBouncer on port ${port}`, dir);
  try {
    return await start(dir, owned, port, database, user, password, t, o);
  } catch (e) {
    await owned.release();
    throw e;
  }
}

async function start(
  dir: string,
  owned: Owned,
  port: number,
  database: string,
  user: string,
  password: string,
  t: URL,
  o: PgBouncerOptions,
): Promise<PgBouncer> {
  const iniPath = join(dir, 'pgbouncer.ini');
  const authFile = join(dir, 'userlist.txt');
  const logFile = join(dir, 'pgbouncer.log');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const auth = await writeSecretFile(authFile, `${quote(user)} ${quote(password)}\n${quote(ADMIN_USER)} ""\n`);
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: dir,
    auth_type: 'trust',
    auth_file: authFile,
    admin_users: ADMIN_USER,
    pool_mode: 'transaction',
    max_client_conn: '500',
    default_pool_size: String(o.poolSize ?? 20),
    logfile: logFile,
    pidfile: join(dir, 'pgbouncer.pid'),
    ignore_startup_parameters: 'extra_float_digits,options',
    server_check_delay: '0',
    ...o.settings,
  };
  const entry = `${database} = host=${t.hostname} port=${t.port || 5432} dbname=${decodeURIComponent(t.pathname.slice(1))}`;
  const ini = [
    '; written by test/support/pgbouncer.ts',
    '[databases]',
    '; the application database: switchyard rewrites the next line at cutover',
    entry,
    '',
    '[pgbouncer]',
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
  await writeFile(iniPath, ini, { mode: 0o644 });
  const ids = postgresIds();
  if (ids) for (const f of [dir, authFile, iniPath]) await chown(f, ids.uid, ids.gid);
  await chmod(dir, 0o755);

  const child = spawn(BINARY, [...(ids ? ['-u', 'postgres'] : []), iniPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.on('error', () => undefined); // a missing binary: waitReady sees the exit code
  owned.adopt(child, { signal: 'SIGTERM', graceMs: 3000 }); // SIGTERM: PgBouncer's immediate shutdown
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const log = async () => (await readFile(logFile, 'utf8').catch(() => '')).slice(-200_000) + stderr;
  const adminUrl = `postgres://${ADMIN_USER}@127.0.0.1:${port}/pgbouncer`;
  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  // A test worker that dies or times out must not leave PgBouncer running.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const stop = async () => {
    process.off('exit', orphan);
    await owned.release();
    await auth.remove();
  };
  try {
    await waitReady(adminUrl, child);
  } catch (e) {
    const tail = await log();
    await stop();
    throw new Error(`PgBouncer did not start: ${(e as Error).message}\n${tail}`);
  }
  return { url, adminUrl, iniPath, database, port, log, stop };
}

async function waitReady(adminUrl: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with code ${child.exitCode}`);
    const c = new pg.Client({ connectionString: adminUrl });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SHOW VERSION');
      return;
    } catch (e) {
      if (Date.now() - started > 10_000) throw e;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
