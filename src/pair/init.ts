// `pair init`: preflight, the pair tables on both sides, live's schema on the standby, publication, slot and
// subscription, the initial copy, a heartbeat round trip, and the topology stored on both sides. Every step
// looks before it acts, so running it again after a crash converges; `pair resync` empties the standby and
// runs the same steps.
import type { SwitchyardConfig } from '../config/config.js';
import type { Client } from '../db/connect.js';
import {
  alwaysTriggersCheck,
  capacityCheck,
  replicaIdentityCheck,
  replicationRoleCheck,
  sequencesCheck,
  slotHealthCheck,
  standbyColumnsCheck,
  standbyWritersCheck,
  unloggedTablesCheck,
  unreplicatedObjectsCheck,
  walLevelCheck,
  type ReplicationScope,
} from '../executor/preflight/replication.js';
import { guarded, type Check, type PreflightPair } from '../executor/preflight/types.js';
import { initPrivilegesCheck, pairRoleFacts } from '../executor/preflight/pair-privileges.js';
import { readExtensions } from '../introspect/extensions.js';
import { serverVersion } from '../introspect/index.js';
import { qualified } from '../db/quote.js';
import { readCatalog, type Catalog } from './catalog.js';
import { resetStandby } from './copy.js';
import {
  buildStandby,
  refreshMaterializedViews,
  standbyCopyCheck,
  standbyRolesCheck,
  type SchemaCopy,
} from './standby-build.js';
import { PairError, PairPreflightError } from './errors.js';
import { copyPrivileges } from './privileges.js';
import { copyReplicaIdentity } from './replica-identity.js';
import { HEARTBEAT_TABLE, publicationName, streamName } from './names.js';
import { ensurePublication, ensureSlot, ensureSubscription, pairSubscriptions } from './replicate.js';
import { grantHeartbeat, publicationContent } from './publish.js';
import { readApplication, schemaNames, tableNames, type ScopeConfig } from './scope.js';
import {
  lockPair,
  openPair,
  resolvePair,
  resolveSides,
  type PairFlags,
  type PairSession,
  type Sides,
} from './session.js';
import { subscriberConnection } from './subscriber.js';
import { waitForSync } from './sync.js';
import { teardownPair } from './teardown.js';
import {
  clearInitFailure,
  ensurePairLedger,
  recordInitFailure,
  waitForHeartbeat,
  writeHeartbeat,
  writeTopology,
} from './topology.js';
import { SIDES, type PairEvent, type Side } from './types.js';
import { passwordOf } from '../db/conninfo.js';
import { redactText } from '../db/redact.js';

export type PairConfig = ScopeConfig & Pick<SwitchyardConfig, 'pair' | 'unsetVariables'>;

export interface PairInitOptions extends PairFlags {
  /** Which side is live when the pair was never set up (default blue); must agree with a stored topology. */
  readonly live?: Side;
  /** Give up waiting for the initial copy after this long (0: wait as long as it takes). */
  readonly timeoutMs?: number;
  readonly onEvent?: (e: PairEvent) => void;
}

/** What `pair init` set up: the live side, the standby, the publication and subscription, the schema copy, its checks and steps. */
export interface PairInitResult {
  readonly blue: string;
  readonly green: string;
  readonly live: Side;
  readonly standby: Side;
  readonly generation: number;
  readonly publication: string;
  readonly subscription: string;
  readonly schema: SchemaCopy;
  readonly checks: readonly Check[];
  readonly steps: readonly { readonly step: string; readonly outcome: string; readonly detail: string }[];
  readonly tables: number;
  /** Rows in the replicated tables (live's estimate). */
  readonly rows: number;
  /** The wait for the initial copy (0 when every table was already ready). */
  readonly copyMs: number;
  readonly heartbeatMs: number;
  readonly ms: number;
}

