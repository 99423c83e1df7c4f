// Detached plan signatures: `plan --sign KEY.pem` writes plans/NNNN_name.plan.sig next to the plan, so the plan
// file itself stays byte-identical with or without signing. The signature (Ed25519, node:crypto) covers the plan
// file's bytes only: the SQL under migrations/ is bound to the plan by apply's re-render check (sql-check.ts), so
// a signed plan fixes both. What it adds over the checksum: anyone can recompute a checksum after a hand edit;
// only the holder of the private key can sign the result.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SwitchyardError, UsageError } from '../errors.js';

/** plans/0001_x.plan.yaml -> plans/0001_x.plan.sig. */
export function signaturePath(planFile: string): string {
  return /\.plan\.ya?ml$/.test(planFile) ? planFile.replace(/\.ya?ml$/, '.sig') : `${planFile}.sig`;
}

/** A plan refused under `requireSignature:`: unsigned, or signed over other bytes. */
export class PlanSignatureError extends SwitchyardError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('PLAN_SIGNATURE', message, 2);
    this.file = file;
  }
}

async function readKey(path: string, kind: 'private' | 'public', what: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (e) {
    throw new UsageError(`${path} is not a PEM ${kind} key: ${(e as Error).message}`, { cause: e });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(
      `${path} is a ${key.asymmetricKeyType ?? 'symmetric'} key; plan signatures are Ed25519 (make one with \`openssl genpkey -algorithm ed25519 -out plan-signing.pem\`)`,
    );
  }
  return key;
}

/** Signs the plan file's bytes with the Ed25519 private key at `keyFile`; returns the signature's path. */
export async function signPlanFile(planFile: string, keyFile: string): Promise<string> {
  const key = await readKey(keyFile, 'private', 'signing key');
  const out = signaturePath(planFile);
  await writeFile(out, `${sign(null, await readFile(planFile), key).toString('base64')}\n`);
  return out;
}

/**
 * After the plan file is written: signed with `keyFile`, or its old signature removed (one left from an earlier
 * version of the plan would only mislead). Returns the signature's path when signed.
 */
export async function signOrUnsign(planFile: string, keyFile: string | undefined): Promise<string | undefined> {
  if (keyFile) return signPlanFile(planFile, keyFile);
  await rm(signaturePath(planFile), { force: true });
  return undefined;
}

/** Refuses (PlanSignatureError) a plan file without a signature by the key at `publicKeyFile` over its bytes. */
export async function verifyPlanSignature(planFile: string, publicKeyFile: string): Promise<void> {
  const key = await readKey(publicKeyFile, 'public', 'public key of `requireSignature:`');
  const sigFile = signaturePath(planFile);
  const name = basename(planFile);
  const sig = await readFile(sigFile, 'utf8').catch(() => undefined);
  if (sig === undefined) {
    throw new PlanSignatureError(
      sigFile,
      `${name} is not signed (no ${basename(sigFile)}), and switchyard.yaml sets requireSignature: ${publicKeyFile}\nfix: have the plan signed where the key is kept: switchyard plan --name ... --sign KEY.pem`,
    );
  }
  const bytes = Buffer.from(sig.trim(), 'base64');
  if (!verify(null, await readFile(planFile), key, bytes)) {
    throw new PlanSignatureError(
      sigFile,
      `${basename(sigFile)} is not a signature of ${name} by the key ${publicKeyFile}: the plan changed after it was signed (a checksum recomputed by hand does not re-sign it), or another key signed it\n` +
        'fix: restore the signed plan from version control, or plan and sign again: switchyard plan --name ... --sign KEY.pem',
    );
  }
}
