// The source's extensions on every server switchyard builds a schema on (issue #14): a database with pg_trgm
// (a trigram index, as danbooru has) and citext in a schema of its own could not be diffed or planned, since the
// shadow had no extensions ("operator class public.gin_trgm_ops does not exist"). Here, on the throwaway
// default (SWITCHYARD_SHADOW_DB cleared), diff and plan succeed, the plan records the extensions, and the
// rehearsal (from the plan file alone, and copying from the database) builds them before the source schema.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExtensions } from '../../../src/introspect/extensions.js';
import { readPlan } from '../../../src/planner/file.js';
import { canonicalize } from '../../../src/rehearsal/shadow.js';
import { cli } from '../../support/cli.js';
import { adminUrl, freshDatabase } from '../../support/db.js';

const SOURCE = `
  CREATE EXTENSION pg_trgm;
  CREATE SCHEMA extensions;
  CREATE EXTENSION citext WITH SCHEMA extensions;
  CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL, tag extensions.citext);
  CREATE INDEX posts_title_trgm ON posts USING gin (title gin_trgm_ops);`;

describe('the source database extensions', () => {
  const shadowEnv = process.env.SWITCHYARD_SHADOW_DB;
  beforeAll(() => {
    delete process.env.SWITCHYARD_SHADOW_DB;
  });
  afterAll(() => {
    if (shadowEnv !== undefined) process.env.SWITCHYARD_SHADOW_DB = shadowEnv;
  });

  it('are built on the throwaway shadow, recorded in the plan and built by the rehearsal', async () => {
    const db = await freshDatabase();
    await db.client.query(SOURCE);
    const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
    const cfg = join(dir, 'switchyard.yaml');
    writeFileSync(cfg, `database: ${db.url}\nschema: schema.yaml\n`);
    const introspected = await cli('--config', cfg, 'introspect', '-o', join(dir, 'live.yaml'));
    expect(introspected.code, introspected.stderr).toBe(0);
    // The live schema plus a column, without the fingerprint comment: not catalog text, so built on the shadow.
    const declared = readFileSync(join(dir, 'live.yaml'), 'utf8')
      .replace(/^# fingerprint .*\n/m, '')
      .replace(/^( +)title: \{ type: text, nullable: false \}\n/m, '$&$1body: { type: text }\n');
    expect(declared).toContain('gin_trgm_ops');
    expect(declared).toContain('body: { type: text }');
    writeFileSync(join(dir, 'schema.yaml'), declared);

    const diffed = await cli('--config', cfg, 'diff');
    expect(diffed.code, diffed.stderr).toBe(0);
    expect(diffed.stdout).toMatch(/body/);
    expect(diffed.stdout).not.toMatch(/posts_title_trgm|tag/);
    const dry = await cli('--config', cfg, 'plan', '--name', 'add_body', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const planned = await cli('--config', cfg, 'plan', '--name', 'add_body');
    expect(planned.code, planned.stderr).toBe(0);

    // From a snapshot: introspect wrote the extensions in its `extensions:` section, so the shadow gets them.
    const fromSnapshot = await cli('--config', cfg, 'plan', '--name', 'x', '--from', 'live.yaml', '--dry-run');
    expect(fromSnapshot.code, fromSnapshot.stderr).toBe(0);
    expect(fromSnapshot.stdout + fromSnapshot.stderr).not.toMatch(/create_extension|drop_extension/);
    // Without that section (in the snapshot and in the declared file) the extensions are unknown: the refusal
    // says to plan with --db.
    const live = readFileSync(join(dir, 'live.yaml'), 'utf8');
    const section = /^extensions:\n( {2}[^\n]*\n)*/m.exec(live);
    expect(section, 'introspect writes the extensions section').not.toBeNull();
    writeFileSync(join(dir, 'bare.yaml'), live.replace(section![0], ''));
    writeFileSync(join(dir, 'bare-declared.yaml'), declared.replace(section![0], ''));
    const bare = await cli(
      '--config',
      cfg,
      'plan',
      '--name',
      'x',
      '--from',
      'bare.yaml',
      '--schema',
      'bare-declared.yaml',
      '--dry-run',
    );
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/gin_trgm_ops.*plan against the database with --db/s);
    // The declared file managing them and the snapshot recording none: nothing planned for them, and said so.
    const unknown = await cli('--config', cfg, 'plan', '--name', 'x', '--from', 'bare.yaml', '--dry-run');
    expect(unknown.code, unknown.stderr).toBe(0);
    expect(unknown.stderr).toContain('bare.yaml records no extensions, so the `extensions:` of');
    expect(unknown.stdout + unknown.stderr).not.toMatch(/create_extension/);

    const planFile = join(dir, 'plans', '0001_add_body.plan.yaml');
    const plan = await readPlan(planFile);
    expect(plan.extensions?.map((e) => [e.name, e.schema])).toEqual([
      ['citext', 'extensions'],
      ['pg_trgm', 'public'],
    ]);
    const fromFile = await cli('--config', cfg, 'rehearse', planFile);
    expect(fromFile.code, fromFile.stderr + fromFile.stdout).toBe(0);
    const copied = await cli('--config', cfg, 'rehearse', planFile, '--db', db.url);
    expect(copied.code, copied.stderr + copied.stdout).toBe(0);
  }, 240_000);

  it('are read with their schema and version, each after the extensions it requires', async () => {
    const db = await freshDatabase();
    // earthdistance requires cube (pg_depend between extensions); the order itself is unit-tested with names that
    // do not sort in dependency order (test/unit/introspect/extensions.test.ts).
    await db.client.query('CREATE SCHEMA a; CREATE SCHEMA z; CREATE EXTENSION cube WITH SCHEMA z');
    await db.client.query('CREATE EXTENSION earthdistance WITH SCHEMA a; CREATE EXTENSION btree_gin');
    expect(await readExtensions(db.client)).toEqual([
      { name: 'btree_gin', schema: 'public', version: expect.any(String) },
      { name: 'cube', schema: 'z', version: expect.any(String) },
      { name: 'earthdistance', schema: 'a', version: expect.any(String) },
    ]);
  });

  it('that a server does not ship are refused with exit 2, naming them and --shadow-db', async () => {
    const err = await canonicalize(
      { schemas: [{ kind: 'schema', name: 'public', tables: [], enums: [], sequences: [], functions: [] }] },
      { url: adminUrl(), extensions: [{ name: 'no_such_extension', schema: 'public', version: '1.0' }] },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EXTENSION_UNAVAILABLE', exitCode: 2 });
    expect((err as Error).message).toMatch(/no_such_extension.*--shadow-db/s);
  });

  it('that the role may not create are refused with exit 2 and the fix', async () => {
    const role = `sy_ext_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD 'pw'`);
    try {
      const url = new URL(adminUrl());
      url.username = role;
      url.password = 'pw';
      // pgstattuple is not a trusted extension: the owner of the scratch database may not create it.
      const err = await canonicalize(
        { schemas: [{ kind: 'schema', name: 'public', tables: [], enums: [], sequences: [], functions: [] }] },
        { url: url.toString(), extensions: [{ name: 'pgstattuple', schema: 'public', version: '1.5' }] },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'USAGE', exitCode: 2 });
      expect((err as Error).message).toMatch(/may not create the extension pgstattuple.*superuser/);
    } finally {
      await admin.query(`DROP ROLE ${role}`).catch(() => undefined);
      await admin.end();
    }
  });
});
