// `plan` with grants: a role the target's cluster lacks is refused at its YAML node before anything starts; a
// role it has is made on the throwaway shadow server (which has none), so the plan grants to it. Role names
// are cluster-wide and tests run in parallel: random ones, dropped after.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const schemaYaml = (role: string) => `schemas:
  public:
    tables:
      notes:
        columns:
          id: { type: bigint }
          body: { type: text }
        grants:
          - { role: ${role}, privileges: [ SELECT, INSERT ] }
          - { role: ${role}, privileges: [ UPDATE ], columns: [ body ] }
`;

async function project(role: string) {
  const db = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'sy-grants-'));
  writeFileSync(join(dir, 'switchyard.yaml'), `database: ${db.url}\nschema: schema.yaml\n`);
  writeFileSync(join(dir, 'schema.yaml'), schemaYaml(role));
  return { db, dir, cfg: join(dir, 'switchyard.yaml') };
}

describe('plan with grants', () => {
  it('refuses a role the database lacks, naming it where the file grants to it', async () => {
    const role = `nobody_${randomBytes(5).toString('hex')}`;
    const { cfg } = await project(role);
    const r = await cli('--config', cfg, 'plan', '--name', 'grants');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`schema.yaml:8:`);
    expect(r.stderr).toContain(`the role "${role}" does not exist on`);
    expect(r.stderr).toContain('CREATE ROLE');
    expect(r.stderr).not.toContain('canonicalizing');
  });

  it('grants to a role the database has, canonicalized on a throwaway server that makes it', async () => {
    const role = `app_${randomBytes(5).toString('hex')}`;
    const { db, dir, cfg } = await project(role);
    await db.client.query(`CREATE ROLE ${ident(role)} NOLOGIN`);
    // The suite names its own server as the shadow (test/support/shadow-env.ts): left out here, so that plan
    // starts a throwaway one, which lacks the role.
    const named = process.env.SWITCHYARD_SHADOW_DB;
    delete process.env.SWITCHYARD_SHADOW_DB;
    try {
      const r = await cli('--config', cfg, 'plan', '--name', 'grants');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr + r.stdout).toContain('throwaway');
      const name = readdirSync(join(dir, 'migrations'))[0]!;
      const up = readFileSync(join(dir, 'migrations', name, 'r1-expand.up.sql'), 'utf8');
      expect(up).toContain(`GRANT INSERT, SELECT, UPDATE (body) ON TABLE public.notes TO ${role};`);
      const down = readFileSync(join(dir, 'migrations', name, 'r1-expand.down.sql'), 'utf8');
      expect(down).toContain(`REVOKE INSERT, SELECT, UPDATE (body) ON TABLE public.notes FROM ${role};`);
    } finally {
      if (named !== undefined) process.env.SWITCHYARD_SHADOW_DB = named;
      await db.client.query(`DROP ROLE ${ident(role)}`);
    }
  });
});
