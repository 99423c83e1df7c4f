// `switchyard plan`: the declared schema against a live database (or a saved snapshot) -> plan files.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { describeTarget, resolveTarget, withClient } from '../db/connect.js';
import { ident } from '../db/quote.js';
import { InvalidSchemaError, UsageError } from '../errors.js';
import { policyRoles } from '../schema/model/policy-roles.js';
import { problemAt } from '../schema/declared/locate.js';
import { readExtensions, type Extension } from '../introspect/extensions.js';
import { unmanagedExtensions } from './not-modeled.js';
import {
  assertModeled,
  missingRoles,
  introspect,
  inventory,
  type NotModeled,
  readDependencies,
  serverVersion,
  tableStats,
} from '../introspect/index.js';
import type { TableStats } from '../planner/cost.js';
import { assertPlanName, planNumber, writePlanFiles, type WrittenPlan } from '../planner/file.js';
import { buildPlan } from '../planner/plan.js';
import { sqlStepsTaken, type SqlStepTaken } from '../executor/ledger.js';
import type { SqlStep } from '../schema/model/sql-step.js';
import { signOrUnsign } from '../planner/signature.js';
import type { Plan } from '../planner/types.js';
import { canonicalize, canonicalizeAll, prepareSession, shadowUrl } from '../rehearsal/shadow.js';
import type { CatalogDependency } from '../schema/model/dependencies.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { grantRoles } from '../schema/model/grants.js';
import { missingRolesError } from '../schema/declared/roles.js';
import { loadSchemaFile, type SchemaFile } from '../schema/declared/snapshot.js';
import { templateDependencies, withTemplate } from '../introspect/template.js';
import { renameSchemaInModel } from '../tenants/rename.js';
import { unfinishedPlans } from '../executor/ledger.js';
import { PlanInFlightError, type Stacked, stackOn } from './plan-flight.js';

/** Options of `planCommand`: the plan's name, its source (a database or a snapshot) and the declared schema. */
export interface PlanCommandOptions {
  readonly name: string;
  readonly db?: string;
  /** A saved snapshot (YAML from `switchyard introspect -o`) to plan from instead of a live database. */
  readonly from?: string;
  readonly schema?: string;
  /** With --from: the PostgreSQL major the plan is for (default 17). */
  readonly pgVersion?: number;
  /** Build the plan without writing files. */
  readonly dryRun?: boolean;
  /** A server to canonicalize on instead of a throwaway one (`--shadow-db`); never needed on the target. */
  readonly shadowDb?: string;
  /** An Ed25519 private key (.pem): write a detached signature of the plan file next to it. */
  readonly sign?: string;
  /** Refuse (NotModeledError, exit 1) when the database holds objects the model does not; default `strict:`. */
  readonly strict?: boolean;
  /**
   * While another plan is not finished on the database (the ledger shows it part way), plan from that plan's
   * target instead of refusing: the new plan applies after it (`--stack`).
   */
  readonly stack?: boolean;
  readonly notice?: (message: string) => void;
}

/** The plan `planCommand` made, and the files it wrote (none with `dryRun`). */
export interface PlanCommandResult {
  readonly plan: Plan;
  readonly source: string;
  readonly written?: WrittenPlan;
  /** The signature file, with --sign. */
  readonly signature?: string;
  readonly steps: number;
  /**
   * Objects in the declared schemas that the model does not hold: the plan neither sees nor changes them.
   * From a snapshot: what introspect recorded in it (empty for a declared file or an older snapshot).
   */
  readonly notModeled: readonly NotModeled[];
  /** With --stack and a plan in flight: the plan whose target this one was planned from. */
  readonly stackedOn?: Stacked['on'];
  /**
   * Raw SQL steps of the declared file left out because a plan in the database's ledger ran them (`done`) or
   * holds them to run (`pending`): a raw SQL step runs once. Empty when planning from a snapshot.
   */
  readonly sqlStepsTaken: readonly SqlStepTaken[];
}

