// Issue #14, point 6: comments on every modeled object. Per object kind (primary key, unique constraint,
// foreign key, check, trigger, sequence, function), on a real PostgreSQL: a comment set, changed and removed
// on objects present on both sides; objects created with a comment and dropped with one (the rollback of the
// drop puts it back). Each phase is applied, rolled back (catalog identical) and applied again; the result is
// the target, and re-planning is empty (tests/support/scenario.ts).
import { describe, expect, it } from 'vitest';
import { describeNotModeled, inventory } from '../../../src/introspect/index.js';
import { allSteps } from '../../../src/planner/plan.js';
import { freshDatabase } from '../../support/db.js';
import { checkScenario, planScenario, targetFromSql } from '../../support/scenario.js';

const FUNCTION = `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;`;
const DDL = `
CREATE TABLE customers (
  id bigint NOT NULL,
  email text NOT NULL,
  updated_at timestamptz,
  CONSTRAINT customers_pkey PRIMARY KEY (id),
  CONSTRAINT customers_email_key UNIQUE (email),
  CONSTRAINT customers_email_check CHECK (email LIKE '%@%')
);
CREATE TABLE orders (
  id bigint NOT NULL PRIMARY KEY,
  customer_id bigint,
  CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE SEQUENCE invoice_numbers;
${FUNCTION}
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch();`;
const ROWS = `INSERT INTO customers (id, email) VALUES (1, 'ana@example.com');
INSERT INTO orders (id, customer_id) VALUES (10, 1);`;

interface Kind {
  readonly kind: string;
  /** COMMENT ON the object, `%s` for the text. */
  readonly on: string;
}

const KINDS: readonly Kind[] = [
  { kind: 'primary key', on: 'COMMENT ON CONSTRAINT customers_pkey ON customers IS %s' },
  { kind: 'unique constraint', on: 'COMMENT ON CONSTRAINT customers_email_key ON customers IS %s' },
  { kind: 'foreign key', on: 'COMMENT ON CONSTRAINT orders_customer_id_fkey ON orders IS %s' },
  { kind: 'check', on: 'COMMENT ON CONSTRAINT customers_email_check ON customers IS %s' },
  { kind: 'trigger', on: 'COMMENT ON TRIGGER customers_touch ON customers IS %s' },
  { kind: 'sequence', on: 'COMMENT ON SEQUENCE invoice_numbers IS %s' },
  { kind: 'function', on: 'COMMENT ON FUNCTION touch() IS %s' },
];

const commentOn = (k: Kind, text: string | null) =>
  `${k.on.replace('%s', text === null ? 'NULL' : `'${text.replace(/'/g, "''")}'`)};`;

async function run(source: string, target: string, expected: readonly string[]) {
  const db = await freshDatabase();
  const yaml = await targetFromSql(await freshDatabase(), target);
  const scenario = await planScenario(db, source, yaml);
  expect(allSteps(scenario.plan).map((s) => s.sql)).toEqual(expect.arrayContaining([...expected]));
  await checkScenario(db, scenario, { freshDatabase });
}

describe.each(KINDS)('a comment on a $kind', (k) => {
  it('set where there was none, then changed, then removed', async () => {
    await run(`${DDL}\n${ROWS}`, `${DDL}\n${commentOn(k, "the owner's key")}`, [
      qualify(commentOn(k, "the owner's key")),
    ]);
    await run(`${DDL}\n${ROWS}\n${commentOn(k, 'old')}`, `${DDL}\n${commentOn(k, 'new')}`, [
      qualify(commentOn(k, 'new')),
    ]);
    await run(`${DDL}\n${ROWS}\n${commentOn(k, 'old')}`, DDL, [qualify(commentOn(k, null))]);
  });
});

/** COMMENT ON as switchyard renders it: names qualified with public. */
function qualify(sql: string): string {
  return sql
    .replace(/;$/, '')
    .replace(/ ON (customers|orders) IS/, ' ON public.$1 IS')
    .replace(/SEQUENCE (\w+) IS/, 'SEQUENCE public.$1 IS')
    .replace(/FUNCTION (\w+)\(\) IS/, 'FUNCTION public.$1() IS');
}

describe('objects created and dropped with their comments', () => {
  const withComments = `
CREATE TABLE customers (
  id bigint NOT NULL,
  email text NOT NULL,
  updated_at timestamptz
);
CREATE TABLE orders (id bigint NOT NULL PRIMARY KEY, customer_id bigint);
${ROWS}`;
  const full = `${DDL}
${KINDS.map((k) => commentOn(k, `the ${k.kind}`)).join('\n')}`;

  it('each object added to existing tables carries its comment, and its drop puts the comment back on rollback', async () => {
    // Created: a primary key, a unique constraint, a foreign key, a check, a trigger, a sequence, a function.
    await run(
      withComments,
      full,
      KINDS.map((k) => qualify(commentOn(k, `the ${k.kind}`))),
    );
    // Dropped: the rollback of each drop recreates the object with its comment (checkScenario compares catalogs).
    await run(
      `${full}\n${ROWS}`,
      `
CREATE TABLE customers (id bigint NOT NULL, email text NOT NULL, updated_at timestamptz);
CREATE TABLE orders (id bigint NOT NULL PRIMARY KEY, customer_id bigint);`,
      [],
    );
  });

  it('a new table with commented constraints', async () => {
    await run(
      'SELECT 1',
      full,
      KINDS.map((k) => qualify(commentOn(k, `the ${k.kind}`))),
    );
  });
});

describe('introspect round trip', () => {
  it('a database with a comment on each kind: the YAML carries them, re-planning is empty, the inventory lists none', async () => {
    const sql = `${DDL}\n${KINDS.map((k) => commentOn(k, `the ${k.kind}`)).join('\n')}`;
    const yaml = await targetFromSql(await freshDatabase(), sql);
    for (const k of KINDS) expect(yaml, k.kind).toContain(`comment: the ${k.kind}`);
    const db = await freshDatabase();
    const scenario = await planScenario(db, sql, yaml);
    expect(allSteps(scenario.plan).map((s) => s.description)).toEqual([]);
    expect((await inventory(db.client, { includeSchemas: ['public'] })).map(describeNotModeled)).toEqual([]);
  });
});

describe('a commented check on a column whose type changes', () => {
  it('keeps its comment through the copy on the new column and the swap, and back on rollback', async () => {
    const table = (type: string) => `
CREATE TABLE employees (id bigint NOT NULL PRIMARY KEY, salary ${type}, CONSTRAINT employees_salary_check CHECK (salary > 0));
COMMENT ON CONSTRAINT employees_salary_check ON employees IS 'paid staff only';`;
    const db = await freshDatabase();
    const yaml = `
schemas:
  public:
    tables:
      employees:
        columns:
          id: { type: bigint, nullable: false }
          salary: { type: bigint, down: 'salary::integer' }
        primaryKey: { columns: [id] }
        checks:
          employees_salary_check: { expression: salary > 0, comment: paid staff only }
`;
    const scenario = await planScenario(db, `${table('integer')}\nINSERT INTO employees VALUES (1, 10);`, yaml);
    expect(allSteps(scenario.plan).map((s) => s.action)).toContain('swap_columns');
    await checkScenario(db, scenario, { freshDatabase });
  });
});
