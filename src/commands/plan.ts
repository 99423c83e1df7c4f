// `switchyard plan`: the declared schema against a live database (or a saved snapshot) -> plan files.
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { describeTarget, resolveTarget, withClient } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { readExtensions, type Extension } from '../introspect/extensions.js';
import {
  assertModeled,
  introspect,
  inventory,
  type NotModeled,
  serverVersion,
  tableStats,
} from '../introspect/index.js';
import type { TableStats } from '../planner/cost.js';
import { assertPlanName, planNumber, writePlanFiles, type WrittenPlan } from '../planner/file.js';
import { buildPlan } from '../planner/plan.js';
import { signOrUnsign } from '../planner/signature.js';
import type { Plan } from '../planner/types.js';
import { canonicalize, canonicalizeAll, prepareSession, shadowUrl } from '../rehearsal/shadow.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { loadSchemaFile, type SchemaFile } from '../schema/declared/snapshot.js';
import { withTemplate } from '../introspect/template.js';
import { renameSchemaInModel } from '../tenants/rename.js';

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
  readonly notice?: (message: string) => void;
}

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
}

export async function planCommand(config: SwitchyardConfig, o: PlanCommandOptions): Promise<PlanCommandResult> {
  assertPlanName(o.name);
  if (o.from && o.db) throw new UsageError('give either --db or --from, not both');
  const schemaFile = configPath(config, o.schema ?? config.schema);
  const declaredFile = await loadSchemaFile(schemaFile);
  const declared = declaredFile.model;
  const names = declared.schemas.map((s) => s.name);
  const plansDir = configPath(config, config.plans);
  const number = await planNumber(plansDir, o.name);
  const inputs = o.from
    ? await fromSnapshot(config, configPath(config, o.from), { ...declaredFile, file: schemaFile }, o)
    : await fromDatabase(config, { ...declaredFile, file: schemaFile }, names, o);
  const plan = buildPlan(inputs.source, inputs.target, {
    name: o.name,
    number,
    server: inputs.server,
    ...(inputs.extensions ? { extensions: inputs.extensions } : {}),
    ...(inputs.stats ? { stats: inputs.stats } : {}),
  });
  const steps = plan.releases.reduce((n, r) => n + r.expand.length + r.backfill.length + r.contract.length, 0);
  const notModeled = inputs.notModeled ?? [];
  if (o.dryRun) return { plan, source: inputs.label, steps, notModeled };
  const written = await writePlanFiles(plan, plansDir, configPath(config, config.migrations));
  const signature = await signOrUnsign(written.planFile, o.sign && configPath(config, o.sign));
  return { plan, source: inputs.label, written, steps, notModeled, ...(signature ? { signature } : {}) };
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
}

async function fromDatabase(
  config: SwitchyardConfig,
  declared: DeclaredFile,
  names: string[],
  o: PlanCommandOptions,
): Promise<Inputs> {
  const conn = resolveTarget(o.db, config.database, config.unsetVariables);
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
    };
  });
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
    source: read.source,
    target,
    stats: read.stats,
    extensions: read.extensions,
    server: { version: read.version.text, versionNum: read.version.num },
    label: describeTarget(conn),
    notModeled: read.notModeled,
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
    ...extras,
  };
}