/** The checks that can pass before the standby has anything; standby columns and sequences come after the copy. */
async function checksBefore(pair: PreflightPair, scope: ReplicationScope, liveCatalog?: Catalog): Promise<Check[]> {
  const checks = [
    walLevelCheck,
    capacityCheck,
    replicationRoleCheck,
    (p: PreflightPair) =>
      guarded('pair-privileges-init', 'privileges for pair init', async () =>
        initPrivilegesCheck(await pairRoleFacts(p, scope.schemas), p.passwords),
      ),
    (p: PreflightPair) => replicaIdentityCheck(p, scope),
    (p: PreflightPair) => unloggedTablesCheck(p, scope),
    (p: PreflightPair) => unreplicatedObjectsCheck(p, scope),
    (p: PreflightPair) => alwaysTriggersCheck(p, scope),
    (p: PreflightPair) => standbyRolesCheck(p, scope.schemas, liveCatalog),
    (p: PreflightPair) => standbyCopyCheck(p, scope.schemas, liveCatalog),
    slotHealthCheck,
    standbyWritersCheck,
  ];
  const out: Check[] = [];
  // One after another: the two clients are shared.
  for (const check of checks) out.push(await check(pair));
  return out;
}

function refuseOnFailure(checks: readonly Check[]): void {
  if (checks.some((c) => c.status === 'fail')) throw new PairPreflightError(checks);
}

async function hasRows(db: Client, tables: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  const out: string[] = [];
  for (const [s, t] of tables) {
    const { rows } = await db.query(`SELECT 1 FROM ${qualified(s, t)} LIMIT 1`);
    if (rows.length) out.push(qualified(s, t));
  }
  return out;
}

/** How far init got: the last step it finished, and whether the topology says initializing yet. */
interface InitProgress {
  lastStep: string | null;
  initializing: boolean;
  /** Passwords an error message could hold: the URLs', and one looked up for the subscription. */
  readonly secrets: string[];
}

/**
 * Runs init on an open session with its sides decided. When it fails once the topology says initializing,
 * the failure (last step, the error with passwords masked) is recorded on both sides, so that every later
 * command says what failed and how to resume or tear down.
 */
export async function initOn(
  session: PairSession,
  sides: Sides,
  config: PairConfig,
  o: PairInitOptions,
  command: 'pair init' | 'pair resync' = 'pair init',
): Promise<PairInitResult> {
  const progress: InitProgress = {
    lastStep: null,
    initializing: false,
    secrets: [passwordOf(session.targets.blue), passwordOf(session.targets.green)],
  };
  try {
    return await initSteps(session, sides, config, o, progress);
  } catch (e) {
    if (progress.initializing) {
      const error = redactText((e as Error)?.message ?? String(e), progress.secrets.filter(Boolean));
      for (const side of SIDES)
        await recordInitFailure(session.db(side), config.ledgerSchema, {
          command,
          afterStep: progress.lastStep,
          error,
        }).catch(() => undefined);
    }
    throw e;
  }
}

