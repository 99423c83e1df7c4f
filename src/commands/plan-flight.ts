// Plans in flight: while the ledger shows a plan part way on the database, its schema is an intermediate state
// (shadow columns, `c__old` columns its later releases still drop or switch back). A plan made against that
// state would undo them. So `plan` refuses, naming the unfinished plan and its next phase, or with `--stack`
// plans from the unfinished plan's target, as its plan file records it: the new plan then applies after it.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SwitchyardError, UsageError } from '../errors.js';
import type { UnfinishedPlan } from '../executor/ledger.js';
import { phaseCommand } from '../executor/single.js';
import { phaseLabel } from '../executor/state.js';
import { planBaseName, readPlan } from '../planner/file.js';
import type { Plan } from '../planner/types.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';

/** `plan` was asked to plan against a database on which another plan is not finished. */
export class PlanInFlightError extends SwitchyardError {
  readonly unfinished: readonly UnfinishedPlan[];
  constructor(database: string, unfinished: readonly UnfinishedPlan[], plansDir: string) {
    const first = unfinished[0]!;
    const others = unfinished.slice(1).map((u) => `${planBaseName(u)} (next: ${phaseLabel(u.next)})`);
    super(
      'PLAN_IN_FLIGHT',
      `plan ${planBaseName(first)} is not finished on ${database}: ${first.done} of ${first.rows} step(s) done, its next phase is ${phaseLabel(first.next)}` +
        (others.length ? `; also unfinished: ${others.join(', ')}` : '') +
        `\nplanning now would plan against its intermediate state and could undo what its later releases still need (a column it keeps as __old, a shadow column)` +
        `\nfix: finish it first (${phaseCommand(displayPath(plansDir, first), 'apply', first.next)}, then the phases after it), or plan on top of its target with --stack`,
      1,
    );
    this.unfinished = unfinished;
  }
}

/** The plan file of a ledger row, as the user would type it. */
export function displayPath(plansDir: string, p: Pick<Plan, 'number' | 'name'>): string {
  const file = join(plansDir, `${planBaseName(p)}.plan.yaml`);
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export interface Stacked {
  /** The plan the new one applies after (the last one in flight). */
  readonly on: { readonly name: string; readonly number: number; readonly fingerprint: string };
  /** Its target, restricted to the declared schemas (as the live schema is read): the new plan's source. */
  readonly source: DatabaseSchema;
}

/**
 * `--stack`: the target of the last unfinished plan, read from its plan file, which must be the one the ledger
 * recorded (same checksum). Several plans in flight must form a chain (each planned from the previous target).
 */
export async function stackOn(
  unfinished: readonly UnfinishedPlan[],
  plansDir: string,
  schemas: readonly string[],
): Promise<Stacked> {
  const plans: Plan[] = [];
  for (const u of unfinished) {
    const file = join(plansDir, `${planBaseName(u)}.plan.yaml`);
    if (!existsSync(file))
      throw new UsageError(
        `--stack plans from the target of plan ${planBaseName(u)}, which is not finished, but its file ${file} is not there: restore it (the ledger records checksum ${u.checksum.slice(0, 19)}...)`,
      );
    const plan = await readPlan(file);
    if (plan.checksum !== u.checksum)
      throw new UsageError(
        `--stack: ${file} has checksum ${plan.checksum.slice(0, 19)}..., but the ledger recorded plan ${planBaseName(u)} with ${u.checksum.slice(0, 19)}...: restore the file that was applied`,
      );
    plans.push(plan);
  }
  for (let i = 1; i < plans.length; i++) {
    if (plans[i]!.source.fingerprint !== fingerprint(stackedSource(plans[i - 1]!, schemaNames(plans[i]!))))
      throw new UsageError(
        `--stack: plans ${planBaseName(plans[i - 1]!)} and ${planBaseName(plans[i]!)} are both unfinished, and the second was not planned from the first's target: finish ${planBaseName(plans[i - 1]!)} first`,
      );
  }
  const last = plans[plans.length - 1]!;
  return {
    on: { name: last.name, number: last.number, fingerprint: last.target.fingerprint },
    source: stackedSource(last, schemas),
  };
}

/** The declared schemas of a plan (its target is the declared file). */
const schemaNames = (p: Plan) => p.target.snapshot.schemas.map((s) => s.name);

/** A plan's target as the live schema is read: the declared schemas only, and no `tenants:` (a setting of the file). */
function stackedSource(p: Plan, schemas: readonly string[]): DatabaseSchema {
  const keep = new Set(schemas);
  return { schemas: p.target.snapshot.schemas.filter((s) => keep.has(s.name)) };
}
