// Secret files: mode 0600 from creation, never an existing path, and gone after every way a process ends:
// remove(), a normal end, process.exit(), Ctrl-C with nobody else handling it (the process still dies of it), and
// Ctrl-C while a handler shuts down gracefully (the demo's way: the file goes at once, not when the shutdown ends).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSecretFile } from '../../../src/db/secret-file.js';

const MODULE = new URL('../../../src/db/secret-file.ts', import.meta.url).href;

type Ending = 'remove' | 'return' | 'exit' | 'wait' | 'handled';

/** A child process that writes a secret file at `path`, says `ready`, then ends as `ending` says. */
function child(path: string, ending: Ending) {
  const script = `
    const { writeSecretFile } = await import(${JSON.stringify(MODULE)});
    if (${JSON.stringify(ending)} === 'handled') process.once('SIGINT', () => { console.log('shutting down'); setTimeout(() => process.exit(130), 300); });
    const f = await writeSecretFile(${JSON.stringify(path)}, 'user "password"\\n');
    console.log('ready');
    const ending = ${JSON.stringify(ending)};
    if (ending === 'remove') await f.remove();
    if (ending === 'exit') process.exit(3);
    if (ending === 'wait' || ending === 'handled') setInterval(() => undefined, 1000);
  `;
  const p = spawn(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    p.once('exit', (code, signal) => resolve({ code, signal, out })),
  );
  const said = (what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => out.includes(what) && resolve();
      p.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
      void ended.then(() => (check(), reject(new Error(`the child ended before saying ${what}: ${out}${err}`))));
    });
  return { p, ended, ready: said('ready'), said };
}

const fresh = () => join(mkdtempSync(join(tmpdir(), 'sy-secret-')), 'userlist.txt');
const mode = (path: string) => statSync(path).mode & 0o777;

describe('writeSecretFile', () => {
  it('creates the file with mode 0600 and refuses a path that exists', async () => {
    const path = fresh();
    const f = await writeSecretFile(path, 'x');
    expect(mode(path)).toBe(0o600);
    await f.remove();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, 'planted');
    await expect(writeSecretFile(path, 'x')).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it.each(['remove', 'return', 'exit'] as const)('is gone after the process ends by %s', async (ending) => {
    const path = fresh();
    const c = child(path, ending);
    await c.ready;
    const r = await c.ended;
    expect(r.code).toBe(ending === 'exit' ? 3 : 0);
    expect(existsSync(path)).toBe(false);
  });

  it('on Ctrl-C with no handler: 0600 while it exists, removed, and the process dies of SIGINT', async () => {
    const path = fresh();
    const c = child(path, 'wait');
    await c.ready;
    expect(mode(path)).toBe(0o600);
    c.p.kill('SIGINT');
    const r = await c.ended;
    expect(r.signal).toBe('SIGINT');
    expect(existsSync(path)).toBe(false);
  });

  it('on Ctrl-C while a handler shuts down gracefully (the demo): removed at once, and the handler still runs', async () => {
    const path = fresh();
    const c = child(path, 'handled');
    await c.ready;
    c.p.kill('SIGINT');
    await c.said('shutting down');
    expect(existsSync(path)).toBe(false);
    expect((await c.ended).code).toBe(130);
  });
});
