// Planner scenarios on a real PostgreSQL: a source database built from SQL, a target in the declared YAML
// format, the plan between them, and the rehearsal every plan must survive (DESIGN.md, "Rehearsal"): each
// phase forward, its rollback (the schema must be exactly what it was), forward again; at the end the schema
// is the target's, equal to a database built directly from the target, and planning again gives nothing.
import type pg from 'pg';
import { expect } from 'vitest';
import { introspect, readDependencies, serverVersion } from '../../src/introspect/index.js';
import { readExtensions } from '../../src/introspect/extensions.js';
import { allSteps, buildPlan } from '../../src/planner/plan.js';
import { PHASES, type Phase, type Plan, type Step } from '../../src/planner/types.js';
import { canonicalize, prepareSession } from '../../src/rehearsal/shadow.js';
import { fingerprint } from '../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../src/schema/model/model.js';
import { normalizeDatabase, sortByName, structureOnly } from '../../src/schema/model/normalize.js';
import { parseDeclared, toYaml } from '../../src/schema/declared/yaml.js';
import { renderDatabase } from '../../src/sql/render/index.js';
import { applyPhase, phaseSteps, rollbackPhase } from './plan-runner.js';

/** What a scenario needs of a test database (test/support/db.ts's TestDatabase is one). */
export interface ScenarioDatabase {
  readonly client: pg.Client;
  readonly url: string;
}

export interface Scenario {
  readonly plan: Plan;
  readonly source: DatabaseSchema;
  /** The canonical target, change hints attached (what `switchyard plan` plans towards). */
  readonly target: DatabaseSchema;
  /** The schemas read on every side: the declared ones, plus `alsoRead`. */
  readonly schemas: readonly string[];
}

export interface PlanScenarioOptions {
  /**
   * Schemas to read besides the declared ones. A schema the target drops is not declared, and introspection
   * only reads the schemas it is asked for.
   */
  readonly alsoRead?: readonly string[];
}

/** Builds the source from `sourceSql` (schema and sample rows), then plans towards `targetYaml`. */
export async function planScenario(
  db: ScenarioDatabase,
  sourceSql: string,
  targetYaml: string,
  options: PlanScenarioOptions = {},
): Promise<Scenario> {
  await db.client.query(sourceSql);
  await prepareSession(db.client);
  const declared = parseDeclared(targetYaml, 'target.yaml');
  const schemas = [...new Set([...declared.schemas.map((s) => s.name), ...(options.alsoRead ?? [])])];
  const target = await canonicalize(declared, { url: db.url });
  const source = await introspect(db.client, { includeSchemas: schemas });
  const version = await serverVersion(db.client);
  // The source's dependency edges, as `plan` reads them: every scenario also proves the dependents rule
  // refuses no plan whose dependents the model handles.
  const dependencies = await readDependencies(db.client, { includeSchemas: schemas });
  const plan = buildPlan(source, target, {
    name: 'scenario',
    number: 1,
    server: { version: version.text, versionNum: version.num },
    dependencies,
    // As `plan` reads them: what a declared `extensions:` is diffed against.
    extensions: await readExtensions(db.client),
  });
  return { plan, source, target, schemas };
}

/**
 * The declared YAML of the schema `sql` builds, read back from a scratch database: the simplest correct way
 * to declare functions (their full pg_get_functiondef text) and the triggers using them.
 */
export async function targetFromSql(
  scratch: ScenarioDatabase,
  sql: string,
  schemas: readonly string[] = ['public'],
): Promise<string> {
  await scratch.client.query(sql);
  await prepareSession(scratch.client);
  return toYaml(await introspect(scratch.client, { includeSchemas: schemas }));
}

export interface CheckOptions {
  /** A fresh, empty database on the same server, for building the target directly. */
  readonly freshDatabase: () => Promise<ScenarioDatabase>;
  /** A normalized schema dump (see pgdump.ts), when pg_dump can read this server: a second witness. */
  readonly dump?: (url: string) => Promise<string>;
}

interface State {
  readonly model: DatabaseSchema;
  readonly fingerprint: string;
  readonly dump?: string;
}

