// `switchyard rehearse PLAN`: the plan applied, rolled back and applied again on a throwaway PostgreSQL; the
// report is written next to the plan, tied to its checksum, and `apply` reads it.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, resolveTarget } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { readPlan } from '../planner/file.js';
import { rehearse, type Engine, type RehearsalEvent } from '../rehearsal/rehearse.js';
import { writeReport, type RehearsalReport } from '../rehearsal/report.js';

export interface RehearseCommandOptions {
  readonly plan: string;
  readonly engine?: string;
  readonly image?: string;
  readonly pgVersion?: number;
  /** Copy the source schema from this database (schema only) instead of the plan's snapshot. */
  readonly db?: string;
  readonly sampleRows?: number;
  readonly onEvent?: (e: RehearsalEvent) => void;
}

export interface RehearseCommandResult {
  readonly report: RehearsalReport;
  readonly written: string;
}

export async function rehearseCommand(config: SwitchyardConfig, o: RehearseCommandOptions): Promise<RehearseCommandResult> {
  const engine = (o.engine ?? config.rehearsal.engine) as Engine;
  if (engine !== 'embedded' && engine !== 'docker') throw new UsageError(`--engine ${o.engine} is not one of embedded, docker`);
  if (o.pgVersion !== undefined && (!Number.isInteger(o.pgVersion) || o.pgVersion < 12)) throw new UsageError(`--pg-version ${o.pgVersion} is not a PostgreSQL major version (try 15, 17 or 18)`);
  const path = configPath(config, o.plan);
  const plan = await readPlan(path);
  const copyFrom = o.db ? await connect(resolveTarget(o.db, undefined)) : undefined;
  try {
    const image = o.image ?? config.rehearsal.image;
    const report = await rehearse(plan, {
      engine,
      ...(image ? { image } : {}),
      ...(o.pgVersion ? { major: o.pgVersion } : {}),
      ...(copyFrom ? { copyFrom } : {}),
      sampleRows: o.sampleRows ?? config.rehearsal.sampleRows,
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    const written = await writeReport(path, report);
    return { report, written };
  } finally {
    await copyFrom?.end().catch(() => undefined);
  }
}
