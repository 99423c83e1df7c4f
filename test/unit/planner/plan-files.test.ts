// The plan as reviewed: its SQL under migrations/ must be what it renders (sql-check.ts), and a detached
// Ed25519 signature binds the plan file's bytes to a key (signature.ts). Checked on the golden example plan.
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { planToYaml, readPlan } from '../../../src/planner/file.js';
import { planChecksum } from '../../../src/planner/checksum.js';
import { checkPlanSql, PlanSqlMismatchError } from '../../../src/planner/sql-check.js';
import {
  PlanSignatureError,
  signaturePath,
  signOrUnsign,
  signPlanFile,
  verifyPlanSignature,
} from '../../../src/planner/signature.js';
import type { Plan } from '../../../src/planner/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A copy of the golden example: plans/0001_example.plan.yaml and migrations/0001_example/. */
function copyExample(): { dir: string; planFile: string; sqlDir: string; migrations: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-reviewed-'));
  cpSync(join(ROOT, 'plans', '0001_example.plan.yaml'), join(dir, 'plans', '0001_example.plan.yaml'));
  cpSync(join(ROOT, 'migrations', '0001_example'), join(dir, 'migrations', '0001_example'), { recursive: true });
  return {
    dir,
    planFile: join(dir, 'plans', '0001_example.plan.yaml'),
    sqlDir: join(dir, 'migrations', '0001_example'),
    migrations: join(dir, 'migrations'),
  };
}

async function refusal(
  p: Promise<unknown>,
): Promise<{ code: string; exitCode: number; message: string; file?: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!e) throw new Error('expected a refusal');
  return e as { code: string; exitCode: number; message: string; file?: string };
}

function keys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const dir = mkdtempSync(join(tmpdir(), 'sy-keys-'));
  const priv = join(dir, 'signing.pem');
  const pub = join(dir, 'public.pem');
  writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

describe('checkPlanSql', () => {
  it('accepts the checked-in golden plan and its SQL as they are', async () => {
    const plan = await readPlan(join(ROOT, 'plans', '0001_example.plan.yaml'));
    await expect(checkPlanSql(plan, join(ROOT, 'migrations'))).resolves.toBeUndefined();
  });

  it('refuses an edited file (exit 2), naming it and the first line that differs', async () => {
    const x = copyExample();
    const plan = await readPlan(x.planFile);
    const file = join(x.sqlDir, 'r1-expand.up.sql');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[7] = `${lines[7]} -- reviewed`;
    writeFileSync(file, lines.join('\n'));
    const e = await refusal(checkPlanSql(plan, x.migrations));
    expect(e).toBeInstanceOf(PlanSqlMismatchError);
    expect(e).toMatchObject({ code: 'PLAN_SQL_MISMATCH', exitCode: 2, file });
    expect(e.message).toContain(`${file} differs from the plan at line 8`);
    expect(e.message).toContain('fix: restore');
  });

  it('refuses a missing file, a missing folder and a file the plan does not render', async () => {
    const x = copyExample();
    const plan = await readPlan(x.planFile);
    const down = join(x.sqlDir, 'r2-contract.down.sql');
    const text = readFileSync(down, 'utf8');
    rmSync(down);
    expect((await refusal(checkPlanSql(plan, x.migrations))).message).toContain(`${down} is missing`);
    writeFileSync(down, text);
    const extra = join(x.sqlDir, 'r9-expand.up.sql');
    writeFileSync(extra, 'DROP TABLE public.users;\n');
    expect(await refusal(checkPlanSql(plan, x.migrations))).toMatchObject({ file: extra, exitCode: 2 });
    rmSync(extra);
    await expect(checkPlanSql(plan, x.migrations)).resolves.toBeUndefined();
    rmSync(x.sqlDir, { recursive: true });
    expect((await refusal(checkPlanSql(plan, x.migrations))).message).toContain(
      'is missing (the folder does not exist)',
    );
  });
});

describe('plan signatures', () => {
  it('a detached signature next to the plan verifies; the plan file stays byte-identical', async () => {
    const x = copyExample();
    const k = keys();
    const before = readFileSync(x.planFile);
    expect(await signPlanFile(x.planFile, k.priv)).toBe(join(x.dir, 'plans', '0001_example.plan.sig'));
    expect(readFileSync(x.planFile).equals(before)).toBe(true);
    await expect(verifyPlanSignature(x.planFile, k.pub)).resolves.toBeUndefined();
  });

  it('refuses an unsigned plan, naming the missing file and the fix', async () => {
    const x = copyExample();
    const e = await refusal(verifyPlanSignature(x.planFile, keys().pub));
    expect(e).toBeInstanceOf(PlanSignatureError);
    expect(e).toMatchObject({ code: 'PLAN_SIGNATURE', exitCode: 2, file: signaturePath(x.planFile) });
    expect(e.message).toContain('0001_example.plan.yaml is not signed (no 0001_example.plan.sig)');
    expect(e.message).toContain('--sign KEY.pem');
  });

  it('refuses a plan edited after signing whose checksum was recomputed by hand', async () => {
    const x = copyExample();
    const k = keys();
    await signPlanFile(x.planFile, k.priv);
    const plan = await readPlan(x.planFile);
    const { checksum: _, ...rest } = {
      ...plan,
      releases: plan.releases.map((r) => ({ ...r, expand: r.expand.map((s) => ({ ...s, lockTimeoutMs: 9000 })) })),
    };
    writeFileSync(x.planFile, planToYaml({ ...rest, checksum: planChecksum(rest) } as Plan));
    await readPlan(x.planFile); // the checksum alone is satisfied
    const e = await refusal(verifyPlanSignature(x.planFile, k.pub));
    expect(e.message).toContain('0001_example.plan.sig is not a signature of 0001_example.plan.yaml');
    expect(e.message).toContain('a checksum recomputed by hand does not re-sign it');
  });

  it('refuses a signature by another key, and a key that is not Ed25519', async () => {
    const x = copyExample();
    await signPlanFile(x.planFile, keys().priv);
    expect((await refusal(verifyPlanSignature(x.planFile, keys().pub))).code).toBe('PLAN_SIGNATURE');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaPem = join(x.dir, 'rsa.pem');
    writeFileSync(rsaPem, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const e = await refusal(signPlanFile(x.planFile, rsaPem));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain('plan signatures are Ed25519');
  });

  it('writing a plan again without --sign removes the old signature', async () => {
    const x = copyExample();
    const sig = await signOrUnsign(x.planFile, keys().priv);
    expect(sig && existsSync(sig)).toBe(true);
    expect(await signOrUnsign(x.planFile, undefined)).toBeUndefined();
    expect(existsSync(signaturePath(x.planFile))).toBe(false);
  });
});