/** What the fingerprint hashes, as data, so that a failed comparison shows which object differs. */
export function comparable(model: DatabaseSchema): DatabaseSchema {
  const s = normalizeDatabase(structureOnly(model));
  return {
    ...s,
    schemas: s.schemas.map((sc) => ({
      ...sc,
      tables: sc.tables.map((t) => ({
        ...t,
        columns: sortByName(t.columns),
        ...(t.storage ? { storage: sortByName(t.storage) } : {}),
      })),
    })),
  };
}

async function state(db: ScenarioDatabase, schemas: readonly string[], dump: CheckOptions['dump']): Promise<State> {
  await prepareSession(db.client);
  const model = {
    ...(await introspect(db.client, { includeSchemas: schemas })),
    extensions: await readExtensions(db.client),
  };
  return { model, fingerprint: fingerprint(model), ...(dump ? { dump: await dump(db.url) } : {}) };
}

function expectSameSchema(actual: State, expected: State | DatabaseSchema, what: string): void {
  const want = 'model' in expected ? expected.model : expected;
  expect(comparable(actual.model), what).toEqual(comparable(want));
  expect(actual.fingerprint, what).toBe(fingerprint(want));
  // Extensions are outside the fingerprint: by name and schema, and by version where the expected one pins it.
  if (want.extensions !== undefined) {
    const pinned = new Map(want.extensions.map((e) => [e.name, e.version]));
    const seen = (actual.model.extensions ?? []).map((e) => ({
      name: e.name,
      schema: e.schema,
      ...(pinned.get(e.name) !== undefined ? { version: e.version } : {}),
    }));
    expect(seen, `${what} (extensions)`).toEqual(normalizeDatabase(want).extensions);
  }
  if ('model' in expected && expected.dump !== undefined) expect(actual.dump, `${what} (pg_dump)`).toBe(expected.dump);
}

export interface PhaseRun {
  readonly release: number;
  readonly phase: Phase;
  readonly steps: readonly Step[];
}

/**
 * The rehearsal of `scenario.plan` on `db` (where planScenario built the source). Returns the phases run, in
 * order. Fails with the phase and the step at fault.
 */
export async function checkScenario(
  db: ScenarioDatabase,
  scenario: Scenario,
  options: CheckOptions,
): Promise<PhaseRun[]> {
  const { plan, schemas } = scenario;
  const runs: PhaseRun[] = [];
  // The state after a phase's second run is the state before the next phase: one dump serves both.
  let before = await state(db, schemas, options.dump);
  for (const release of plan.releases) {
    for (const phase of PHASES) {
      const steps = phaseSteps(plan, release.number, phase);
      if (steps.length === 0) continue;
      const label = `release ${release.number} ${phase}`;
      await applyPhase(db.client, steps);
      const after = await state(db, schemas, undefined);
      await rollbackPhase(db.client, steps);
      expectSameSchema(await state(db, schemas, options.dump), before, `${label}: the schema after its rollback`);
      // Forward again: the rollback must leave nothing behind that a second run trips on.
      await applyPhase(db.client, steps);
      const again = await state(db, schemas, options.dump);
      expectSameSchema(again, after, `${label}: the schema after applying it again`);
      runs.push({ release: release.number, phase, steps });
      before = again;
    }
  }

  const migrated = before;
  expectSameSchema(migrated, scenario.target, 'the migrated schema against the target');

  // Compared by fingerprint only: names the declared format cannot express may differ, e.g. a renamed
  // table's identity sequence keeps its old name, where a table created under the new name gets a new one.
  const direct = await options.freshDatabase();
  await direct.client.query('SET check_function_bodies = off');
  for (const statement of renderDatabase(scenario.target)) await direct.client.query(statement);
  expectSameSchema(
    await state(direct, schemas, undefined),
    migrated.model,
    'a database built from the target against the migrated one',
  );

  const again = buildPlan(migrated.model, scenario.target, { name: 'again', number: 2, server: plan.server });
  expect(
    allSteps(again).map((s) => `${s.change}: ${s.description}`),
    'planning again after the plan has run',
  ).toEqual([]);
  return runs;
}
