// `switchyard tenants list` and `switchyard tenants add NAME`. A new tenant is created at the fleet's current
// version: the template's schema at the phase boundary every tenant has reached in the latest plan (or, with
// no plan applied, the template schema itself or the first tenant's), built in one transaction together with
// its ledger rows (the phases it was born with are recorded done) and the registry's `register` statement.
// Nothing is left half-created: the transaction commits all of it or none.
import { readdir } from 'node:fs/promises';
import { configPath, type SwitchyardConfig } from '../config/config.js';
import { connect, describeTarget, resolveTarget, withTransaction, type Client } from '../db/connect.js';
import { databaseError, SwitchyardError, UsageError } from '../errors.js';
import { ensureLedger, ledgerExists, markStepDone, markStepRunning, recordPlan } from '../executor/ledger.js';
import { planPhases } from '../executor/state.js';
import { assertModeled, introspect, inventory, type NotModeled } from '../introspect/index.js';
import type { Plan } from '../planner/types.js';
import { loadSchemaFile } from '../schema/declared/snapshot.js';
import type { Schema, TenantsConfig } from '../schema/model/model.js';
import { identifierBytes, ident, MAX_IDENTIFIER_BYTES, qualified } from '../db/quote.js';
import { pairMode } from '../pair/phases.js';
import { lockPair, openPair, resolvePair, resolveSides, type PairSession, type Sides } from '../pair/session.js';
import { withAdvisoryLock } from '../executor/lock.js';
import { inStream, joinStream, liveStream } from '../tenants/pair-add.js';
import { renderDatabase } from '../sql/render/index.js';
import { modelAtBoundary, schemaOf } from '../tenants/drift.js';
import { readRegistry, type Registry } from '../introspect/registry.js';
import { renameSchemaInModel } from '../tenants/rename.js';
import { planTenants, unitPlan } from '../tenants/split.js';
import { tenantsStatus, type TenantPosition } from '../tenants/status.js';
import { load, type Loaded } from './apply.js';
import { statusCommand } from './status.js';
import { prepareSession } from '../rehearsal/shadow.js';
import { sendOne } from '../db/send.js';

async function tenantsConfig(config: SwitchyardConfig): Promise<TenantsConfig> {
  const file = configPath(config, config.schema);
  const t = (await loadSchemaFile(file)).model.tenants;
  if (!t)
    throw new UsageError(
      `${file} has no \`tenants:\` section: declare the registry query and the template schema, e.g.\n  tenants:\n    registry: SELECT schema_name FROM central.tenants WHERE active\n    template: tenant_template`,
    );
  return t;
}

/** The newest plan in plans/ that has tenants, or undefined. */
async function latestTenantPlan(config: SwitchyardConfig): Promise<Loaded | undefined> {
  const dir = configPath(config, config.plans);
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => /\.plan\.ya?ml$/.test(f))
    .sort()
    .reverse();
  for (const f of files) {
    const loaded = await load(config, `${config.plans}/${f}`);
    if (planTenants(loaded.plan)) return loaded;
  }
  return undefined;
}

/** The tenant schemas of the database with their position in the latest plan. */
export interface TenantsListResult {
  readonly database: string;
  readonly template: string;
  readonly templateExists: boolean;
  readonly plan?: string;
  readonly tenants: readonly (TenantPosition | { readonly tenant: string; readonly where: string })[];
  readonly missing: readonly string[];
  /** What the tenant schemas (and the template, when it is a schema) hold outside the model. */
  readonly notModeled: readonly NotModeled[];
}

/** The inventory of the registry's tenant schemas and of the template when it is a schema. One query. */
async function tenantsInventory(client: Client, registry: Registry, template: string): Promise<NotModeled[]> {
  return inventory(client, {
    includeSchemas: [...registry.tenants, ...(registry.templateExists ? [template] : [])],
  });
}

