// What the model does not hold is named by introspect, diff and plan (text and --json), and --strict (or
// `strict: true`) turns it into exit 1 with NOT_MODELED.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { loadSchemaFile } from '../../../src/schema/declared/snapshot.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const OUTSIDE = `
CREATE TYPE public.staff;
CREATE RULE no_delete AS ON DELETE TO public.employees DO INSTEAD NOTHING;
`;
const VIEW = 'shell type "public"."staff"';
const RLS = 'rule "no_delete" on "public"."employees"';

async function database() {
  const db = await freshDatabase();
  await db.client.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
  await db.client.query(OUTSIDE);
  return db;
}

interface Listed {
  notModeled: Array<{ kind: string; schema: string; name?: string }>;
}

describe('objects outside the model', () => {
  it('introspect lists them at the end of the YAML, which still loads as an unedited snapshot', async () => {
    const db = await database();
    const text = await cli('introspect', '--db', db.url);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n# Not modeled by switchyard \(2\): left as they are, never planned\.\n/);
    expect(text.stdout).toContain(`#   ${RLS}\n`);
    expect(text.stdout).toContain(`#   ${VIEW}\n`);

    const out = join(mkdtempSync(join(tmpdir(), 'sy-inv-')), 'live.yaml');
    const written = await cli('introspect', '--db', db.url, '-o', out);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(VIEW);
    expect((await loadSchemaFile(out)).canonical).toBe(true);
    const same = await cli('diff', '--db', db.url, '--schema', out, '--exit-code');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('no changes');

    const json = JSON.parse((await cli('--json', 'introspect', '--db', db.url)).stdout) as Listed;
    expect(json.notModeled).toEqual([
      { kind: 'rule', schema: 'public', table: 'employees', name: 'no_delete' },
      { kind: 'shell type', schema: 'public', name: 'staff' },
    ]);

    const strict = await cli('introspect', '--db', db.url, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`2 objects not modeled (strict): ${RLS}; ${VIEW}`);
    const strictJson = JSON.parse((await cli('--json', 'introspect', '--db', db.url, '--strict')).stdout) as {
      error: { code: string } & Listed;
    };
    expect(strictJson.error.code).toBe('NOT_MODELED');
    expect(strictJson.error.notModeled).toHaveLength(2);
  });

  it('diff and plan name them; --strict and strict: true exit 1', async () => {
    const db = await database();
    const schema = join(EXAMPLE_DIR, 'schema.yaml');
    const diff = await cli('diff', '--db', db.url, '--schema', schema);
    expect(diff.code).toBe(0);
    expect(diff.stderr).toContain('2 objects in the database are not modeled by switchyard');
    expect(diff.stderr).toContain(VIEW);
    const diffJson = JSON.parse((await cli('--json', 'diff', '--db', db.url, '--schema', schema)).stdout) as Listed;
    expect(diffJson.notModeled.map((n) => n.kind)).toEqual(['rule', 'shell type']);
    expect((await cli('diff', '--db', db.url, '--schema', schema, '--strict')).code).toBe(1);

    const plan = await cli('plan', '--db', db.url, '--schema', schema, '--name', 'tiers', '--dry-run');
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(RLS);
    const planJson = JSON.parse(
      (await cli('--json', 'plan', '--db', db.url, '--schema', schema, '--name', 'tiers', '--dry-run')).stdout,
    ) as Listed;
    expect(planJson.notModeled).toHaveLength(2);
    const strictPlan = await cli('plan', '--db', db.url, '--schema', schema, '--name', 'tiers', '--strict');
    expect(strictPlan.code).toBe(1);
    expect(strictPlan.stderr).toContain('not modeled (strict)');

    const dir = mkdtempSync(join(tmpdir(), 'sy-inv-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(config, `database: ${db.url}\nschema: ${schema}\nstrict: true\n`);
    expect((await cli('-c', config, 'diff')).code).toBe(1);
    expect((await cli('-c', config, 'plan', '--name', 'tiers')).code).toBe(1);
    await db.client.query('DROP TYPE public.staff; DROP RULE no_delete ON public.employees');
    const clean = await cli('-c', config, 'diff');
    expect(clean.code).toBe(0);
    expect(clean.stderr).not.toContain('not modeled');
  });

  it('rehearse --db names them, and --strict exits 1 before rehearsing', async () => {
    const db = await database();
    const dir = mkdtempSync(join(tmpdir(), 'sy-inv-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(config, `database: ${db.url}\nschema: ${join(EXAMPLE_DIR, 'schema.yaml')}\n`);
    const planned = await cli('--json', '-c', config, 'plan', '--name', 'tiers');
    expect(planned.code).toBe(0);
    const planFile = (JSON.parse(planned.stdout) as { written: { planFile: string } }).written.planFile;
    const strict = await cli('--json', '-c', config, 'rehearse', planFile, '--db', db.url, '--strict');
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as { error: { code: string } }).error.code).toBe('NOT_MODELED');
    const r = await cli('-c', config, 'rehearse', planFile, '--db', db.url);
    expect(r.code).toBe(0);
    // Not at a terminal, progress and notices are JSON lines on stderr.
    const notes = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { message?: string }).message);
    expect(notes).toContain(`2 object(s) in --db are not modeled, so neither copied nor rehearsed: ${RLS}; ${VIEW}`);
  });
});
