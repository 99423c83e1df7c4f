// The crash harness: walks a plan forward phase by phase (`switchyard apply`), then back (`switchyard rollback`
// of every phase in reverse), as separate processes the way a user runs them, SIGKILLs the running command at
// random points and runs the same command again until it exits 0. After every completed command the schema's
// fingerprint must be the one the rehearsal recorded for that point, the ledger (`switchyard status`) must show
// exactly the phases applied so far and no running or failed step, and after a backfill no row may still match
// a backfill's `where` (a row the walk lost).
//
// No imports from src/: the vitest test and bench/reliability.ts (under Node's type stripping) both use it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parse } from 'yaml';

export type Verb = 'apply' | 'rollback';
export type Category = 'expand' | 'backfill' | 'contract' | 'rollback';
export const CATEGORIES: readonly Category[] = ['expand', 'backfill', 'contract', 'rollback'];

interface PlanStep {
  readonly id: string;
  readonly backfill?: { readonly schema: string; readonly table: string; readonly where: string };
}
interface PlanFile {
  readonly name: string;
  readonly source: { readonly fingerprint: string };
  readonly target: { readonly fingerprint: string };
  readonly releases: readonly ({ readonly number: number } & Record<
    'expand' | 'backfill' | 'contract',
    readonly PlanStep[]
  >)[];
}
interface ReportPhase {
  readonly release: number;
  readonly phase: string;
  readonly before: string;
  readonly after: string;
}

/** One command of the walk and what must hold once it has exited 0. */
export interface WalkCommand {
  readonly verb: Verb;
  readonly release: number;
  readonly phase: 'expand' | 'backfill' | 'contract';
  readonly label: string;
  readonly category: Category;
  readonly fingerprint: string;
  /** Labels (`r1 expand`) of the phases applied once the command has finished. */
  readonly applied: readonly string[];
  readonly steps: readonly PlanStep[];
}

export interface Project {
  /** bin/switchyard.js */
  readonly cli: string;
  readonly config: string;
  readonly planFile: string;
  /** The schemas to fingerprint (the plan's). */
  readonly schemas: readonly string[];
}

/** A command that kept failing (the same failure is recorded once, however many reruns hit it). */
export interface Failure {
  readonly command: string;
  /** The SIGKILL delay of the attempt before it (ms), when it followed a kill. */
  readonly afterKillAtMs?: number;
  readonly what: string;
}

/** A SIGKILL: when, from the process start, and whether before the phase began (start-up checks) or in it. */
export interface Kill {
  readonly atMs: number;
  readonly during: 'checks' | 'work';
}

export interface CommandRecord {
  readonly command: string;
  readonly attempts: number;
  readonly kills: readonly Kill[];
  /** From the first attempt's start to the last one's exit. */
  readonly ms: number;
  /** The last attempt: its whole run, and the part after the phase began (after the start-up checks). */
  readonly lastMs: number;
  readonly lastWorkMs: number;
}

/** How long a command takes unkilled, and how much of it is the phase itself. */
export interface CommandTiming {
  readonly ms: number;
  readonly workMs: number;
}

export interface WalkResult {
  readonly seed: number;
  readonly killPoints: number;
  readonly kills: number;
  /** Kills by category. */
  readonly killsBy: Readonly<Record<Category, number>>;
  /** Kill points never spent: the last command finished before their timer (earlier ones move to a later command). */
  readonly missed: number;
  /** Kills after which the command was run again and finished, with every check passing. */
  readonly recoveries: number;
  /** Reruns refused because the killed executor's session still held the executor lock (then retried). */
  readonly lockWaits: number;
  readonly failures: readonly Failure[];
  readonly commands: readonly CommandRecord[];
  readonly ms: number;
}

const phaseLabel = (release: number, phase: string) => `r${release} ${phase}`;

