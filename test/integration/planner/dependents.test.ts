// The dependents rule on a real PostgreSQL (issue #14, point 2): a plan whose steps drop or alter an object that
// something outside the model depends on (a view, a policy) is refused, naming it, before anything runs; a plan
// whose dependents the model handles is not; and when a server refuses a step anyway (a plan made without the
// dependency data), the error shown carries PostgreSQL's DETAIL and HINT, which name the dependent.
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli/errors.js';
import { colorsFor } from '../../../src/cli/io.js';
import { applyPhase as executorApplyPhase } from '../../../src/executor/phase.js';
import { introspect, readDependencies, serverVersion } from '../../../src/introspect/index.js';
import { UntrackedDependentError } from '../../../src/planner/dependents.js';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { canonicalize, prepareSession } from '../../../src/rehearsal/shadow.js';
import { parseDeclared } from '../../../src/schema/declared/yaml.js';
import { cli } from '../../support/cli.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';
import { checkScenario, planScenario } from '../../support/scenario.js';

const CUSTOMERS = `
CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(20) NOT NULL, n integer, fax text);
INSERT INTO customers VALUES (1, 'ana', 1, '+56 2'), (2, 'bo', 2, NULL);`;
const VIEW = `CREATE SCHEMA reports; CREATE VIEW reports.names AS SELECT id, name, n FROM customers;`;
const POLICY = `ALTER TABLE customers ENABLE ROW LEVEL SECURITY; CREATE POLICY positive ON customers USING (n > 0);`;

const customersYaml = (columns: string) => `
schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false }
${columns}
        primaryKey: { name: customers_pkey, columns: [id] }
`;
const NAME = `          name: { type: varchar(20), nullable: false }`;
const N = `          n: { type: integer }`;
const FAX = `          fax: { type: text }`;
const WITHOUT_NAME = customersYaml([N, FAX].join('\n'));
const N_BIGINT = customersYaml([NAME, `          n: { type: bigint, down: "n::integer" }`, FAX].join('\n'));
const NAME_TEXT = customersYaml([`          name: { type: text, nullable: false }`, N, FAX].join('\n'));

async function refusal(db: TestDatabase, sql: string, yaml: string): Promise<UntrackedDependentError> {
  const e = await planScenario(db, sql, yaml).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UntrackedDependentError);
  return e as UntrackedDependentError;
}

function project(db: TestDatabase, yaml: string): { dir: string; cfg: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-deps-'));
  writeFileSync(join(dir, 'switchyard.yaml'), `database: ${db.url}\nschema: schema.yaml\n`);
  writeFileSync(join(dir, 'schema.yaml'), yaml);
  return { dir, cfg: join(dir, 'switchyard.yaml') };
}