async function initSteps(
  session: PairSession,
  sides: Sides,
  config: PairConfig,
  o: PairInitOptions,
  progress: InitProgress,
): Promise<PairInitResult> {
  const started = Date.now();
  const emit = o.onEvent ?? (() => undefined);
  const steps: Array<{ step: string; outcome: string; detail: string }> = [];
  const step = (name: Parameters<typeof emitStep>[1], outcome: string, detail: string) => {
    steps.push({ step: name, outcome, detail });
    progress.lastStep = name;
    emitStep(emit, name, outcome, detail);
  };
  const { live: liveSide, standby: standbySide, generation } = sides;
  const live = session.db(liveSide);
  const standby = session.db(standbySide);
  // The subscription's connection to live: PostgreSQL 16+ refuses a non-superuser's without a password.
  const connection = await subscriberConnection(session.targets[liveSide], session.targets.replicationUser);
  progress.secrets.push(passwordOf(connection.conninfo));
  const replicationUser = session.targets.replicationUser;
  const pair: PreflightPair = {
    live,
    standby,
    passwords: { standby: connection.password !== 'none' },
    ...(replicationUser ? { replicationUser } : {}),
  };
  const model = await readApplication(live, config);
  const scope: ReplicationScope = { schemas: schemaNames(model), ledgerSchema: config.ledgerSchema };

  // Read once for the checks and the build (a failure here is left to the checks, which say what failed).
  const liveCatalog = await readCatalog(live, scope.schemas).catch(() => undefined);
  const checks = await checksBefore(pair, scope, liveCatalog);
  for (const check of checks) emit({ kind: 'check', check });
  refuseOnFailure(checks);

  for (const side of [liveSide, standbySide]) {
    const applied = await ensurePairLedger(session.db(side), config.ledgerSchema);
    step(
      'ledger',
      applied.length ? 'created' : 'exists',
      `pair tables in ${config.ledgerSchema} on ${side}${applied.length ? ` (version ${applied.join(', ')})` : ''}`,
    );
  }
  // A separate replication role reads the heartbeat it carries (both ways: the reverse stream publishes it too).
  if (replicationUser)
    for (const side of [liveSide, standbySide])
      await grantHeartbeat(session.db(side), config.ledgerSchema, replicationUser);
  for (const side of [liveSide, standbySide]) {
    const t = sides.stored[side];
    const current = t && t.state === 'paired' && t.live === liveSide && t.generation === generation;
    if (!current)
      await writeTopology(session.db(side), config.ledgerSchema, {
        side,
        live: liveSide,
        generation,
        state: 'initializing',
      });
  }
  progress.initializing = true;

  const schema = await buildStandby(live, standby, scope.schemas, await readExtensions(live), liveCatalog);
  step(
    'schema',
    schema.action === 'built' ? 'created' : 'exists',
    (schema.action === 'built'
      ? `live's catalog built on ${standbySide} (${schema.objects} objects, ${schema.statements} statements, fingerprint ${schema.fingerprint.slice(0, 19)}...)`
      : `${standbySide} already has live's catalog (${schema.objects} objects, fingerprint ${schema.fingerprint.slice(0, 19)}...)`) +
      (schema.publications.length ? `; not copied, they belong to ${liveSide}: ${schema.publications.join(', ')}` : ''),
  );
  const grants = await copyPrivileges(live, standby, schemaNames(model));
  step(
    'grants',
    grants.granted ? 'created' : 'exists',
    `${grants.granted} grant(s) copied from ${liveSide} to ${standbySide}` +
      (grants.failed.length
        ? `; ${grants.failed.length} could not be given (the cutover gate will refuse until they are): ${grants.failed
            .slice(0, 5)
            .map((f) => `${f.grant} (${f.error})`)
            .join('; ')}`
        : ''),
  );
  const identities = await copyReplicaIdentity(live, standby, schemaNames(model));
  step(
    'replica_identity',
    identities.length ? 'created' : 'exists',
    identities.length
      ? `replica identity as on ${liveSide}: ${identities.join('; ')}`
      : `every table on ${standbySide} has the replica identity it has on ${liveSide}`,
  );
  const after = [await standbyColumnsCheck(pair, scope), await sequencesCheck(pair, scope)];
  for (const check of after) emit({ kind: 'check', check });
  refuseOnFailure(after);

  const publication = publicationName(liveSide);
  const content = await publicationContent(live, model, config.ledgerSchema);
  const pub = await ensurePublication(live, publication, content);
  step(
    'publication',
    pub,
    `${publication} on ${liveSide}: ${content.schemas ? `schema(s) ${content.schemas.join(', ')}` : `${content.tables.length - 1} table(s)`}, plus ${config.ledgerSchema}.${HEARTBEAT_TABLE}`,
  );

  const subscription = streamName(liveSide, standbySide, generation);
  const subscribed = (await pairSubscriptions(standby)).some((s) => s.name === subscription);
  if (!subscribed) {
    // A subscription copies every row: rows already on the standby would collide (a previous pairing).
    const occupied = await hasRows(standby, [...tableNames(model), [config.ledgerSchema, HEARTBEAT_TABLE]]);
    if (occupied.length) {
      throw new PairError(
        'STANDBY_HAS_ROWS',
        `the standby (${standbySide}) already holds rows in ${occupied.slice(0, 10).join(', ')}${occupied.length > 10 ? ` and ${occupied.length - 10} more` : ''} but is not subscribed; copying would collide\nfix: switchyard pair resync rebuilds the standby from live`,
        1,
      );
    }
  }
  step('slot', await ensureSlot(live, subscription, !subscribed), `slot ${subscription} on ${liveSide}`);
  const { num } = await serverVersion(standby);
  const sub = await ensureSubscription(standby, subscription, connection.conninfo, publication, {
    copyData: true,
    originNone: num >= 160000,
  });
  step('subscription', sub, `${subscription} on ${standbySide}, from ${publication}`);

  const copyStarted = Date.now();
  const synced = await waitForSync(live, standby, subscription, {
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    onEvent: emit,
  });
  const copyMs = Date.now() - copyStarted;
  step(
    'sync',
    'done',
    `${synced.tables} table(s) ready, about ${synced.rows} rows, in ${(copyMs / 1000).toFixed(1)} s`,
  );
  // Logical replication carries tables only: the standby's materialized views are empty until refreshed.
  const refreshed = await refreshMaterializedViews(live, standby, scope.schemas);
  step(
    'refresh',
    refreshed.length ? 'done' : 'exists',
    refreshed.length
      ? `materialized view(s) refreshed on ${standbySide}: ${refreshed.join(', ')}`
      : `no populated materialized view on ${liveSide}`,
  );

  const beat = await writeHeartbeat(live, config.ledgerSchema, generation, liveSide);
  const heartbeatMs = await waitForHeartbeat(standby, config.ledgerSchema, beat.id, 60_000);
  if (heartbeatMs === undefined) {
    throw new PairError(
      'HEARTBEAT_TIMEOUT',
      `every table is ready, but a heartbeat written on ${liveSide} did not reach ${standbySide} within 60 s\nfix: check the standby's log and switchyard pair status (apply errors, worker)`,
      1,
    );
  }
  step('heartbeat', 'done', `a heartbeat written on ${liveSide} reached ${standbySide} in ${heartbeatMs} ms`);

  for (const side of [liveSide, standbySide]) {
    await clearInitFailure(session.db(side), config.ledgerSchema);
    await writeTopology(session.db(side), config.ledgerSchema, { side, live: liveSide, generation, state: 'paired' });
  }
  step('topology', 'done', `live=${liveSide}, generation ${generation}, stored on blue and green`);

  return {
    blue: session.names.blue,
    green: session.names.green,
    live: liveSide,
    standby: standbySide,
    generation,
    publication,
    subscription,
    schema,
    checks: [...checks, ...after],
    steps,
    tables: synced.tables,
    rows: synced.rows,
    copyMs,
    heartbeatMs,
    ms: Date.now() - started,
  };
}

