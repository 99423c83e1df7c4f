// The plan as it was reviewed, checked before `apply` or `rollback` connects: its SQL under migrations/ is what
// it renders (sql-check.ts) and, with `requireSignature:` in switchyard.yaml, it carries a valid detached
// signature (signature.ts). Apply, rollback and the tenant runs all call this one function.
import { resolve } from 'node:path';
import { SwitchyardError } from '../errors.js';
import { checkPlanSql } from './sql-check.js';
import { verifyPlanSignature } from './signature.js';
import type { Plan } from './types.js';

/** The settings it reads (switchyard.yaml's, passed by the commands above: the planner does not load config). */
export interface ReviewSettings {
  /** Folder the config file is in; the paths below are relative to it. */
  readonly root: string;
  readonly migrations: string;
  readonly requireSignature?: string | undefined;
}

/** Why the plan at `path` (as given, relative to the config) is not as reviewed; undefined when it is. */
export async function reviewProblem(
  config: ReviewSettings,
  plan: Plan,
  path: string,
): Promise<SwitchyardError | undefined> {
  try {
    if (config.requireSignature)
      await verifyPlanSignature(resolve(config.root, path), resolve(config.root, config.requireSignature));
    await checkPlanSql(plan, resolve(config.root, config.migrations));
    return undefined;
  } catch (e) {
    if (e instanceof SwitchyardError) return e;
    throw e;
  }
}
