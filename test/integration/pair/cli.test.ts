// `switchyard pair ...` end to end in-process: help with examples, exit codes, --json output, JSON-lines
// progress on stderr off a terminal, and no password anywhere.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { APP_SQL, freshPair, replicationObjects } from '../../support/pair.js';

const password = (url: string) => decodeURIComponent(new URL(url).password);
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('switchyard pair', () => {
  it('--help of pair and of each subcommand shows examples', async () => {
    const top = await cli('--help');
    expect(top.stdout).toContain('pair');
    for (const args of [
      ['pair', '--help'],
      ['pair', 'init', '--help'],
      ['pair', 'status', '--help'],
      ['pair', 'resync', '--help'],
      ['pair', 'teardown', '--help'],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toContain('Examples:');
    }
    expect((await cli('pair', 'init', '--help')).stdout).toContain('--blue <url>');
  });

  it('exits 2 naming the missing setting, or a bad flag value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-pair-cli-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(config, 'pair:\n  blue: ${SY_NOT_SET_BLUE}\n');
    const r = await cli('-c', config, 'pair', 'status');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no URL for the blue database \(switchyard.yaml names \$SY_NOT_SET_BLUE, which is not set\): set `pair.blue`/,
    );
    writeFileSync(config, 'router:\n  kind: pgbouncer\n');
    const bad = await cli('-c', config, 'pair', 'status');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('router.admin');
    expect(
      (await cli('pair', 'init', '--blue', 'postgres://a@b/c', '--green', 'postgres://a@d/c', '--live', 'red')).code,
    ).toBe(2);
  });

  it('init, status, teardown with URLs from the environment; --json on stdout, progress as JSON lines on stderr', async () => {
    const pair = await freshPair();
    await pair.blue.client.query(APP_SQL);
    await pair.blue.client.query(`INSERT INTO customers (email) SELECT 'c' || g FROM generate_series(1, 500) g`);
    const dir = mkdtempSync(join(tmpdir(), 'sy-pair-cli-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(config, 'pair:\n  blue: ${SY_BLUE}\n  green: ${SY_GREEN}\n');
    process.env.SY_BLUE = pair.blue.url;
    process.env.SY_GREEN = pair.green.url;
    const secrets = [password(pair.blue.url), password(pair.green.url)];

    const init = await cli('-c', config, '--json', 'pair', 'init', '--timeout', '60');
    expect(init.code, init.stderr).toBe(0);
    const result = JSON.parse(init.stdout) as { live: string; generation: number; rows: number };
    expect(result).toMatchObject({ live: 'blue', generation: 1 });
    const events = init.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; step?: string; ready?: number; tables?: number });
    expect(events.some((e) => e.event === 'check')).toBe(true);
    expect(events.filter((e) => e.event === 'step').map((e) => e.step)).toEqual(
      expect.arrayContaining(['schema', 'publication', 'slot', 'subscription', 'sync', 'heartbeat', 'topology']),
    );
    expect(events.filter((e) => e.event === 'sync').at(-1)).toMatchObject({ ready: 4, tables: 4 });

    const status = await cli('-c', config, 'pair', 'status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/live blue, standby green, generation 1, paired/);
    expect(status.stdout).toMatch(/tables: 4\/4 ready/);
    expect(status.stdout).toMatch(/public\.customers_id_seq: live 500, standby unused, 500 behind/);
    const json = JSON.parse((await cli('-c', config, '--json', 'pair', 'status')).stdout) as {
      ok: boolean;
      lag: { bytes: number };
    };
    expect(json.ok).toBe(true);
    expect(typeof json.lag.bytes).toBe('number');

    // Swapped URLs are caught by the topology each database stores.
    const swapped = await cli('-c', config, 'pair', 'status', '--blue', pair.green.url, '--green', pair.blue.url);
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toMatch(/look swapped/);

    // Schema drift is listed and does not fail status; a problem does (exit 1).
    await pair.green.client.query('ALTER TABLE customers ADD COLUMN nickname text');
    const drift = await cli('-c', config, 'pair', 'status');
    expect(drift.code).toBe(0);
    expect(drift.stdout).toMatch(/schema: the sides differ[\s\S]*nickname/);

    const down = await cli('-c', config, 'pair', 'teardown');
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/blue: publication switchyard_from_blue, slot switchyard_blue_to_green_g1/);
    expect(down.stdout).toMatch(/green: subscription switchyard_blue_to_green_g1/);
    for (const side of ['blue', 'green'] as const)
      expect(await replicationObjects(pair[side].client)).toEqual({ slots: [], publications: [], subscriptions: [] });
    const after = await cli('-c', config, 'pair', 'status');
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/unpaired/);

    for (const out of [init, status, swapped, drift, down, after])
      for (const s of secrets) expect(out.stdout + out.stderr).not.toContain(s);
  });

  it('a failed preflight exits 1 with the fix; an unreachable side exits 3', async () => {
    const pair = await freshPair();
    // No key and REPLICA IDENTITY DEFAULT: refused, with the fix per table (a usable unique index when there is one).
    await pair.blue.client.query(`CREATE TABLE audit (at timestamptz, what text);
      CREATE TABLE tagged (tag text NOT NULL, note text); CREATE UNIQUE INDEX tagged_tag ON tagged (tag);
      CREATE TABLE full_audit (at timestamptz, what text); ALTER TABLE full_audit REPLICA IDENTITY FULL`);
    const r = await cli('pair', 'init', '--blue', pair.blue.url, '--green', pair.green.url);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'updates and deletes cannot replicate (and fail on the publisher): public.audit (no primary key), public.tagged (no primary key)',
    );
    expect(r.stderr).toContain(
      'fix: ALTER TABLE public.audit REPLICA IDENTITY FULL (or add a primary key); ALTER TABLE public.tagged REPLICA IDENTITY USING INDEX tagged_tag',
    );
    // The keyless table that is already REPLICA IDENTITY FULL is not named.
    expect(r.stderr).not.toContain('full_audit');
    const u = new URL(pair.green.url);
    u.port = '1';
    const down = await cli('pair', 'status', '--blue', pair.blue.url, '--green', u.toString());
    expect(down.code).toBe(3);
    expect(down.stderr).not.toContain(password(pair.green.url));
  });
});