/** The walk: every non-empty phase applied in order, then each rolled back in reverse, with expectations. */
export function walkCommands(planFile: string): WalkCommand[] {
  const plan = parse(readFileSync(planFile, 'utf8')) as PlanFile;
  const report = JSON.parse(readFileSync(`${planFile.replace(/\.plan\.ya?ml$/, '')}.rehearsal.json`, 'utf8')) as {
    passed: boolean;
    checksum: string;
    phases: ReportPhase[];
  };
  if (!report.passed) throw new Error(`the rehearsal of ${planFile} did not pass`);
  const phases = plan.releases.flatMap((r) =>
    (['expand', 'backfill', 'contract'] as const)
      .filter((p) => r[p].length > 0)
      .map((phase) => ({ release: r.number, phase, steps: r[phase] })),
  );
  const rehearsed = (release: number, phase: string) => {
    const p = report.phases.find((x) => x.release === release && x.phase === phase);
    if (!p) throw new Error(`the rehearsal report has no ${phaseLabel(release, phase)}`);
    return p;
  };
  const labels = phases.map((p) => phaseLabel(p.release, p.phase));
  const forward = phases.map(
    (p, i): WalkCommand => ({
      verb: 'apply',
      ...p,
      label: `apply ${labels[i]}`,
      category: p.phase,
      fingerprint: i === phases.length - 1 ? plan.target.fingerprint : rehearsed(p.release, p.phase).after,
      applied: labels.slice(0, i + 1),
    }),
  );
  const back = phases
    .map(
      (p, i): WalkCommand => ({
        verb: 'rollback',
        ...p,
        label: `rollback ${labels[i]}`,
        category: 'rollback',
        fingerprint: i === 0 ? plan.source.fingerprint : rehearsed(p.release, p.phase).before,
        applied: labels.slice(0, i),
      }),
    )
    .reverse();
  // The rehearsal and the plan must agree where both say something: otherwise the expectations are wrong.
  if (phases.length && rehearsed(phases.at(-1)!.release, phases.at(-1)!.phase).after !== plan.target.fingerprint)
    throw new Error('the rehearsal ends elsewhere than the plan target');
  if (phases.length && rehearsed(phases[0]!.release, phases[0]!.phase).before !== plan.source.fingerprint)
    throw new Error('the rehearsal starts elsewhere than the plan source');
  return [...forward, ...back];
}

/** A small deterministic PRNG (mulberry32), so that a seed reproduces a run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Exit {
  /** When the phase began (its `phase start` progress line), from the process start. */
  readonly phaseStartMs: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly killed: boolean;
}

/** When to SIGKILL: `ms` after the process starts, or `ms` after the phase begins (its progress line). */
export interface KillAt {
  readonly from: 'start' | 'phase';
  readonly ms: number;
}

/** Runs the CLI as a child process, SIGKILLing it at `kill` if it is still running. */
export function runCli(project: Project, args: readonly string[], kill?: KillAt): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [project.cli, '--config', project.config, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let phaseStartMs: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number) => {
      timer = setTimeout(() => void (killed = child.kill('SIGKILL')), ms);
    };
    child.stdout.setEncoding('utf8').on('data', (t: string) => void (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
      if (phaseStartMs === undefined && /"event":"phase"[^\n]*"state":"start"/.test(stderr)) {
        phaseStartMs = performance.now() - started;
        if (kill?.from === 'phase') arm(kill.ms);
      }
    });
    if (kill?.from === 'start') arm(kill.ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        phaseStartMs,
        code,
        signal,
        ms: performance.now() - started,
        stdout,
        stderr,
        killed: killed && signal === 'SIGKILL',
      });
    });
  });
}

const LOCK_HELD = 'another switchyard executor holds the lock';

export interface WalkOptions {
  readonly db: string;
  readonly killPoints: number;
  readonly seed: number;
  /** Unkilled timing of each command (by label), from a dry pass; without it nothing is killed. */
  readonly timings?: ReadonlyMap<string, CommandTiming>;
  /** Share of kills aimed at the start-up checks (ledger, lock, drift) rather than the phase (default 0.1). */
  readonly checksShare?: number;
  /** Attempts of one command that fail other than by a kill or the lock before the walk gives up. */
  readonly maxFailures?: number;
  readonly log?: (line: string) => void;
}

/** Which command each kill point falls in: spread evenly over the categories, by duration within one. */
function assignKills(commands: readonly WalkCommand[], o: WalkOptions, rand: () => number): number[] {
  const counts = commands.map(() => 0);
  if (!o.timings || o.killPoints === 0) return counts;
  const present = CATEGORIES.filter((c) => commands.some((x) => x.category === c));
  for (let i = 0; i < o.killPoints; i++) {
    const category = present[i % present.length]!;
    const pool = commands.map((c, j) => ({
      j,
      w: c.category === category ? Math.max(1, o.timings!.get(c.label)?.workMs ?? 1) : 0,
    }));
    let x = rand() * pool.reduce((n, p) => n + p.w, 0);
    const pick = pool.find((p) => p.w > 0 && (x -= p.w) <= 0) ?? pool.findLast((p) => p.w > 0)!;
    counts[pick.j]!++;
  }
  return counts;
}

