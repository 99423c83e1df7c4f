// A tenant run checks what a plain apply checks, through the same functions: the SQL under migrations/ as
// reviewed, and drift of the shared schemas refused before the ledger schema is created.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { tenantProject } from '../../support/tenants.js';

describe('tenants: the guards of apply', () => {
  it('refuses edited SQL (exit 2) and drifted shared schemas, creating nothing', async () => {
    const p = await tenantProject(2);
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const path = `${p.dir}/plans/0001_notes.plan.yaml`;
    const first = planPhases(await readPlan(path)).find((x) => x.steps.length)!;
    const sel = ['--release', String(first.release), '--phase', first.phase, '--skip-rehearsal'];
    const ledger = async () =>
      (await p.db.client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'switchyard'`)).rows.length > 0;

    const file = join(p.dir, 'migrations', '0001_notes', `r${first.release}-${first.phase}.up.sql`);
    const reviewed = readFileSync(file, 'utf8');
    writeFileSync(file, `${reviewed}\nDROP SCHEMA central CASCADE;\n`);
    const edited = await p.run('apply', path, ...sel);
    expect(edited.code, edited.stderr).toBe(2);
    expect(edited.stderr).toContain(`${file} differs from the plan`);
    const dry = await p.run('apply', path, ...sel, '--dry-run');
    expect(dry.stdout).toContain('apply would refuse');
    writeFileSync(file, reviewed);

    await p.db.client.query('ALTER TABLE central.plans ADD COLUMN sneaky integer');
    const drifted = await p.run('apply', path, ...sel);
    expect(drifted.code, drifted.stderr).toBe(1);
    expect(drifted.stderr).toContain('the shared schemas have drifted');
    expect(drifted.stderr).toContain('sneaky');
    expect(await ledger()).toBe(false);
    await p.db.client.query('ALTER TABLE central.plans DROP COLUMN sneaky');
    // The fixture's drifted tenant is reported (exit 1), not refused: the others run, and the ledger is made.
    const ok = await p.run('apply', path, ...sel);
    expect(ok.stdout, ok.stderr).toContain('3 done, 0 already done, 1 failed');
    expect(await ledger()).toBe(true);
  });
});