/** `switchyard tenants list`: the tenant schemas with their position in the latest plan (or the one given). */
export async function tenantsList(
  config: SwitchyardConfig,
  o: { db?: string; plan?: string; strict?: boolean },
): Promise<TenantsListResult> {
  const t = await tenantsConfig(config);
  const loaded = o.plan ? await load(config, o.plan) : await latestTenantPlan(config);
  const paired = pairMode(config, o.db);
  const target = paired ? { url: await liveUrl(config) } : resolveTarget(o.db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    const registry = await readRegistry(client, t);
    const notModeled = await tenantsInventory(client, registry, t.template);
    assertModeled(notModeled, o.strict ?? config.strict);
    const ledger = (await ledgerExists(client, config.ledgerSchema)) ? config.ledgerSchema : undefined;
    // On a pair, positions come from both ledgers (expand and backfill ran on the standby): as status shows them.
    const tenants =
      loaded && paired
        ? (await statusCommand(config, { plan: loaded.path })).plan!.tenants!.tenants
        : loaded
          ? (await tenantsStatus(client, loaded.plan, loaded.report, t.template, registry, ledger, { drift: false }))
              .tenants
          : registry.tenants.map((tenant) => ({ tenant, where: 'no plan with tenants in plans/' }));
    return {
      database: describeTarget(target),
      template: t.template,
      templateExists: registry.templateExists,
      ...(loaded ? { plan: loaded.plan.name } : {}),
      tenants,
      missing: registry.missing,
      notModeled,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** With a pair: the live side's URL (the registry and the ledger of contract live there). */
async function liveUrl(config: SwitchyardConfig): Promise<string> {
  const session = await openPair(resolvePair(config), 'switchyard tenants list');
  try {
    return session.targets[(await resolveSides(session, config.ledgerSchema)).live];
  } finally {
    await session.close();
  }
}

/** The tenant schema `tenantsAdd` created and the plan position it starts at. */
export interface TenantsAddResult {
  readonly tenant: string;
  readonly database: string;
  /** Where the new tenant starts: `plan 0002_x release 1 expand applied`, or `the template schema`. */
  readonly version: string;
  readonly statements: number;
  /**
   * What the other tenants (and the template, when it is a schema) hold outside the model: the new tenant is
   * built from the model, so it does not get these. Not read on a pair.
   */
  readonly notModeled?: readonly NotModeled[];
  /** A rerun that finished what an interrupted `tenants add` left: what it did. */
  readonly resumed?: string;
  /** With a pair: the standby's copy of the tenant (built at the standby's own version) and the stream it joined. */
  readonly pair?: {
    readonly live: string;
    readonly standby?: {
      readonly side: string;
      readonly database: string;
      readonly version: string;
      readonly statements: number;
    };
    readonly streaming: boolean;
    readonly publication?: string;
    readonly tables: number;
    readonly copyMs: number;
  };
}

/** The phase boundary (index in planPhases, -1 before the first) that every tenant of the registry has reached. */
function fleetBoundary(positions: readonly TenantPosition[]): number | string {
  const bounds = new Set(positions.map((p) => p.boundary));
  if (bounds.size === 1 && !bounds.has(undefined)) return [...bounds][0]!;
  const where = new Map<string, number>();
  for (const p of positions) where.set(p.where, (where.get(p.where) ?? 0) + 1);
  return [...where].map(([w, n]) => `${n} ${w}`).join(', ');
}

async function sourceSchema(
  client: Client,
  config: SwitchyardConfig,
  t: TenantsConfig,
  registry: Registry,
): Promise<{ schema: Schema; version: string; plan?: Plan; boundary?: number }> {
  const loaded = await latestTenantPlan(config);
  const ledger = (await ledgerExists(client, config.ledgerSchema)) ? config.ledgerSchema : undefined;
  if (loaded && ledger) {
    const positions = (
      await tenantsStatus(client, loaded.plan, loaded.report, t.template, registry, ledger, { drift: false })
    ).tenants;
    const b = positions.length ? fleetBoundary(positions) : -1;
    if (typeof b === 'string') {
      throw new SwitchyardError(
        'TENANTS_MID_ROLLOUT',
        `the tenants are not all at one version of plan ${loaded.plan.name} (${b}): a new tenant would not know which to start at\nfix: finish the rollout (switchyard status ${loaded.path} --tenants), then add the tenant`,
        1,
      );
    }
    const phases = planPhases(loaded.plan);
    const model =
      b === -1
        ? loaded.plan.source.snapshot
        : modelAtBoundary(loaded.plan, loaded.report, phases[b]!.release, phases[b]!.phase, 'after');
    if (!model)
      throw new SwitchyardError(
        'TENANTS_VERSION_UNKNOWN',
        `the tenants are at ${phases[b]!.phase} of release ${phases[b]!.release} of plan ${loaded.plan.name}, whose schema is known only from a rehearsal report\nfix: switchyard rehearse ${loaded.path}`,
        1,
      );
    const version =
      b === -1
        ? `before plan ${loaded.plan.name}`
        : `plan ${loaded.plan.name} release ${phases[b]!.release} ${phases[b]!.phase} applied`;
    return { schema: schemaOf(model, t.template), version, plan: loaded.plan, boundary: b };
  }
  const from = registry.templateExists ? t.template : registry.tenants[0];
  if (from === undefined)
    throw new SwitchyardError(
      'TENANTS_NO_SOURCE',
      `there is no template schema ${ident(t.template)} and no tenant to copy the structure from\nfix: create the template schema, or the first tenant by hand`,
      1,
    );
  const live = await introspect(client, { includeSchemas: [from] });
  return {
    schema: schemaOf(
      { ...live, schemas: live.schemas.map((s) => (s.name === from ? renameSchemaInModel(s, t.template) : s)) },
      t.template,
    ),
    version: from === t.template ? 'the template schema' : `the structure of tenant ${from}`,
  };
}

function checkName(name: string, t: TenantsConfig): void {
  if (name === '' || name.includes('\0')) throw new UsageError('the tenant name must be a non-empty schema name');
  if (identifierBytes(name) > MAX_IDENTIFIER_BYTES)
    throw new UsageError(
      `tenant name ${ident(name)} is ${identifierBytes(name)} bytes; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES}`,
    );
  if (/^pg_/i.test(name))
    throw new UsageError(`tenant name ${ident(name)}: names starting with pg_ are reserved for PostgreSQL`);
  if (name === t.template) throw new UsageError(`${ident(name)} is the template schema, not a tenant`);
  if (!t.register) {
    throw new UsageError(
      `tenants add registers the new tenant with \`tenants.register\` in the declared schema, and there is none\n` +
        `fix: add it, $1 being the schema name, e.g.\n  tenants:\n    register: INSERT INTO central.tenants (schema_name, active) VALUES ($1, true)`,
    );
  }
}

interface Built {
  readonly version: string;
  readonly statements: string[];
  readonly src: Awaited<ReturnType<typeof sourceSchema>>;
}

/** What the new tenant will be on this database: its version (this database's fleet boundary) and statements. */
async function prepareTenant(
  client: Client,
  config: SwitchyardConfig,
  t: TenantsConfig,
  name: string,
  where = '',
  o: { registered?: boolean } = {},
): Promise<Built> {
  await prepareSession(client);
  if (await schemaExists(client, name))
    throw new UsageError(
      `schema ${ident(name)} already exists${where}${(await readRegistry(client, t)).tenants.includes(name) ? ' and is a registered tenant' : ''}`,
    );
  const registry = await readRegistry(client, t);
  // Resuming on the standby: the registration came by replication before the schema was built there.
  if (registry.missing.includes(name) && !o.registered) {
    throw new UsageError(
      `${ident(name)} is already listed by the tenants registry${where}, without a schema: registering it again would conflict\nfix: remove it from the registry (the table \`tenants.registry\` reads), then run switchyard tenants add again`,
    );
  }
  const src = await sourceSchema(client, config, t, registry);
  return {
    version: src.version,
    statements: renderDatabase({ schemas: [renameSchemaInModel(src.schema, name)] }),
    src,
  };
}

/** Builds the tenant in one transaction: its objects, the ledger rows of the phases it is born with, and (on live) its registration. */
async function buildTenant(
  client: Client,
  config: SwitchyardConfig,
  t: TenantsConfig,
  name: string,
  b: Built,
  register: boolean,
): Promise<void> {
  const { src } = b;
  await withTransaction(client, async () => {
    for (const s of b.statements) await sendOne(client, s);
    if (src.plan && src.boundary !== undefined && src.boundary >= 0) {
      // The phases the tenant was born with are recorded done: the next apply continues from there.
      await ensureLedger(client, config.ledgerSchema);
      const tenantOnly = unitPlan(src.plan, t.template, t.template);
      await recordPlan(client, tenantOnly, [name], config.ledgerSchema);
      for (const p of planPhases(tenantOnly).slice(0, src.boundary + 1)) {
        for (const step of p.steps) {
          const ref = { plan: src.plan.name, step, tenant: name };
          await markStepRunning(client, ref, config.ledgerSchema);
          await markStepDone(client, ref, config.ledgerSchema);
        }
      }
    }
    if (!register) return;
    try {
      await sendOne(client, t.register!, [name]);
    } catch (e) {
      // The user's statement: say which one failed, and that the schema went with it.
      throw databaseError(
        `the \`tenants.register\` statement failed for ${ident(name)}, so nothing was created\n  statement: ${t.register!}\n  error`,
        e,
      );
    }
  });
}

/** `switchyard tenants add`: creates a tenant schema at the fleet's current position and registers it. */
export async function tenantsAdd(
  config: SwitchyardConfig,
  o: { name: string; db?: string; timeoutMs?: number; strict?: boolean },
): Promise<TenantsAddResult> {
  const name = o.name;
  const t = await tenantsConfig(config);
  checkName(name, t);
  if (pairMode(config, o.db)) return tenantsAddOnPair(config, t, name, o);
  const target = resolveTarget(o.db, config.database, config.unsetVariables);
  const client = await connect(target);
  try {
    // Before building: with --strict, nothing is created when the other tenants hold what the model cannot copy.
    const notModeled = await tenantsInventory(client, await readRegistry(client, t), t.template);
    assertModeled(notModeled, o.strict ?? config.strict);
    return await underExecutorLock(client, config, `tenants add ${name}`, async () => {
      const b = await prepareTenant(client, config, t, name);
      await buildTenant(client, config, t, name, b, true);
      return {
        tenant: name,
        database: describeTarget(target),
        version: b.version,
        statements: b.statements.length,
        notModeled,
      };
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * With a pair: built on the standby first (at the standby's own version: during a rollout its tenants are ahead
 * of live's), then on live with its registration (which reaches the standby by replication), then its tables
 * join the stream. A failure on live removes the standby's copy again. A pair that is not streaming gets the
 * tenant on live only (pair init or resync copies it).
 */
async function tenantsAddOnPair(
  config: SwitchyardConfig,
  t: TenantsConfig,
  name: string,
  o: { timeoutMs?: number },
): Promise<TenantsAddResult> {
  const session = await openPair(resolvePair(config), 'switchyard tenants add');
  try {
    await lockPair(session);
    const sides = await resolveSides(session, config.ledgerSchema);
    const live = session.db(sides.live);
    const standby = session.db(sides.standby);
    return await underExecutorLock(live, config, `tenants add ${name}`, () =>
      underExecutorLock(standby, config, `tenants add ${name}`, () => addOnPair(session, sides, config, t, name, o)),
    );
  } finally {
    await session.close();
  }
}

async function addOnPair(
  session: PairSession,
  sides: Sides,
  config: SwitchyardConfig,
  t: TenantsConfig,
  name: string,
  o: { timeoutMs?: number },
): Promise<TenantsAddResult> {
  const live = session.db(sides.live);
  const standby = session.db(sides.standby);
  const stream = await liveStream(live, standby, sides);
  const join = async () =>
    stream
      ? await joinStream(live, standby, sides, name, o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs })
      : { streaming: false, tables: 0, ms: 0 };
  const result = (
    version: string,
    statements: number,
    standbyPart: NonNullable<TenantsAddResult['pair']>['standby'],
    joined: Awaited<ReturnType<typeof join>>,
    resumed?: string,
  ): TenantsAddResult => ({
    tenant: name,
    database: session.names[sides.live],
    version,
    statements,
    ...(resumed ? { resumed } : {}),
    pair: {
      live: sides.live,
      ...(standbyPart ? { standby: standbyPart } : {}),
      streaming: joined.streaming,
      ...('publication' in joined && joined.publication ? { publication: joined.publication } : {}),
      tables: joined.tables,
      copyMs: joined.ms,
    },
  });
  const standbyPartOf = (b: Built) => ({
    side: sides.standby,
    database: session.names[sides.standby],
    version: b.version,
    statements: b.statements.length,
  });

  // A run that stopped after live committed (killed, or the stream could not be joined): finish it.
  if (
    stream &&
    (await schemaExists(live, name)) &&
    (await readRegistry(live, t)).tenants.includes(name) &&
    !((await schemaExists(standby, name)) && (await inStream(live, stream.publication, name)))
  ) {
    let standbyPart: NonNullable<TenantsAddResult['pair']>['standby'];
    if (!(await schemaExists(standby, name))) {
      const onStandby = await prepareTenant(standby, config, t, name, ` on the standby (${sides.standby})`, {
        registered: true,
      });
      await buildTenant(standby, config, t, name, onStandby, false);
      standbyPart = standbyPartOf(onStandby);
    }
    return result(
      '(already on live)',
      0,
      standbyPart,
      await join(),
      `tenant ${ident(name)} was already created and registered on live: ${standbyPart ? 'built it on the standby and ' : ''}joined it to the stream`,
    );
  }
  // A run killed between the standby's build and live's leaves an unregistered, never-published schema there.
  if (stream && !(await schemaExists(live, name)) && (await schemaExists(standby, name)))
    await dropOrphan(standby, config, name, sides.standby);

  const onLive = await prepareTenant(live, config, t, name, ` on live (${sides.live})`);
  if (!stream) {
    await buildTenant(live, config, t, name, onLive, true);
    return result(onLive.version, onLive.statements.length, undefined, await join());
  }
  const onStandby = await prepareTenant(standby, config, t, name, ` on the standby (${sides.standby})`);
  await buildTenant(standby, config, t, name, onStandby, false);
  try {
    await buildTenant(live, config, t, name, onLive, true);
  } catch (e) {
    const cleanup = await dropOrphan(standby, config, name, sides.standby).then(
      () => undefined,
      (c: unknown) => (c as Error).message,
    );
    if (cleanup !== undefined && e instanceof Error)
      e.message += `\nthe copy built on the standby (${sides.standby}) could not be removed (${cleanup}): run switchyard tenants add ${ident(name)} again once the cause is fixed, it removes it`;
    throw e;
  }
  return result(onLive.version, onLive.statements.length, standbyPartOf(onStandby), await join());
}

/**
 * No apply or rollback runs while a tenant is added: it would not see the new tenant (or build it at a version
 * the fleet is leaving). The executor lock, taken exclusively, refuses at once when one runs.
 */
async function underExecutorLock<T>(
  client: Client,
  config: SwitchyardConfig,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
  return withAdvisoryLock(client, { database: rows[0]!.db, ledgerSchema: config.ledgerSchema }, what, fn);
}

async function schemaExists(db: Client, name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rows.length > 0;
}

/** Drops a tenant schema `tenants add` left on the standby alone, refusing if any of its tables holds a row. */
async function dropOrphan(db: Client, config: SwitchyardConfig, name: string, side: string): Promise<void> {
  const { rows } = await db.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [name],
  );
  for (const r of rows) {
    if ((await db.query(`SELECT 1 FROM ${qualified(name, r.t)} LIMIT 1`)).rows.length) {
      throw new SwitchyardError(
        'TENANT_ORPHAN',
        `schema ${ident(name)} exists on the standby (${side}) but not on live, and its table ${qualified(name, r.t)} holds rows: it is not a copy tenants add left behind\nfix: look at it, drop it by hand if it is not needed, then run switchyard tenants add again`,
        1,
      );
    }
  }
  await withTransaction(db, async () => {
    await db.query(`DROP SCHEMA ${ident(name)} CASCADE`);
    if (await ledgerExists(db, config.ledgerSchema))
      await db.query(`DELETE FROM ${qualified(config.ledgerSchema, 'steps')} WHERE tenant = $1`, [name]);
  });
}
