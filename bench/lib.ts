// Shared helpers for benchmarks: whole-process timing and result files with the machine and date.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, hostname } from 'node:os';
import { join } from 'node:path';

export interface Timing {
  readonly best: number;
  readonly median: number;
  readonly runs: readonly number[];
}

/** Runs a command `runs` times after one warm-up and returns wall-clock milliseconds. */
export function timeCommand(cmd: string, args: readonly string[], runs = 5, env: NodeJS.ProcessEnv = process.env): Timing {
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
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ machine: machine(), ...data }, null, 2) + '\n');
  const m = machine();
  writeFileSync(join(dir, `${name}.md`), `# ${name}\n\n${m.date} · ${m.cpu} · ${m.cores} cores · ${m.memoryGiB} GiB · node ${m.node}\n\n${markdown}\n`);
}
