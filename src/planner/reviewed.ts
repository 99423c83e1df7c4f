// The plan as it was reviewed, checked before `apply` or `rollback` connects: its SQL under migrations/ is what
// it renders (sql-check.ts) and, with `requireSignature:` in switchyard.yaml, it carries a valid detached
// signature (signature.ts). Apply, rollback and the tenant runs all call this one function.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { SwitchyardError } from '../errors.js';
import { checkPlanSql } from './sql-check.js';
import { verifyPlanSignature } from './signature.js';
import type { Plan } from './types.js';

/** Why the plan at `path` (as given, relative to the config) is not as reviewed; undefined when it is. */
export async function reviewProblem(config: SwitchyardConfig, plan: Plan, path: string): Promise<SwitchyardError | undefined> {
  try {
    if (config.requireSignature) await verifyPlanSignature(configPath(config, path), configPath(config, config.requireSignature));
    await checkPlanSql(plan, configPath(config, config.migrations));
    return undefined;
  } catch (e) {
    if (e instanceof SwitchyardError) return e;
    throw e;
  }
}
