// The router without a PgBouncer: the pgbouncer.ini rewrite (exact output, comments and spacing kept,
// PgBouncer's quoting), the entry errors, and the command router's substitution (no injection, no password).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  connValue,
  endpointOf,
  entryEndpoint,
  findDatabaseEntry,
  formatConnstr,
  openRouter,
  parseConnstr,
  renderCommand,
  rewriteDatabaseEntry,
  RouterError,
  shellQuote,
  type RouterEvent,
} from '../../../src/pair/router.js';

const INI = [
  ';; PgBouncer for the shop',
  '[databases]',
  '; the application (moved by switchyard)',
  '  app   =  host=blue.internal port=5432 dbname=app pool_size=40 user=app_rw',
  '# reporting stays on blue',
  'reports = host=blue.internal dbname=app',
  ';app = host=old.internal',
  '',
  '[pgbouncer]',
  'listen_port = 6432',
  'app = not a database entry',
  '',
].join('\r\n');

describe('pgbouncer.ini [databases] entry', () => {
  it('rewrites host, port and dbname in place and keeps every other byte', () => {
    const out = rewriteDatabaseEntry(
      INI,
      'app',
      { host: '10.0.0.7', port: 5433, dbname: 'app' },
      '/etc/pgbouncer/pgbouncer.ini',
    );
    expect(out).toBe(
      INI.replace(
        'host=blue.internal port=5432 dbname=app pool_size=40',
        'host=10.0.0.7 port=5433 dbname=app pool_size=40',
      ),
    );
    expect(out.split('\r\n')[3]).toBe('  app   =  host=10.0.0.7 port=5433 dbname=app pool_size=40 user=app_rw');
  });

  it('adds missing parameters first and leaves a rewritten file unchanged on a second rewrite', () => {
    const ini = '[databases]\napp = pool_size=5\n';
    const once = rewriteDatabaseEntry(ini, 'app', { host: 'green', port: 5432, dbname: 'app' }, 'f.ini');
    expect(once).toBe('[databases]\napp = host=green port=5432 dbname=app pool_size=5\n');
    expect(rewriteDatabaseEntry(once, 'app', { host: 'green', port: 5432, dbname: 'app' }, 'f.ini')).toBe(once);
  });

  it('quotes values the way PgBouncer reads them', () => {
    const ini = '[databases]\napp = host=a dbname=app\n';
    const out = rewriteDatabaseEntry(
      ini,
      'app',
      { host: '/var/run/my sockets', port: 5432, dbname: "it's app" },
      'f.ini',
    );
    expect(out).toBe(`[databases]\napp = host='/var/run/my sockets' port=5432 dbname='it''s app'\n`);
    expect(parseConnstr("host='/var/run/my sockets' port=5432 dbname='it''s app' connect_query='SELECT 1'")).toEqual([
      { key: 'host', value: '/var/run/my sockets' },
      { key: 'port', value: '5432' },
      { key: 'dbname', value: "it's app" },
      { key: 'connect_query', value: 'SELECT 1' },
    ]);
    expect(connValue('plain')).toBe('plain');
    expect(connValue('a b')).toBe("'a b'");
    expect(connValue("o'neil")).toBe("'o''neil'");
    expect(formatConnstr(parseConnstr("dbname='x''y z' user=u"))).toBe("dbname='x''y z' user=u");
    expect(() => connValue('a\nb')).toThrow(RouterError);
    expect(() => parseConnstr("dbname='open")).toThrow(/unterminated quote/);
  });

  it('finds quoted entry names and reads the endpoint with PgBouncer defaults', () => {
    const ini = '[databases]\n"my-app" = host=h\n';
    const entry = findDatabaseEntry(ini, 'my-app', 'f.ini');
    expect(entryEndpoint(entry, 'my-app')).toEqual({ host: 'h', port: 5432, dbname: 'my-app' });
  });

  it('names the file, the entries it has and the fix when the entry is missing or repeated', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(RouterError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err(() => findDatabaseEntry(INI, 'shop', '/etc/pgbouncer/pgbouncer.ini'))).toBe(
      '/etc/pgbouncer/pgbouncer.ini has no [databases] entry "shop" (it has app, reports): add the line `shop = host=10.0.0.5 port=5432 dbname=shop` under [databases], or set router.database to the entry your application connects to',
    );
    expect(err(() => findDatabaseEntry('[pgbouncer]\nlisten_port = 6432\n', 'app', 'p.ini'))).toMatch(
      /^p.ini has no \[databases\] section: add one with the line `app = host=/,
    );
    expect(err(() => findDatabaseEntry('[databases]\napp = host=a\napp = host=b\n', 'app', 'p.ini'))).toBe(
      'p.ini has 2 [databases] entries "app" (lines 2, 3): keep one',
    );
  });

  it('takes host, port and dbname from a URL, never the password', () => {
    expect(endpointOf('postgres://app:s3cret@green.internal:6543/shop')).toEqual({
      host: 'green.internal',
      port: 6543,
      dbname: 'shop',
    });
    expect(endpointOf('postgres://app@[::1]/shop')).toEqual({ host: '::1', port: 5432, dbname: 'shop' });
    expect(endpointOf('postgres:///shop?host=/var/run/postgresql&port=5433')).toEqual({
      host: '/var/run/postgresql',
      port: 5433,
      dbname: 'shop',
    });
    const out = rewriteDatabaseEntry(
      '[databases]\napp = host=a\n',
      'app',
      endpointOf('postgres://app:s3cret@green:5432/app'),
      'f.ini',
    );
    expect(out).not.toContain('s3cret');
  });
});

describe('command router', () => {
  const url = "postgres://app:s3cret@green.internal:5432/app?application_name=x';touch${IFS}/tmp/pwned;'";

  it('substitutes shell-quoted values', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(renderCommand('./switch.sh {side} {url}', 'green', 'postgres://a@b/c')).toBe(
      `./switch.sh 'green' 'postgres://a@b/c'`,
    );
  });

  it('passes the URL as one argument, prints it without the password, and cannot be injected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-router-'));
    const marker = join(dir, 'pwned');
    const events: RouterEvent[] = [];
    const router = await openRouter(
      { kind: 'command', run: `printf '%s|%s|%s\\n' "$#" {side} {url}; set -- {url}; echo "args=$#"` },
      { onEvent: (e) => events.push(e) },
    );
    await router.switchTo('green', url.replace('/tmp/pwned', marker));
    expect(existsSync(marker)).toBe(false);
    const lines = events.filter((e) => e.kind === 'output').map((e) => (e as { line: string }).line);
    expect(lines[0]).toMatch(/^0\|green\|postgres:\/\/app:\*\*\*@green\.internal:5432\/app\?application_name=x/);
    expect(lines[1]).toBe('args=1');
    expect(JSON.stringify(events)).not.toContain('s3cret');
    expect(events.at(-1)).toMatchObject({
      kind: 'switch',
      side: 'green',
      target: expect.not.stringContaining('s3cret'),
    });
    expect(await router.current(url, url)).toBeUndefined();
  });

  it('fails with the exit code and the output, passwords masked', async () => {
    const router = await openRouter({
      kind: 'command',
      run: 'echo switching to {url} >&2; echo "password=s3cret"; exit 3 # {side}',
    });
    const e = await router.switchTo('green', 'postgres://app:s3cret@green:5432/app').then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RouterError);
    expect((e as RouterError).code).toBe('ROUTER_COMMAND');
    expect((e as Error).message).toContain('exited with code 3');
    expect((e as Error).message).toContain('switching to');
    expect((e as Error).message).not.toContain('s3cret');
  });

  it('refuses placeholders already in quotes', async () => {
    await expect(openRouter({ kind: 'command', run: './switch.sh "{url}"' })).rejects.toThrow(/leave the quotes out/);
  });

  it('none does nothing and cannot tell the side', async () => {
    for (const r of [await openRouter(undefined), await openRouter({ kind: 'none' })]) {
      expect(r.kind).toBe('none');
      await r.pause();
      await r.switchTo('green', 'postgres://a@b/c');
      await r.resume();
      expect(await r.current('postgres://a@b/c', 'postgres://a@d/c')).toBeUndefined();
      await r.close();
    }
  });
});
