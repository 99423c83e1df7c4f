// `switchyard rehearse PLAN`: the plan applied, rolled back and applied again on a throwaway PostgreSQL; the
// report is written next to the plan, tied to its checksum, and `apply` reads it.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, resolveTarget } from '../db/connect.js';
import type pg from 'pg';
import { SwitchyardError, UsageError, databaseError } from '../errors.js';
import type { Plan } from '../planner/types.js';
import { assertModeled, describeNotModeled, inventory, type NotModeled } from '../introspect/index.js';
import { prepareSession } from '../rehearsal/shadow.js';
import { DEFAULT_TENANT_SAMPLE, sampleTenants, type TenantSample } from '../tenants/rehearse.js';
import { renameSchemaInModel } from '../tenants/rename.js';
import { readPlan } from '../planner/file.js';
import { reviewProblem } from '../planner/reviewed.js';
import { rehearse, type Engine, type RehearsalEvent } from '../rehearsal/rehearse.js';
import { writeReport, type RehearsalReport } from '../executor/rehearsal-report.js';

/** Options of `rehearseCommand`: the plan file and the server to rehearse on (default: a throwaway one). */
export interface RehearseCommandOptions {
  readonly plan: string;
  readonly engine?: string;
  readonly image?: string;
  readonly pgVersion?: number;
  /** Copy the source schema from this database (schema only) instead of the plan's snapshot. */
  readonly db?: string;
  readonly sampleRows?: number;
  /** A tenant plan: how many real tenant schemas to rehearse after the template (default 3; 0 = the template only). */
  readonly tenantSample?: number;
  /** With --db: refuse (NotModeledError, exit 1) when it holds objects the model does not; default `strict:`. */
  readonly strict?: boolean;
  readonly onEvent?: (e: RehearsalEvent) => void;
}

/** The rehearsal's outcome and the report `apply` requires, written next to the plan. */
export interface RehearseCommandResult {
  readonly report: RehearsalReport;
  readonly written: string;
  /** With --db: what it holds outside the model, which the copy leaves out and the rehearsal never sees. */
  readonly notModeled: readonly NotModeled[];
}

/**
 * `switchyard rehearse`: applies, rolls back and re-applies every phase on a throwaway PostgreSQL; writes the report
 * `apply` requires.
 */
export async function rehearseCommand(
  config: SwitchyardConfig,
  o: RehearseCommandOptions,
): Promise<RehearseCommandResult> {
  const engine = (o.engine ?? config.rehearsal.engine) as Engine;
  if (engine !== 'embedded' && engine !== 'docker')
    throw new UsageError(`--engine ${o.engine} is not one of embedded, docker`);
  if (o.pgVersion !== undefined && (!Number.isInteger(o.pgVersion) || o.pgVersion < 12))
    throw new UsageError(`--pg-version ${o.pgVersion} is not a PostgreSQL major version (try 15, 17 or 18)`);
  const path = configPath(config, o.plan);
  const plan = await readPlan(path);
  // The rehearsal server runs the plan's SQL as a superuser: only the plan as reviewed (its SQL files, and its
  // signature when switchyard.yaml requires one) gets there, as with apply.
  const unreviewed = await reviewProblem(config, plan, o.plan);
  if (unreviewed) throw unreviewed;
  const tenantSample = o.tenantSample ?? DEFAULT_TENANT_SAMPLE;
  if (!Number.isInteger(tenantSample) || tenantSample < 0)
    throw new UsageError(`--tenant-sample ${o.tenantSample} is not a count of tenants (0 rehearses the template only)`);
  const copyFrom = o.db ? await connect(resolveTarget(o.db, undefined)) : undefined;
  try {
    const notModeled = copyFrom ? await outsideTheModel(copyFrom, plan, o) : [];
    assertModeled(notModeled, o.strict ?? config.strict);
    const sample =
      plan.target.snapshot.tenants && tenantSample > 0
        ? await tenantSample_(config, o, plan, tenantSample, copyFrom)
        : undefined;
    const image = o.image ?? config.rehearsal.image;
    const report = await rehearse(plan, {
      engine,
      ...(image ? { image } : {}),
      ...(o.pgVersion ? { major: o.pgVersion } : {}),
      ...(copyFrom ? { copyFrom: { client: copyFrom, renameSchema: renameSchemaInModel } } : {}),
      sampleRows: o.sampleRows ?? config.rehearsal.sampleRows,
      ...(sample ? { tenants: sample.rehearse, tenantsDrifted: sample.drifted } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    const written = await writeReport(path, report);
    return { report, written, notModeled };
  } finally {
    await copyFrom?.end().catch(() => undefined);
  }
}

/** What the --db database holds in the plan's schemas outside the model, announced as a notice. */
async function outsideTheModel(db: pg.Client, plan: Plan, o: RehearseCommandOptions): Promise<NotModeled[]> {
  const schemas = [...new Set(plan.source.snapshot.schemas.map((s) => s.name))];
  const items = await inventory(db, { includeSchemas: schemas });
  if (items.length > 0)
    o.onEvent?.({
      kind: 'notice',
      message: `${items.length} object(s) in --db are not modeled, so neither copied nor rehearsed: ${items
        .slice(0, 5)
        .map(describeNotModeled)
        .join('; ')}${items.length > 5 ? `; ... and ${items.length - 5} more (--json lists them all)` : ''}`,
    });
  return items;
}

/** The real tenants to rehearse, read from --db or the configured database (the live side of a pair). */
async function tenantSample_(
  config: SwitchyardConfig,
  o: RehearseCommandOptions,
  plan: Plan,
  count: number,
  copyFrom: pg.Client | undefined,
): Promise<TenantSample | undefined> {
  const url = config.database ?? config.pair?.blue;
  if (!copyFrom && url === undefined && !process.env.DATABASE_URL) {
    o.onEvent?.({
      kind: 'notice',
      message:
        'no database configured to read the tenants from: only the template is rehearsed (pass --db, or --tenant-sample 0 to say so)',
    });
    return undefined;
  }
  const db = copyFrom ?? (await connect(resolveTarget(undefined, url, config.unsetVariables)));
  try {
    await prepareSession(db);
    const sample = await sampleTenants(db, plan, count);
    if (sample.registered === 0)
      o.onEvent?.({ kind: 'notice', message: 'the tenants registry lists no tenant: only the template is rehearsed' });
    return sample;
  } catch (e) {
    if (e instanceof SwitchyardError) throw e;
    throw databaseError(
      `reading the tenants to rehearse (fix: check the database, or pass --tenant-sample 0 to rehearse the template only)`,
      e,
    );
  } finally {
    if (!copyFrom) await db.end().catch(() => undefined);
  }
}
