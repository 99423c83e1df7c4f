// Cost estimates and the migration complexity score (the postmortem's "Migration Complexity Score").
// Throughputs are deliberately conservative guesses for a busy primary; they size windows and timeouts,
// they are not promises. Table sizes come from pg_class (reltuples, relation size), never from count(*).
import { PHASES, type ComplexityScore, type Release, type StepCost, type StepDraft } from './types.js';

/** `schema.table` -> size. */
export type TableStats = ReadonlyMap<string, { readonly rows: number; readonly bytes: number }>;

const MB = 1024 * 1024;
const SCAN_BYTES_PER_S = 150 * MB;
const BUILD_BYTES_PER_S = 40 * MB;
const BACKFILL_ROWS_PER_S = 20_000;
/** Per-step overhead: connection round trips, lock acquisition, catalog checks. */
const STEP_OVERHEAD_S = 0.05;

export function estimateCost(t: NonNullable<StepDraft['costTable']>, stats: TableStats): StepCost {
  const s = stats.get(`${t.schema}.${t.table}`) ?? { rows: 0, bytes: 0 };
  const rows = Math.max(0, Math.round(s.rows));
  const seconds =
    t.work === 'scan'
      ? s.bytes / SCAN_BYTES_PER_S
      : t.work === 'index' || t.work === 'rewrite'
        ? s.bytes / BUILD_BYTES_PER_S
        : t.work === 'backfill'
          ? rows / BACKFILL_ROWS_PER_S
          : 0;
  return { rows, bytes: s.bytes, seconds: Math.round(seconds * 1000) / 1000 };
}

/**
 * score = 2·tables + 3·foreign keys + 3·unique indexes + 2·ACCESS EXCLUSIVE steps + 2·non-transactional steps
 *       + 5·(releases - 1) + 2·log10(rows scanned + 1) + 5·log10(rows rewritten + 1).
 * Under 20 is routine, 20-50 deserves a reviewer who knows the tables, over 50 a rehearsal on production-size data.
 */
export function scorePlan(releases: readonly Release[], stats: TableStats | undefined): ComplexityScore {
  const steps = releases.flatMap((r) => PHASES.flatMap((p) => r[p]));
  const tables = new Set<string>();
  let rowsScanned = 0;
  let rowsRewritten = 0;
  let seconds = 0;
  for (const s of steps) {
    for (const t of s.lockedTables) tables.add(t);
    seconds += STEP_OVERHEAD_S + (s.cost?.seconds ?? 0);
    if (s.cost && s.hazards.includes('TABLE_REWRITE')) rowsRewritten += s.cost.rows;
    else if (s.cost) rowsScanned += s.cost.rows;
  }
  const foreignKeys = steps.filter((s) => s.change === 'add_foreign_key' && s.phase === 'expand').length;
  const uniqueIndexes = steps.filter((s) => /UNIQUE INDEX|UNIQUE \(/.test(s.sql) && s.phase === 'expand').length;
  const accessExclusiveLocks = steps.filter((s) => s.lock === 'ACCESS EXCLUSIVE').length;
  const nonTransactionalSteps = steps.filter((s) => !s.transactional).length;
  const score =
    2 * tables.size +
    3 * foreignKeys +
    3 * uniqueIndexes +
    2 * accessExclusiveLocks +
    2 * nonTransactionalSteps +
    5 * Math.max(0, releases.length - 1) +
    2 * Math.log10(rowsScanned + 1) +
    5 * Math.log10(rowsRewritten + 1);
  const estimatedSeconds = Math.round(seconds * 10) / 10;
  return {
    score: Math.round(score),
    tablesTouched: tables.size,
    foreignKeys,
    uniqueIndexes,
    rowsScanned,
    rowsRewritten,
    accessExclusiveLocks,
    nonTransactionalSteps,
    releases: releases.length,
    estimatedSeconds: stats ? estimatedSeconds : Math.round(steps.length * STEP_OVERHEAD_S * 10) / 10,
    // Twice the estimate, as the postmortem asks, and never under a minute.
    recommendedWindowSeconds: Math.max(60, Math.ceil(2 * estimatedSeconds)),
  };
}
