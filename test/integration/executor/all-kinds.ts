// One plan with every change kind: the per-kind scenarios of kinds-scenarios.ts composed into one source
// database and one declared schema, each scenario in a schema of its own (its source SQL runs with
// `search_path` set to it, and its declared `public` becomes that schema). The three scenarios with a backfill
// get `rows` extra rows, so that killing the executor during a backfill lands mid-walk (and two scenarios adding
// indexes, so that a kill can land in a concurrent index build).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { introspect, serverVersion, tableStats } from '../../../src/introspect/index.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { writePlanFiles } from '../../../src/planner/file.js';
import { HAZARDS, type Plan } from '../../../src/planner/types.js';
import { canonicalize, prepareSession } from '../../../src/rehearsal/shadow.js';
import { relationsNamed } from '../../../src/schema/declared/sql-text.js';
import { parseDeclaredFile, toYaml } from '../../../src/schema/declared/yaml.js';
import { ident } from '../../../src/db/quote.js';
import type { ScenarioDatabase } from '../../support/scenario.js';
import {
  ADD_COLUMN,
  ALTER_COLUMN_TYPE,
  GRANT_SCENARIOS,
  SCENARIOS,
  type KindScenario,
} from '../planner/kinds-scenarios.js';
import { SECURITY_SCENARIOS } from '../planner/security-scenarios.js';
import { STORAGE_SCENARIOS } from '../planner/storage-scenarios.js';
import { TYPE_SCENARIOS } from '../planner/types-scenarios.js';
import { VIEW_SCENARIOS } from '../planner/views-scenarios.js';

type Decl = Record<string, unknown>;

/**
 * Rows added, keyed by scenario name: the bulk a killed backfill resumes through, and indexes built
 * CONCURRENTLY long enough for a kill to leave one invalid.
 */
const BULK: Readonly<Record<string, (rows: number) => string>> = {
  'indexes added: plain, unique expression, partial': (n) => customerRows(n),
  'a unique constraint added': (n) => customerRows(n),
  'NOT NULL with a backfill': (n) => customerRows(n),
  'NOT NULL on a column with NULLs, with a backfill': (n) => customerRows(n),
  'text -> numeric(12,2) with up/down': (n) => `
INSERT INTO employees (rut, salary)
SELECT g::text || '-0', CASE WHEN g % 5 = 0 THEN NULL ELSE (g * 10)::text || '.25' END FROM generate_series(1, ${n}) g;`,
};

function customerRows(n: number): string {
  return `
INSERT INTO customers (email, name)
SELECT 'user' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, ${n}) g;`;
}

export interface ComposedScenario {
  readonly scenario: KindScenario;
  /** The schema standing for the scenario's `public`. */
  readonly schema: string;
  /** Every schema name of the scenario, renamed: public -> schema, billing -> schema_billing... */
  readonly rename: ReadonlyMap<string, string>;
}

export const ALL_KIND_SCENARIOS: readonly KindScenario[] = [
  ...SCENARIOS,
  ...ADD_COLUMN,
  ...ALTER_COLUMN_TYPE,
  ...VIEW_SCENARIOS,
  ...GRANT_SCENARIOS,
  // One scenario per security kind (row-level security, policies, replica identity, persistence).
  ...SECURITY_SCENARIOS.filter((s) =>
    [
      'enable and force row level security, after the policies it needs',
      'a permissive policy with USING, WITH CHECK and a comment, and a restrictive SELECT policy for two roles',
      'roles and expressions altered in place',
      'policies removed with the table keeping row level security',
      'USING INDEX of a new unique index: set after the index is built',
      'SET UNLOGGED: a rewrite under ACCESS EXCLUSIVE, not replication safe',
    ].includes(s.name),
  ),
  ...STORAGE_SCENARIOS.filter((s) => s.kind === 'set_storage').slice(0, 1),
  // Domains, composite and range types, exclusion constraints and whole triggers (pagila's needs its own schema).
  ...TYPE_SCENARIOS.filter((s) => !s.name.startsWith('pagila')),
];

/**
 * Change kinds no composed plan holds, and why: extensions are database-wide (one per database, not one per
 * scenario schema; their apply, rollback and re-apply are in planner/extensions.test.ts and kinds.test.ts), and
 * refuse_type_change is a refusal, never a step.
 */
