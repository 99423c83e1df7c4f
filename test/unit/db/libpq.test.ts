// What a connection resolves to, libpq's way: string over service over PG* variables; sslmode to the TLS
// attempts node-postgres makes; service files; the refusals (exit 2, password masked).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientConfigs, resolveKeywords } from '../../../src/db/libpq.js';
import { serviceSection } from '../../../src/db/service.js';
import { thrown } from '../../support/thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'sy-libpq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

const services = file(
  'services.conf',
  [
    '# comment',
    '[prod]',
    'host = prod.db',
    'port=6543',
    'dbname=app',
    'sslmode=verify-full',
    '',
    '[other]',
    'host=elsewhere',
  ].join('\n'),
);
const noHome = { HOME: join(dir, 'nohome') };

describe('resolveKeywords', () => {
  it('takes the string over the service over the environment', () => {
    const env = {
      ...noHome,
      PGSERVICEFILE: services,
      PGHOST: 'envhost',
      PGUSER: 'envuser',
      PGPORT: '1',
      PGSSLMODE: 'disable',
      PGAPPNAME: 'app',
    };
    expect(resolveKeywords('service=prod port=7000', undefined, env)).toEqual({
      host: 'prod.db',
      port: '7000',
      user: 'envuser',
      dbname: 'app',
      service: 'prod',
      sslmode: 'verify-full',
      application_name: 'app',
    });
  });

  it('reads PGSERVICE, the database override and every PG* variable when there is no string', () => {
    const env = {
      ...noHome,
      PGSERVICE: 'other',
      PGSERVICEFILE: services,
      PGDATABASE: 'envdb',
      PGPASSWORD: 'pw',
      PGSSLROOTCERT: '/r.crt',
      PGSSLCERT: '/c.crt',
      PGSSLKEY: '/c.key',
      PGCONNECT_TIMEOUT: '5',
      PGOPTIONS: '-c x=1',
      PGCLIENTENCODING: 'UTF8',
    };
    expect(resolveKeywords(undefined, 'over', env)).toEqual({
      host: 'elsewhere',
      dbname: 'over',
      password: 'pw',
      sslrootcert: '/r.crt',
      sslcert: '/c.crt',
      sslkey: '/c.key',
      connect_timeout: '5',
      options: '-c x=1',
      client_encoding: 'UTF8',
    });
  });

  it('looks in PGSYSCONFDIR/pg_service.conf after the user file', () => {
    mkdirSync(join(dir, 'etc'), { recursive: true });
    file('etc/pg_service.conf', '[sys]\nhost=system.db\n');
    expect(resolveKeywords('service=sys', undefined, { ...noHome, PGSYSCONFDIR: join(dir, 'etc') })).toEqual({
      host: 'system.db',
      service: 'sys',
    });
  });

  it.each([
    [
      'host=h password=secret sslmode=bogus',
      {},
      'invalid sslmode value "bogus" in host=h password=*** sslmode=bogus: use disable, allow, prefer, require, verify-ca or verify-full',
    ],
    [
      'postgres://u:secret@h/d?sslmode=no-verify',
      {},
      'invalid sslmode value "no-verify" in postgres://u:***@h/d?sslmode=no-verify: use disable, allow, prefer, require, verify-ca or verify-full (node-postgres\' no-verify is libpq\'s require)',
    ],
    [
      'host=h',
      { PGSSLMODE: 'Require' },
      'invalid sslmode value "Require" in PGSSLMODE: use disable, allow, prefer, require, verify-ca or verify-full',
    ],
    ['host=h port=x', {}, 'invalid port number "x"'],
    ['service=nope', { PGSERVICEFILE: services }, `definition of service "nope" not found (looked in ${services})`],
    [
      'service=prod',
      { PGSERVICEFILE: join(dir, 'missing.conf') },
      `cannot read the service file ${join(dir, 'missing.conf')}: ENOENT: no such file or directory, open '${join(dir, 'missing.conf')}'`,
    ],
  ])('refuses %s %j', (conninfo, env, message) => {
    const e = thrown(() => resolveKeywords(conninfo, undefined, { ...noHome, ...env }));
    expect([e.exitCode, e.message]).toEqual([2, message]);
  });
});

