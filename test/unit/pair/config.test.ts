// pair: and router: in switchyard.yaml: every value may be ${ENV_VAR}, errors name the key and the fix, and
// flags override the file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig } from '../../../src/config/config.js';
import { resolvePair } from '../../../src/pair/session.js';

function file(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sy-pair-config-')), 'switchyard.yaml');
  writeFileSync(path, yaml);
  return path;
}

async function problems(yaml: string): Promise<Array<{ path: string; message: string; line: number }>> {
  try {
    await loadConfig(file(yaml));
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidConfigError);
    return (e as InvalidConfigError).problems.map((p) => ({ path: p.path, message: p.message, line: p.line }));
  }
  throw new Error('expected the configuration to be refused');
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('pair and router configuration', () => {
  it('reads both, with ${ENV_VAR} substituted', async () => {
    process.env.SY_TEST_BLUE = 'postgres://app:pw@blue.internal:5432/app';
    process.env.SY_TEST_ADMIN = 'postgres://pgbouncer@127.0.0.1:6432/pgbouncer';
    const c = await loadConfig(
      file(
        [
          'pair:',
          '  blue: ${SY_TEST_BLUE}',
          '  green: ${SY_TEST_GREEN:-postgres://app@green.internal/app}',
          '  replicationUser: replicator',
          'router:',
          '  kind: pgbouncer',
          '  admin: ${SY_TEST_ADMIN}',
          '  config: /etc/pgbouncer/pgbouncer.ini',
          '  database: app',
        ].join('\n'),
      ),
    );
    expect(c.pair).toEqual({
      blue: 'postgres://app:pw@blue.internal:5432/app',
      green: 'postgres://app@green.internal/app',
      replicationUser: 'replicator',
    });
    expect(c.router).toEqual({
      kind: 'pgbouncer',
      admin: 'postgres://pgbouncer@127.0.0.1:6432/pgbouncer',
      config: '/etc/pgbouncer/pgbouncer.ini',
      database: 'app',
    });
  });

  it('router.kind defaults to none; command needs run with {side} or {url}', async () => {
    expect((await loadConfig(file('router: {}\n'))).router).toEqual({ kind: 'none' });
    expect(
      (await loadConfig(file('router:\n  kind: command\n  run: "./switch-traffic.sh {side} {url}"\n'))).router,
    ).toMatchObject({ kind: 'command' });
    expect(await problems('router:\n  kind: command\n')).toEqual([
      expect.objectContaining({
        path: 'router.run',
        message: expect.stringContaining('./switch-traffic.sh {side} {url}'),
      }),
    ]);
    expect(await problems('router:\n  kind: command\n  run: ./switch.sh\n')).toEqual([
      expect.objectContaining({
        path: 'router.run',
        message: expect.stringContaining('names neither {side} nor {url}'),
      }),
    ]);
  });

  it('names every missing pgbouncer setting with what to put there, all at once', async () => {
    const found = await problems('router:\n  kind: pgbouncer\n');
    expect(found.map((p) => p.path)).toEqual(['router.admin', 'router.config', 'router.database']);
    expect(found[0]!.message).toContain('postgres://pgbouncer@127.0.0.1:6432/pgbouncer');
    expect(found[1]!.message).toContain('pgbouncer.ini');
  });

  it('refuses a bad kind, a URL that is not one, a bad role name and unknown keys, located', async () => {
    const found = await problems(
      [
        'pair:',
        '  blue: blue.internal',
        '  green: postgres://g/app',
        '  replicationUser: "a b"',
        '  standby: x',
        'router:',
        '  kind: haproxy',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(found.map((p) => [p.path, p]));
    expect(byPath['pair.blue']).toMatchObject({
      line: 2,
      message: expect.stringContaining('postgres://user@host:port/database'),
    });
    expect(byPath['pair.replicationUser']!.message).toContain('role name');
    expect(byPath['pair.standby']).toMatchObject({ line: 5, message: 'unknown key `standby` in `pair`' });
    expect(byPath['router.kind']!.message).toContain('pgbouncer, command, none');
  });
});

describe('resolvePair', () => {
  const config = { pair: { blue: 'postgres://app@blue/app', green: 'postgres://app@green/app' } };

  it('flags override the file', () => {
    expect(resolvePair(config, { green: 'postgres://app@other/app', replicationUser: 'rep' })).toEqual({
      blue: 'postgres://app@blue/app',
      green: 'postgres://app@other/app',
      replicationUser: 'rep',
    });
  });

  it('names the missing key, the flag, and an unset variable', () => {
    expect(() => resolvePair({ pair: { blue: 'postgres://app@blue/app' } })).toThrow(
      /no URL for the green database: set `pair.green` in switchyard.yaml .* or pass --green/,
    );
    expect(() => resolvePair({ unsetVariables: ['GREEN_URL'] }, { green: 'postgres://x@g/app' })).toThrow(
      /\$GREEN_URL, which is not set/,
    );
  });

  it('refuses the same database twice and a flag that is not a URL', () => {
    expect(() => resolvePair({ pair: { blue: 'postgres://a:pw@db:5432/app', green: 'postgres://b@db/app' } })).toThrow(
      /name the same database/,
    );
    expect(() => resolvePair(config, { blue: 'blue.internal' })).toThrow(/blue URL is not a postgres/);
    try {
      resolvePair({ pair: { blue: 'postgres://a:hunter22@db:5432/app', green: 'postgres://b@db/app' } });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter22');
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
