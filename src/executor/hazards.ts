// The hazards a phase may carry: lint errors on the steps about to run refuse the phase unless the operator
// allowed them (`--allow-hazard`, `allowHazards:`). A guard of the phase runner, and a notice of every dry run.
import type { SwitchyardConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import { isHazard, lintPlan, type LintFinding } from '../planner/lint.js';
import type { Hazard, Plan, Step } from '../planner/types.js';
import { RefusedError } from './run.js';

export function allowedHazards(config: SwitchyardConfig, extra: readonly string[] = []): Hazard[] {
  const bad = extra.filter((h) => !isHazard(h));
  if (bad.length)
    throw new UsageError(
      `unknown hazard ${bad.join(', ')}; hazards are named like ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE, DELETES_DATA`,
    );
  return [...config.allowHazards, ...(extra as Hazard[])];
}

/** Lint errors that concern the given steps (or the whole plan). */
export function hazardRefusal(
  plan: Plan,
  allowed: readonly Hazard[],
  steps: readonly Step[],
  planPath: string,
): RefusedError | undefined {
  const ids = new Set(steps.map((s) => s.id));
  const errors = lintPlan(plan, allowed).findings.filter(
    (f: LintFinding) => f.severity === 'error' && (f.step === undefined || ids.has(f.step)),
  );
  if (!errors.length) return undefined;
  return new RefusedError(
    'HAZARD_REFUSED',
    `refused: ${errors.length} finding${errors.length === 1 ? '' : 's'} in ${planPath} not allowed:\n` +
      errors.map((f) => `  ${f.step ? `${f.step}: ` : ''}${f.message} (fix: ${f.fix})`).join('\n') +
      `\nallow a hazard with --allow-hazard NAME or \`allowHazards:\` in switchyard.yaml, after review`,
  );
}