describe('serviceSection', () => {
  it('reads one section, values as they stand', () => {
    expect(serviceSection("[a]\nhost=x\n[b]\n  password = it's  \n# c\n", 'b', 'f')).toEqual({ password: "it's" });
    expect(serviceSection('[a]\nhost=x\n', 'b', 'f')).toBeUndefined();
  });

  it.each([
    ['[a]\nhost\n', 'syntax error in service file f, line 2'],
    ['[a]\nservice=b\n', 'nested service specifications not supported in service file f, line 2'],
  ])('refuses %j', (text, message) => {
    expect(thrown(() => serviceSection(text, 'a', 'f')).message).toBe(message);
  });
});

describe('clientConfigs: sslmode as libpq means it', () => {
  const ca = file('ca.pem', 'CA PEM');
  const ssl = (info: Record<string, string>, env: Record<string, string> = noHome) =>
    clientConfigs(info, 'sy', env).map((c) => c.ssl);

  it.each([
    [{}, [{ rejectUnauthorized: false }, false]], // prefer: encrypted, else plain
    [{ sslmode: 'prefer' }, [{ rejectUnauthorized: false }, false]],
    [{ sslmode: 'allow' }, [false, { rejectUnauthorized: false }]],
    [{ sslmode: 'disable' }, [false]],
    [{ sslmode: 'require' }, [{ rejectUnauthorized: false }]],
    [{ sslmode: 'require', host: '/var/run/postgresql' }, [false]], // libpq: no TLS over a Unix socket
    [{ sslmode: 'verify-full' }, [{}]], // the system's trusted CAs, host name checked
    [{ sslmode: 'verify-full', sslrootcert: ca }, [{ ca: 'CA PEM' }]],
    [{ sslmode: 'verify-full', sslrootcert: 'system' }, [{}]],
  ])('%j', (info, expected) => {
    expect(ssl(info)).toEqual(expected);
  });

  it('verify-ca, and require with a root certificate, check the chain but not the host name', () => {
    for (const sslmode of ['verify-ca', 'require']) {
      const [tls] = ssl({ sslmode, sslrootcert: ca }) as [
        { ca: string; rejectUnauthorized?: boolean; checkServerIdentity: () => unknown },
      ];
      expect([tls.ca, tls.rejectUnauthorized, tls.checkServerIdentity()]).toEqual(['CA PEM', undefined, undefined]);
    }
  });

  it('uses ~/.postgresql/root.crt when sslrootcert is not set, as libpq does', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.postgresql'), { recursive: true });
    writeFileSync(join(home, '.postgresql', 'root.crt'), 'HOME CA');
    expect((ssl({ sslmode: 'verify-ca' }, { HOME: home })[0] as { ca: string }).ca).toBe('HOME CA');
  });

  it.each([
    [
      { sslmode: 'verify-ca' },
      'sslmode=verify-ca needs the root certificate to verify the server with: set sslrootcert (or PGSSLROOTCERT), or put it in ~/.postgresql/root.crt',
    ],
    [
      { sslmode: 'verify-ca', sslrootcert: '/no/such.crt' },
      'cannot read the sslrootcert file /no/such.crt: it does not exist',
    ],
    [
      { sslmode: 'require', sslrootcert: 'system' },
      'weak sslmode "require" may not be used with sslrootcert=system (use "verify-full")',
    ],
  ])('refuses %j', (info, message) => {
    const e = thrown(() => ssl(info));
    expect([e.exitCode, e.message]).toEqual([2, message]);
  });

  it('maps the other keywords to node-postgres settings; our session name wins', () => {
    const [c] = clientConfigs(
      {
        host: 'h',
        port: '6543',
        user: 'u',
        dbname: 'd',
        password: 'pw',
        options: '-c x=1',
        connect_timeout: '1',
        application_name: 'app',
        sslmode: 'disable',
      },
      'sy',
      noHome,
    );
    expect(c).toEqual({
      host: 'h',
      port: 6543,
      user: 'u',
      database: 'd',
      password: 'pw',
      options: '-c x=1',
      connectionTimeoutMillis: 2000,
      application_name: 'sy',
      ssl: false,
    });
  });

  it('asks the password file when no password is given', () => {
    expect(typeof clientConfigs({ sslmode: 'disable' }, 'sy', noHome)[0]!.password).toBe('function');
  });
});
