// `switchyard show` and `switchyard lint`: reading a plan file.
import type { Colors } from '../planner/show/colors.js';
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import { readPlan } from '../planner/file.js';
import { isHazard, lintPlan, type LintResult } from '../planner/lint.js';
import { SHOW_FORMATS, showPlan, type ShowFormat } from '../planner/show/index.js';
import type { Hazard, Plan } from '../planner/types.js';

/** Reads a plan file (relative to the configuration's folder), checking its checksum. */
export async function loadPlan(config: SwitchyardConfig, path: string): Promise<Plan> {
  return readPlan(configPath(config, path));
}

/** `switchyard show`: a plan rendered as text, markdown, mermaid, json or sql. */
export async function showCommand(config: SwitchyardConfig, path: string, format: string, c: Colors): Promise<string> {
  if (!(SHOW_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${format} is not one of ${SHOW_FORMATS.join(', ')}`);
  return showPlan(await loadPlan(config, path), format as ShowFormat, c);
}

/** `switchyard lint`: the plan's hazards and safe-DDL findings; `ok` is false when one is not allowed. */
export async function lintCommand(
  config: SwitchyardConfig,
  path: string,
  allow: readonly string[],
): Promise<LintResult & { plan: string }> {
  const bad = allow.filter((h) => !isHazard(h));
  if (bad.length)
    throw new UsageError(
      `unknown hazard ${bad.join(', ')}; hazards are named like ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE, DELETES_DATA`,
    );
  const plan = await loadPlan(config, path);
  return { plan: path, ...lintPlan(plan, [...config.allowHazards, ...(allow as Hazard[])]) };
}
