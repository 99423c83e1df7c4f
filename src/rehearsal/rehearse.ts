// The rehearsal: a rollback that has not been run does not exist. On a throwaway PostgreSQL, the plan's source
// schema is built (from the plan's snapshot, or copied from a live database) and filled with sample rows; then
// every phase is applied one step at a time, checked against what the planner expects, rolled back one step at
// a time with each step's schema compared with exactly what it was before that step, and applied again. At the
// end the schema must equal the plan's target, and planning again must find nothing to do.
import { existsSync } from 'node:fs';
import pg from 'pg';
import { describeChange, diff } from '../diff/index.js';
import { SwitchyardError, databaseError, serverMessage } from '../errors.js';
import { liveSchema, planSchemas } from '../executor/drift.js';
import { applyPhase, rollbackPhase, StepFailedError, type PhaseEvent } from '../executor/phase.js';
import { planPhases } from '../executor/state.js';
import { readExtensions, type Extension } from '../introspect/extensions.js';
import { describeNotModeled, inventory, missingRoles, serverVersion } from '../introspect/index.js';
import { grantRoles } from '../schema/model/grants.js';
import { key } from '../planner/keys.js';
import type { Phase, Plan, Step } from '../planner/types.js';
import { fingerprint } from '../schema/model/fingerprint.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { ident, qualified } from '../db/quote.js';
import { renderDatabase } from '../sql/render/index.js';
import { withTemplate, type RenameSchema } from '../introspect/template.js';
import { startEmbedded, type EmbeddedServer } from './embedded.js';
import { createPolicyRoles } from './roles.js';
import { installExtensions } from './extensions.js';
import { unmetExpectations } from './expect.js';
import type {
  PhaseRehearsal,
  RehearsalFailure,
  RehearsalReport,
  StepRehearsal,
  TenantRehearsal,
} from '../executor/rehearsal-report.js';
import { insertSampleRows } from './sample.js';
import { prepareSession } from './shadow.js';
import { sendOne } from '../db/send.js';

export type Engine = 'embedded' | 'docker';

export interface RehearseOptions {
  readonly engine?: Engine;
  /** Docker image (default postgres:<major>). */
  readonly image?: string;
  /** PostgreSQL major to rehearse on (default: the plan's). */
  readonly major?: number;
  /**
   * Copy the source schema from this live database instead of the plan's snapshot (schema only, never rows).
   * `renameSchema` reads a tenant plan's template from a tenant when the database has no template schema.
   */
  readonly copyFrom?: { readonly client: pg.Client; readonly renameSchema: RenameSchema };
  readonly sampleRows?: number;
  /** Real tenants to rehearse after the template, each with the plan under its own name (tenants/rehearse.ts). */
  readonly tenants?: readonly { readonly tenant: string; readonly plan: Plan }[];
  /** Tenants left out of the sample because their schema drifted (recorded in the report). */
  readonly tenantsDrifted?: readonly { readonly tenant: string; readonly differences: readonly string[] }[];
  readonly onEvent?: (e: RehearsalEvent) => void;
}

export type RehearsalEvent =
  | { readonly kind: 'server'; readonly engine: Engine; readonly version: string; readonly notice?: string }
  | {
      readonly kind: 'source';
      readonly tables: number;
      readonly rows: number;
      readonly short: readonly { table: string; reason: string }[];
    }
  | {
      readonly kind: 'phase';
      readonly release: number;
      readonly phase: Phase;
      readonly stage: 'apply' | 'rollback' | 'reapply' | 'done';
      readonly ms?: number;
    }
  | { readonly kind: 'step'; readonly stage: 'apply' | 'rollback'; readonly id: string; readonly description: string }
  | { readonly kind: 'notice'; readonly message: string }
  | {
      readonly kind: 'tenant';
      readonly tenant: string;
      readonly stage: 'start' | 'done' | 'failed';
      readonly ms?: number;
    }
  | PhaseEvent;

/** Majors the embedded engine can start here: the npm packages' and Debian's server binaries. */
export function embeddedMajorAvailable(major: number): boolean {
  return major === 17 || major === 18 || existsSync(`/usr/lib/postgresql/${major}/bin/postgres`);
}

