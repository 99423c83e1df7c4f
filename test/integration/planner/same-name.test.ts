// Issue #14, point 5: a unique key redefined under the same name while foreign keys use it, replaced online
// (built under a temporary name, given the name, the old one dropped a release later) and rolled back all the
// way. The postmortem in shared/seeds (000_...) is about the rollback of such a change: it could not drop the
// unique indexes foreign keys still depended on. Here every phase of both releases is applied, then every
// phase is rolled back in reverse order, and the catalog must be the source's again, with each foreign key
// back on the index it used; then everything is applied again and must be the target.
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { PHASES, type Step } from '../../../src/planner/types.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { freshDatabase, type TestDatabase } from '../../support/db.js';
import { applyPhase, phaseSteps, rollbackPhase } from '../../support/plan-runner.js';
import { checkScenario, comparable, planScenario, type Scenario } from '../../support/scenario.js';

const SOURCE = `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  handle text NOT NULL,
  name text,
  CONSTRAINT customers_email_key UNIQUE (email)
);
CREATE UNIQUE INDEX customers_handle_idx ON customers (handle);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_email text NOT NULL,
  customer_handle text,
  CONSTRAINT orders_customer_email_fkey FOREIGN KEY (customer_email) REFERENCES customers (email),
  CONSTRAINT orders_customer_handle_fkey FOREIGN KEY (customer_handle) REFERENCES customers (handle)
);
INSERT INTO customers (email, handle, name) VALUES ('ana@example.com', 'ana', 'Ana'), ('bo@example.com', 'bo', NULL);
INSERT INTO orders (customer_email, customer_handle) VALUES ('ana@example.com', 'ana'), ('bo@example.com', NULL);`;

// The same columns (the foreign keys keep a key to use), another definition: NULLS NOT DISTINCT for the
// constraint, an INCLUDE column for the index.
const TARGET = `
schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
          handle: { type: text, nullable: false }
          name: { type: text }
        primaryKey: { columns: [id] }
        unique:
          customers_email_key: { columns: [email], nullsNotDistinct: true }
        indexes:
          customers_handle_idx: { columns: [handle], include: [name], unique: true }
      orders:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          customer_email: { type: text, nullable: false }
          customer_handle: { type: text }
        primaryKey: { columns: [id] }
        foreignKeys:
          orders_customer_email_fkey: { columns: [customer_email], references: { table: customers, columns: [email] } }
          orders_customer_handle_fkey: { columns: [customer_handle], references: { table: customers, columns: [handle] } }
`;

async function schemaOf(db: TestDatabase): Promise<DatabaseSchema> {
  await prepareSession(db.client);
  return comparable(await introspect(db.client, { includeSchemas: ['public'] }));
}

/** Foreign key -> the index it uses (pg_constraint.conindid), which the model does not show. */
async function indexesUsed(db: TestDatabase): Promise<Record<string, string>> {
  const r = await db.client.query<{ fk: string; ix: string }>(
    `SELECT c.conname AS fk, i.relname AS ix FROM pg_constraint c JOIN pg_class i ON i.oid = c.conindid
     WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace ORDER BY 1`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.fk, x.ix]));
}

function phases(s: Scenario): { label: string; steps: readonly Step[] }[] {
  return s.plan.releases.flatMap((r) =>
    PHASES.map((p) => ({ label: `release ${r.number} ${p}`, steps: phaseSteps(s.plan, r.number, p) })).filter(
      (x) => x.steps.length > 0,
    ),
  );
}

describe('a unique key redefined under the same name while foreign keys use it', () => {
  it('is planned online, each phase applies, rolls back and applies again, and re-planning is empty', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, SOURCE, TARGET);
    expect(
      phases(scenario).map((p) => `${p.label}: ${p.steps.map((s) => s.action).join(', ')}`),
    ).toMatchInlineSnapshot(`
      [
        "release 1 expand: create_unique_index_concurrently, create_index_concurrently, swap_index_names",
        "release 1 contract: add_constraint_using_index",
        "release 2 contract: detach_foreign_key, drop_constraint, reattach_foreign_key, validate_foreign_key, rename_constraint, detach_foreign_key, drop_index_concurrently, reattach_foreign_key, validate_foreign_key",
      ]
    `);
    await checkScenario(db, scenario, { freshDatabase });
  });

  it('rolls back all the way, both releases in reverse, to the source catalog, foreign keys on their old indexes', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, SOURCE, TARGET);
    const source = await schemaOf(db);
    const used = await indexesUsed(db);
    expect(used).toEqual({
      orders_customer_email_fkey: 'customers_email_key',
      orders_customer_handle_fkey: 'customers_handle_idx',
    });
    const all = phases(scenario);
    for (const p of all) await applyPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after both releases').toEqual(comparable(scenario.target));
    for (const p of [...all].reverse()) await rollbackPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after rolling everything back').toEqual(source);
    expect(await indexesUsed(db)).toEqual(used);
    // The foreign keys still hold: an order of an unknown customer is refused.
    await expect(db.client.query("INSERT INTO orders (customer_email) VALUES ('nobody@example.com')")).rejects.toThrow(
      /orders_customer_email_fkey/,
    );
    for (const p of all) await applyPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after applying both releases again').toEqual(comparable(scenario.target));
  });
});

