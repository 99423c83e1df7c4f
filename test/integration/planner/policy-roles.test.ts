// Roles are cluster objects, outside the model: a declared policy for a role the target lacks is refused at plan
// time, naming the role and the policy's line, before anything runs; a policy for an existing role is planned on
// a shadow that does not have it (built TO PUBLIC, its roles given back), rehearsed on a throwaway server (the
// role is created there) and applied.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const SOURCE = `
CREATE TABLE public.notes (id bigint PRIMARY KEY, owner text NOT NULL, body text);
INSERT INTO public.notes VALUES (1, 'ana', 'x'), (2, 'bo', NULL);`;

const schema = (role: string) => `schemas:
  public:
    tables:
      notes:
        columns:
          id: { type: bigint, nullable: false }
          owner: { type: text, nullable: false }
          body: { type: text }
        primaryKey: { columns: [id] }
        rowSecurity: true
        policies:
          own: { roles: [${role}], using: "owner = current_user", withCheck: "owner = current_user" }
`;

function project(url: string, role: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sy-roles-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(config, `database: ${url}\nschema: schema.yaml\n`);
  writeFileSync(join(dir, 'schema.yaml'), schema(role));
  return { dir, run: (...argv: string[]) => cli('--config', config, ...argv) };
}

describe('roles named by declared policies', () => {
  it('a role the target lacks: refused at plan, naming the role and where the policy is declared', async () => {
    const db = await freshDatabase();
    await db.client.query(SOURCE);
    const role = `sy_missing_${randomBytes(4).toString('hex')}`;
    const p = project(db.url, role);
    const r = await p.run('plan', '--name', 'rls');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `schema.yaml:12:11: policy "own" of table "public"."notes": the role "${role}" does not exist on`,
    );
    expect(r.stderr).toContain(`(fix: create it there first (CREATE ROLE ${role} NOLOGIN;`);
    const json = JSON.parse((await p.run('--json', 'plan', '--name', 'rls')).stdout) as {
      error: { code: string; problems: { path: string }[] };
    };
    expect(json.error.code).toBe('INVALID_SCHEMA');
    expect(json.error.problems.map((x) => x.path)).toEqual(['schemas.public.tables.notes.policies.own']);
    const left = await db.client.query(`SELECT relrowsecurity FROM pg_class WHERE oid = 'public.notes'::regclass`);
    expect(left.rows[0].relrowsecurity).toBe(false);
  });

  it('an existing role: planned, rehearsed on a server without it, applied', async () => {
    const db = await freshDatabase();
    const role = `sy_reader_${randomBytes(4).toString('hex')}`;
    await db.client.query(`${SOURCE} CREATE ROLE ${role} NOLOGIN;`);
    try {
      const p = project(db.url, role);
      const planned = await p.run('--json', 'plan', '--name', 'rls');
      expect(planned.code, planned.stdout + planned.stderr).toBe(0);
      const planFile = (JSON.parse(planned.stdout) as { written: { planFile: string } }).written.planFile;
      const rehearsed = await p.run('rehearse', planFile);
      expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
      const applied = await p.run('apply', planFile, '--all');
      expect(applied.code, applied.stderr).toBe(0);
      const { rows } = await db.client.query(
        `SELECT polname, polroles::regrole[]::text[] AS roles, pg_get_expr(polqual, polrelid) AS using
           FROM pg_policy WHERE polrelid = 'public.notes'::regclass`,
      );
      expect(rows).toEqual([{ polname: 'own', roles: [role], using: '(owner = CURRENT_USER)' }]);
      const again = await p.run('diff', '--exit-code');
      expect(again.code, again.stdout + again.stderr).toBe(0);
    } finally {
      await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    }
  });
});
