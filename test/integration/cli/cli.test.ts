import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const COMMANDS = ['init', 'validate', 'introspect', 'diff', 'demo'];

async function exampleDatabase() {
  const db = await freshDatabase();
  await db.client.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
  return db;
}

describe('command line', () => {
  it('--help lists the commands, and each command shows examples', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(c);
    for (const c of COMMANDS) {
      const r = await cli(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toContain('Examples:');
    }
  });

  it('exits 2 on usage mistakes', async () => {
    expect((await cli('no-such-command')).code).toBe(2);
    expect((await cli('diff', '--no-such-flag')).code).toBe(2);
  });

  it('diff shows the changes, --exit-code exits 1 with changes and 0 without, --json parses', async () => {
    const db = await exampleDatabase();
    const schema = join(EXAMPLE_DIR, 'schema.yaml');
    const text = await cli('diff', '--db', db.url, '--schema', schema);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/changes? from/);
    expect(text.stdout).toContain('subscription_tiers');
    expect((await cli('diff', '--db', db.url, '--schema', schema, '--exit-code')).code).toBe(1);
    const json = await cli('--json', 'diff', '--db', db.url, '--schema', schema);
    const parsed = JSON.parse(json.stdout) as { changes: Array<{ kind: string }> };
    expect(parsed.changes.map((c) => c.kind)).toContain('add_table');

    // Introspect the same database to YAML; diffing against it is empty.
    const dir = mkdtempSync(join(tmpdir(), 'sy-cli-'));
    const out = join(dir, 'live.yaml');
    const intro = await cli('introspect', '--db', db.url, '-o', out);
    expect(intro.code).toBe(0);
    const same = await cli('diff', '--db', db.url, '--schema', out, '--exit-code');
    expect(same.stdout).toContain('no changes');
    expect(same.code).toBe(0);
  });

  it('never prints a password, and a refused connection exits 3 without a stack trace', async () => {
    const db = await freshDatabase();
    const u = new URL(db.url);
    u.password = 'S3cret-Hunter2';
    const r = await cli('diff', '--db', u.toString(), '--schema', join(EXAMPLE_DIR, 'schema.yaml'));
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toContain('S3cret-Hunter2');
    expect(r.stderr).toContain('***');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    u.port = '1';
    const refused = await cli('introspect', '--db', u.toString());
    expect(refused.code).toBe(3);
    expect(refused.stderr).not.toContain('S3cret-Hunter2');
  });

  it('init writes the files once and they validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-init-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await cli('init')).stdout).toContain('created switchyard.yaml');
      expect((await cli('init')).stdout).toContain('kept switchyard.yaml');
      const v = await cli('validate');
      expect(v.code).toBe(0);
      expect(v.stdout).toContain('valid');
    } finally {
      process.chdir(cwd);
    }
  });

  it('a configuration file with an unknown key is refused with its location', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-cfg-'));
    const cfg = join(dir, 'switchyard.yaml');
    writeFileSync(cfg, 'schema: schema.yaml\ndatabse: postgres://x@127.0.0.1/db\n');
    const r = await cli('--config', cfg, 'validate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfg}:2:1`);
    expect(r.stderr).toContain('databse');
  });

  it('the installed bin runs on the machine node (handing over to Node >= 22 when needed)', () => {
    const r = spawnSync(
      process.execPath.includes('node24') ? process.execPath : 'node',
      ['bin/switchyard.js', '--help'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('switchyard');
    expect(
      execFileSync('node', ['bin/switchyard.js', 'validate', join(EXAMPLE_DIR, 'schema.yaml')], { encoding: 'utf8' }),
    ).toContain('valid');
  });
});

describe('configuration with environment variables', () => {
  it('an unset ${VAR} only matters to a command that needs the value, and the error names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-env-'));
    const cfg = join(dir, 'switchyard.yaml');
    writeFileSync(cfg, 'database: ${SY_TEST_UNSET_URL}\nschema: schema.yaml\n');
    writeFileSync(join(dir, 'schema.yaml'), 'schemas:\n  public: {}\n');
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      expect((await cli('--config', cfg, 'validate')).code).toBe(0);
      const r = await cli('--config', cfg, 'diff');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('$SY_TEST_UNSET_URL');
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});