describe('untracked dependents', () => {
  it('a dropped column a view reads: refused naming the view, exit 1 from the CLI, --allow-hazard no help', async () => {
    const db = await freshDatabase();
    const e = await refusal(db, CUSTOMERS + VIEW, WITHOUT_NAME);
    expect(e.code).toBe('UNTRACKED_DEPENDENT');
    expect(e.dependents.map((d) => [d.dependent, d.on, d.how])).toEqual([
      ['view reports.names', 'column public.customers.name', 'drops'],
    ]);
    expect(e.dependents[0]!.step).toMatch(/^r2-contract-\d+ \(drop_column: /);

    const { dir, cfg } = project(db, WITHOUT_NAME);
    const r = await cli('--config', cfg, 'plan', '--name', 'drop_name');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('view reports.names depends on column public.customers.name');
    expect(r.stderr).toContain('declare each of them in the schema file');
    expect(r.stderr).toContain('drop it yourself');
    expect(existsSync(join(dir, 'plans')) ? readdirSync(join(dir, 'plans')) : []).toEqual([]);
    const json = await cli('--config', cfg, '--json', 'plan', '--name', 'drop_name');
    expect(json.code).toBe(1);
    const error = (JSON.parse(json.stdout) as { error: { code: string; dependents: { dependent: string }[] } }).error;
    expect(error.code).toBe('UNTRACKED_DEPENDENT');
    expect(error.dependents.map((d) => d.dependent)).toEqual(['view reports.names']);
    // Hazards are allowed when applying a plan; there is no plan to apply, and `plan` takes no allowance.
    const allowed = await cli('--config', cfg, 'plan', '--name', 'drop_name', '--allow-hazard', 'DELETES_DATA');
    expect(allowed.code).not.toBe(0);
    expect(existsSync(join(dir, 'plans')) ? readdirSync(join(dir, 'plans')) : []).toEqual([]);
  });

  it('a type-change swap of a column a view reads is refused: the view would follow the retired column', async () => {
    const db = await freshDatabase();
    const e = await refusal(db, CUSTOMERS + VIEW, N_BIGINT);
    expect(e.dependents.map((d) => [d.dependent, d.on, d.how])).toEqual([
      ['view reports.names', 'column public.customers.n', 'alters'],
    ]);
    expect(e.dependents[0]!.step).toMatch(/\(swap_columns: /);
    expect(e.message).toContain('renames, retypes or rewrites');
  });

  it('a type-change swap of a column a modeled RLS policy reads ends with the policy on the new column', async () => {
    const db = await freshDatabase();
    const declared = `${N_BIGINT}        rowSecurity: true\n        policies:\n          positive: { using: "n > 0" }\n`;
    const scenario = await planScenario(db, CUSTOMERS + POLICY, declared);
    const swap = allSteps(scenario.plan).find((s) => s.action === 'swap_columns')!;
    // One transaction: the policy leaves the old column before the swap and is created on the new one after it.
    expect(swap.sql).toContain('DROP POLICY positive ON public.customers;');
    expect(swap.sql.indexOf('DROP POLICY')).toBeLessThan(swap.sql.indexOf('RENAME COLUMN'));
    expect(swap.sql.lastIndexOf('CREATE POLICY positive ON public.customers')).toBeGreaterThan(
      swap.sql.lastIndexOf('RENAME COLUMN'),
    );
    expect(allSteps(scenario.plan).filter((s) => s.change === 'alter_policy' || s.change === 'drop_policy')).toEqual(
      [],
    );
    await checkScenario(db, scenario, { freshDatabase });
    const { rows } = await db.client.query<{ attname: string; type: string }>(
      `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type FROM pg_policy p
         JOIN pg_depend d ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid AND d.refobjsubid > 0
         JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE p.polname = 'positive'`,
    );
    expect(rows).toEqual([{ attname: 'n', type: 'bigint' }]);
  });

  it('a type-change swap of a column a modeled RLS policy reads, the policy left out of the target: dropped by the swap', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, CUSTOMERS + POLICY, N_BIGINT);
    const swap = allSteps(scenario.plan).find((s) => s.action === 'swap_columns')!;
    expect(swap.sql).toContain('DROP POLICY positive ON public.customers;');
    expect(swap.sql).not.toContain('CREATE POLICY');
    await checkScenario(db, scenario, { freshDatabase });
  });

  it('a dropped table a view uses: refused before anything runs', async () => {
    const db = await freshDatabase();
    await db.client.query(
      `${CUSTOMERS}
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);
CREATE SCHEMA reports; CREATE VIEW reports.totals AS SELECT count(*) AS n, sum(total) AS total FROM orders;`,
    );
    const { cfg } = project(db, customersYaml([NAME, N, FAX].join('\n')));
    const r = await cli('--config', cfg, 'plan', '--name', 'drop_orders');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('view reports.totals depends on');
    expect(r.stderr).toMatch(/which step r2-contract-\d+ \(drop_table: /);
    const left = await db.client.query(
      "SELECT to_regclass('public.orders') IS NOT NULL AS orders, to_regnamespace('switchyard') IS NULL AS no_ledger",
    );
    expect(left.rows[0]).toEqual({ orders: true, no_ledger: true });
  });

  it('plan --from a JSON snapshot checks dependents; a YAML snapshot says it cannot', async () => {
    const source = await freshDatabase();
    const target = await freshDatabase();
    await source.client.query(CUSTOMERS + VIEW);
    await target.client.query(CUSTOMERS.replace('name varchar(20) NOT NULL, ', '').replace(/'ana', |'bo', /g, ''));
    const dir = mkdtempSync(join(tmpdir(), 'sy-deps-snap-'));
    for (const [db, file] of [
      [source, 'a.json'],
      [source, 'a.yaml'],
      [target, 'b.json'],
    ] as const)
      expect((await cli('introspect', '--db', db.url, '--include', 'public', '-o', join(dir, file))).code).toBe(0);
    const fromJson = await cli(
      'plan',
      '--from',
      join(dir, 'a.json'),
      '--schema',
      join(dir, 'b.json'),
      '--name',
      'x',
      '--dry-run',
    );
    expect(fromJson.code, fromJson.stderr).toBe(1);
    expect(fromJson.stderr).toContain('view reports.names depends on column public.customers.name');
    const fromYaml = await cli(
      'plan',
      '--from',
      join(dir, 'a.yaml'),
      '--schema',
      join(dir, 'b.json'),
      '--name',
      'x',
      '--dry-run',
    );
    expect(fromYaml.code, fromYaml.stderr).toBe(0);
    expect(fromYaml.stderr).toContain('records no dependencies between objects');
    expect(fromYaml.stderr).toContain('is NOT checked');
  });
});

describe('dependents the model handles', () => {
  it('a unique key replaced under foreign keys: the foreign keys are taken off and re-added, not refused', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(
      db,
      `CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL CONSTRAINT customers_email_key UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, email text REFERENCES customers (email));
INSERT INTO customers VALUES (1, 'a@x'), (2, 'b@x'); INSERT INTO orders VALUES (1, 'a@x');`,
      `
schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false }
          email: { type: text, nullable: false }
        primaryKey: { name: customers_pkey, columns: [id] }
        unique:
          customers_email_uq: { columns: [email] }
      orders:
        columns:
          id: { type: bigint, nullable: false }
          email: { type: text }
        primaryKey: { name: orders_pkey, columns: [id] }
        foreignKeys:
          orders_email_fkey: { columns: [email], references: { table: customers, columns: [email] } }
`,
    );
    const actions = allSteps(scenario.plan).map((s) => s.action);
    expect(actions).toContain('detach_foreign_key');
    await checkScenario(db, scenario, { freshDatabase });
  });

  it('a dropped column with an index, a check and a trigger on its table is not refused', async () => {
    const db = await freshDatabase();
    const fn = `CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;`;
    const source = `${CUSTOMERS}
${fn}
CREATE TRIGGER customers_stamp BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE INDEX customers_fax_idx ON customers (fax);
ALTER TABLE customers ADD CONSTRAINT fax_short CHECK (length(fax) < 40);`;
    const scratch = await freshDatabase();
    await scratch.client.query(`${CUSTOMERS} ALTER TABLE customers DROP COLUMN fax; ${fn}
CREATE TRIGGER customers_stamp BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION stamp();`);
    await prepareSession(scratch.client);
    const { toYaml } = await import('../../../src/schema/declared/yaml.js');
    const target = toYaml(await introspect(scratch.client, { includeSchemas: ['public'] }));
    const scenario = await planScenario(db, source, target);
    expect(allSteps(scenario.plan).map((s) => s.action)).toEqual(
      expect.arrayContaining(['drop_column', 'drop_index_concurrently']),
    );
    await checkScenario(db, scenario, { freshDatabase });
  });
});

