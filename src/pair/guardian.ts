// The fence guardian: a small process cutover and cutback start before they fence writes, so that writes come
// back by themselves if switchyard dies or hangs inside the fence (AWS blue/green's switchover timeout is the
// same idea). It is a detached node process (guardian-main.ts) with an IPC channel: the channel closing tells
// it switchyard died; `pair.fenceTimeoutMs` after it is armed it stops switchyard and lifts the fence itself;
// `done` (the switch is recorded) sends it away. Secrets (the pair URLs, the admin URL, PGPASSWORD) go over the
// channel: its command line and environment hold none.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RouterSettings } from '../config/config.js';
import { PairError } from './errors.js';
import type { ArmMessage, FromGuardian, ToGuardian } from './guardian-main.js';
import type { GuardedSwitch, LiftReport } from './guardian-lift.js';
import type { PairSession } from './session.js';
import { SIDES } from './types.js';

export type { GuardedSwitch, LiftReport };

/** pair.fenceTimeoutMs when switchyard.yaml says nothing. */
export const DEFAULT_FENCE_TIMEOUT_MS = 5000;

export interface Guardian {
  readonly pid: number;
  /** The switch is recorded (`done`): the guardian leaves. */
  release(): Promise<void>;
  /**
   * Switchyard failed inside the fence (its sessions must be closed first): the guardian lifts the fence and
   * this resolves with what it did (undefined if it died without saying).
   */
  handOver(): Promise<LiftReport | undefined>;
  /** Set once the guardian stopped this switch at its deadline; the report follows through handOver(). */
  readonly aborted: boolean;
}

export interface GuardianOptions {
  readonly router: RouterSettings | undefined;
  readonly timeoutMs: number;
  /**
   * Called when the deadline passed while switchyard still runs: it must end its sessions (no RESUME) at once.
   * The guardian kills the process if it is not done within a moment.
   */
  readonly onAbort: () => Promise<void>;
}

/** The built guardian (dist/pair/guardian-main.js), also when this module runs from src/ (the tests). */
export function guardianScript(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts')
    ? here.replace(/[\\/]src[\\/]pair[\\/]guardian\.ts$/, '/dist/pair/guardian-main.js')
    : here.replace(/guardian\.js$/, 'guardian-main.js');
}

/** libpq variables that may carry what a connection needs, passed over the channel instead of the environment. */
const LIBPQ = /^PG[A-Z]+$/;

/** A guardian process started ahead, so that its start-up (node and its modules, about 0.5 s) overlaps the gate. */
export interface SpareGuardian {
  /** Ends it unless startGuardian armed it (a dry run, a refused gate, a switch with nothing left to fence). */
  discard(): void;
}

interface Spare extends SpareGuardian {
  readonly child: ChildProcess;
  armed: boolean;
}

/** Starts a guardian process, not armed yet; undefined when the package is not built (startGuardian says so). */
export function spawnGuardian(): SpareGuardian | undefined {
  const script = guardianScript();
  if (!existsSync(script)) return undefined;
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_EXTRA_CA_CERTS'].includes(k))
      clean[k] = v;
  const child = spawn(process.execPath, [script], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: clean,
  });
  child.on('error', () => undefined);
  const spare: Spare = {
    child,
    armed: false,
    discard() {
      if (!spare.armed && child.exitCode === null) child.kill('SIGKILL');
    },
  };
  return spare;
}

/**
 * Arms the guardian of `guarded` (the spare one, or one started now); resolves once it holds its connections
 * (before the fence).
 */
export async function startGuardian(
  session: PairSession,
  guarded: GuardedSwitch,
  o: GuardianOptions & { readonly spare?: SpareGuardian | undefined },
): Promise<Guardian> {
  const spare = o.spare as Spare | undefined;
  const fresh = spare && spare.child.exitCode === null && spare.child.connected ? spare : spawnGuardian();
  if (!fresh)
    throw new PairError(
      'FENCE_GUARDIAN',
      `the fence guardian ${guardianScript()} is missing (the package is not built: npm run build); nothing was fenced`,
      3,
    );
  const armedSpare = fresh as Spare;
  armedSpare.armed = true;
  const child = armedSpare.child;
  const backends = { blue: [] as number[], green: [] as number[] };
  for (const side of SIDES) {
    const { rows } = await session.db(side).query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    backends[side].push(rows[0]!.pid);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && LIBPQ.test(k)) env[k] = v;
  let aborted = false;
  let lifted: ((r: LiftReport | undefined) => void) | undefined;
  const report = new Promise<LiftReport | undefined>((r) => (lifted = r));
  let failure: string | undefined;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => lifted?.(undefined));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('it did not start within 10 s')), 10_000);
    child.once('error', (e) => reject(e));
    void exited.then(() => reject(new Error(failure ?? 'it exited before it was ready')));
    child.on('message', (m: FromGuardian) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (m.type === 'failed') failure = m.message;
      else if (m.type === 'lifted') lifted?.(m.report);
      else if (m.type === 'lift-failed') lifted?.({ outcome: 'nothing', detail: `lifting failed: ${m.message}` });
      else if (m.type === 'abort') {
        aborted = true;
        void o.onAbort().finally(() => tell({ type: 'aborted' }));
      }
    });
  });
  const tell = (m: ToGuardian) => {
    if (child.connected) child.send(m);
  };
  const arm: ArmMessage = {
    type: 'arm',
    targets: session.targets,
    router: o.router,
    guarded,
    timeoutMs: o.timeoutMs,
    backends,
    env,
    ...(process.env.SWITCHYARD_GUARDIAN_LOG ? { log: process.env.SWITCHYARD_GUARDIAN_LOG } : {}),
  };
  tell(arm);
  try {
    await ready;
  } catch (e) {
    child.kill('SIGKILL');
    throw new PairError(
      'FENCE_GUARDIAN',
      `the fence guardian could not start (${(e as Error).message}); nothing was fenced, fix it and run the command again`,
      3,
      { cause: e },
    );
  }
  // It must not keep switchyard running, nor die with it.
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  return {
    pid: child.pid!,
    get aborted() {
      return aborted;
    },
    async release() {
      tell({ type: 'done' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
    async handOver() {
      // Kept alive until the answer comes: nothing else may be left to wait for.
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      tell({ type: 'lift' });
      return report;
    },
  };
}