// A primary key redefined under the same name (issue #14, point 5): the key moves from id to email; the
// foreign key on id goes around the swap and back on the unique constraint the target keeps there, and a
// foreign key the plan adds on email uses the new key's index, built aside in expand, before the key has it.
const PK_SOURCE = `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY,
  email text NOT NULL,
  CONSTRAINT customers_pkey PRIMARY KEY (id)
);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  customer_email text,
  CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)
);
INSERT INTO customers (email) VALUES ('ana@example.com'), ('bo@example.com');
INSERT INTO orders (customer_id, customer_email) VALUES (1, 'ana@example.com'), (2, 'bo@example.com'), (2, NULL);`;

const PK_TARGET = `
schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
        primaryKey: { name: customers_pkey, columns: [email] }
        unique:
          customers_id_key: { columns: [id] }
      orders:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          customer_id: { type: bigint, nullable: false }
          customer_email: { type: text }
        primaryKey: { columns: [id] }
        foreignKeys:
          orders_customer_id_fkey: { columns: [customer_id], references: { table: customers, columns: [id] } }
          orders_customer_email_fkey: { columns: [customer_email], references: { table: customers, columns: [email] } }
`;

describe('a primary key redefined under the same name while foreign keys use it', () => {
  it('is planned online, each phase applies, rolls back and applies again, and re-planning is empty', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, PK_SOURCE, PK_TARGET);
    expect(
      phases(scenario).map((p) => `${p.label}: ${p.steps.map((s) => s.action).join(', ')}`),
    ).toMatchInlineSnapshot(`
      [
        "release 1 expand: create_unique_index_concurrently, create_unique_index_concurrently, add_foreign_key_not_valid",
        "release 1 contract: add_constraint_using_index, validate_foreign_key",
        "release 2 contract: detach_foreign_key, swap_primary_key, reattach_foreign_key, validate_foreign_key",
      ]
    `);
    await checkScenario(db, scenario, { freshDatabase });
  });

  it('rolls back all the way to the source catalog, the old key back under its name, the foreign key on it', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(db, PK_SOURCE, PK_TARGET);
    const source = await schemaOf(db);
    expect(await indexesUsed(db)).toEqual({ orders_customer_id_fkey: 'customers_pkey' });
    const all = phases(scenario);
    for (const p of all) await applyPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after both releases').toEqual(comparable(scenario.target));
    expect(await indexesUsed(db)).toEqual({
      orders_customer_email_fkey: 'customers_pkey',
      orders_customer_id_fkey: 'customers_id_key',
    });
    for (const p of [...all].reverse()) await rollbackPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after rolling everything back').toEqual(source);
    await expect(db.client.query('INSERT INTO orders (customer_id) VALUES (42)')).rejects.toThrow(
      /orders_customer_id_fkey/,
    );
    for (const p of all) await applyPhase(db.client, p.steps);
    expect(await schemaOf(db), 'after applying both releases again').toEqual(comparable(scenario.target));
  });
});

// The same columns in another order: the foreign key on them goes around the swap and comes back on the new key.
describe('a primary key redefined under the same name in another column order', () => {
  it('is planned online, each phase applies, rolls back and applies again, and re-planning is empty', async () => {
    const db = await freshDatabase();
    const scenario = await planScenario(
      db,
      `
CREATE TABLE lines (
  order_id bigint NOT NULL,
  n integer NOT NULL,
  CONSTRAINT lines_pkey PRIMARY KEY (order_id, n)
);
CREATE TABLE notes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id bigint NOT NULL,
  n integer NOT NULL,
  CONSTRAINT notes_line_fkey FOREIGN KEY (order_id, n) REFERENCES lines (order_id, n)
);
INSERT INTO lines VALUES (1, 1), (1, 2), (2, 1);
INSERT INTO notes (order_id, n) VALUES (1, 2), (2, 1);`,
      `
schemas:
  public:
    tables:
      lines:
        columns:
          order_id: { type: bigint, nullable: false }
          n: { type: integer, nullable: false }
        primaryKey: { name: lines_pkey, columns: [n, order_id] }
      notes:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          order_id: { type: bigint, nullable: false }
          n: { type: integer, nullable: false }
        primaryKey: { columns: [id] }
        foreignKeys:
          notes_line_fkey: { columns: [order_id, n], references: { table: lines, columns: [order_id, n] } }
`,
    );
    expect(
      phases(scenario).map((p) => `${p.label}: ${p.steps.map((s) => s.action).join(', ')}`),
    ).toMatchInlineSnapshot(`
      [
        "release 1 expand: create_unique_index_concurrently",
        "release 2 contract: detach_foreign_key, swap_primary_key, reattach_foreign_key, validate_foreign_key",
      ]
    `);
    await checkScenario(db, scenario, { freshDatabase });
    expect(await indexesUsed(db)).toEqual({ notes_line_fkey: 'lines_pkey' });
  });
});
