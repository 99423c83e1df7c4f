// The rehearsal report: written next to the plan (plans/0001_x.rehearsal.json), tied to the plan's checksum.
// `apply` refuses a plan without a passing report for its checksum, and takes from it the schema fingerprint
// expected before and after every step, which is how drift is detected at any point of a plan.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SwitchyardError } from '../errors.js';
import { PHASES, type Phase, type Plan } from '../planner/types.js';

export interface StepRehearsal {
  readonly id: string;
  /** Schema fingerprint before the step ran, and after. */
  readonly before: string;
  readonly after: string;
  /** Milliseconds the step took on the rehearsal server. */
  readonly ms: number;
  /**
   * A rollback run statement by statement (it has a CONCURRENTLY statement): the fingerprint after each of its
   * statements but the last, so that a rollback killed half-way is still checked exactly for drift.
   */
  readonly rollback?: readonly string[];
}

export interface PhaseRehearsal {
  readonly release: number;
  readonly phase: Phase;
  readonly before: string;
  readonly after: string;
  readonly steps: readonly StepRehearsal[];
  readonly ms: number;
}

export interface RehearsalFailure {
  /** The step at fault, when there is one. */
  readonly step?: string;
  readonly release?: number;
  readonly phase?: Phase;
  /** What was being checked: apply, rollback, reapply, expectation, target, replan. */
  readonly stage: string;
  readonly message: string;
  /** The differences found, one readable line each. */
  readonly differences: readonly string[];
}

export interface RehearsalReport {
  readonly format: 1;
  readonly plan: string;
  readonly checksum: string;
  readonly passed: boolean;
  readonly engine: string;
  readonly server: string;
  readonly startedAt: string;
  readonly ms: number;
  /** Rows inserted per table before the first phase. */
  readonly sampleRows: number;
  readonly phases: readonly PhaseRehearsal[];
  readonly failure?: RehearsalFailure;
  /** The schema at every phase boundary, by fingerprint: apply shows drift against these as changes. */
  readonly models?: Readonly<Record<string, unknown>>;
  /** A tenant plan: the real tenant schemas rehearsed after the template, under their own names. */
  readonly tenants?: readonly TenantRehearsal[];
  /** A tenant plan: tenants left out of the sample because their schema is not the template's. */
  readonly tenantsDrifted?: readonly { readonly tenant: string; readonly differences: readonly string[] }[];
}

export interface TenantRehearsal {
  readonly tenant: string;
  readonly passed: boolean;
  readonly ms: number;
  readonly failure?: RehearsalFailure;
}

const Step = z.object({
  id: z.string(),
  before: z.string(),
  after: z.string(),
  ms: z.number(),
  rollback: z.array(z.string()).optional(),
});
const PhaseR = z.object({
  release: z.number().int(),
  phase: z.enum(PHASES),
  before: z.string(),
  after: z.string(),
  steps: z.array(Step),
  ms: z.number(),
});
const Failure = z.object({
  step: z.string().optional(),
  release: z.number().optional(),
  phase: z.enum(PHASES).optional(),
  stage: z.string(),
  message: z.string(),
  differences: z.array(z.string()),
});
const Report = z.object({
  format: z.literal(1),
  plan: z.string(),
  checksum: z.string(),
  passed: z.boolean(),
  engine: z.string(),
  server: z.string(),
  startedAt: z.string(),
  ms: z.number(),
  sampleRows: z.number(),
  phases: z.array(PhaseR),
  failure: Failure.optional(),
  models: z.record(z.string(), z.unknown()).optional(),
  tenants: z
    .array(z.object({ tenant: z.string(), passed: z.boolean(), ms: z.number(), failure: Failure.optional() }))
    .optional(),
  tenantsDrifted: z.array(z.object({ tenant: z.string(), differences: z.array(z.string()) })).optional(),
});

/** plans/0001_x.plan.yaml -> plans/0001_x.rehearsal.json */
export function reportPath(planPath: string): string {
  return `${planPath.replace(/\.plan\.ya?ml$/, '')}.rehearsal.json`;
}

export async function writeReport(planPath: string, report: RehearsalReport): Promise<string> {
  const path = reportPath(planPath);
  // Written beside and renamed over, so a crash never leaves half a report that looks like a pass.
  await writeFile(`${path}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return path;
}

/** The report next to `planPath`, or undefined when there is none. A damaged file is an error. */
export async function readReport(planPath: string): Promise<RehearsalReport | undefined> {
  const path = reportPath(planPath);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new SwitchyardError(
      'BAD_REHEARSAL_REPORT',
      `cannot read the rehearsal report ${path}: ${(e as Error).message} (fix: run \`switchyard rehearse\` again)`,
      2,
      { cause: e },
    );
  }
  const parsed = Report.safeParse(raw);
  if (!parsed.success)
    throw new SwitchyardError(
      'BAD_REHEARSAL_REPORT',
      `the rehearsal report ${path} is not one switchyard wrote (fix: run \`switchyard rehearse\` again)`,
      2,
    );
  return parsed.data as RehearsalReport;
}

/** Why `report` does not let `plan` be applied, or undefined when it does. */
export function rehearsalProblem(
  plan: Plan,
  report: RehearsalReport | undefined,
  planPath: string,
): string | undefined {
  const again = `run \`switchyard rehearse ${planPath}\`, or pass --skip-rehearsal to apply without one`;
  if (!report) return `no rehearsal report for ${planPath}: ${again}`;
  if (report.checksum !== plan.checksum)
    return `the rehearsal report ${reportPath(planPath)} is for another version of the plan (checksum ${report.checksum.slice(0, 19)}..., the plan is ${plan.checksum.slice(0, 19)}...): ${again}`;
  if (!report.passed)
    return `the last rehearsal of ${planPath} failed${report.failure?.step ? ` at step ${report.failure.step}` : ''}: ${report.failure?.message ?? ''} (fix the plan, then ${again})`;
  return undefined;
}

/** The fingerprints rehearsal saw around each step, by step id. */
export function expectedFingerprints(report: RehearsalReport): ReadonlyMap<string, StepRehearsal> {
  return new Map(report.phases.flatMap((p) => p.steps.map((s) => [s.id, s] as const)));
}
