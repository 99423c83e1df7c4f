// apply's refusals on real PostgreSQL: each one comes before anything is created on the server (no ledger
// schema afterwards), drift is checked with --skip-rehearsal too, the SQL under migrations/ must be what the
// plan runs, and with `requireSignature:` the plan must carry a valid detached signature.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../support/db.js';
import { editPlan, exampleProject } from './support.js';

async function hasLedgerSchema(db: TestDatabase): Promise<boolean> {
  const { rows } = await db.client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'switchyard'`);
  return rows.length > 0;
}

const expand = ['--release', '1', '--phase', 'expand'];

describe('apply refuses before it creates anything', () => {
  it('leaves no switchyard schema behind after each refusal, and creates it once every check passed', async () => {
    const p = await exampleProject();
    const refusals: { why: string; argv: string[]; code: number; says: string }[] = [
      { why: 'no rehearsal', argv: ['apply', p.plan, ...expand], code: 1, says: 'no rehearsal report' },
      { why: 'hazard', argv: ['apply', p.plan, '--all', '--skip-rehearsal'], code: 1, says: 'DELETES_DATA' },
      {
        why: 'phase order',
        argv: ['apply', p.plan, '--release', '1', '--phase', 'backfill', '--skip-rehearsal'],
        code: 1,
        says: 'release 1 expand is pending',
      },
      { why: 'nothing applied', argv: ['rollback', p.plan, ...expand], code: 1, says: 'nothing to roll back' },
    ];
    for (const r of refusals) {
      const out = await p.run(...r.argv);
      expect(out.code, `${r.why}: ${out.stderr}`).toBe(r.code);
      expect(out.stderr).toContain(r.says);
      expect(await hasLedgerSchema(p.db), r.why).toBe(false);
    }
    // Drift, with and without a rehearsal report: the plan's own source fingerprint is the expectation.
    await p.db.client.query('ALTER TABLE public.employees ADD COLUMN sneaky integer');
    const skipped = await p.run('apply', p.plan, ...expand, '--skip-rehearsal');
    expect(skipped.code, skipped.stderr).toBe(1);
    expect(skipped.stderr).toContain('drifted');
    expect(skipped.stderr).toContain('sneaky');
    expect(await hasLedgerSchema(p.db)).toBe(false);
    await p.db.client.query('ALTER TABLE public.employees DROP COLUMN sneaky');
    expect((await p.run('rehearse', p.plan)).code).toBe(0);
    await p.db.client.query('CREATE INDEX behind_its_back ON public.employees (salary)');
    const rehearsed = await p.run('apply', p.plan, ...expand);
    expect(rehearsed.code).toBe(1);
    expect(rehearsed.stderr).toContain('behind_its_back');
    expect(await hasLedgerSchema(p.db)).toBe(false);
    await p.db.client.query('DROP INDEX public.behind_its_back');

    const ok = await p.run('apply', p.plan, ...expand);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await hasLedgerSchema(p.db)).toBe(true);
  });

  it('--skip-rehearsal without a report: drift is checked where the plan knows the schema (its start and its end)', async () => {
    const p = await exampleProject();
    const all = await p.run(
      'apply',
      p.plan,
      '--all',
      '--skip-rehearsal',
      '--allow-hazard',
      'DELETES_DATA,BREAKS_OLD_APP',
    );
    expect(all.code, all.stderr).toBe(0);
    // After the last step the plan's target fingerprint is the expectation: rolling back the last phase checks it.
    await p.db.client.query('CREATE INDEX behind_its_back ON public.employees (rut)');
    const back = await p.run('rollback', p.plan, '--release', '3', '--phase', 'contract');
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('behind_its_back');
  });
});

describe('what reviewers read is what runs', () => {
  it('refuses (exit 2, naming the file) SQL under migrations/ that differs from the plan or is missing', async () => {
    const p = await exampleProject();
    const file = join(p.dir, 'migrations', '0001_tiers', 'r1-expand.up.sql');
    const reviewed = readFileSync(file, 'utf8');
    writeFileSync(file, reviewed.replace('ADD COLUMN', 'ADD COLUMN IF NOT EXISTS'));
    for (const argv of [
      ['apply', p.plan, ...expand, '--skip-rehearsal'],
      ['rollback', p.plan, ...expand],
    ]) {
      const r = await p.run(...argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.stderr).toContain(`${file} differs from the plan at line`);
    }
    const dry = await p.run('apply', p.plan, ...expand, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`apply would refuse: ${file} differs from the plan`);
    (await import('node:fs')).rmSync(file);
    const missing = await p.run('apply', p.plan, ...expand, '--skip-rehearsal');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${file} is missing`);
    expect(await hasLedgerSchema(p.db)).toBe(false);
    writeFileSync(file, reviewed);
    expect((await p.run('apply', p.plan, ...expand, '--skip-rehearsal')).code).toBe(0);
  });
});

describe('requireSignature', () => {
  it('refuses an unsigned plan and one re-sealed by hand after signing; a plan signed with --sign runs', async () => {
    const p = await exampleProject('requireSignature: keys/public.pem\n');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    (await import('node:fs')).mkdirSync(join(p.dir, 'keys'));
    writeFileSync(join(p.dir, 'keys', 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const signingKey = join(p.dir, 'signing.pem');
    writeFileSync(signingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));

    const unsigned = await p.run('apply', p.plan, ...expand, '--skip-rehearsal');
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain('0001_tiers.plan.yaml is not signed (no 0001_tiers.plan.sig)');
    expect(await hasLedgerSchema(p.db)).toBe(false);

    const bytes = readFileSync(p.plan);
    const signed = await p.run('plan', '--name', 'tiers', '--sign', signingKey);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain('signed: ');
    expect(readFileSync(p.plan).equals(bytes)).toBe(true);
    const ok = await p.run('apply', p.plan, ...expand, '--skip-rehearsal');
    expect(ok.code, ok.stderr).toBe(0);

    // A hand edit with its checksum and SQL rendered again passes every other check, but not the signature.
    await editPlan(p.plan, (x) => ({
      ...x,
      releases: x.releases.map((r) => ({ ...r, backfill: r.backfill.map((s) => ({ ...s, lockTimeoutMs: 9000 })) })),
    }));
    for (const argv of [
      ['apply', p.plan, '--release', '1', '--phase', 'backfill', '--skip-rehearsal'],
      ['rollback', p.plan, ...expand],
    ]) {
      const r = await p.run(...argv);
      expect(r.code, argv[0]).toBe(2);
      expect(r.stderr).toContain('0001_tiers.plan.sig is not a signature of 0001_tiers.plan.yaml');
    }
  });
});
