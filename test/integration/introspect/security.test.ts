// Row-level security, policies, replica identity and persistence read from the catalog (issue #15, point 1):
// the model introspection gives, what each policy reads, the YAML `introspect` writes (which must read back as an
// unedited snapshot and diff to nothing), and a database built from the model printing the same pg_policies rows.
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { diff } from '../../../src/diff/index.js';
import { renderDatabase } from '../../../src/sql/render/index.js';
import { freshDatabase } from '../../support/db.js';

const SQL = `
CREATE SCHEMA app;
DO $$ BEGIN CREATE ROLE sy_intro_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE app.owners (name text PRIMARY KEY);
CREATE TABLE app.accounts (id bigint PRIMARY KEY, owner text NOT NULL, email text NOT NULL, region text);
CREATE UNIQUE INDEX accounts_email_key ON app.accounts (email);
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE app.accounts REPLICA IDENTITY USING INDEX accounts_email_key;
CREATE POLICY own ON app.accounts USING (owner IN (SELECT name FROM app.owners)) WITH CHECK (owner = current_user);
CREATE POLICY readers ON app.accounts AS RESTRICTIVE FOR SELECT TO sy_intro_reader, PUBLIC USING (region IS NOT NULL);
CREATE POLICY inserts ON app.accounts FOR INSERT WITH CHECK (email LIKE '%@%');
COMMENT ON POLICY own ON app.accounts IS 'owners see theirs';
CREATE UNLOGGED TABLE app.scratch (id int);
ALTER TABLE app.scratch REPLICA IDENTITY FULL;
CREATE TABLE app.quiet (id int);
ALTER TABLE app.quiet REPLICA IDENTITY NOTHING;`;

const POLICIES = `SELECT policyname, permissive, roles::text[] AS roles, cmd, qual, with_check
  FROM pg_policies WHERE schemaname = 'app' ORDER BY policyname`;

describe('introspected security attributes', () => {
  it('read every form, with what each policy reads, and write YAML that reads back as the same schema', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    await prepareSession(db.client);
    const model = await introspect(db.client, { includeSchemas: ['app'] });
    const tables = new Map(model.schemas[0]!.tables.map((t) => [t.name, t]));
    const accounts = tables.get('accounts')!;
    expect(accounts).toMatchObject({
      rowSecurity: true,
      forceRowSecurity: true,
      replicaIdentity: { index: 'accounts_email_key' },
    });
    expect(accounts.unlogged).toBeUndefined();
    expect(accounts.policies).toEqual([
      {
        kind: 'policy',
        name: 'inserts',
        command: 'insert',
        roles: ['public'],
        withCheck: "(email ~~ '%@%'::text)",
        derived: { reads: [{ schema: 'app', relation: 'accounts', columns: ['email'] }] },
      },
      {
        kind: 'policy',
        name: 'own',
        command: 'all',
        roles: ['public'],
        using: '(owner IN ( SELECT owners.name\n   FROM app.owners))',
        withCheck: '(owner = CURRENT_USER)',
        comment: 'owners see theirs',
        derived: {
          reads: [
            { schema: 'app', relation: 'accounts', columns: ['owner'] },
            { schema: 'app', relation: 'owners', columns: ['name'] },
          ],
        },
      },
      {
        kind: 'policy',
        name: 'readers',
        command: 'select',
        restrictive: true,
        // PostgreSQL keeps only PUBLIC when a list has it (a declared list like that is refused).
        roles: ['public'],
        using: '(region IS NOT NULL)',
        derived: { reads: [{ schema: 'app', relation: 'accounts', columns: ['region'] }] },
      },
    ]);
    expect(tables.get('scratch')).toMatchObject({ unlogged: true, replicaIdentity: 'full' });
    expect(tables.get('quiet')!.replicaIdentity).toBe('nothing');
    expect(tables.get('owners')).not.toHaveProperty('rowSecurity');
    expect(tables.get('owners')).not.toHaveProperty('policies');

    // The YAML introspect writes is the same schema, and diffs to nothing.
    const yaml = toYaml(model);
    const back = parseDeclared(yaml, 'live.yaml');
    expect(fingerprint(back)).toBe(fingerprint(model));
    expect(diff(model, back)).toEqual([]);

    // Built from the model on an empty database, the catalog prints the same policies.
    const copy = await freshDatabase();
    await copy.client.query('CREATE SCHEMA app');
    for (const s of renderDatabase(model).filter((x) => x !== 'CREATE SCHEMA app')) await copy.client.query(s);
    expect((await copy.client.query(POLICIES)).rows).toEqual((await db.client.query(POLICIES)).rows);
    await prepareSession(copy.client);
    expect(fingerprint(await introspect(copy.client, { includeSchemas: ['app'] }))).toBe(fingerprint(model));
  });
});