/** The declared raw SQL steps no plan of the ledger has taken, and a notice naming each one left out. */
function untakenSqlSteps(
  declared: readonly SqlStep[],
  taken: readonly SqlStepTaken[],
  notice: ((m: string) => void) | undefined,
): { steps: SqlStep[]; skipped: SqlStepTaken[] } {
  const byName = new Map(taken.map((t) => [t.name, t]));
  const skipped: SqlStepTaken[] = [];
  const steps = declared.filter((s) => {
    const t = byName.get(s.name);
    if (!t) return true;
    skipped.push(t);
    notice?.(
      t.state === 'done'
        ? `sql step ${s.name} ran in plan ${t.plan} (ledger): it runs once and is not planned again; to run changed SQL, give it a new name`
        : `sql step ${s.name} is held by plan ${t.plan}, which has not run it all yet (ledger): it is not planned again; apply or roll back that plan`,
    );
    return false;
  });
  return { steps, skipped };
}

/**
 * `switchyard plan`: plans the change from the live database (or a snapshot) to the declared schema; writes plans/
 * and migrations/.
 */
export async function planCommand(config: SwitchyardConfig, o: PlanCommandOptions): Promise<PlanCommandResult> {
  assertPlanName(o.name);
  if (o.from && o.db) throw new UsageError('give either --db or --from, not both');
  if (o.from && o.stack)
    throw new UsageError(
      '--stack reads the ledger of the database (--db) to find the plan in flight; with --from, give a snapshot of the schema the new plan starts from',
    );
  const schemaFile = configPath(config, o.schema ?? config.schema);
  const declaredFile = await loadSchemaFile(schemaFile);
  const declared = declaredFile.model;
  const names = declared.schemas.map((s) => s.name);
  const plansDir = configPath(config, config.plans);
  const number = await planNumber(plansDir, o.name);
  const inputs = o.from
    ? await fromSnapshot(config, configPath(config, o.from), { ...declaredFile, file: schemaFile }, o)
    : await fromDatabase(config, { ...declaredFile, file: schemaFile }, names, plansDir, o);
  const unmanaged = unmanagedExtensions(declared, inputs.extensions ?? [], schemaFile);
  if (unmanaged) o.notice?.(unmanaged);
  if (declared.extensions !== undefined && inputs.extensions === undefined)
    o.notice?.(
      `${inputs.label} records no extensions, so the \`extensions:\` of ${schemaFile} is not planned: plan against the database with --db, or from a snapshot \`switchyard introspect\` writes now`,
    );
  const sql = untakenSqlSteps(declaredFile.sqlSteps ?? [], inputs.sqlStepsTaken ?? [], o.notice);
  const plan = buildPlan(inputs.source, inputs.target, {
    name: o.name,
    ...(sql.steps.length ? { sqlSteps: sql.steps } : {}),
    number,
    server: inputs.server,
    ...(inputs.extensions ? { extensions: inputs.extensions } : {}),
    ...(inputs.stats ? { stats: inputs.stats } : {}),
    ...(inputs.dependencies ? { dependencies: inputs.dependencies } : {}),
  });
  const steps = plan.releases.reduce((n, r) => n + r.expand.length + r.backfill.length + r.contract.length, 0);
  const notModeled = inputs.notModeled ?? [];
  const stackedOn = inputs.stackedOn ? { stackedOn: inputs.stackedOn } : {};
  // No change, no plan: no empty file or folder, and the next plan's number does not skip.
  const sqlStepsTaken = sql.skipped;
  if (o.dryRun || steps === 0) return { plan, source: inputs.label, steps, notModeled, sqlStepsTaken, ...stackedOn };
  const written = await writePlanFiles(plan, plansDir, configPath(config, config.migrations));
  const signature = await signOrUnsign(written.planFile, o.sign && configPath(config, o.sign));
  return {
    plan,
    source: inputs.label,
    written,
    steps,
    notModeled,
    ...stackedOn,
    sqlStepsTaken,
    ...(signature ? { signature } : {}),
  };
}

