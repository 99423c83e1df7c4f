// The demo's PgBouncer keeps the backend password in its auth_file: readable by its owner only while PgBouncer
// runs, and gone once it is stopped (the Ctrl-C paths are in test/unit/db/secret-file.test.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startPgBouncer } from '../../../src/pair/local-pgbouncer.js';
import { adminUrl } from '../../support/db.js';

describe('local PgBouncer', () => {
  it('writes its auth_file with mode 0600 and removes it on stop', async () => {
    const bouncer = await startPgBouncer(adminUrl());
    let authFile = '';
    try {
      authFile = /^auth_file = (.+)$/m.exec(readFileSync(bouncer.iniPath, 'utf8'))![1]!;
      expect(statSync(authFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(bouncer.iniPath, 'utf8')).not.toContain(new URL(adminUrl()).password || '\0');
    } finally {
      await bouncer.stop();
    }
    expect(existsSync(authFile)).toBe(false);
  });
});
