// Building blocks for handlers: a step draft with safe defaults, so each handler states only what differs.
import { qualified } from '../db/quote.js';
import type { Hazard, LockLevel, ObjectKey, Phase, StepDraft } from './types.js';

export interface DraftInput {
  readonly phase: Phase;
  readonly action: string;
  readonly description: string;
  readonly sql: string;
  readonly rollback?: readonly string[];
  readonly releaseOffset?: number;
  readonly lock?: LockLevel;
  /** [schema, table] pairs of existing tables locked by the statement. */
  readonly locks?: readonly (readonly [string, string])[];
  readonly transactional?: boolean;
  readonly hazards?: readonly Hazard[];
  readonly creates?: readonly ObjectKey[];
  readonly requires?: readonly ObjectKey[];
  readonly drops?: readonly ObjectKey[];
  /** Existing objects the step renames, retypes or rewrites (see StepDraft.alters). */
  readonly alters?: readonly ObjectKey[];
  readonly backfill?: StepDraft['backfill'];
  readonly costTable?: StepDraft['costTable'];
}

/** A step draft: transactional, no lock, no hazards, nothing to roll back, this release, unless said. */
export function draft(i: DraftInput): StepDraft {
  const hazards = new Set(i.hazards ?? []);
  if (i.lock === 'ACCESS EXCLUSIVE' && (i.locks?.length ?? 0) > 0) hazards.add('ACCESS_EXCLUSIVE_LOCK');
  if (i.lock === 'SHARE' && (i.locks?.length ?? 0) > 0) hazards.add('SHARE_LOCK');
  return {
    releaseOffset: i.releaseOffset ?? 0,
    phase: i.phase,
    action: i.action,
    description: i.description,
    sql: i.sql,
    rollback: i.rollback ?? [],
    lock: i.lock ?? 'none',
    lockedTables: (i.locks ?? []).map(([s, t]) => qualified(s, t)),
    transactional: i.transactional ?? true,
    hazards: [...hazards].sort(),
    creates: i.creates ?? [],
    requires: i.requires ?? [],
    drops: i.drops ?? [],
    ...(i.alters?.length ? { alters: i.alters } : {}),
    ...(i.backfill ? { backfill: i.backfill } : {}),
    ...(i.costTable ? { costTable: i.costTable } : {}),
  };
}

/** A handler that has nothing to do in a phase. */
export const none = (): readonly StepDraft[] => [];
