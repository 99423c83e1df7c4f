import { describe, expect, it } from 'vitest';
import { scorePlan } from '../../../src/planner/cost.js';
import type { Release, Step } from '../../../src/planner/types.js';

const step = (o: Partial<Step>): Step => ({
  id: 'r1-expand-001',
  release: 1,
  change: 'add_index',
  phase: 'expand',
  action: 'x',
  description: 'x',
  sql: 'SELECT 1',
  rollback: [],
  lock: 'none',
  lockedTables: [],
  transactional: true,
  hazards: [],
  creates: [],
  requires: [],
  drops: [],
  lockTimeoutMs: 2000,
  statementTimeoutMs: 30000,
  ...o,
});

describe('complexity score', () => {
  it('counts what the postmortem asks for, and recommends at least twice the estimate', () => {
    const releases: Release[] = [
      {
        number: 1,
        expand: [
          step({
            sql: 'CREATE UNIQUE INDEX CONCURRENTLY u ON public.t (a)',
            transactional: false,
            lock: 'SHARE UPDATE EXCLUSIVE',
            lockedTables: ['public.t'],
            cost: { rows: 1_000_000, bytes: 1e9, seconds: 120 },
          }),
          step({
            change: 'add_foreign_key',
            sql: 'ALTER TABLE public.c ADD CONSTRAINT f FOREIGN KEY (t_id) REFERENCES public.t (id) NOT VALID',
            lock: 'SHARE ROW EXCLUSIVE',
            lockedTables: ['public.c', 'public.t'],
          }),
        ],
        backfill: [],
        contract: [
          step({
            phase: 'contract',
            lock: 'ACCESS EXCLUSIVE',
            lockedTables: ['public.t'],
            sql: 'ALTER TABLE public.t ADD CONSTRAINT u UNIQUE USING INDEX u',
          }),
        ],
      },
      {
        number: 2,
        expand: [],
        backfill: [],
        contract: [step({ phase: 'contract', hazards: ['TABLE_REWRITE'], cost: { rows: 10, bytes: 10, seconds: 1 } })],
      },
    ];
    const s = scorePlan(releases, new Map());
    expect(s).toMatchObject({
      tablesTouched: 2,
      foreignKeys: 1,
      uniqueIndexes: 1,
      rowsScanned: 1_000_000,
      rowsRewritten: 10,
      accessExclusiveLocks: 1,
      nonTransactionalSteps: 1,
      releases: 2,
    });
    expect(s.estimatedSeconds).toBeCloseTo(121.2, 1);
    expect(s.recommendedWindowSeconds).toBeGreaterThanOrEqual(2 * s.estimatedSeconds);
    expect(s.score).toBe(Math.round(2 * 2 + 3 + 3 + 2 + 2 + 5 + 2 * Math.log10(1_000_001) + 5 * Math.log10(11)));
  });
});
