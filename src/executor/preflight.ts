// `switchyard preflight`: every check that can be made before a plan touches production, each with its fix.
// Checks are independent small functions (preflight/*.ts); one that cannot run reports a warning saying why
// and the others still run. Only catalog reads: preflight never changes the database.
import { UsageError } from '../errors.js';
import { allSteps } from '../planner/plan.js';
import type { Plan, Step } from '../planner/types.js';
import { backupCheck } from './preflight/backup.js';
import { backfillKeysCheck, diskHeadroomCheck, invalidIndexesCheck, staleEstimatesCheck } from './preflight/data.js';
import {
  idleInTransactionCheck,
  longTransactionsCheck,
  pendingLocksCheck,
  preparedTransactionsCheck,
  replicationSlotsCheck,
  wraparoundCheck,
} from './preflight/activity.js';
import {
  hazardsCheck,
  ledgerCheck,
  lockTimeoutCheck,
  rehearsalCheck,
  schemaDriftCheck,
  statementTimeoutCheck,
  windowCheck,
} from './preflight/plan-checks.js';
import { notModeledCheck } from './preflight/not-modeled.js';
import { extensionsCheck } from './preflight/extensions.js';
import { rolesCheck } from './preflight/roles.js';
import { runReplicationChecks } from './preflight/replication.js';
import { pairPrivilegeChecks } from './preflight/pair-privileges.js';
import {
  concurrentlyCheck,
  connectionCheck,
  executorLockCheck,
  privilegesCheck,
  serverVersionCheck,
} from './preflight/server.js';
import {
  DEFAULT_THRESHOLDS,
  type Check,
  type CheckContext,
  type CheckFn,
  type PreflightInput,
} from './preflight/types.js';

export * from './preflight/types.js';
export { backupCheck } from './preflight/backup.js';
export { extensionsCheck, packageAdvice } from './preflight/extensions.js';
export { diskVerdict, type DiskNeed } from './preflight/data.js';
export { wraparoundVerdict, type AgingTable, type WraparoundVacuum } from './preflight/activity.js';
export { phaseEstimates } from './preflight/plan-checks.js';
export * from './preflight/replication.js';
export * from './preflight/pair-privileges.js';
export { concurrentlyIsBroken, concurrentlyVerdict, MIN_SERVER_VERSION_NUM } from './preflight/server.js';

/** The single-database checks, in the order they are printed: server, sessions, data, plan, operations. */
export const PREFLIGHT_CHECKS: readonly CheckFn[] = [
  connectionCheck,
  serverVersionCheck,
  concurrentlyCheck,
  privilegesCheck,
  extensionsCheck,
  executorLockCheck,
  pendingLocksCheck,
  longTransactionsCheck,
  idleInTransactionCheck,
  preparedTransactionsCheck,
  wraparoundCheck,
  replicationSlotsCheck,
  invalidIndexesCheck,
  backfillKeysCheck,
  diskHeadroomCheck,
  staleEstimatesCheck,
  ledgerCheck,
  schemaDriftCheck,
  notModeledCheck,
  rolesCheck,
  rehearsalCheck,
  hazardsCheck,
  lockTimeoutCheck,
  statementTimeoutCheck,
  windowCheck,
  backupCheck,
];

export interface PreflightResult {
  readonly checks: readonly Check[];
  /** False when any check failed; warnings leave it true. */
  readonly ok: boolean;
}

async function serverVersionNum(input: PreflightInput): Promise<number | undefined> {
  try {
    const { rows } = await input.db.query<{ num: number }>(`SELECT current_setting('server_version_num')::int AS num`);
    return rows[0]?.num;
  } catch {
    return undefined;
  }
}

/** The steps about to run: the selected phase's (refusing a release the plan does not have), or every step. */
export function selectedSteps(plan: Plan, selection: PreflightInput['selection']): readonly Step[] {
  if (!selection) return allSteps(plan);
  const release = plan.releases.find((r) => r.number === selection.release);
  if (!release)
    throw new UsageError(
      `plan ${plan.name} has no release ${selection.release}; its releases are ${plan.releases.map((r) => r.number).join(', ')}`,
    );
  return release[selection.phase];
}

export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const steps = selectedSteps(input.plan, input.selection);
  const ctx: CheckContext = {
    ...input,
    thresholds: { ...DEFAULT_THRESHOLDS, ...input.thresholds },
    now: input.now ?? new Date(),
    serverVersionNum: await serverVersionNum(input),
    lockedTables: new Set(steps.flatMap((s) => s.lockedTables)),
    steps,
    scope: input.selection ? `release ${input.selection.release} ${input.selection.phase}` : 'the plan',
  };
  const checks: Check[] = [];
  // In order on one connection: a pg.Client runs one query at a time anyway.
  for (const check of PREFLIGHT_CHECKS) checks.push(await check(ctx));
  if (input.pair) {
    const schemas = [
      ...new Set([...input.plan.source.snapshot.schemas, ...input.plan.target.snapshot.schemas].map((s) => s.name)),
    ].sort();
    checks.push(...(await runReplicationChecks(input.pair, { schemas, ledgerSchema: input.config.ledgerSchema })));
    const { fence, passwords } = input.pair;
    checks.push(
      ...(await pairPrivilegeChecks(input.pair, schemas, {
        ...(fence ? { fence } : {}),
        ...(passwords ? { passwords } : {}),
      })),
    );
  }
  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}
