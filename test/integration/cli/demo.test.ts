import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('demo', () => {
  it('tells the story from diff to plan, rehearsal, apply and rollback, ends at the target, then switches a pair losing nothing', async () => {
    const r = await cli('demo');
    expect(r.code, r.stderr).toBe(0);
    for (const part of [
      'creating the example application database',
      'introspecting',
      'add table public.subscription_tiers',
      'rename column public.users.name to full_name',
      '27 steps in 3 release(s)',
      'rehearsing',
      'every rollback restored the schema exactly',
      // The watched expand: a lock held by a second session fires lock_wait naming it, then recovers.
      'lock wait on postgres://postgres:***@',
      'blocked by pid',
      'SELECT count(*) FROM public.users /* nightly report */; waiting query: ALTER TABLE public.users',
      '[switchyard resolved] lock_wait',
      'expand (release 1): 15 steps',
      '; no drift (checked first)',
      'rolling back backfill and expand',
      'the schema is exactly what it was before the plan',
      'contract (release 3): 1 steps',
      'the live schema now equals the declared target',
      // The blue/green half: the pair, the phases on the standby, three switches and the zero-loss check.
      'pair init: live schema copied to green',
      'expand on green (standby)',
      'cutover: green becomes live',
      'cutback: blue becomes live',
      '0 missing on the live side',
      'the reverse stream carried every write back',
      'pair resync: blue rebuilt from green',
      'demo finished',
      '0 lost',
      'both sides equal',
    ]) {
      expect(r.stdout).toContain(part);
    }
    expect(r.stdout).not.toContain('comment on schema public');
  });

  it('on Ctrl-C stops its PostgreSQL and exits 130', async () => {
    const child = spawn(process.execPath, ['bin/switchyard.js', 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m && out.includes('creating the example')) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`demo ended before it could be interrupted:\n${out}`)));
    });
    expect(await portOpen(port)).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(await portOpen(port)).toBe(false);
  });
});