export const NOT_COMPOSED: Readonly<Record<string, string>> = {
  create_extension: 'test/integration/planner/extensions-scenarios.ts',
  drop_extension: 'test/integration/planner/extensions-scenarios.ts',
  alter_extension: 'test/integration/planner/extensions.test.ts',
  refuse_type_change: 'test/unit/planner/user-types.test.ts',
};

export function composed(): ComposedScenario[] {
  return ALL_KIND_SCENARIOS.map((scenario, i) => {
    const schema = `k${String(i).padStart(2, '0')}_${scenario.kind}`;
    const declaredOthers =
      typeof scenario.target === 'string'
        ? Object.keys((parse(scenario.target) as { schemas: Decl }).schemas).filter((n) => n !== 'public')
        : [];
    const others = [...new Set([...declaredOthers, ...(scenario.alsoRead ?? [])])];
    return {
      scenario,
      schema,
      rename: new Map([['public', schema], ...others.map((o) => [o, `${schema}_${o}`] as const)]),
    };
  });
}

/** The scenario's SQL moved into its schema: search_path for unqualified names, other schemas renamed. */
function inSchema(c: ComposedScenario, sql: string): string {
  let out = sql;
  for (const [from, to] of c.rename) {
    if (from === 'public') continue;
    out = out
      .replace(new RegExp(`\\bCREATE SCHEMA ${from}\\b`, 'g'), `CREATE SCHEMA ${ident(to)}`)
      .replace(new RegExp(`\\b${from}\\.`, 'g'), `${ident(to)}.`);
  }
  return `CREATE SCHEMA ${ident(c.schema)};\nSET search_path TO ${ident(c.schema)};\n${out}\nRESET search_path;\n`;
}

/** The source of every scenario, in its own schema, with the bulk rows; `rows` = 0 leaves only the samples. */
export function allKindsSourceSql(rows: number): string {
  return `${composed()
    .map((c) =>
      inSchema(c, c.scenario.source + (rows > 0 && BULK[c.scenario.name] ? BULK[c.scenario.name]!(rows) : '')),
    )
    .join('\n')}\nANALYZE;\n`;
}

/**
 * Renames the schemas of a declared document, and the references inside it: foreign keys' `schema`, and
 * column types naming an enum of the scenario's `public` (unqualified names resolve against public).
 */
function rekey(doc: { schemas: Record<string, Decl> }, rename: ReadonlyMap<string, string>): Record<string, Decl> {
  const enums = new Set(Object.keys((doc.schemas.public?.enums as Decl | undefined) ?? {}));
  const fix = (k: string, x: unknown): unknown => {
    if (k === 'schema' && typeof x === 'string') return rename.get(x) ?? x;
    if (k === 'definition' && typeof x === 'string') return qualified(x, rename.get('public')!);
    if (k === 'type' && typeof x === 'string' && enums.has(x)) return `${rename.get('public')!}.${x}`;
    return walk(x);
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(k, x)]));
  };
  return Object.fromEntries(
    Object.entries(doc.schemas).map(([name, s]) => [rename.get(name) ?? name, walk(s) as Decl]),
  );
}

/**
 * A view's definition with the relations it names unqualified qualified with `schema` (a declared view outside
 * `public` must name its tables' schema: the shadow builds views with search_path = public). The scenarios'
 * definitions are simple (`FROM t`, `FROM t a JOIN u b`); the parser checks that none is left unqualified.
 */
function qualified(definition: string, schema: string): string {
  const names = new Set(relationsNamed(definition).flatMap(([s, n]) => (s === undefined ? [n] : [])));
  let out = definition;
  for (const n of names)
    out = out.replace(
      new RegExp(`\\b(FROM|JOIN)\\s+${n}\\b(?!\\.)`, 'gi'),
      (_, kw: string) => `${kw} ${ident(schema)}.${n}`,
    );
  const left = relationsNamed(out).filter(([s]) => s === undefined);
  if (left.length) throw new Error(`cannot qualify ${left.map(([, n]) => n).join(', ')} in: ${definition}`);
  return out;
}

/**
 * The declared schema of every scenario. Targets given as SQL are built on `scratch`, each in its own schema,
 * and read back (the simplest correct way to declare functions and triggers, as kinds.test.ts does).
 */
