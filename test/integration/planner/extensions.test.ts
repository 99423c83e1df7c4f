// Extensions managed by a declared `extensions:` beyond what kinds.test.ts rehearses: a pinned version's update
// (no rollback: IRREVERSIBLE), a move refused, a file without the section leaving them alone, introspect writing
// the section (and a snapshot reading it back), and preflight naming a missing package or privilege.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runPreflight, type PreflightConfig } from '../../../src/executor/preflight.js';
import { ident, literal } from '../../../src/db/quote.js';
import { readExtensions } from '../../../src/introspect/extensions.js';
import { introspect, serverVersion } from '../../../src/introspect/index.js';
import { lintPlan } from '../../../src/planner/lint.js';
import { allSteps, buildPlan, PlanRefusedError } from '../../../src/planner/plan.js';
import { PHASES } from '../../../src/planner/types.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { loadSchemaFile } from '../../../src/schema/declared/snapshot.js';
import { parseDeclared } from '../../../src/schema/declared/yaml.js';
import { cli } from '../../support/cli.js';
import { adminUrl, freshDatabase, type TestDatabase } from '../../support/db.js';
import { applyPhase, phaseSteps, rollbackPhase } from '../../support/plan-runner.js';

const TABLE = 'CREATE TABLE public.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)';
const NOTES = `
    tables:
      notes:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          body: { type: text, nullable: false }
        primaryKey: { columns: [id] }`;

/** The plan from `db` to the declared text (already canonical: no shadow needed for these tables). */
async function planFor(db: TestDatabase, yaml: string) {
  await prepareSession(db.client);
  const version = await serverVersion(db.client);
  const declared = parseDeclared(yaml, 'x.yaml');
  const source = await introspect(db.client, { includeSchemas: declared.schemas.map((s) => s.name) });
  return buildPlan(source, declared, {
    name: 'ext',
    number: 1,
    server: { version: version.text, versionNum: version.num },
    extensions: await readExtensions(db.client),
  });
}

const versionOf = async (db: TestDatabase, name: string) =>
  (await db.client.query<{ v: string }>('SELECT extversion AS v FROM pg_extension WHERE extname = $1', [name])).rows[0]
    ?.v;

describe('extensions in a plan', () => {
  it('updates a pinned version with no rollback (IRREVERSIBLE), which a re-run accepts, and plans nothing after', async () => {
    const db = await freshDatabase();
    await db.client.query(`CREATE EXTENSION pg_trgm VERSION '1.5'; ${TABLE}`);
    const yaml = `extensions:\n  pg_trgm: { version: '1.6' }\nschemas:\n  public:${NOTES}\n`;
    const plan = await planFor(db, yaml);
    const [step, ...rest] = allSteps(plan);
    expect(rest).toEqual([]);
    expect(step).toMatchObject({
      action: 'update_extension',
      sql: "ALTER EXTENSION pg_trgm UPDATE TO '1.6'",
      rollback: [],
      hazards: ['IRREVERSIBLE'],
    });
    const lint = lintPlan(plan);
    expect(lint.ok).toBe(false);
    expect(lint.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/^IRREVERSIBLE: update extension pg_trgm from version 1\.5 to 1\.6/),
    ]);
    expect(lintPlan(plan, ['IRREVERSIBLE']).ok).toBe(true);

    const steps = phaseSteps(plan, 1, 'expand');
    await applyPhase(db.client, steps);
    expect(await versionOf(db, 'pg_trgm')).toBe('1.6');
    await rollbackPhase(db.client, steps);
    expect(await versionOf(db, 'pg_trgm')).toBe('1.6'); // by declaration: no downgrade script
    await applyPhase(db.client, steps); // already at 1.6: PostgreSQL accepts it again
    expect(allSteps(await planFor(db, yaml))).toEqual([]);
  });

  it('refuses to move an extension to another schema, naming both and the fix', async () => {
    const db = await freshDatabase();
    await db.client.query(`CREATE EXTENSION citext; ${TABLE}`);
    const yaml = `extensions:\n  citext: { schema: ext }\nschemas:\n  ext: {}\n  public:${NOTES}\n`;
    const e = await planFor(db, yaml).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PlanRefusedError);
    expect((e as Error).message).toContain(
      'extension citext is installed in schema public, declared in ext: switchyard does not move an extension',
    );
    expect((e as Error).message).toContain('declare `schema: public` for it');
  });

  it('leaves extensions alone when the declared file has no `extensions:` (files written before it)', async () => {
    const db = await freshDatabase();
    await db.client.query(`CREATE EXTENSION citext; CREATE EXTENSION hstore; ${TABLE}`);
    expect(allSteps(await planFor(db, `schemas:\n  public:${NOTES}\n`))).toEqual([]);
    // ... and says so, naming them (never silent).
    const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
    writeFileSync(join(dir, 'schema.yaml'), `schemas:\n  public:${NOTES}\n`);
    const d = await cli('diff', '--db', db.url, '--schema', join(dir, 'schema.yaml'));
    expect(d.stderr).toMatch(
      /schema\.yaml has no `extensions:`, so the database's extensions \(citext 1\.\d+, hstore 1\.\d+\) are left as they are/,
    );
    // With the section, the one left out is dropped, and only it.
    const plan = await planFor(db, `extensions:\n  citext: {}\nschemas:\n  public:${NOTES}\n`);
    expect(allSteps(plan).map((s) => `${s.release} ${s.phase} ${s.sql}`)).toEqual(['2 contract DROP EXTENSION hstore']);
    for (const p of PHASES) expect(phaseSteps(plan, 1, p)).toEqual([]);
  });
});

