// Connections behave like libpq against a real server with `ssl = on` and a self-signed certificate:
// require encrypts without verifying, verify-ca/verify-full verify with sslrootcert, prefer falls back on a
// server without TLS, and key=value strings, PGSSLMODE, PGPASSFILE and PGSERVICE work. No password leaks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { connect, type ConnectionTarget } from '../../../src/db/connect.js';
import { SwitchyardError } from '../../../src/errors.js';
import { adminUrl } from '../../support/db.js';
import { startTlsServer, type TlsServer } from '../../support/tls-server.js';

let tls: TlsServer;
let dir: string;
beforeAll(async () => {
  tls = await startTlsServer();
  dir = mkdtempSync(join(tmpdir(), 'sy-conn-'));
});
afterAll(async () => {
  await tls?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => void vi.unstubAllEnvs());

/** Whether the session is encrypted, as the server sees it. */
async function encrypted(target: ConnectionTarget): Promise<boolean> {
  const c = await connect(target);
  try {
    const { rows } = await c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return rows[0]!.ssl;
  } finally {
    await c.end();
  }
}

async function refusal(target: ConnectionTarget): Promise<SwitchyardError> {
  const e = await connect(target).then(
    (c) => c.end(),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SwitchyardError);
  return e as SwitchyardError;
}

const url = (host: string, query: string) =>
  `postgres://postgres:${encodeURIComponent(tls.password)}@${host}:${tls.port}/postgres?${query}`;

describe('sslmode against a server with a self-signed certificate', () => {
  it('require encrypts without verifying the certificate', async () => {
    expect(await encrypted({ url: url('127.0.0.1', 'sslmode=require') })).toBe(true);
  });

  it('prefer (the default) encrypts; disable does not; allow starts without TLS', async () => {
    expect(await encrypted({ url: url('127.0.0.1', '') })).toBe(true);
    expect(await encrypted({ url: url('127.0.0.1', 'sslmode=disable') })).toBe(false);
    expect(await encrypted({ url: url('127.0.0.1', 'sslmode=allow') })).toBe(false);
  });

  it('verify-ca accepts the certificate sslrootcert signed, whatever the host name', async () => {
    expect(await encrypted({ url: url('127.0.0.1', `sslmode=verify-ca&sslrootcert=${tls.cert}`) })).toBe(true);
  });

  it('verify-ca refuses a certificate the root did not sign, and refuses to run without a root', async () => {
    const wrong = await refusal({ url: url('127.0.0.1', `sslmode=verify-ca&sslrootcert=${tls.wrongCa}`) });
    expect([wrong.exitCode, wrong.message]).toEqual([
      3,
      expect.stringMatching(/^cannot connect to .*: self[- ]signed certificate/),
    ]);
    const none = await refusal({ url: url('127.0.0.1', 'sslmode=verify-ca') });
    expect([none.exitCode, none.message]).toEqual([
      2,
      expect.stringContaining('sslmode=verify-ca needs the root certificate'),
    ]);
    for (const e of [wrong, none]) expect(e.message).not.toContain(tls.password);
  });

  it('verify-full checks the host name as well', async () => {
    const mismatch = await refusal({ url: url('127.0.0.1', `sslmode=verify-full&sslrootcert=${tls.cert}`) });
    expect(mismatch.message).toMatch(/Hostname\/IP does not match certificate's altnames/);
    expect(mismatch.message).not.toContain(tls.password);
    expect(await encrypted({ url: url('localhost', `sslmode=verify-full&sslrootcert=${tls.cert}`) })).toBe(true);
  });

  it('prefer falls back to a plain connection on a server without TLS', async () => {
    expect(await encrypted({ url: adminUrl() })).toBe(false);
    const e = await refusal({ url: `${adminUrl()}?sslmode=require` });
    expect(e.message).toMatch(/does not support SSL/);
  });
});

describe('the other libpq ways to say where to connect', () => {
  it('a key=value string, with quoting, and a database override', async () => {
    const conninfo = `host=127.0.0.1 port=${tls.port} user=postgres password='${tls.password.replace(/['\\]/g, '\\$&')}' dbname='no such db' sslmode=require`;
    expect(await encrypted({ url: conninfo, database: 'postgres' })).toBe(true);
  });

  it('PGSSLMODE and PGSSLROOTCERT apply when the string does not say', async () => {
    vi.stubEnv('PGSSLMODE', 'verify-full');
    vi.stubEnv('PGSSLROOTCERT', tls.cert);
    expect((await refusal({ url: url('127.0.0.1', '') })).message).toMatch(/Hostname\/IP does not match/);
    expect(await encrypted({ url: url('127.0.0.1', 'sslmode=disable') })).toBe(false);
  });

  it('PGPASSFILE gives the password the string leaves out (a 0600 file)', async () => {
    const passfile = join(dir, 'pgpass');
    writeFileSync(passfile, `127.0.0.1:${tls.port}:*:postgres:${tls.password.replace(/[:\\]/g, '\\$&')}\n`, {
      mode: 0o600,
    });
    vi.stubEnv('PGPASSWORD', undefined);
    vi.stubEnv('PGPASSFILE', passfile);
    expect(await encrypted({ url: `postgres://postgres@127.0.0.1:${tls.port}/postgres?sslmode=require` })).toBe(true);
    vi.stubEnv('PGPASSFILE', join(dir, 'missing'));
    const e = await refusal({ url: `postgres://postgres@127.0.0.1:${tls.port}/postgres?sslmode=require` });
    expect([e.exitCode, e.message]).toEqual([3, expect.stringMatching(/password/)]);
  });

  it('PGSERVICE picks a section of PGSERVICEFILE', async () => {
    const services = join(dir, 'pg_service.conf');
    writeFileSync(
      services,
      `[tls]\nhost=127.0.0.1\nport=${tls.port}\nuser=postgres\npassword=${tls.password}\ndbname=postgres\nsslmode=verify-ca\nsslrootcert=${tls.cert}\n`,
    );
    vi.stubEnv('PGSERVICEFILE', services);
    vi.stubEnv('PGSERVICE', 'tls');
    expect(await encrypted({})).toBe(true);
    vi.stubEnv('PGSERVICE', undefined);
    expect(await encrypted({ url: 'service=tls sslmode=disable' })).toBe(false);
  });

  it('a wrong password is refused without showing the password', async () => {
    const e = await refusal({
      url: `host=127.0.0.1 port=${tls.port} user=postgres password=Hunter2-secret sslmode=require`,
    });
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('password=***');
    expect(e.message).not.toContain('Hunter2-secret');
  });
});

describe('the command line', () => {
  it('a malformed URL exits 2 with one line and the password masked', () => {
    const node = process.execPath.includes('node24') ? process.execPath : 'node';
    const r = spawnSync(
      node,
      [
        'bin/switchyard.js',
        'diff',
        '--db',
        'postgres://u:Hunter2-secret@[bad',
        '--schema',
        join(EXAMPLE_DIR, 'schema.yaml'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('postgres://u:***@[bad is not valid');
    expect(r.stderr).not.toContain('Hunter2');
  });

  it('an unknown sslmode exits 2', () => {
    const node = process.execPath.includes('node24') ? process.execPath : 'node';
    const r = spawnSync(
      node,
      [
        'bin/switchyard.js',
        'diff',
        '--db',
        'host=h password=Hunter2-secret sslmode=verify',
        '--schema',
        join(EXAMPLE_DIR, 'schema.yaml'),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect([r.status, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(r.stderr).toContain('invalid sslmode value "verify"');
    expect(r.stderr).not.toContain('Hunter2');
  });
});