function emitStep(
  emit: (e: PairEvent) => void,
  step: Extract<PairEvent, { kind: 'step' }>['step'],
  outcome: string,
  detail: string,
): void {
  emit({ kind: 'step', step, state: outcome === 'exists' ? 'skipped' : 'done', detail });
}

export async function pairInit(config: PairConfig, o: PairInitOptions = {}): Promise<PairInitResult> {
  const session = await openPair(resolvePair(config, o), 'switchyard pair init');
  try {
    await lockPair(session);
    return await initOn(session, await resolveSides(session, config.ledgerSchema, o.live), config, o);
  } finally {
    await session.close();
  }
}

/** What `pair resync` rebuilt, as `pair init` reports it. */
export interface PairResyncResult extends PairInitResult {
  /** Objects dropped from the standby's application schemas. */
  readonly dropped: number;
}

/** Rebuilds the standby from live: every stream of the pair removed, the standby emptied, init again. */
export async function pairResync(config: PairConfig, o: Omit<PairInitOptions, 'live'> = {}): Promise<PairResyncResult> {
  const session = await openPair(resolvePair(config, o), 'switchyard pair resync');
  try {
    await lockPair(session);
    const sides = await resolveSides(session, config.ledgerSchema);
    if (!sides.stored.blue && !sides.stored.green)
      throw new PairError(
        'NOT_PAIRED',
        'neither database holds a pair topology: there is nothing to resync\nfix: switchyard pair init',
        1,
      );
    await teardownPair(session, config.ledgerSchema);
    emitStep(
      o.onEvent ?? (() => undefined),
      'teardown',
      'done',
      'subscriptions, publications and slots of the pair removed',
    );
    const standby = session.db(sides.standby);
    const onStandby = await readApplication(standby, config);
    const onLive = await readApplication(session.db(sides.live), config);
    const dropped = await resetStandby(
      standby,
      [...new Set([...schemaNames(onStandby), ...schemaNames(onLive)])],
      config.ledgerSchema,
    );
    emitStep(
      o.onEvent ?? (() => undefined),
      'reset',
      'done',
      `${sides.standby} emptied (${dropped} object(s) dropped)`,
    );
    const result = await initOn(session, { ...sides, stored: {} }, config, o, 'pair resync');
    return { ...result, dropped };
  } finally {
    await session.close();
  }
}