/** The declared schema file, with its path (a server's refusal is reported at its YAML node). */
type DeclaredFile = SchemaFile & { readonly file: string };

interface Inputs {
  readonly source: DatabaseSchema;
  readonly target: DatabaseSchema;
  readonly server: { readonly version: string; readonly versionNum: number };
  readonly stats?: TableStats;
  /** The source database's extensions (from a snapshot: what it recorded; unknown in an older snapshot). */
  readonly extensions?: readonly Extension[];
  readonly label: string;
  readonly notModeled?: NotModeled[];
  readonly stackedOn?: Stacked['on'];
  /** The source database's dependency edges; absent for a snapshot that does not record them (said by a notice). */
  readonly dependencies?: readonly CatalogDependency[];
  /** Raw SQL steps the target's ledger has run or holds (unknown when planning from a snapshot). */
  readonly sqlStepsTaken?: SqlStepTaken[];
}

/**
 * Roles are cluster objects, outside the model: a declared policy for a role the target lacks would fail at
 * apply. Refused here, at each policy naming one, before anything else runs.
 */
async function refuseMissingRoles(declared: DeclaredFile, missing: readonly string[], label: string): Promise<void> {
  if (missing.length === 0) return;
  const gone = new Set(missing);
  const problems = await Promise.all(
    policyRoles(declared.model)
      .filter(([r]) => gone.has(r))
      .map(([role, object]) =>
        problemAt(
          declared.file,
          object,
          `the role ${JSON.stringify(role)} does not exist on ${label} (roles belong to the cluster, not to the schema)`,
          `create it there first (CREATE ROLE ${ident(role)} NOLOGIN; then GRANT it to the roles that log in), or name an existing role`,
        ),
      ),
  );
  throw new InvalidSchemaError(problems);
}

async function fromDatabase(
  config: SwitchyardConfig,
  declared: DeclaredFile,
  names: string[],
  plansDir: string,
  o: PlanCommandOptions,
): Promise<Inputs> {
  const conn = resolveTarget(o.db, config.database, config.unsetVariables);
  const label = describeTarget(conn);
  // Only reads on the target: the declared file is built on the shadow server, never here.
  const read = await withClient(conn, async (c) => {
    await prepareSession(c);
    const version = await serverVersion(c);
    const source = await withTemplate(
      c,
      await introspect(c, { includeSchemas: names }),
      declared.model,
      renameSchemaInModel,
      o.notice,
    );
    const stats = new Map(
      (await tableStats(c, { includeSchemas: names })).map((t) => [
        `${t.schema}.${t.table}`,
        { rows: t.rows, bytes: t.bytes },
      ]),
    );
    return {
      source,
      stats,
      version,
      extensions: await readExtensions(c),
      notModeled: await inventory(c, { includeSchemas: names }),
      unfinished: await unfinishedPlans(c, config.ledgerSchema),
      dependencies: await templateDependencies(c, declared.model, names, (includeSchemas) =>
        readDependencies(c, { includeSchemas }),
      ),
      sqlStepsTaken: await sqlStepsTaken(c, config.ledgerSchema),
      missingRoles: await missingRoles(c, [
        ...new Set([...grantRoles(declared.model).keys(), ...policyRoles(declared.model).map(([r]) => r)]),
      ]),
    };
  });
  // Before a throwaway server starts: a grant to a role the target's cluster lacks could never be applied.
  const grantsMissing = read.missingRoles.filter((r) => grantRoles(declared.model).has(r));
  if (grantsMissing.length)
    throw await missingRolesError(
      declared.model,
      grantsMissing,
      label,
      `create it there first (CREATE ROLE ... NOLOGIN for a group role), or fix the role name`,
      declared.file,
    );
  await refuseMissingRoles(declared, read.missingRoles, label);
  // A plan in flight: refused before a throwaway server is started, unless --stack plans from its target.
  if (read.unfinished.length && !o.stack) throw new PlanInFlightError(label, read.unfinished, plansDir);
  const stacked = read.unfinished.length ? await stackOn(read.unfinished, plansDir, names) : undefined;
  if (stacked)
    o.notice?.(
      `--stack: planning from the target of plan ${stacked.on.name} (fingerprint ${stacked.on.fingerprint.slice(0, 19)}...), which is not finished on ${label}; apply this plan once it is`,
    );
  else if (o.stack) o.notice?.(`--stack: no plan is in flight on ${label}; planning from the live schema`);
  // Before canonicalizing: a strict run refuses without starting a throwaway server.
  assertModeled(read.notModeled, o.strict ?? config.strict);
  const url = shadowUrl(o.shadowDb, config.shadow);
  const shadow = {
    major: read.version.major,
    extensions: read.extensions,
    ...(url ? { url } : {}),
    ...(o.notice ? { notice: o.notice } : {}),
  };
  const target = declared.canonical
    ? declared.model
    : await canonicalize(declared.model, { ...shadow, file: declared.file });
  return {
    source: stacked ? stacked.source : read.source,
    target,
    stats: read.stats,
    extensions: read.extensions,
    server: { version: read.version.text, versionNum: read.version.num },
    label,
    notModeled: read.notModeled,
    ...(stacked ? { stackedOn: stacked.on } : {}),
    dependencies: read.dependencies,
    sqlStepsTaken: read.sqlStepsTaken,
  };
}

