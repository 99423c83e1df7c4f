// What this process created and must remove when it is interrupted: throwaway servers (their processes and
// folders: the demo, rehearsal, the tests) and temporary folders. Each is owned from the moment its folder
// exists (created synchronously, owned in the same tick, so no signal can come between the two), and every
// process started for it is adopted in the tick it is spawned. The CLI's Ctrl-C handler (cli/interrupt.ts)
// calls cleanUpEverything(): every process is stopped (PostgreSQL by its fast shutdown), then its folder
// removed; anything owned or adopted after that is removed at once and its caller gets an InterruptedError,
// so a start in flight cannot leave a server behind. forceCleanUp() is the synchronous last resort (a third
// Ctrl-C): SIGKILL for every process and its children, then the folders, still leaving nothing behind.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/** Thrown by own() and adopt() once the process is being interrupted: nothing new may start. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/** How a process adopted by a resource is asked to stop (PostgreSQL: SIGINT is its fast shutdown). */
export interface StopHow {
  readonly signal: NodeJS.Signals;
  /** After this long the process and its children are killed (default 10 s). */
  readonly graceMs?: number;
}

export interface Owned {
  readonly folder: string;
  /** The process now running for this resource (initdb, then postgres); killed at once if interrupted. */
  adopt(child: ChildProcess, how: StopHow): void;
  /** A stop function instead of a process (a server started by a library that keeps its process to itself). */
  adoptStop(stop: () => Promise<void>): void;
  /** Stops the adopted process and removes the folder; idempotent, concurrent callers share one promise. */
  release(): Promise<void>;
}

interface Entry {
  readonly what: string;
  readonly folder: string;
  child?: ChildProcess;
  how?: StopHow;
  stop?: () => Promise<void>;
  released?: Promise<void>;
}

const live = new Set<Entry>();
/** Every folder ever owned: the work cut short may write into one after its removal (a plan file, mkdir -p). */
const everOwned = new Set<string>();
let shuttingDown = false;
let handled = false;
/** Stops begun for servers that finished starting after the clean-up had begun. */
const stragglers = new Set<Promise<unknown>>();

/** Called by whoever answers SIGINT and SIGTERM with cleanUpEverything() (the CLI). */
export function signalsHandled(set?: true): boolean {
  if (set) handled = true;
  return handled;
}

/** True once cleanUpEverything() or forceCleanUp() has begun. */
export function interrupted(): boolean {
  return shuttingDown;
}

/** How many resources are still owned (servers, PgBouncers, folders). */
export function ownedCount(): number {
  return live.size;
}

/**
 * Owns `folder` (just created, synchronously) under a name for messages. Throws InterruptedError, after removing
 * the folder, when the process is already being interrupted.
 */
export function own(what: string, folder: string): Owned {
  const entry: Entry = { what, folder };
  if (shuttingDown) {
    rmSync(folder, { recursive: true, force: true });
    throw new InterruptedError();
  }
  live.add(entry);
  everOwned.add(folder);
  return {
    folder,
    adopt(child, how) {
      entry.child = child;
      entry.how = how;
      if (shuttingDown || entry.released) {
        killTree(child);
        throw new InterruptedError();
      }
    },
    adoptStop(stop) {
      entry.stop = stop;
      if (shuttingDown || entry.released) {
        const late = stop().catch(() => undefined);
        stragglers.add(late);
        void late.finally(() => stragglers.delete(late));
        throw new InterruptedError();
      }
    },
    release: () => release(entry),
  };
}

function release(entry: Entry): Promise<void> {
  entry.released ??= (async () => {
    try {
      if (entry.child) await stopProcess(entry.child, entry.how!);
      await entry.stop?.().catch(() => undefined);
      await rm(entry.folder, { recursive: true, force: true, maxRetries: 5 });
    } finally {
      live.delete(entry);
    }
  })();
  return entry.released;
}

/** Stops every owned process and removes every owned folder, newest first; new ones are refused from now on. */
export async function cleanUpEverything(): Promise<void> {
  shuttingDown = true;
  for (;;) {
    const entries = [...live].reverse();
    if (entries.length === 0) {
      if (stragglers.size === 0) return;
      await Promise.all(stragglers);
      continue;
    }
    // Independent resources stop together: a server's fast shutdown takes about a second.
    await Promise.all(entries.map((e) => release(e).catch(() => undefined)));
  }
}

/**
 * Removes, synchronously, every folder this process ever owned that exists again: while the clean-up ran, the
 * interrupted work went on until its next await failed, and may have written into a folder already removed
 * (a plan file, with mkdir -p). Called right before the exit, when no more of that work can run.
 */
export function sweepOwnedFolders(): void {
  for (const folder of everOwned) {
    try {
      rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // Best effort on the way out.
    }
  }
}

/** Kills every owned process with its children and removes every owned folder, synchronously. */
export function forceCleanUp(): void {
  shuttingDown = true;
  const entries = [...live];
  for (const e of entries) if (e.child) killTree(e.child);
  for (const e of entries) {
    try {
      rmSync(e.folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    } catch {
      // A file a dying process wrote in the last instant: nothing more can be done on the way out.
    }
    live.delete(e);
  }
  sweepOwnedFolders();
}

/** What is owned, for the message of a second Ctrl-C ("2 servers, 1 folder"). */
export function ownedSummary(): string[] {
  return [...live].map((e) => e.what);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopProcess(child: ChildProcess, how: StopHow): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => killTree(child), how.graceMs ?? 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (exited(child)) {
      clearTimeout(kill);
      resolve();
      return;
    }
    try {
      child.kill(how.signal);
    } catch {
      // Gone already: 'exit' follows.
    }
  });
}

/** SIGKILL for `child` and every descendant (found in /proc before the parent dies and they are re-parented). */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined || exited(child)) return;
  const pids = [child.pid, ...descendants(child.pid)];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // The command name in field 2 may hold spaces and parentheses: the fields after the last ')' are safe.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        parent.set(Number(name), ppid);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    return []; // no /proc (not Linux): the parent alone is killed
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}