class Failed extends Error {
  constructor(readonly failure: RehearsalFailure) {
    super(failure.message);
  }
}

async function startServer(
  o: RehearseOptions,
  planMajor: number,
): Promise<{ server: EmbeddedServer; notice?: string }> {
  const wanted = o.major ?? planMajor;
  if ((o.engine ?? 'embedded') === 'docker') {
    const { startDocker } = await import('./docker.js');
    return { server: await startDocker({ major: wanted, ...(o.image ? { image: o.image } : {}) }) };
  }
  if (embeddedMajorAvailable(wanted)) return { server: await startEmbedded({ major: wanted }) };
  const server = await startEmbedded({ major: 17 });
  return {
    server,
    notice: `PostgreSQL ${wanted} is not available to the embedded engine here; rehearsing on 17 (use --engine docker --image postgres:${wanted} for an exact match)`,
  };
}

/** Runs the rehearsal and returns its report (passed or not). Throws only when no server could be started. */
export async function rehearse(plan: Plan, o: RehearseOptions = {}): Promise<RehearsalReport> {
  const started = Date.now();
  const engine = o.engine ?? 'embedded';
  const { server, notice } = await startServer(o, Math.floor(plan.server.versionNum / 10000));
  const sampleRows = o.sampleRows ?? 20;
  try {
    // Copying from a live database, its extensions are read there; otherwise the plan file carries them.
    const extensions = o.copyFrom ? await readExtensions(o.copyFrom.client) : (plan.extensions ?? []);
    const main = await rehearseIn(server, 'rehearsal', plan, { ...o, extensions }, sampleRows, { notice });
    const tenants: TenantRehearsal[] = [];
    // The tenants of the sample only when the template passed: their failures would repeat its own.
    for (const [i, t] of (main.failure ? [] : (o.tenants ?? [])).entries()) {
      o.onEvent?.({ kind: 'tenant', tenant: t.tenant, stage: 'start' });
      const t0 = Date.now();
      const { copyFrom: _, ...rest } = o;
      const r = await rehearseIn(server, `rehearsal_tenant_${i + 1}`, t.plan, { ...rest, extensions }, sampleRows);
      const ms = Date.now() - t0;
      tenants.push({
        tenant: t.tenant,
        passed: r.failure === undefined,
        ms,
        ...(r.failure ? { failure: r.failure } : {}),
      });
      o.onEvent?.({ kind: 'tenant', tenant: t.tenant, stage: r.failure ? 'failed' : 'done', ms });
    }
    const failedTenant = tenants.find((t) => !t.passed);
    return {
      format: 1,
      plan: plan.name,
      checksum: plan.checksum,
      passed: main.failure === undefined && failedTenant === undefined,
      engine,
      server: main.version,
      startedAt: new Date(started).toISOString(),
      ms: Date.now() - started,
      sampleRows,
      phases: main.phases,
      ...(main.failure
        ? { failure: main.failure }
        : failedTenant?.failure
          ? {
              failure: {
                ...failedTenant.failure,
                message: `tenant ${ident(failedTenant.tenant)}: ${failedTenant.failure.message}`,
              },
            }
          : {}),
      models: main.models,
      ...(o.tenants ? { tenants } : {}),
      ...(o.tenantsDrifted?.length ? { tenantsDrifted: o.tenantsDrifted } : {}),
    };
  } finally {
    await server.stop();
  }
}

interface Rehearsed {
  readonly version: string;
  readonly phases: PhaseRehearsal[];
  readonly models: Record<string, DatabaseSchema>;
  readonly failure?: RehearsalFailure;
}