/** Checks what must hold after `c` has finished; returns what is wrong, if anything. */
export async function verify(project: Project, c: WalkCommand, db: string): Promise<string[]> {
  const problems: string[] = [];
  const intro = await runCli(project, ['--json', 'introspect', '--db', db, '--include', project.schemas.join(',')]);
  if (intro.code !== 0) return [`introspect failed: ${intro.stderr}`];
  const fp = (JSON.parse(intro.stdout) as { fingerprint: string }).fingerprint;
  if (fp !== c.fingerprint) problems.push(`schema fingerprint ${fp} is not the expected ${c.fingerprint}`);
  const st = await runCli(project, ['--json', 'status', project.planFile, '--db', db]);
  if (st.code !== 0) return [...problems, `status failed (${st.code}): ${st.stderr}`];
  const status = JSON.parse(st.stdout) as {
    executor?: unknown;
    plan: { phases: { release: number; phase: string; state: string; unfinished: { id: string; status: string }[] }[] };
  };
  if (status.executor) problems.push(`status shows an executor still running: ${JSON.stringify(status.executor)}`);
  for (const p of status.plan.phases) {
    if (p.state === 'empty') continue;
    const want = c.applied.includes(phaseLabel(p.release, p.phase)) ? 'applied' : 'pending';
    if (p.state !== want) problems.push(`ledger: ${phaseLabel(p.release, p.phase)} is ${p.state}, expected ${want}`);
    for (const u of p.unfinished) problems.push(`ledger: step ${u.id} is ${u.status}`);
  }
  if (c.verb === 'apply' && c.phase === 'backfill') problems.push(...(await unbackfilled(c, db)));
  return problems;
}

/** Rows a finished backfill left behind: its `where` says which rows still need the update. */
async function unbackfilled(c: WalkCommand, db: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const out: string[] = [];
    for (const s of c.steps) {
      if (!s.backfill) continue;
      const table = `"${s.backfill.schema}"."${s.backfill.table}"`;
      const where = s.backfill.where.trim() || 'false';
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
      if (rows[0]!.n > 0)
        out.push(`backfill ${s.id}: ${rows[0]!.n} row(s) of ${table} still match its where (${where})`);
    }
    return out;
  } finally {
    await client.end();
  }
}

/**
 * Walks the plan on `o.db`, killing and rerunning commands. Never throws for what goes wrong in the walk: it
 * stops at the first command that cannot be completed or checked, and reports it in `failures`.
 */
