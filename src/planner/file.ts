// Plan files: plans/NNNN_NAME.plan.yaml and migrations/NNNN_NAME/*.sql. Byte-identical for the same inputs:
// no timestamps, canonical key order, and a re-plan under an existing name keeps that name's number.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SwitchyardError, UsageError } from '../errors.js';
import { planChecksum, snapshotsIntact } from './checksum.js';
import { sqlFiles } from './sql-files.js';
import type { Plan } from './types.js';

const PLAN_FILE = /^(\d{4})_(.+)\.plan\.yaml$/;
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A plan file was changed after it was planned (code `PLAN_CHECKSUM`): plan again instead of editing it. */
export class PlanChecksumError extends SwitchyardError {
  constructor(file: string, expected: string, actual: string) {
    super(
      'PLAN_CHECKSUM',
      `${file} was changed after it was planned: its checksum is ${expected} but its content hashes to ${actual}. Plan again with \`switchyard plan\` instead of editing the file.`,
      2,
    );
  }
}

export function assertPlanName(name: string): void {
  if (!NAME.test(name))
    throw new UsageError(
      `plan name "${name}" must be lowercase letters, digits, - and _ (at most 63), e.g. add_subscription_tiers`,
    );
}

/** The number for `name`: its existing number when re-planning, else one more than the highest. */
export async function planNumber(plansDir: string, name: string): Promise<number> {
  const files = await readdir(plansDir).catch(() => [] as string[]);
  let max = 0;
  for (const f of files) {
    const m = PLAN_FILE.exec(f);
    if (!m) continue;
    if (m[2] === name) return Number(m[1]);
    max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

export function planBaseName(plan: Pick<Plan, 'number' | 'name'>): string {
  return `${String(plan.number).padStart(4, '0')}_${plan.name}`;
}

export function planToYaml(plan: Plan): string {
  return (
    `# switchyard plan: review it with \`switchyard show\`; do not edit (the checksum covers every byte of meaning).\n` +
    stringify(plan, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })
  );
}

export interface WrittenPlan {
  readonly planFile: string;
  readonly sqlDir: string;
  readonly sqlFiles: readonly string[];
}

export async function writePlanFiles(plan: Plan, plansDir: string, migrationsDir: string): Promise<WrittenPlan> {
  const base = planBaseName(plan);
  await mkdir(plansDir, { recursive: true });
  const planFile = join(plansDir, `${base}.plan.yaml`);
  await writeFile(planFile, planToYaml(plan));
  const sqlDir = join(migrationsDir, base);
  await rm(sqlDir, { recursive: true, force: true });
  await mkdir(sqlDir, { recursive: true });
  const files = sqlFiles(plan);
  for (const f of files) await writeFile(join(sqlDir, f.name), f.text);
  return { planFile, sqlDir, sqlFiles: files.map((f) => f.name) };
}

/** Reads a plan file and refuses one whose content no longer matches its checksum. */
export async function readPlan(path: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the plan ${path}: ${(e as Error).message}`, { cause: e });
  }
  let plan: Plan;
  try {
    plan = parse(text, { maxAliasCount: -1 }) as Plan;
  } catch (e) {
    throw new UsageError(`${path} is not a plan file: ${(e as Error).message}`, { cause: e });
  }
  if (plan?.format !== 1 || !Array.isArray(plan.releases) || typeof plan.checksum !== 'string') {
    throw new UsageError(`${path} is not a switchyard plan file (format 1)`);
  }
  const actual = planChecksum(plan);
  if (actual !== plan.checksum) throw new PlanChecksumError(basename(path), plan.checksum, actual);
  if (!snapshotsIntact(plan))
    throw new PlanChecksumError(basename(path), plan.checksum, 'a snapshot that no longer matches its fingerprint');
  return plan;
}