describe('introspect and snapshots', () => {
  it('writes an `extensions:` section first, which plans nothing against the same database, and a snapshot reads back', async () => {
    const db = await freshDatabase();
    await db.client.query(
      `CREATE SCHEMA ext; CREATE EXTENSION hstore WITH SCHEMA ext; CREATE EXTENSION citext; ${TABLE}`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
    const file = join(dir, 'schema.yaml');
    expect((await cli('introspect', '--db', db.url, '-o', file)).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    const citext = await versionOf(db, 'citext');
    const hstore = await versionOf(db, 'hstore');
    expect(text).toMatch(
      new RegExp(
        `^extensions:\\n  citext: \\{ version: "?${citext}"? \\}\\n  hstore: \\{ schema: ext, version: "?${hstore}"? \\}\\nschemas:`,
        'm',
      ),
    );
    expect(text).not.toContain('# Extensions');
    const snapshot = await loadSchemaFile(file);
    expect(snapshot.canonical).toBe(true);
    expect(snapshot.extensions).toEqual([
      { name: 'citext', schema: 'public', version: citext },
      { name: 'hstore', schema: 'ext', version: hstore },
    ]);
    expect(allSteps(await planFor(db, text))).toEqual([]);
    const diff = await cli('diff', '--db', db.url, '--schema', file, '--exit-code');
    expect(diff.stdout + diff.stderr).not.toContain('extension');
    expect(diff.code).toBe(0);
  });
});

describe('preflight', () => {
  const config = (root: string): PreflightConfig => ({
    ledgerSchema: 'switchyard',
    allowHazards: [],
    root,
    windowMinutes: 60,
  });

  it('names an extension the server does not ship with the package, and a pinned version it lacks', async () => {
    const db = await freshDatabase();
    await db.client.query(TABLE);
    const plan = await planFor(
      db,
      `extensions:\n  no_such_ext: {}\n  citext: { version: '0.9' }\nschemas:\n  public:${NOTES}\n`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
    const r = await runPreflight({ plan, planPath: join(dir, 'p.plan.yaml'), db: db.client, config: config(dir) });
    const check = r.checks.find((c) => c.id === 'extensions')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('the server does not ship no_such_ext');
    expect(check.detail).toMatch(/the server has citext at 1\.\d.*, not the pinned '0\.9'/);
    expect(check.fix).toContain('install the package that provides no_such_ext on the server');
  });

  it('names the GRANT a non-superuser lacks to create a trusted extension, and passes once granted', async () => {
    const db = await freshDatabase();
    await db.client.query(TABLE);
    const role = `sy_ext_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(9).toString('hex');
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE ROLE ${ident(role)} LOGIN PASSWORD ${literal(password)}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    const as = new pg.Client({ connectionString: url.toString() });
    await as.connect();
    try {
      const plan = await planFor(db, `extensions:\n  citext: {}\n  hstore: {}\nschemas:\n  public:${NOTES}\n`);
      const dir = mkdtempSync(join(tmpdir(), 'sy-ext-'));
      const run = async () =>
        (await runPreflight({ plan, planPath: join(dir, 'p.plan.yaml'), db: as, config: config(dir) })).checks.find(
          (c) => c.id === 'extensions',
        )!;
      const before = await run();
      expect(before.status).toBe('fail');
      expect(before.detail).toContain(`${role} may not create citext in this database`);
      expect(before.fix).toContain(`GRANT CREATE ON DATABASE ${db.name} TO ${role}`);
      await admin.query(`GRANT CREATE ON DATABASE ${ident(db.name)} TO ${ident(role)}`);
      expect((await run()).status).toBe('pass');
    } finally {
      await as.end();
      await admin.query(`REVOKE ALL ON DATABASE ${ident(db.name)} FROM ${ident(role)}`).catch(() => undefined);
      await admin.query(`DROP ROLE ${ident(role)}`);
      await admin.end();
    }
  });
});