/** The rehearsal of one plan in a new database `name` of `server`. */
async function rehearseIn(
  server: EmbeddedServer,
  name: string,
  plan: Plan,
  o: RehearseOptions & { readonly extensions: readonly Extension[] },
  sampleRows: number,
  announce?: { notice: string | undefined },
): Promise<Rehearsed> {
  const phases: PhaseRehearsal[] = [];
  const models: Record<string, DatabaseSchema> = {};
  let version = `PostgreSQL ${server.major}`;
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await admin.end();
  }
  const db = new pg.Client({ connectionString: server.url(name) });
  db.on('error', () => undefined);
  await db.connect();
  try {
    await prepareSession(db);
    version = `PostgreSQL ${(await serverVersion(db)).text}`;
    if (announce)
      o.onEvent?.({
        kind: 'server',
        engine: o.engine ?? 'embedded',
        version,
        ...(announce.notice ? { notice: announce.notice } : {}),
      });
    const exists = await installExtensions(db, o.extensions, {
      where: `the rehearsal server (PostgreSQL ${server.major})`,
      fix: `rehearse on a server that ships it: --engine docker --image <an image of PostgreSQL ${server.major} with it>`,
    });
    await createPolicyRoles(db, [plan.source.snapshot, plan.target.snapshot]);
    await buildSource(db, plan, o, sampleRows, exists);
    for (const p of planPhases(plan)) {
      if (p.steps.length === 0) continue;
      phases.push(await rehearsePhase(db, plan, p.release, p.phase, models, o));
    }
    await checkEnd(db, plan);
    return { version, phases, models };
  } catch (e) {
    if (e instanceof Failed) return { version, phases, models, failure: e.failure };
    throw e;
  } finally {
    await db.end().catch(() => undefined);
  }
}

async function buildSource(
  db: pg.Client,
  plan: Plan,
  o: RehearseOptions,
  sampleRows: number,
  exists: ReadonlySet<string>,
): Promise<void> {
  let source = plan.source.snapshot;
  if (o.copyFrom) {
    const { client, renameSchema } = o.copyFrom;
    await prepareSession(client);
    // A tenant plan made on a database without a template schema read the template from a tenant: so is it here.
    source = await withTemplate(client, await liveSchema(client, plan), plan.target.snapshot, renameSchema);
    if (fingerprint(source) !== plan.source.fingerprint) {
      throw new Failed({
        stage: 'source',
        message: `the database to copy from is not the schema plan ${plan.name} was made from`,
        differences: diff(plan.source.snapshot, source).map(describeChange),
      });
    }
  }
  // The rehearsal server is a throwaway one: the roles the source grants to are made there (NOLOGIN).
  for (const role of await missingRoles(db, [...grantRoles(source).keys()]))
    await sendOne(db, `CREATE ROLE ${ident(role)} NOLOGIN`).catch((e: unknown) => {
      throw databaseError(`creating role ${role} on the rehearsal server`, e);
    });
  for (const statement of renderDatabase(source)) {
    if (exists.has(statement)) continue;
    try {
      await sendOne(db, statement);
    } catch (e) {
      throw databaseError(`building the plan's source schema on the rehearsal server (${statement.split('\n')[0]})`, e);
    }
  }
  const built = await liveSchema(db, plan);
  if (fingerprint(built) !== plan.source.fingerprint) {
    throw new Failed({
      stage: 'source',
      message: `the source schema built on the rehearsal server does not read back as the plan's source (a different PostgreSQL version prints it differently)`,
      differences: diff(plan.source.snapshot, built).map(describeChange),
    });
  }
  const sample = await insertSampleRows(db, built, sampleRows, plan.target.snapshot);
  o.onEvent?.({
    kind: 'source',
    tables: Object.keys(sample.rows).length,
    rows: Object.values(sample.rows).reduce((a, b) => a + b, 0),
    short: sample.short,
  });
}

async function rowCounts(db: pg.Client, model: DatabaseSchema): Promise<Map<string, number>> {
  const tables = model.schemas.flatMap((s) => s.tables.map((t) => qualified(s.name, t.name)));
  if (!tables.length) return new Map();
  const { rows } = await db.query<{ t: string; n: number }>(
    tables.map((t) => `SELECT ${pgText(t)} AS t, count(*)::int AS n FROM ${t}`).join(' UNION ALL '),
  );
  return new Map(rows.map((r) => [r.t, r.n]));
}

