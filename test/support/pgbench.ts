// pgbench as the application while a test does its work: back-to-back runs of a few seconds each, for as long
// as the work lasts, each judged by its own summary. pgbench 15 aborts a client on its first error (no retries
// without --max-tries), so a failed transaction shows as an aborted client, a non-zero exit and a failure count.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PgbenchLoad {
  /** Transactions committed over all runs. */
  readonly transactions: number;
  /** Transactions that failed, and clients pgbench aborted, over all runs. */
  readonly failed: number;
  /** The output of the runs that failed, for the assertion message. */
  readonly errors: string;
  readonly runs: number;
}

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function runOnce(url: URL, script: string, seconds: number, clients: number): Promise<Run> {
  const args = ['-n', '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username)];
  args.push('-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', script);
  args.push(decodeURIComponent(url.pathname.slice(1)));
  const child = spawn('pgbench', args, {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password), PGAPPNAME: 'test_pgbench' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const count = (out: string, re: RegExp): number => Number(re.exec(out)?.[1] ?? 0);

/**
 * Runs `script` (pgbench syntax) with `clients` clients in runs of `seconds` seconds while `work` runs, and at
 * least once; returns the work's result and the load's totals.
 */
export async function underPgbench<T>(
  o: { url: string; dir: string; name: string; script: string; clients?: number; seconds?: number },
  work: () => Promise<T>,
): Promise<{ result: T; load: PgbenchLoad }> {
  const file = join(o.dir, `${o.name}.pgbench.sql`);
  writeFileSync(file, o.script);
  const url = new URL(o.url);
  let done = false;
  const pending = work().finally(() => {
    done = true;
  });
  pending.catch(() => {}); // awaited at the end; not an unhandled rejection while the load runs
  let transactions = 0;
  let failed = 0;
  let runs = 0;
  let errors = '';
  do {
    const r = await runOnce(url, file, o.seconds ?? 2, o.clients ?? 4);
    runs++;
    transactions += count(r.out, /number of transactions actually processed: (\d+)/);
    const lost =
      count(r.out, /number of failed transactions: (\d+)/) + (r.out.match(/client \d+ aborted/g)?.length ?? 0);
    if (r.code !== 0 || lost > 0) {
      failed += Math.max(lost, 1);
      errors += `${r.out}\n`;
    }
  } while (!done);
  return { result: await pending, load: { transactions, failed, errors, runs } };
}
