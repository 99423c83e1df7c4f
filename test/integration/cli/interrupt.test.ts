// Issue #18 point 6: `demo` interrupted at random moments leaves nothing behind. Each run starts the built CLI
// with a temporary directory of its own (TMPDIR), waits for a step of the demo chosen at random (the runs
// spread over its phases: the first server, the rehearsal, apply and rollback, the pair, the switches), waits a
// random while longer, and sends SIGINT (or SIGTERM), to the process alone or to its whole process group as a
// terminal's Ctrl-C does; one run sends three in quick succession (the third forces the clean-up). Just before
// the signal it notes every process under the CLI and every port they listen on; after the exit it finds none of
// them alive, no process whose command line names the temporary directory, none of those ports listening, the
// temporary directory empty, exit status 130 and the one line.
// The runs are seeded: the seed is printed; SWITCHYARD_INTERRUPT_SEED=<seed> replays them.
// Runs the built CLI (bin/switchyard.js -> dist/): `npm run build` first.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_LINE } from '../../../src/cli/interrupt.js';

const ROOT = join(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'bin/switchyard.js');

/** mulberry32: a small seeded generator, enough to pick moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly cmdline: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(name), ppid: Number(ppid), state: state!, cmdline });
    } catch {
      // Ended while we looked.
    }
  }
  return out;
}

/** `root` and every process under it. */
function tree(root: number): Proc[] {
  const all = processes();
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

/** Inodes of the listening TCP sockets (IPv4 and IPv6) with their ports. */
function listening(): Map<string, number> {
  const m = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A') m.set(f[9]!, Number.parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return m;
}

/** The ports the processes listen on (their socket inodes among the listening ones). */
function portsOf(pids: readonly number[]): Map<string, number> {
  const listen = listening();
  const mine = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode && listen.has(inode)) mine.set(inode, listen.get(inode)!);
      } catch {
        // Closed while we looked.
      }
    }
  }
  return mine;
}

/** The process has a handler for `signal` (bit signum-1 of SigCgt): the CLI's entry point has run. */
function catches(pid: number, signal: NodeJS.Signals): boolean {
  const signum = signal === 'SIGINT' ? 2 : 15;
  const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(signum - 1))) !== 0n;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'; // a zombie is dead, waiting to be reaped
  } catch {
    return false;
  }
};

// The demo's steps ("==>" lines): 1 first server, 2 example database, 3 introspect, 4 diff, 5 plan, 6 rehearsal,
// 7 apply, 8 rollback, 9 apply all, 10 second server, 11 pair init, 12 plan/rehearse/expand on green (PgBouncer
// and the application running), 13-15 cutover/cutback/cutover, 16 zero-loss check, 17 contract; 18 is the end.
// Step 0 is "right after the start". Each run takes a step from its own range, so the runs cover every phase.
const RANGES: readonly (readonly [number, number])[] = [
  [0, 2],
  [3, 6],
  [7, 9],
  [10, 12],
  [13, 16],
];