export async function allKindsDeclaredYaml(scratch: ScenarioDatabase): Promise<string> {
  const all = composed();
  const fromSql = all.filter((c) => typeof c.scenario.target !== 'string');
  for (const c of fromSql) await scratch.client.query(inSchema(c, (c.scenario.target as { sql: string }).sql));
  await prepareSession(scratch.client);
  const built = parse(toYaml(await introspect(scratch.client, { includeSchemas: fromSql.map((c) => c.schema) }))) as {
    schemas: Record<string, Decl>;
    defaultPrivileges?: Decl[];
  };
  const schemas: Record<string, Decl> = { ...built.schemas };
  for (const c of all) {
    if (typeof c.scenario.target !== 'string') continue;
    const doc = parse(c.scenario.target) as { schemas: Record<string, Decl> };
    Object.assign(schemas, rekey(doc, c.rename));
  }
  return stringify({
    schemas,
    sql: rawSqlSteps(all),
    ...(built.defaultPrivileges ? { defaultPrivileges: built.defaultPrivileges } : {}),
  });
}

/** The scenario whose `customers` table the raw SQL step puts a rule on (left unchanged). */
const RAW_SQL_ON = 'a view with options and comments, and a view reading it';

/**
 * One raw SQL step (`run_sql`): a rule that never fires and its comment (what the model cannot express) on a
 * table no scenario changes, with the statements that undo it, so the walk kills and rolls it back like any
 * other step.
 */
function rawSqlSteps(all: readonly ComposedScenario[]): Decl {
  const on = all.find((c) => c.scenario.name === RAW_SQL_ON);
  if (!on) throw new Error(`no scenario named ${RAW_SQL_ON}`);
  const table = `${ident(on.schema)}.customers`;
  return {
    customers_rule: {
      phase: 'expand',
      sql: `CREATE RULE customers_keep AS ON DELETE TO ${table} WHERE false DO ALSO NOTHING;\nCOMMENT ON RULE customers_keep ON ${table} IS 'never fires';\n`,
      rollbackSql: [`DROP RULE customers_keep ON ${table}`, `COMMENT ON RULE customers_keep ON ${table} IS NULL`],
      requires: [{ table: `${on.schema}.customers` }],
    },
  };
}

export interface AllKindsProject {
  readonly dir: string;
  readonly config: string;
  readonly planFile: string;
  readonly plan: Plan;
  /** Schemas the plan is about (declared, plus the ones it drops). */
  readonly schemas: readonly string[];
}

/**
 * Builds the source on `db`, plans towards the composed declared schema, and writes a project: switchyard.yaml
 * (every hazard allowed: this plan has them all), schema.yaml and the plan. Planned in-process rather than by
 * `switchyard plan`, which reads only declared schemas and so could not see the schema drop_schema drops.
 */
export async function allKindsProject(
  db: ScenarioDatabase,
  scratch: ScenarioDatabase,
  rows: number,
): Promise<AllKindsProject> {
  const yaml = await allKindsDeclaredYaml(scratch);
  await db.client.query(allKindsSourceSql(rows));
  await prepareSession(db.client);
  const { model: declared, sqlSteps } = parseDeclaredFile(yaml, 'schema.yaml');
  const alsoRead = composed().flatMap((c) => (c.scenario.alsoRead ?? []).map((s) => c.rename.get(s)!));
  const schemas = [...new Set([...declared.schemas.map((s) => s.name), ...alsoRead])].sort();
  const target = await canonicalize(declared, { url: db.url });
  const source = await introspect(db.client, { includeSchemas: schemas });
  const stats = new Map(
    (await tableStats(db.client, { includeSchemas: schemas })).map((t) => [
      `${t.schema}.${t.table}`,
      { rows: t.rows, bytes: t.bytes },
    ]),
  );
  const version = await serverVersion(db.client);
  const plan = buildPlan(source, target, {
    name: 'all_kinds',
    number: 1,
    server: { version: version.text, versionNum: version.num },
    stats,
    sqlSteps,
  });
  const dir = mkdtempSync(join(tmpdir(), 'sy-all-kinds-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(config, stringify({ database: db.url, schema: 'schema.yaml', allowHazards: [...HAZARDS] }));
  writeFileSync(join(dir, 'schema.yaml'), yaml);
  const written = await writePlanFiles(plan, join(dir, 'plans'), join(dir, 'migrations'));
  return { dir, config, planFile: written.planFile, plan, schemas };
}