/** Tables (quoted, as rowCounts names them) that a DELETES_DATA step of `steps` drops, itself or with its schema. */
function droppedTables(steps: readonly Step[], model: DatabaseSchema): Set<string> {
  const drops = new Set(steps.filter((s) => s.hazards.includes('DELETES_DATA')).flatMap((s) => s.drops));
  return new Set(
    model.schemas.flatMap((s) =>
      s.tables
        .filter((t) => drops.has(key.schema(s.name)) || drops.has(key.table(s.name, t.name)))
        .map((t) => qualified(s.name, t.name)),
    ),
  );
}

/** A SQL string literal of an already-quoted name (for labelling rows of the count query). */
function pgText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function snapshot(db: pg.Client, plan: Plan): Promise<{ model: DatabaseSchema; fp: string }> {
  const model = await liveSchema(db, plan);
  return { model, fp: fingerprint(model) };
}

/** The objects of the plan's schemas that the model does not hold, one line each. */
async function unmodeled(db: pg.Client, plan: Plan): Promise<string[]> {
  return (await inventory(db, { includeSchemas: planSchemas(plan) })).map(describeNotModeled);
}

function changes(from: DatabaseSchema, to: DatabaseSchema): string[] {
  const d = diff(from, to).map(describeChange);
  return d.length ? d : ['(differences the change list does not show: compare the fingerprints)'];
}