/**
 * Without a live database. Snapshots written by `introspect` are catalog text already; anything else is
 * canonicalized on a throwaway server of the requested major.
 */
async function fromSnapshot(
  config: SwitchyardConfig,
  file: string,
  declared: DeclaredFile,
  o: PlanCommandOptions,
): Promise<Inputs> {
  const snapshot = await loadSchemaFile(file);
  const major = o.pgVersion ?? 17;
  const dependencies = snapshot.dependencies ? { dependencies: snapshot.dependencies } : {};
  if (!snapshot.dependencies)
    o.notice?.(
      `${file} records no dependencies between objects (only JSON snapshots from \`switchyard introspect -o file.json\` do): what depends on the objects this plan drops or alters is NOT checked; plan against the database with --db, or from such a snapshot`,
    );
  // What the snapshot recorded of its database beyond the model (introspect writes both): named, and with
  // --strict refused, as when planning from the database itself.
  const extras = {
    ...(snapshot.extensions ? { extensions: snapshot.extensions } : {}),
    ...(snapshot.notModeled ? { notModeled: [...snapshot.notModeled] } : {}),
  };
  assertModeled(extras.notModeled ?? [], o.strict ?? config.strict);
  if (snapshot.canonical && declared.canonical) {
    return {
      source: snapshot.model,
      target: declared.model,
      server: { version: `PostgreSQL ${major}`, versionNum: major * 10000 },
      label: file,
      ...dependencies,
      ...extras,
    };
  }
  // Canonicalized on the shadow named by --shadow-db / `shadow:`, else on a throwaway server of that major.
  const url = shadowUrl(o.shadowDb, config.shadow);
  const pending = [{ ...snapshot, file }, declared].filter((f) => !f.canonical);
  const done = await canonicalizeAll(pending, {
    major,
    ...(url ? { url } : {}),
    ...(o.notice ? { notice: o.notice } : {}),
    ...(extras.extensions ? { extensions: extras.extensions } : {}),
  });
  const source = snapshot.canonical ? snapshot.model : done.models.shift()!;
  const target = declared.canonical ? declared.model : done.models.shift()!;
  return {
    source: { schemas: source.schemas },
    target,
    server: { version: done.version.text, versionNum: done.version.num },
    label: file,
    ...dependencies,
    ...extras,
  };
}
