// A recent backup: a file whose modification time is checked, or a command printing the time of the last
// backup (ISO 8601). The runbook's first line: "Backup completo realizado".
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fail, pass, warn, type Check, type CheckContext } from './types.js';

const id = 'backup',
  title = 'a recent backup exists';
const COMMAND_TIMEOUT_MS = 60_000;

function age(at: Date, now: Date): string {
  const h = (now.getTime() - at.getTime()) / 3_600_000;
  return h < 1 ? `${Math.round(h * 60)} minutes` : `${h.toFixed(1)} hours`;
}

function judge(at: Date, what: string, maxAgeHours: number, now: Date): Check {
  const hours = (now.getTime() - at.getTime()) / 3_600_000;
  const detail = `${what} is from ${at.toISOString()} (${age(at, now)} ago; at most ${maxAgeHours} h allowed)`;
  if (hours > maxAgeHours)
    return fail(
      id,
      title,
      detail,
      'take a backup now (e.g. pg_dump -Fc, or your platform snapshot) and check it restores',
    );
  if (hours < -0.1)
    return warn(
      id,
      title,
      `${what} is dated in the future (${at.toISOString()})`,
      'check the clock of the backup host and of this machine',
    );
  return pass(id, title, detail);
}

function run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function backupCheck(ctx: CheckContext): Promise<Check> {
  const b = ctx.config.backup;
  if (!b || (b.file === undefined && b.command === undefined)) {
    return warn(
      id,
      title,
      'no backup is configured, so none is checked',
      'set backup.file (a file whose age is checked) or backup.command (printing the last backup time) in switchyard.yaml',
    );
  }
  if (b.file !== undefined) {
    const path = resolve(ctx.config.root, b.file);
    try {
      const s = await stat(path);
      return judge(s.mtime, `backup file ${path}`, b.maxAgeHours, ctx.now);
    } catch (e) {
      return fail(
        id,
        title,
        `backup file ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        'take a backup to that path, or fix backup.file in switchyard.yaml',
      );
    }
  }
  const r = await run(b.command!);
  const out = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (r.code !== 0)
    return fail(
      id,
      title,
      `backup command exited with ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`,
      'take a backup, or fix backup.command so it prints the time of the last one',
    );
  const at = new Date(out);
  if (!out || Number.isNaN(at.getTime()))
    return fail(
      id,
      title,
      `backup command printed ${JSON.stringify(out.slice(0, 80))}, not an ISO 8601 time`,
      'make backup.command print the time of the last backup, e.g. 2026-05-01T03:00:00Z',
    );
  return judge(at, 'the last backup', b.maxAgeHours, ctx.now);
}