async function rehearsePhase(
  db: pg.Client,
  plan: Plan,
  release: number,
  phase: Phase,
  models: Record<string, DatabaseSchema>,
  o: RehearseOptions,
): Promise<PhaseRehearsal> {
  const steps = planPhases(plan).find((p) => p.release === release && p.phase === phase)!.steps;
  const where = { release, phase };
  const t0 = performance.now();
  const start = await snapshot(db, plan);
  models[start.fp] = start.model;
  const countsBefore = await rowCounts(db, start.model);
  const emit = o.onEvent ?? (() => undefined);
  const phaseOptions = { onEvent: emit, retryBaseMs: 50 };

  // Apply, one step at a time, remembering the schema before each.
  emit({ kind: 'phase', ...where, stage: 'apply' });
  const befores: { model: DatabaseSchema; fp: string }[] = [];
  const records: StepRehearsal[] = [];
  let current = start;
  // A raw SQL step mostly changes what the model does not hold (a policy, a statistics object): its rollback
  // must restore that too, so the inventory of unmodeled objects is compared around it as well. Not around an
  // IRREVERSIBLE one: its effect stays by declaration (and applying the phase again runs it again).
  const unmodeledBefore = new Map<string, string[]>();
  for (const step of steps) {
    if (step.action === 'run_sql' && !step.hazards.includes('IRREVERSIBLE'))
      unmodeledBefore.set(step.id, await unmodeled(db, plan));
    emit({ kind: 'step', stage: 'apply', id: step.id, description: step.description });
    const s0 = performance.now();
    try {
      await applyPhase(db, plan, release, phase, { ...phaseOptions, only: new Set([step.id]) });
    } catch (e) {
      throw new Failed({
        step: step.id,
        ...where,
        stage: 'apply',
        message:
          e instanceof StepFailedError
            ? e.message
            : `step ${step.id} (${step.description}) failed: ${serverMessage(e)}`,
        differences: [],
      });
    }
    const ms = Math.round(performance.now() - s0);
    befores.push(current);
    const next = await snapshot(db, plan);
    records.push({ id: step.id, before: current.fp, after: next.fp, ms });
    current = next;
  }
  const applied = current;
  const unmet = unmetExpectations(steps, applied.model);
  if (unmet.length) {
    throw new Failed({
      ...where,
      ...(unmet.length ? { step: /^step (\S+)/.exec(unmet[0]!)?.[1] ?? '' } : {}),
      stage: 'expectation',
      message: `after ${phase} (release ${release}) the schema is not what the plan's steps say they do`,
      differences: unmet,
    });
  }

  // Roll back, one step at a time in reverse, each compared with the schema before that step.
  emit({ kind: 'phase', ...where, stage: 'rollback' });
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    emit({ kind: 'step', stage: 'rollback', id: step.id, description: step.description });
    try {
      const states: string[] = [];
      await rollbackPhase(db, plan, release, phase, {
        ...phaseOptions,
        only: new Set([step.id]),
        onRollbackStatement: async () => {
          states.push((await snapshot(db, plan)).fp);
        },
      });
      if (states.length) records[i] = { ...records[i]!, rollback: states };
    } catch (e) {
      throw new Failed({
        step: step.id,
        ...where,
        stage: 'rollback',
        message: `the rollback of step ${step.id} (${step.description}) failed: ${serverMessage(e)}`,
        differences: [],
      });
    }
    const now = await snapshot(db, plan);
    const before = befores[i]!;
    const unmodeledThen = unmodeledBefore.get(step.id);
    if (unmodeledThen) {
      const unmodeledNow = await unmodeled(db, plan);
      const differences = [
        ...unmodeledNow.filter((x) => !unmodeledThen.includes(x)).map((x) => `still there: ${x}`),
        ...unmodeledThen.filter((x) => !unmodeledNow.includes(x)).map((x) => `gone: ${x}`),
      ];
      if (differences.length)
        throw new Failed({
          step: step.id,
          ...where,
          stage: 'rollback',
          message: `the rollback of step ${step.id} (${step.description}) does not restore the objects the model does not hold as they were before the step`,
          differences,
        });
    }
    if (now.fp !== before.fp) {
      throw new Failed({
        step: step.id,
        ...where,
        stage: 'rollback',
        message: `the rollback of step ${step.id} (${step.description}) does not restore the schema as it was before the step`,
        differences: changes(before.model, now.model),
      });
    }
  }
  const countsAfter = await rowCounts(db, start.model);
  // A step that deletes data (DELETES_DATA: dropping a table or a schema) gets its objects back on rollback, not
  // their rows; lint and apply refuse it unless allowed. Every other table must keep every row.
  const emptied = droppedTables(steps, start.model);
  const lost = [...countsBefore]
    .filter(([t, n]) => countsAfter.get(t) !== n && !emptied.has(t))
    .map(
      ([t, n]) =>
        `table ${t} had ${n} rows before ${phase} (release ${release}), ${countsAfter.get(t) ?? 'none'} after its rollback`,
    );
  if (lost.length)
    throw new Failed({
      ...where,
      stage: 'rollback',
      message: `rolling back ${phase} (release ${release}) changed the number of rows`,
      differences: lost,
    });

  // Apply again: a phase that was rolled back must apply exactly as the first time.
  emit({ kind: 'phase', ...where, stage: 'reapply' });
  try {
    await applyPhase(db, plan, release, phase, phaseOptions);
  } catch (e) {
    throw new Failed({
      ...where,
      ...(e instanceof SwitchyardError && 'step' in e ? { step: String((e as { step: unknown }).step) } : {}),
      stage: 'reapply',
      message: `applying ${phase} (release ${release}) again after its rollback failed: ${serverMessage(e)}`,
      differences: [],
    });
  }
  const again = await snapshot(db, plan);
  if (again.fp !== applied.fp) {
    throw new Failed({
      ...where,
      stage: 'reapply',
      message: `applying ${phase} (release ${release}) again after its rollback gives another schema than the first time`,
      differences: changes(applied.model, again.model),
    });
  }
  models[again.fp] = again.model;
  const ms = Math.round(performance.now() - t0);
  emit({ kind: 'phase', ...where, stage: 'done', ms });
  return { release, phase, before: start.fp, after: applied.fp, steps: records, ms };
}

async function checkEnd(db: pg.Client, plan: Plan): Promise<void> {
  const end = await snapshot(db, plan);
  const remaining = diff(end.model, plan.target.snapshot).map(describeChange);
  if (remaining.length) {
    throw new Failed({
      stage: 'replan',
      message: `after every phase, planning again is not empty: ${remaining.length} change(s) remain`,
      differences: remaining,
    });
  }
  if (end.fp !== plan.target.fingerprint) {
    throw new Failed({
      stage: 'target',
      message: `after every phase the schema is not the plan's target`,
      differences: changes(plan.target.snapshot, end.model),
    });
  }
}