export async function crashWalk(project: Project, o: WalkOptions): Promise<WalkResult> {
  const started = performance.now();
  const rand = random(o.seed);
  const log = o.log ?? (() => undefined);
  const commands = walkCommands(project.planFile);
  const kills = assignKills(commands, o, rand);
  const killsBy = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const failures: Failure[] = [];
  const records: CommandRecord[] = [];
  let missed = 0;
  let recoveries = 0;
  let lockWaits = 0;
  const result = (): WalkResult => ({
    seed: o.seed,
    killPoints: o.killPoints,
    kills: Object.values(killsBy).reduce((a, b) => a + b, 0),
    killsBy,
    missed,
    recoveries,
    lockWaits,
    failures,
    commands: records,
    ms: Math.round(performance.now() - started),
  });

  for (const [i, c] of commands.entries()) {
    const args = [c.verb, project.planFile, '--release', String(c.release), '--phase', c.phase, '--db', o.db];
    let left = kills[i]!;
    const timing = o.timings?.get(c.label) ?? { ms: 0, workMs: 0 };
    // The phase's work left: a killed run keeps what it committed (steps, backfill batches), so the next
    // run's phase is shorter by about the time the killed one spent in it.
    let work = timing.workMs;
    const killedAt: Kill[] = [];
    let attempts = 0;
    let failed = 0;
    let last: Exit | undefined;
    const t0 = performance.now();
    for (;;) {
      attempts++;
      // Most kills land in the phase, at a uniform point of the first 60% of the work left (a run can be much
      // quicker than the dry pass's on a busy machine, and a kill after the end is no kill); some in the
      // start-up checks.
      const inChecks = rand() < (o.checksShare ?? 0.1);
      const kill: KillAt | undefined =
        left === 0
          ? undefined
          : inChecks
            ? { from: 'start', ms: Math.round(rand() * (timing.ms - timing.workMs)) }
            : { from: 'phase', ms: Math.round(rand() * 0.6 * Math.max(work, 20)) };
      const exit = await runCli(project, args, kill);
      const afterKill = killedAt.length ? { afterKillAtMs: killedAt.at(-1)!.atMs } : {};
      if (exit.killed) {
        const atMs = Math.round(exit.ms);
        const during = exit.phaseStartMs === undefined ? 'checks' : 'work';
        killedAt.push({ atMs, during });
        killsBy[c.category]++;
        left--;
        if (kill!.from === 'phase') work = Math.max(0, work - kill!.ms);
        log(
          `${c.label}: killed ${atMs} ms after start, during the ${during === 'checks' ? 'start-up checks' : `phase (${kill!.ms} ms in)`}; ${left} more planned`,
        );
        continue;
      }
      if (exit.code === 0) {
        last = exit;
        if (left > 0) {
          // The command finished before the timer: its points move to the next command of the same kind.
          const next = commands.findIndex((x, j) => j > i && x.category === c.category);
          const to = next >= 0 ? next : i + 1 < commands.length ? i + 1 : -1;
          if (to >= 0) kills[to]! += left;
          else missed += left;
          log(
            `${c.label}: finished in ${Math.round(exit.ms)} ms, before its kill (${kill!.ms} ms after ${kill!.from}); ${left} point(s) ${to >= 0 ? `moved to ${commands[to]!.label}` : 'missed'}`,
          );
        }
        break;
      }
      if (exit.code !== 0 && exit.stderr.includes(LOCK_HELD)) {
        // The killed executor's backend holds the session lock until PostgreSQL notices the client is gone.
        lockWaits++;
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      const what = `exit ${exit.code}${exit.signal ? ` (${exit.signal})` : ''}: ${exit.stderr.trim().split('\n').slice(-5).join(' | ')}`;
      if (failures.at(-1)?.command !== c.label || failures.at(-1)?.what !== what)
        failures.push({ command: c.label, ...afterKill, what });
      log(`${c.label}: FAILED ${what}`);
      if (++failed >= (o.maxFailures ?? 3)) {
        records.push({
          command: c.label,
          attempts,
          kills: killedAt,
          ms: Math.round(performance.now() - t0),
          lastMs: Math.round(exit.ms),
          lastWorkMs: 0,
        });
        return result();
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    records.push({
      command: c.label,
      attempts,
      kills: killedAt,
      ms: Math.round(performance.now() - t0),
      lastMs: Math.round(last.ms),
      lastWorkMs: Math.round(last.ms - (last.phaseStartMs ?? last.ms)),
    });
    const problems = await verify(project, c, o.db);
    if (problems.length) {
      failures.push({
        command: c.label,
        ...(killedAt.length ? { afterKillAtMs: killedAt.at(-1)!.atMs } : {}),
        what: problems.join('; '),
      });
      log(`${c.label}: CHECK FAILED ${problems.join('; ')}`);
      return result();
    }
    recoveries += killedAt.length;
    log(`${c.label}: ok in ${Math.round(performance.now() - t0)} ms, ${killedAt.length} kill(s)`);
  }
  return result();
}

/** An unkilled walk: checks everything and measures each command, for the kill walk to aim within. */
export async function dryWalk(
  project: Project,
  db: string,
  log?: (line: string) => void,
): Promise<{ result: WalkResult; timings: Map<string, CommandTiming> }> {
  // Warm-up: a fresh database's first introspection (and a cold compile cache) would make the first command
  // look slower than it is, and kills aimed at its end would miss.
  await runCli(project, ['--json', 'introspect', '--db', db, '--include', project.schemas.join(',')]);
  const result = await crashWalk(project, { db, killPoints: 0, seed: 0, ...(log ? { log } : {}) });
  return { result, timings: new Map(result.commands.map((c) => [c.command, { ms: c.lastMs, workMs: c.lastWorkMs }])) };
}
