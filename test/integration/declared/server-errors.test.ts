// A declared schema PostgreSQL refuses (issue #13, point 6): the refusal is reported at the YAML node that
// declared the object, on one line, not at "(declared schema):1:1" with a whole CREATE statement after it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const SCHEMA = `schemas:
  public:
    tables:
      a:
        columns: { id: { type: text, nullable: false } }
        primaryKey: { columns: [id] }
      b:
        columns:
          id: { type: bigint, nullable: false }
          a_id: { type: bigint }
        primaryKey: { columns: [id] }
        foreignKeys:
          b_a_fkey: { columns: [a_id], references: { table: a } }
`;

const OPCLASS = `schemas:
  public:
    tables:
      posts:
        columns: { id: { type: bigint, nullable: false }, tags: { type: text } }
        primaryKey: { columns: [id] }
        indexes:
          posts_tags_trgm: { method: gin, keys: [{ column: tags, opclass: public.gin_trgm_ops }] }
`;

describe('a declared schema the server refuses', () => {
  it.each([
    [
      'a foreign key whose column types differ',
      SCHEMA,
      '13:11',
      'foreign key "b_a_fkey" of table "public"."b": PostgreSQL refuses it: foreign key constraint "b_a_fkey" cannot be implemented',
    ],
    [
      'an unknown operator class',
      OPCLASS,
      '8:11',
      'index "posts_tags_trgm" of table "public"."posts": PostgreSQL refuses it: operator class "public.gin_trgm_ops" does not exist for access method "gin"',
    ],
  ])('%s is reported at its YAML node, on one line', async (_, yaml, at, message) => {
    const db = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'sy-refused-'));
    const file = join(dir, 'schema.yaml');
    writeFileSync(file, yaml);
    for (const argv of [
      ['diff', '--db', db.url, '--schema', file],
      ['plan', '--db', db.url, '--schema', file, '--name', 'x', '--dry-run'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, r.stderr).toBe(2);
      const line = r.stderr.split('\n').find((l) => l.includes(`${file}:`)) ?? '';
      expect(line, r.stderr).toContain(`${file}:${at}: ${message}`);
      expect(r.stderr).not.toContain('(declared schema)');
      expect(r.stderr).not.toContain('CREATE TABLE');
    }
  });
});
