// The runbook's smoke test, automated: an HTTP URL that must answer 2xx, or a shell command that must exit 0,
// run after each phase (and, with a pair, after cutover). Bounded by a timeout; never throws.
import { spawn } from 'node:child_process';
import { redactUrl } from '../db/redact.js';

export interface HealthCheckConfig {
  readonly url?: string | undefined;
  readonly command?: string | undefined;
  readonly timeoutMs: number;
}

export interface HealthResult {
  readonly ok: boolean;
  /** What was checked, without credentials. */
  readonly check: string;
  /** The status code, or the command's exit and last output line, or the error. */
  readonly detail: string;
  readonly ms: number;
}

export async function runHealthCheck(h: HealthCheckConfig): Promise<HealthResult> {
  const started = performance.now();
  const done = (ok: boolean, check: string, detail: string): HealthResult => ({
    ok,
    check,
    detail,
    ms: Math.round(performance.now() - started),
  });
  if (h.url !== undefined) {
    const check = `GET ${redactUrl(h.url)}`;
    try {
      const res = await fetch(h.url, { signal: AbortSignal.timeout(h.timeoutMs), redirect: 'follow' });
      await res.body?.cancel().catch(() => undefined);
      return done(res.ok, check, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    } catch (e) {
      const err = e as Error;
      return done(
        false,
        check,
        err.name === 'TimeoutError'
          ? `no answer within ${h.timeoutMs} ms`
          : `${err.message}${(err.cause as Error | undefined)?.message ? `: ${(err.cause as Error).message}` : ''}`,
      );
    }
  }
  if (h.command !== undefined) return runCommand(h.command, h.timeoutMs, done);
  return done(true, 'none', 'no health check configured');
}

function runCommand(
  command: string,
  timeoutMs: number,
  done: (ok: boolean, check: string, detail: string) => HealthResult,
): Promise<HealthResult> {
  const check = `command ${JSON.stringify(command)}`;
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (b: Buffer) => (output = (output + b.toString('utf8')).slice(-4096));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: a shell's children must not outlive the check.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const last = () => output.trim().split('\n').pop()?.slice(0, 300) ?? '';
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(done(false, check, e.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve(done(false, check, `no result within ${timeoutMs} ms (killed)`));
      const tail = last();
      resolve(done(code === 0, check, `${signal ? `killed by ${signal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`));
    });
  });
}
