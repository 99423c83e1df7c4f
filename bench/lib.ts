// Shared helpers for benchmarks: whole-process timing and result files with the machine and date.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Timing {
  readonly best: number;
  readonly median: number;
  readonly runs: readonly number[];
}

/** Runs a command `runs` times after one warm-up and returns wall-clock milliseconds. */
export function timeCommand(
  cmd: string,
  args: readonly string[],
  runs = 5,
  env: NodeJS.ProcessEnv = process.env,
): Timing {
  const once = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  once();
  const all = Array.from({ length: runs }, once);
  const sorted = [...all].sort((a, b) => a - b);
  return { best: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, runs: all.map((n) => Math.round(n)) };
}

export function machine(): Record<string, string | number> {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    host: hostname(),
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Writes bench/results/NAME.json and NAME.md. */
export function writeResults(name: string, data: Record<string, unknown>, markdown: string): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ machine: machine(), ...data }, null, 2)}\n`);
  const m = machine();
  writeFileSync(
    join(dir, `${name}.md`),
    `# ${name}\n\n${m.date} · ${m.cpu} · ${m.cores} cores · ${m.memoryGiB} GiB · node ${m.node}\n\n${markdown}\n`,
  );
}

// ---- pgbench as the application: started in the background, stopped by ending its sessions, and judged from
// its per-transaction logs (--log) rather than its averages.
/** One transaction from a pgbench log: when it ended (ms since the epoch) and its latency, or failed. */
export interface BenchTransaction {
  readonly client: number;
  readonly script: number;
  readonly endMs: number;
  /** Undefined when pgbench logged the transaction as failed. */
  readonly latencyMs: number | undefined;
}

export interface ClientAbort {
  readonly atMs: number;
  readonly message: string;
}

export interface PgbenchRun {
  readonly transactions: readonly BenchTransaction[];
  /** Clients that pgbench aborted on an error before the run was stopped: each is a failed transaction. */
  readonly aborts: readonly ClientAbort[];
  readonly stderr: string;
}

export interface PgbenchHandle {
  /** Ends the run: terminates its sessions (pgbench then flushes its logs and exits) and reads the logs. */
  stop(): Promise<PgbenchRun>;
}

export interface PgbenchOptions {
  readonly url: string;
  /** Script files with weights, as `-f file@weight`. */
  readonly scripts: readonly string[];
  readonly clients: number;
  readonly threads: number;
  /** Directory for the per-transaction logs; `label` names the run (and its application_name). */
  readonly dir: string;
  readonly label: string;
  /** Fixed duration in seconds; without it the run lasts until stop(). */
  readonly seconds?: number;
  /** Fixed rate in transactions per second over all clients (`-R`); latency then counts from the scheduled start. */
  readonly rate?: number;
  readonly defines?: Readonly<Record<string, string | number>>;
}

export function startPgbench(o: PgbenchOptions): PgbenchHandle {
  const u = new URL(o.url);
  const app = `bench_${o.label}`;
  const args = [
    '-n',
    '-h',
    u.hostname,
    '-p',
    u.port,
    '-U',
    decodeURIComponent(u.username),
    '-d',
    decodeURIComponent(u.pathname.slice(1)),
    '-c',
    String(o.clients),
    '-j',
    String(o.threads),
    '-T',
    String(o.seconds ?? 86_400),
    '--log',
    `--log-prefix=${join(o.dir, o.label)}`,
    ...(o.rate ? ['-R', String(o.rate)] : []),
    ...Object.entries(o.defines ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    ...o.scripts.flatMap((s) => ['-f', s]),
  ];
  const child = spawn('pgbench', args, {
    cwd: o.dir,
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGAPPNAME: app },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const aborts: ClientAbort[] = [];
  let stderr = '';
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines)
      if (/client \d+ .*aborted/.test(line)) aborts.push({ atMs: Date.now(), message: line.trim() });
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    async stop() {
      const stopAt = Date.now();
      if (o.seconds === undefined) {
        const c = new pg.Client({ connectionString: o.url });
        await c.connect();
        try {
          await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
        } finally {
          await c.end();
        }
      }
      await exited;
      const transactions = readdirSync(o.dir)
        .filter((f) => f.startsWith(`${o.label}.`))
        .flatMap((f) => parseLog(readFileSync(join(o.dir, f), 'utf8')));
      // Sessions ended by stop() abort their clients too; only earlier aborts are failures.
      return { transactions, aborts: aborts.filter((a) => a.atMs < stopAt), stderr };
    },
  };
}

/** `client_id transaction_no time script_no time_epoch time_us`; time is µs, or `failed` / `skipped`. */
function parseLog(text: string): BenchTransaction[] {
  const out: BenchTransaction[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) continue;
    const endMs = Number(f[4]) * 1000 + Number(f[5]) / 1000;
    out.push({
      client: Number(f[0]),
      script: Number(f[3]),
      endMs,
      latencyMs: /^\d+$/.test(f[2]!) ? Number(f[2]) / 1000 : undefined,
    });
  }
  return out;
}

export interface LatencySummary {
  readonly transactions: number;
  readonly failed: number;
  readonly tps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Transactions that overlap [fromMs, toMs] (started before its end, ended after its start). */
export function summarize(
  txs: readonly BenchTransaction[],
  fromMs: number,
  toMs: number,
  aborts: readonly ClientAbort[] = [],
): LatencySummary {
  const inside = txs.filter((t) => t.endMs >= fromMs && t.endMs - (t.latencyMs ?? 0) <= toMs);
  const lat = inside.flatMap((t) => (t.latencyMs === undefined ? [] : [t.latencyMs])).sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]! : 0);
  const failed = inside.length - lat.length + aborts.filter((a) => a.atMs >= fromMs && a.atMs <= toMs + 1000).length;
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    transactions: inside.length,
    failed,
    tps: Math.round(lat.length / Math.max(0.001, (toMs - fromMs) / 1000)),
    p50Ms: r(q(0.5)),
    p99Ms: r(q(0.99)),
    maxMs: r(lat.at(-1) ?? 0),
  };
}

/** The 1-minute load average and the number of cores, to say whether the machine was busy. */
export function load(): { load1: number; cores: number } {
  return { load1: Math.round(loadavg()[0]! * 100) / 100, cores: cpus().length };
}
