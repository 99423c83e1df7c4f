// What `--dry-run` shows: the exact statements a step sends (applyPhase) or its rollback sends (rollbackPhase),
// for a single database and for every tenant alike.
import type { Phase, Step } from '../planner/types.js';
import { renderBatch } from './backfill-sql.js';
import type { StepRecord } from './ledger.js';
import { mustRunAlone, statementScript, timeoutSettings } from './statement.js';

/** A dry run: the statements of each phase, per step (and tenant), and why the real run would refuse. */
export interface DryRunPhases {
  readonly plan: string;
  readonly database?: string;
  readonly phases: readonly {
    readonly release: number;
    readonly phase: Phase;
    readonly steps: readonly { readonly id: string; readonly tenant?: string; readonly sql: readonly string[] }[];
  }[];
  readonly notices: readonly string[];
}

/** The exact statements each step would send, for steps the ledger does not already record as done. */
export function stepScript(step: Step): string[] {
  const ledgerRow = '-- the ledger row of this step commits in this same transaction';
  if (step.backfill) {
    const batch = (sql: string) => [
      'BEGIN',
      timeoutSettings(step, true),
      sql,
      'COMMIT',
      '-- then the position of the batch is saved in the ledger',
    ];
    return [
      '-- backfill in keyset batches, each its own transaction, sized to about 200 ms (the size adapts), until a batch comes back short;',
      '-- $1 is the batch size; $2... the last key of the previous batch. The first batch:',
      ...batch(renderBatch(step.backfill, false)),
      '-- every later batch:',
      ...batch(renderBatch(step.backfill, true)),
    ];
  }
  return statementScript(step.sql, step, step.transactional ? ledgerRow : undefined);
}

/**
 * A step's rollback as rollbackPhase runs it: in one transaction with its ledger row when it can, otherwise
 * statement by statement (resuming after the statements a killed run recorded as done).
 */
export function rollbackScript(s: Step, r: StepRecord | undefined): string[] {
  if (s.transactional && (r?.status === 'running' || r?.status === 'failed'))
    return ['-- never took effect (its ledger row commits with it): only recorded as rolled back'];
  if (s.transactional && !s.rollback.some(mustRunAlone) && r?.status !== 'rolling_back') {
    return [
      'BEGIN',
      timeoutSettings(s, true),
      ...s.rollback,
      '-- the ledger row of this step commits in this same transaction',
      'COMMIT',
    ];
  }
  const from = r?.status === 'rolling_back' ? (r.rollbackPosition ?? 0) : 0;
  return [
    ...(from > 0 ? [`-- ${from} of the ${s.rollback.length} rollback statements were done by an interrupted run`] : []),
    ...s.rollback
      .slice(from)
      .flatMap((sql) =>
        statementScript(sql, { ...s, transactional: true }, '-- ledger: one more rollback statement done'),
      ),
  ];
}
