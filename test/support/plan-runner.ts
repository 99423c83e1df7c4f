// Applies and rolls back plan phases on a test database, step by step (the executor's core statement runner,
// without ledger, locks or batching), and captures the schema between them.
import type pg from 'pg';
import { mustRunAlone, runStatement } from '../../src/executor/statement.js';
import { introspect } from '../../src/introspect/index.js';
import type { Phase, Plan, Step } from '../../src/planner/types.js';
import { fingerprint } from '../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../src/schema/model/model.js';

export function phaseSteps(plan: Plan, release: number, phase: Phase): readonly Step[] {
  return plan.releases.find((r) => r.number === release)?.[phase] ?? [];
}

export async function applyPhase(db: pg.Client, steps: readonly Step[]): Promise<void> {
  for (const s of steps) {
    try {
      await runStatement(db, s.sql, s);
    } catch (e) {
      throw new Error(`${s.id} (${s.description}) failed: ${(e as Error).message}\n${s.sql}`, { cause: e });
    }
  }
}

export async function rollbackPhase(db: pg.Client, steps: readonly Step[]): Promise<void> {
  for (const s of [...steps].reverse()) {
    try {
      for (const sql of s.rollback) await runStatement(db, sql, { ...s, transactional: !mustRunAlone(sql) });
    } catch (e) {
      throw new Error(`rollback of ${s.id} (${s.description}) failed: ${(e as Error).message}`, { cause: e });
    }
  }
}

export async function snapshot(
  db: pg.Client,
  schemas?: readonly string[],
): Promise<{ model: DatabaseSchema; fingerprint: string }> {
  const model = await introspect(db, schemas ? { includeSchemas: schemas } : {});
  return { model, fingerprint: fingerprint(model) };
}
