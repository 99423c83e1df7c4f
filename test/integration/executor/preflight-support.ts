// Shared setup of the preflight tests (preflight-*.test.ts): the example plan (migrations/example), planned once
// per test file, and a fresh source database per test with everything preflight looks for around it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { beforeAll, expect } from 'vitest';
import { EXAMPLE_DIR } from '../../../src/commands/demo.js';
import {
  runPreflight,
  type Check,
  type PreflightConfig,
  type PreflightInput,
} from '../../../src/executor/preflight.js';
import type { Plan, Step } from '../../../src/planner/types.js';
import { writeReport, type RehearsalReport } from '../../../src/executor/rehearsal-report.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';
import { planScenario } from '../../support/scenario.js';

export const SOURCE = readFileSync(join(EXAMPLE_DIR, 'source.sql'), 'utf8');
const TARGET = readFileSync(join(EXAMPLE_DIR, 'schema.yaml'), 'utf8');
/** The example plan drops a column and renames: hazards a reviewer allows. */
const ALLOWED: PreflightConfig['allowHazards'] = ['DELETES_DATA', 'BREAKS_OLD_APP'];
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The example plan, planned before the first test of each file that imports this module. */
export let plan: Plan;

beforeAll(async () => {
  const db = await freshDatabase();
  plan = (await planScenario(db, SOURCE, TARGET)).plan;
});

export interface Setup {
  readonly db: TestDatabase;
  readonly dir: string;
  readonly planPath: string;
  readonly config: PreflightConfig;
}

export function report(p: Plan, over: Partial<RehearsalReport> = {}): RehearsalReport {
  return {
    format: 1,
    plan: p.name,
    checksum: p.checksum,
    passed: true,
    engine: 'embedded',
    server: '17',
    startedAt: new Date().toISOString(),
    ms: 1,
    sampleRows: 20,
    phases: [],
    ...over,
  };
}

/** A fresh source database, a passing rehearsal report, a fresh backup file and a generous window. */
export async function setup(): Promise<Setup> {
  const db = await freshDatabase();
  await db.client.query(SOURCE);
  const dir = mkdtempSync(join(tmpdir(), 'sy-preflight-'));
  const planPath = join(dir, '0001_scenario.plan.yaml');
  await writeReport(planPath, report(plan));
  writeFileSync(join(dir, 'backup.dump'), 'dump');
  const config: PreflightConfig = {
    ledgerSchema: 'switchyard',
    allowHazards: ALLOWED,
    root: dir,
    windowMinutes: 60,
    backup: { file: 'backup.dump', maxAgeHours: 24 },
  };
  return { db, dir, planPath, config };
}

export async function preflight(s: Setup, over: Partial<PreflightInput> = {}): Promise<Map<string, Check>> {
  const r = await runPreflight({ plan, planPath: s.planPath, db: s.db.client, config: s.config, ...over });
  expect(r.ok).toBe(r.checks.every((c) => c.status !== 'fail'));
  return new Map(r.checks.map((c) => [c.id, c]));
}

export const only = (checks: Map<string, Check>, id: string): Check => {
  const c = checks.get(id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

export function mapSteps(p: Plan, fn: (s: Step) => Step): Plan {
  return {
    ...p,
    releases: p.releases.map((r) => ({
      ...r,
      expand: r.expand.map(fn),
      backfill: r.backfill.map(fn),
      contract: r.contract.map(fn),
    })),
  };
}

export const pidOf = async (c: pg.Client) =>
  (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
