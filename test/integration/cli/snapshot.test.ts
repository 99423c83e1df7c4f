import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { loadSchemaFile } from '../../../src/schema/declared/snapshot.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const SQL = `CREATE TABLE public.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL DEFAULT 'x@y')`;

describe('snapshots written by introspect', () => {
  it('are canonical while untouched (YAML or JSON), and an edit makes the YAML need canonicalizing', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    const dir = mkdtempSync(join(tmpdir(), 'sy-snap-'));
    const yaml = join(dir, 'a.yaml');
    const json = join(dir, 'a.json');
    expect((await cli('introspect', '--db', db.url, '-o', yaml)).code).toBe(0);
    expect((await cli('introspect', '--db', db.url, '-o', json)).code).toBe(0);
    const y = await loadSchemaFile(yaml);
    const j = await loadSchemaFile(json);
    expect(y.canonical).toBe(true);
    expect(j.canonical).toBe(true);
    expect(fingerprint(y.model)).toBe(fingerprint(j.model));

    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace("'x@y'::text", "'x@z'"));
    expect((await loadSchemaFile(yaml)).canonical).toBe(false);

    writeFileSync(json, readFileSync(json, 'utf8').replace('"name":"users"', '"name":"people"'));
    const r = await cli('plan', '--from', json, '--schema', yaml, '--name', 'x', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('was edited after it was introspected');
    writeFileSync(json, '{"switchyardSnapshot":1}');
    expect((await cli('plan', '--from', json, '--schema', yaml, '--name', 'x', '--dry-run')).stderr).toContain(
      'is not a switchyard snapshot',
    );
  });

  it('plan --from one snapshot to another needs no database at all', async () => {
    const a = await freshDatabase();
    const b = await freshDatabase();
    await a.client.query(SQL);
    await b.client.query(
      SQL +
        '; ALTER TABLE public.users ADD COLUMN nickname text; CREATE INDEX users_nick_idx ON public.users (nickname)',
    );
    const dir = mkdtempSync(join(tmpdir(), 'sy-snap-'));
    await cli('introspect', '--db', a.url, '-o', join(dir, 'a.json'));
    await cli('introspect', '--db', b.url, '-o', join(dir, 'b.json'));
    const r = await cli(
      '--json',
      'plan',
      '--from',
      join(dir, 'a.json'),
      '--schema',
      join(dir, 'b.json'),
      '--name',
      'nick',
      '--pg-version',
      '15',
      '--dry-run',
    );
    expect(r.code, r.stderr).toBe(0);
    const plan = (
      JSON.parse(r.stdout) as {
        plan: { server: { versionNum: number }; releases: Array<{ expand: Array<{ change: string }> }> };
      }
    ).plan;
    expect(plan.server.versionNum).toBe(150000);
    expect(plan.releases[0]!.expand.map((s) => s.change)).toEqual(['add_column', 'add_index']);
  });

  it('carry the extensions and what is not modeled, so plan --from names them and builds the shadow with them', async () => {
    const db = await freshDatabase();
    await db.client.query(`CREATE EXTENSION pg_trgm; ${SQL};
      CREATE INDEX users_email_trgm ON public.users USING gin (email public.gin_trgm_ops);
      CREATE TYPE public.emails`);
    const dir = mkdtempSync(join(tmpdir(), 'sy-snap-'));
    const view = 'shell type "public"."emails"';
    // The extension is the model's (the YAML's `extensions:` section), no longer in the list.
    const LISTED = [{ kind: 'shell type', schema: 'public', name: 'emails' }];
    for (const file of ['a.yaml', 'a.json']) {
      const out = join(dir, file);
      expect((await cli('introspect', '--db', db.url, '-o', out)).code).toBe(0);
      const loaded = await loadSchemaFile(out);
      expect(loaded.canonical).toBe(true);
      expect(loaded.extensions).toContainEqual({ name: 'pg_trgm', schema: 'public', version: expect.any(String) });
      expect(loaded.notModeled).toEqual(LISTED);
    }
    // An edited declared file is canonicalized on a throwaway server: its trigram index needs pg_trgm there.
    const declared = join(dir, 'declared.yaml');
    writeFileSync(
      declared,
      readFileSync(join(dir, 'a.yaml'), 'utf8')
        .replace(/^# fingerprint .*\n/m, '')
        .replace(/^( +)(email: .*\n)/m, '$1$2$1nickname: { type: text }\n'),
    );
    expect((await loadSchemaFile(declared)).canonical).toBe(false);
    for (const from of ['a.yaml', 'a.json']) {
      const r = await cli('plan', '--from', join(dir, from), '--schema', declared, '--name', 'nick', '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/1 object in the database is not modeled by switchyard/);
      expect(r.stderr).toContain(view);
      const j = await cli(
        '--json',
        'plan',
        '--from',
        join(dir, from),
        '--schema',
        declared,
        '--name',
        'n',
        '--dry-run',
      );
      expect(j.code, j.stderr).toBe(0);
      const planned = JSON.parse(j.stdout) as {
        notModeled: unknown[];
        plan: { releases: Array<{ expand: Array<{ change: string }> }> };
      };
      expect(planned.notModeled).toEqual(LISTED);
      expect(planned.plan.releases[0]!.expand.map((s) => s.change)).toEqual(['add_column']);
      const strict = await cli('plan', '--from', join(dir, from), '--schema', declared, '--name', 'n', '--strict');
      expect(strict.code).toBe(1);
      expect(strict.stderr).toContain('not modeled (strict)');
    }
  });
});
