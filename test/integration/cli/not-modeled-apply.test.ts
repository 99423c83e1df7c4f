// What the model does not hold is named by apply, status and the tenant commands too (text on stderr, and
// `notModeled` in --json), as by introspect, diff and plan; --strict (or `strict: true`) exits 1 with
// NOT_MODELED before anything runs or is created.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';
import { tenantProject } from '../../support/tenants.js';

const VIEW = 'shell type "public"."staff"';

interface Listed {
  notModeled: Array<{ kind: string; schema: string; name?: string }>;
}

async function project() {
  const db = await freshDatabase();
  await db.client.query(readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8'));
  await db.client.query('CREATE TYPE public.staff');
  const dir = mkdtempSync(join(tmpdir(), 'sy-inv-apply-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(config, `database: ${db.url}\nschema: ${join(EXAMPLE_DIR, 'schema.yaml')}\n`);
  const planned = await cli('--json', '-c', config, 'plan', '--name', 'tiers');
  expect(planned.code, planned.stderr).toBe(0);
  const planFile = (JSON.parse(planned.stdout) as { written: { planFile: string } }).written.planFile;
  return { db, dir, config, planFile };
}

describe('apply, status and the tenant commands name what is not modeled', () => {
  it('apply names it; --strict and strict: true refuse before any step runs', async () => {
    const { db, dir, config, planFile } = await project();
    const phase = ['--release', '1', '--phase', 'expand', '--skip-rehearsal'];

    const strict = await cli('--json', '-c', config, 'apply', planFile, ...phase, '--strict');
    expect(strict.code).toBe(1);
    const refusal = JSON.parse(strict.stdout) as { error: { code: string } & Listed };
    expect(refusal.error.code).toBe('NOT_MODELED');
    expect(refusal.error.notModeled).toEqual([{ kind: 'shell type', schema: 'public', name: 'staff' }]);
    // Nothing ran: no ledger was even created.
    const ledger = await db.client.query("SELECT to_regclass('switchyard.steps') AS t");
    expect(ledger.rows[0].t).toBeNull();

    writeFileSync(join(dir, 'strict.yaml'), `${readFileSync(config, 'utf8')}strict: true\n`);
    expect((await cli('-c', join(dir, 'strict.yaml'), 'apply', planFile, ...phase)).code).toBe(1);

    const applied = await cli('-c', config, 'apply', planFile, ...phase);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('applied expand (release 1)');
    expect(applied.stderr).toContain('1 object in the database is not modeled by switchyard');
    expect(applied.stderr).toContain(VIEW);

    const json = await cli(
      '--json',
      '-c',
      config,
      'apply',
      planFile,
      '--release',
      '1',
      '--phase',
      'backfill',
      '--skip-rehearsal',
    );
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as Listed).notModeled).toEqual([
      { kind: 'shell type', schema: 'public', name: 'staff' },
    ]);
  });

  it('status names it, for a plan and without one; --strict exits 1', async () => {
    const { config, planFile } = await project();
    const withPlan = await cli('-c', config, 'status', planFile);
    expect(withPlan.code, withPlan.stderr).toBe(0);
    expect(withPlan.stderr).toContain(VIEW);
    const all = await cli('--json', '-c', config, 'status');
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as Listed).notModeled).toEqual([
      { kind: 'shell type', schema: 'public', name: 'staff' },
    ]);
    const strict = await cli('-c', config, 'status', planFile, '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`1 object not modeled (strict): ${VIEW}`);
  });

  it('tenants list and tenants add name what the tenant schemas hold outside the model; add --strict creates nothing', async () => {
    const p = await tenantProject(2, { special: false });
    await p.db.client.query('CREATE TYPE tenant_001.big_orders');
    const listed = 'shell type "tenant_001"."big_orders"';

    const list = await p.run('tenants', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toContain(listed);
    const listJson = await p.run('--json', 'tenants', 'list');
    expect((JSON.parse(listJson.stdout) as Listed).notModeled).toEqual([
      { kind: 'shell type', schema: 'tenant_001', name: 'big_orders' },
    ]);
    expect((await p.run('tenants', 'list', '--strict')).code).toBe(1);

    const strict = await p.run('--json', 'tenants', 'add', 'tenant_new', '--strict');
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as { error: { code: string } }).error.code).toBe('NOT_MODELED');
    const none = await p.db.client.query("SELECT to_regnamespace('tenant_new') AS n");
    expect(none.rows[0].n).toBeNull();

    const added = await p.run('tenants', 'add', 'tenant_new');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('the new tenant is built without them');
    expect(added.stderr).toContain(listed);
  });

  it('apply over tenants names what every tenant schema holds outside the model', async () => {
    const p = await tenantProject(2, { special: false });
    await p.db.client.query('CREATE TYPE tenant_002.recent');
    const planned = await p.run('--json', 'plan', '--name', 'notes');
    expect(planned.code, planned.stderr).toBe(0);
    const planFile = (JSON.parse(planned.stdout) as { written: { planFile: string } }).written.planFile;
    const strict = await p.run(
      'apply',
      planFile,
      '--release',
      '1',
      '--phase',
      'expand',
      '--skip-rehearsal',
      '--strict',
    );
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('shell type "tenant_002"."recent"');
    const applied = await p.run('--json', 'apply', planFile, '--release', '1', '--phase', 'expand', '--skip-rehearsal');
    expect(applied.code, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as Listed).notModeled).toEqual([
      { kind: 'shell type', schema: 'tenant_002', name: 'recent' },
    ]);
  });
});