describe('a step the server refuses', () => {
  it("shows PostgreSQL's DETAIL and HINT, naming the dependent, without --verbose", async () => {
    const db = await freshDatabase();
    await db.client.query(CUSTOMERS + VIEW);
    await prepareSession(db.client);
    // As from a snapshot without dependency data: the rule cannot run, the server refuses at apply time.
    const source = await introspect(db.client, { includeSchemas: ['public'] });
    const target = await canonicalize(parseDeclared(NAME_TEXT, 'schema.yaml'), { url: db.url });
    const v = await serverVersion(db.client);
    const server = { version: v.text, versionNum: v.num };
    const plan = buildPlan(source, target, { name: 'retype', number: 1, server });
    expect(allSteps(plan).map((s) => s.action)).toContain('alter_column_type');
    // With the data, the same plan is refused before it runs.
    const dependencies = await readDependencies(db.client, { includeSchemas: ['public'] });
    expect(() => buildPlan(source, target, { name: 'retype', number: 1, server, dependencies })).toThrow(
      /view reports\.names depends on column public\.customers\.name, which step r1-expand-\d+ \(alter_column_type: .*\) renames, retypes or rewrites/,
    );

    const failure = await executorApplyPhase(db.client, plan, 1, 'expand').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('cannot alter type of a column used by a view or rule');
    expect((failure as Error).message).toMatch(/DETAIL: rule _RETURN on view reports\.names depends on column "name"/);
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), isTTY: false };
    expect(reportError(failure, io, colorsFor(io, true), false, false)).toBe(3);
    expect(stderr).toContain('DETAIL: rule _RETURN on view reports.names depends on column "name"');
  });
});