describe('demo interrupted at random moments', () => {
  it('leaves no process, listening port or folder, prints the one line and exits 130', async () => {
    expect(existsSync(join(ROOT, 'dist/cli/main.js')), 'the CLI is not built: npm run build').toBe(true);
    const seed = Number(process.env.SWITCHYARD_INTERRUPT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const replay = `seed ${seed} (replay: SWITCHYARD_INTERRUPT_SEED=${seed})`;
    console.log(`demo interrupts: ${replay}`);
    const rnd = random(seed);
    const sigtermRun = Math.floor(rnd() * RANGES.length);
    // One run gets three signals in quick succession: the second says what is still being removed, the third
    // forces it (SIGKILL, folders removed at once), and still nothing is left behind.
    const impatientRun = (sigtermRun + 1 + Math.floor(rnd() * (RANGES.length - 1))) % RANGES.length;
    const compileCache = join(tmpdir(), 'switchyard-interrupt-test-compile-cache');
    mkdirSync(compileCache, { recursive: true });
    let seenProcesses = 0;
    let seenPorts = 0;
    for (const [run, [lo, hi]] of RANGES.entries()) {
      const step = lo + Math.floor(rnd() * (hi - lo + 1));
      const delayMs = Math.floor(rnd() * 800);
      const signal: NodeJS.Signals = run === sigtermRun ? 'SIGTERM' : 'SIGINT';
      const group = rnd() < 0.5;
      const times = run === impatientRun ? 3 : 1;
      const what = `run ${run + 1}: ${signal}${times > 1 ? ` x${times}` : ''} to the ${group ? 'process group' : 'process'} ${delayMs} ms after step ${step}; ${replay}`;
      const tmp = mkdtempSync(join(tmpdir(), 'sy-interrupt-'));
      chmodSync(tmp, 0o1777); // as /tmp: the servers run as the postgres user when the tests run as root
      try {
        const child = spawn(process.execPath, [CLI, 'demo'], {
          cwd: ROOT,
          // detached: a process group of its own, which the "terminal" signal goes to.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, TMPDIR: tmp, NODE_COMPILE_CACHE: compileCache },
        });
        let stdout = '';
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        let ended = false;
        void exited.then(() => (ended = true));
        await new Promise<void>((resolve) => {
          const check = () => {
            if ((stdout.match(/^==> /gm) ?? []).length >= step) {
              child.stdout.off('data', onData);
              resolve();
            }
          };
          const onData = (d: Buffer) => {
            stdout += d.toString();
            check();
          };
          child.stdout.on('data', onData);
          void exited.then(() => resolve());
          check();
        });
        // Right after the start, Node is still booting: the signal would kill it before any of our code runs (and
        // before it could start anything). The moment counts from the entry point's handler.
        while (!ended && !catches(child.pid!, signal)) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, delayMs));
        expect(ended, `the demo ended before the interrupt (${what}):\n${stdout}\n${stderr}`).toBe(false);
        const before = tree(child.pid!);
        const ports = portsOf(before.map((p) => p.pid));
        const folders = readdirSync(tmp);
        process.kill(group ? -child.pid! : child.pid!, signal);
        for (let i = 1; i < times && !ended; i++) {
          await new Promise((r) => setTimeout(r, 30));
          if (!ended) process.kill(child.pid!, signal);
        }
        const code = await exited;
        // The postgres processes a group signal reached exit by themselves; give init a moment to reap them.
        const left = () => [
          ...before.filter((p) => alive(p.pid)),
          ...processes().filter((p) => p.state !== 'Z' && p.cmdline.includes(tmp)),
        ];
        for (let i = 0; i < 20 && left().length; i++) await new Promise((r) => setTimeout(r, 100));
        const lines = stderr.split('\n').filter(Boolean);
        console.log(
          `${what}: ${before.length} processes, ${ports.size} listening ports, ${folders.length} temporary entries before; exit ${code}`,
        );
        expect(code, `${what}\n${stderr}`).toBe(130);
        expect(lines[0], `${what}\n${stderr}`).toBe(INTERRUPTED_LINE);
        // A second signal while servers were still stopping says so, once; nothing else is ever printed.
        expect(lines.length, `${what}\n${stderr}`).toBeLessThanOrEqual(times > 1 ? 2 : 1);
        if (lines[1] !== undefined)
          expect(lines[1], what).toMatch(/^cleaning up \(.+\): press Ctrl-C again to kill and remove them at once$/);
        expect(
          left().map((p) => `${p.pid} ${p.cmdline}`),
          what,
        ).toEqual([]);
        const listen = listening();
        expect(
          [...ports].filter(([inode]) => listen.has(inode)).map(([, port]) => port),
          what,
        ).toEqual([]);
        expect(readdirSync(tmp), what).toEqual([]);
        seenProcesses += before.length - 1;
        seenPorts += ports.size;
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    // The runs interrupted real work: servers (and their ports) were up when most signals came.
    expect(seenProcesses, replay).toBeGreaterThan(10);
    expect(seenPorts, replay).toBeGreaterThan(2);
  }, 300_000);
});
