// `switchyard validate` as a user runs it, the installed bin in its own process: a name with a NUL and a
// file that is not UTF-8 exit 2 with the place of the problem, not an "internal error" (issue #13).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sy-validate-'));

function validate(
  name: string,
  content: string | Buffer,
): { status: number | null; stdout: string; stderr: string; path: string } {
  const path = join(dir, name);
  writeFileSync(path, content);
  const r = spawnSync(process.execPath, ['bin/switchyard.js', 'validate', path], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, path };
}

describe('switchyard validate (the bin)', () => {
  it('exits 2 on a NUL in a table name, with its line and column and the character', () => {
    const r = validate(
      'nul.yaml',
      'schemas:\n  public:\n    tables:\n      "us\\0ers": { columns: { id: { type: bigint } } }\n',
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(
      `1 problem in ${r.path}:\n` +
        `  ${r.path}:4:7: table "public"."us\\u0000ers": the name contains U+0000 (NUL) at character 3; PostgreSQL cannot store a NUL (fix: remove it)\n`,
    );
    expect(r.stderr).toBe('');
  });

  it('exits 2 on a file that is not UTF-8, at the bad byte', () => {
    const r = validate(
      'latin1.yaml',
      Buffer.concat([Buffer.from('schemas:\n  public:\n    comment: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(
      `${r.path}:3:17: the file is not valid UTF-8: byte 0xE9 is not part of a UTF-8 character`,
    );
    expect(r.stderr).not.toContain('internal error');
  });
});
