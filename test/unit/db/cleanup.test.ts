// db/cleanup.ts: what a process owns is stopped and removed on interrupt, and nothing can start after that: a
// folder owned or a process adopted once the clean-up has begun is removed or killed at once (a server start in
// flight cannot leave anything behind). The clean-up is one-way for the process: this file runs it last.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cleanUpEverything,
  forceCleanUp,
  InterruptedError,
  interrupted,
  own,
  ownedSummary,
  sweepOwnedFolders,
} from '../../../src/db/cleanup.js';

const folder = () => mkdtempSync(join(tmpdir(), 'sy-cleanup-test-'));
const sleeper = () => spawn('sleep', ['60'], { stdio: 'ignore' });
const exited = (c: ReturnType<typeof sleeper>) =>
  new Promise<NodeJS.Signals | null>((r) =>
    c.exitCode !== null || c.signalCode !== null ? r(c.signalCode) : c.once('exit', (_code, s) => r(s)),
  );

describe('clean-up of what this process started', () => {
  it('release() stops the adopted process and removes the folder; concurrent callers share it', async () => {
    const dir = folder();
    const o = own('a sleeper', dir);
    const child = sleeper();
    o.adopt(child, { signal: 'SIGTERM' });
    expect(ownedSummary()).toContain('a sleeper');
    await Promise.all([o.release(), o.release()]);
    expect(child.signalCode).toBe('SIGTERM');
    expect(existsSync(dir)).toBe(false);
    expect(ownedSummary()).not.toContain('a sleeper');
    // Work cut short wrote into it again after its removal (mkdir -p of a plan folder): the last sweep removes it.
    mkdirSync(join(dir, 'plans'), { recursive: true });
    sweepOwnedFolders();
    expect(existsSync(dir)).toBe(false);
  });

  it('a process that ignores the polite signal is killed after its grace', async () => {
    const dir = folder();
    const o = own('a stubborn one', dir);
    const child = spawn('sh', ['-c', 'trap "" INT; echo ready; sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => child.stdout.once('data', r)); // the trap is set
    o.adopt(child, { signal: 'SIGINT', graceMs: 200 });
    await o.release();
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
  });

  it('forceCleanUp() kills a process with its children and removes the folder at once', async () => {
    const dir = folder();
    const o = own('a parent', dir);
    // A shell whose child keeps running: killing the parent alone would leave the sleep behind.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const grandchild = await new Promise<number>((r) => parent.stdout.once('data', (d: Buffer) => r(Number(d))));
    o.adopt(parent, { signal: 'SIGTERM' });
    const starting = own('a server still starting', folder());
    forceCleanUp();
    // Its process spawned after the clean-up: killed as it is adopted, and its starter told so.
    const late = sleeper();
    expect(() => starting.adopt(late, { signal: 'SIGTERM' })).toThrow(InterruptedError);
    expect(await exited(late)).toBe('SIGKILL');
    expect(await exited(parent)).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
    // SIGKILL was sent to it too (before its parent died): it ends, or stays a zombie nobody reaped.
    const alive = () => {
      try {
        return !/^\d+ \(sleep\) Z/.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
    expect(interrupted()).toBe(true);
  });

  it('after the clean-up began, nothing new survives: own() removes the folder, adopt() kills the process', async () => {
    await cleanUpEverything();
    const dir = folder();
    expect(() => own('too late', dir)).toThrow(InterruptedError);
    expect(existsSync(dir)).toBe(false);
    expect(ownedSummary()).toEqual([]);
  });
});
