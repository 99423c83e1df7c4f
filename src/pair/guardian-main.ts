// The fence guardian's process (started by guardian.ts, detached, with an IPC channel to switchyard). It gets
// everything over that channel, secrets included (nothing on its command line or in its environment), opens
// its own connections to both sides and to the router, says `ready`, and then waits for one of:
// - `done`: the switch is recorded; it exits.
// - the channel closing: switchyard died; it lifts the fence at once.
// - the deadline (pair.fenceTimeoutMs after `ready`): switchyard hangs or is too slow; it asks it to stop
//   (`abort`), kills it if it does not answer within a moment, then lifts the fence.
// - `lift`: switchyard failed inside the fence and hands over; it lifts and answers with the report.
// Lifting (guardian-lift.ts) runs under the pair lock, once the switchyard sessions are gone; if another pair
// command holds the lock, that command is in charge and the guardian leaves.
import { appendFileSync } from 'node:fs';
import type { RouterSettings } from '../config/config.js';
import { liftFence, type GuardedSwitch, type LiftReport } from './guardian-lift.js';
import { openRouter, type Router } from './router.js';
import { lockPair, openPair, type PairSession, type PairTargets } from './session.js';
import { SIDES } from './types.js';

export interface ArmMessage {
  readonly type: 'arm';
  readonly targets: PairTargets;
  readonly router: RouterSettings | undefined;
  readonly guarded: GuardedSwitch;
  readonly timeoutMs: number;
  /** The backend pids of switchyard's sessions on each side: ended before lifting. */
  readonly backends: Readonly<Record<'blue' | 'green', readonly number[]>>;
  /** libpq variables (PGPASSWORD...) the connections may need, set here rather than in the spawn environment. */
  readonly env: Readonly<Record<string, string>>;
  /** A file the guardian appends what it does to, one JSON line each (SWITCHYARD_GUARDIAN_LOG). */
  readonly log?: string;
}

export type ToGuardian = ArmMessage | { readonly type: 'done' | 'lift' | 'aborted' };
export type FromGuardian =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'abort' }
  | { readonly type: 'lifted'; readonly report: LiftReport; readonly ms: number }
  | { readonly type: 'lift-failed'; readonly message: string };

const note = (event: string, detail: Record<string, unknown> = {}) => {
  if (arm?.log)
    appendFileSync(
      arm.log,
      `${JSON.stringify({ ts: new Date().toISOString(), pid: process.pid, event, ...detail })}\n`,
    );
};

const send = (m: FromGuardian) => {
  if (process.connected) process.send?.(m);
};

let arm: ArmMessage | undefined;
let session: PairSession | undefined;
let router: Router | undefined;
let lifting: Promise<void> | undefined;
let deadline: NodeJS.Timeout | undefined;
let abortAck: (() => void) | undefined;
let finished = false;
const parent = process.ppid;

async function closeAll(): Promise<void> {
  await router?.close({ resume: false }).catch(() => undefined);
  await session?.close().catch(() => undefined);
}

function exit(code: number): void {
  void closeAll().finally(() => process.exit(code));
}

/** Ends switchyard's sessions (and waits until they are gone), then takes the pair lock; false: another command holds it. */
async function takeOver(s: PairSession, a: ArmMessage): Promise<boolean> {
  for (const side of SIDES) {
    const pids = a.backends[side];
    if (!pids.length) continue;
    await s
      .db(side)
      .query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND application_name LIKE 'switchyard%'`,
        [pids],
      );
    for (let i = 0; i < 200; i++) {
      const { rows } = await s.db(side).query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
      if (!rows.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    await lockPair(s, { guardianWaitMs: 0 });
    return true;
  } catch {
    return false;
  }
}

async function lift(why: string): Promise<void> {
  const a = arm!;
  const started = Date.now();
  note('lift', { why });
  if (deadline) clearTimeout(deadline);
  let last: unknown;
  // A lost connection (the server restarted) gets fresh ones; the lift is idempotent.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      if (attempt > 0) {
        await closeAll();
        session = await openPair(a.targets, 'switchyard guardian');
        router = await openRouter(a.router);
      }
      const mine = await takeOver(session!, a);
      note('lock', { ms: Date.now() - started, mine });
      if (!mine) {
        send({
          type: 'lifted',
          report: { outcome: 'nothing', detail: `another pair command holds the pair lock and is in charge (${why})` },
          ms: Date.now() - started,
        });
        return;
      }
      const report = await liftFence(session!, router!, a.guarded, a.targets, (step) =>
        note(step, { ms: Date.now() - started }),
      );
      note('lifted', { ms: Date.now() - started, ...report });
      send({ type: 'lifted', report: { ...report, detail: `${why}: ${report.detail}` }, ms: Date.now() - started });
      return;
    } catch (e) {
      last = e;
      note('failed', { attempt, message: (e as Error).message });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  send({ type: 'lift-failed', message: (last as Error)?.message ?? String(last) });
}

function startLift(why: string): void {
  lifting ??= lift(why).finally(() => exit(0));
}

process.on('message', (m: ToGuardian) => {
  if (m.type === 'arm' && !arm) {
    arm = m;
    for (const [k, v] of Object.entries(m.env)) process.env[k] = v;
    void (async () => {
      try {
        session = await openPair(m.targets, 'switchyard guardian');
        router = await openRouter(m.router);
      } catch (e) {
        send({ type: 'failed', message: (e as Error).message });
        exit(1);
        return;
      }
      deadline = setTimeout(() => {
        if (!process.connected) return startLift('switchyard died inside the fence');
        // Asked to stop first; killed if it does not answer (it hangs, or is stopped).
        note('deadline', { timeoutMs: m.timeoutMs });
        send({ type: 'abort' });
        const kill = setTimeout(() => {
          try {
            // Only while the channel stands: after it closes, that pid may be another process's.
            if (process.connected) process.kill(parent, 'SIGKILL');
          } catch {
            // gone already
          }
          startLift(`switchyard did not finish within ${m.timeoutMs} ms and did not answer: it was killed`);
        }, 200);
        abortAck = () => {
          clearTimeout(kill);
          startLift(`switchyard did not finish within ${m.timeoutMs} ms (pair.fenceTimeoutMs)`);
        };
      }, m.timeoutMs);
      note('ready', { generation: m.guarded.generation, from: m.guarded.from, to: m.guarded.to });
      send({ type: 'ready' });
    })();
  } else if (m.type === 'aborted') abortAck?.();
  else if (m.type === 'lift') startLift('switchyard failed inside the fence');
  else if (m.type === 'done' && !lifting) {
    finished = true;
    if (deadline) clearTimeout(deadline);
    exit(0);
  }
});

process.on('disconnect', () => {
  if (finished || lifting) return;
  // Before `ready` nothing was fenced: switchyard fences only once the guardian stands.
  if (!session || !router) return exit(0);
  startLift('switchyard died inside the fence');
});

// Whatever fails here must not take the guardian down with the fence still up.
process.on('uncaughtException', () => undefined);
process.on('unhandledRejection', () => undefined);
