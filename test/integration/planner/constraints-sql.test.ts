// The key, constraint and index handlers' SQL on a real PostgreSQL. For each scenario a source and a target
// database are built and introspected, the differ's changes are planned, and on the source every phase runs
// step by step: after each step, its rollback alone must give back exactly the schema before it (same
// fingerprint) and the step runs again; at the end of the phase all its rollbacks, in reverse order, must give
// back the schema before the phase, and the phase runs again. The end is the target, and a new diff is empty.
// Rollback statements run one by one, as the executor runs them (some are CONCURRENTLY).
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { diff, type Change, type ChangeKind } from '../../../src/diff/index.js';
import { introspect } from '../../../src/introspect/index.js';
import type { PlanContext, StepDraft } from '../../../src/planner/types.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { ident, literal, qualified } from '../../../src/db/quote.js';
import { freshDatabase } from '../../support/db.js';
import { checkScenario, planScenario } from '../../support/scenario.js';
import { draftsOf, phases, problemsOf } from '../../unit/planner/constraints-support.js';

const S = 'Shop "Q1" ñ';
const t = (name: string) => qualified(S, name);
const i = ident;
const SCHEMA = `CREATE SCHEMA ${i(S)};`;

async function exec(client: pg.Client, sql: string): Promise<void> {
  await client.query(sql).catch((e: Error) => {
    throw new Error(`${e.message}\n  in: ${sql}`);
  });
}

const shape = async (client: pg.Client): Promise<string> =>
  fingerprint(await introspect(client, { includeSchemas: [S] }));

async function runStep(client: pg.Client, s: StepDraft): Promise<void> {
  await exec(client, s.sql);
}

async function undo(client: pg.Client, s: StepDraft): Promise<void> {
  for (const r of s.rollback)
    await exec(client, r).catch((e: Error) => Promise.reject(new Error(`rollback of ${s.action}: ${e.message}`)));
}

interface Outcome {
  readonly client: pg.Client;
  readonly kinds: ChangeKind[];
  readonly drafts: StepDraft[];
  readonly source: DatabaseSchema;
}

/** Plans source -> target and walks every phase forward, back and forward again, step by step. */
async function walk(sourceSql: string, targetSql: string, data = ''): Promise<Outcome> {
  const src = await freshDatabase();
  const tgt = await freshDatabase();
  await exec(src.client, sourceSql);
  if (data) await exec(src.client, data);
  await exec(tgt.client, targetSql);
  const source = await introspect(src.client, { includeSchemas: [S] });
  const target = await introspect(tgt.client, { includeSchemas: [S] });
  const { rows } = await src.client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
  const changes: Change[] = diff(source, target);
  const newTables = new Set(changes.flatMap((c) => (c.kind === 'add_table' ? [`${c.schema}.${c.table}`] : [])));
  const ctx: PlanContext = { source, target, serverVersionNum: rows[0]!.v, newTables };
  expect(problemsOf(changes, ctx)).toEqual([]);
  const drafts = draftsOf(changes, ctx);
  for (const run of phases(drafts)) {
    const before = await shape(src.client);
    for (const s of run.steps) {
      const beforeStep = await shape(src.client);
      await runStep(src.client, s);
      await undo(src.client, s);
      expect(await shape(src.client), `rollback of ${s.action}: ${s.sql}`).toBe(beforeStep);
      await runStep(src.client, s);
    }
    for (const s of [...run.steps].reverse()) await undo(src.client, s);
    expect(await shape(src.client), `rollback of release ${run.release + 1} ${run.phase}`).toBe(before);
    for (const s of run.steps) await runStep(src.client, s);
  }
  const reached = await introspect(src.client, { includeSchemas: [S] });
  expect(fingerprint(reached)).toBe(fingerprint(target));
  expect(diff(reached, target)).toEqual([]);
  return { client: src.client, kinds: changes.map((c) => c.kind).sort(), drafts, source };
}

/** Which index each foreign key of the schema depends on (pg_constraint.conindid). */
async function fkIndexes(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query<{ fk: string; idx: string }>(
    `SELECT c.conname AS fk, i.relname AS idx FROM pg_constraint c JOIN pg_class i ON i.oid = c.conindid
     WHERE c.contype = 'f' AND c.connamespace = ${literal(ident(S))}::regnamespace`,
  );
  return Object.fromEntries(rows.map((r) => [r.fk, r.idx]));
}

describe('indexes', () => {
  it('add_index: concurrently on a populated table (keys with options, INCLUDE, predicate, expression, comment), plainly on a new table', async () => {
    const table = `CREATE TABLE ${t('Order Items')} (id int PRIMARY KEY, "Qty" int, note text);`;
    const { kinds, drafts } = await walk(
      SCHEMA + table,
      SCHEMA +
        table +
        `CREATE INDEX "Qty ""idx""" ON ${t('Order Items')} ("Qty" DESC NULLS LAST) INCLUDE (note) WHERE "Qty" > 0;
         COMMENT ON INDEX ${t('Qty "idx"')} IS 'it''s ñ';
         CREATE INDEX lower_note ON ${t('Order Items')} (lower(note));
         CREATE TABLE ${t('new t')} ("ä" int); CREATE UNIQUE INDEX "new ä" ON ${t('new t')} ("ä");`,
      `INSERT INTO ${t('Order Items')} SELECT g, g % 7, 'n' || g FROM generate_series(1, 500) g;`,
    );
    expect(kinds).toEqual(['add_index', 'add_index', 'add_index', 'add_table']);
    expect(drafts.filter((d) => d.action === 'create_index_concurrently')).toHaveLength(2);
    expect(drafts.filter((d) => d.action === 'create_index')).toHaveLength(1);
  });

  it('drop_index: a commented index, and a unique index a foreign key depends on, re-pointed onto the primary key', async () => {
    const common = `CREATE TABLE ${t('Parent')} (id int NOT NULL);`;
    const child = `CREATE TABLE ${t('child')} (id int PRIMARY KEY, pid int);`;
    const outcome = await walk(
      SCHEMA +
        common +
        `CREATE UNIQUE INDEX "Parent u" ON ${t('Parent')} (id);
         CREATE INDEX "Parent ix" ON ${t('Parent')} (id DESC); COMMENT ON INDEX ${t('Parent ix')} IS 'why';` +
        child +
        `ALTER TABLE ${t('child')} ADD CONSTRAINT "child→parent" FOREIGN KEY (pid) REFERENCES ${t('Parent')} (id);
         ALTER TABLE ${t('Parent')} ADD CONSTRAINT "Parent pkey" PRIMARY KEY (id);`,
      SCHEMA +
        common +
        `ALTER TABLE ${t('Parent')} ADD CONSTRAINT "Parent pkey" PRIMARY KEY (id);` +
        child +
        `ALTER TABLE ${t('child')} ADD CONSTRAINT "child→parent" FOREIGN KEY (pid) REFERENCES ${t('Parent')} (id);`,
      `INSERT INTO ${t('Parent')} SELECT g FROM generate_series(1, 100) g; INSERT INTO ${t('child')} SELECT g, g FROM generate_series(1, 100) g;`,
    );
    expect(outcome.kinds).toEqual(['drop_index', 'drop_index']);
    expect(outcome.drafts.map((d) => d.action)).toEqual(
      expect.arrayContaining(['detach_foreign_key', 'reattach_foreign_key', 'validate_foreign_key']),
    );
    expect(await fkIndexes(outcome.client)).toEqual({ 'child→parent': 'Parent pkey' });
  });

  it('drop_index + add_index: an invalid index left by a failed concurrent build is dropped in expand and rebuilt', async () => {
    const table = `CREATE TABLE ${t('dup')} (a int);`;
    const src = await freshDatabase();
    await exec(src.client, `${SCHEMA + table}INSERT INTO ${t('dup')} VALUES (1), (1), (2);`);
    await expect(src.client.query(`CREATE UNIQUE INDEX CONCURRENTLY "dup a" ON ${t('dup')} (a)`)).rejects.toThrow(
      /could not create unique index/,
    );
    await exec(src.client, `DELETE FROM ${t('dup')} WHERE ctid = (SELECT max(ctid) FROM ${t('dup')} WHERE a = 1)`);
    const source = await introspect(src.client, { includeSchemas: [S] });
    expect(source.schemas[0]!.tables[0]!.indexes[0]!.invalid).toBe(true);
    const dump = `CREATE TABLE ${t('dup')} (a int); INSERT INTO ${t('dup')} VALUES (1), (2);`;
    // The walk rebuilds the source from SQL: an invalid index cannot be created directly, so fail a build again.
    const { actions, afterRollback } = await walkFrom(
      src.client,
      source,
      `${SCHEMA + dump}CREATE UNIQUE INDEX "dup a" ON ${t('dup')} (a);`,
    );
    expect(actions).toEqual(['drop_invalid_index', 'create_index_concurrently']);
    // Rolled back, the index is back under its name, valid: no statement creates an invalid one.
    const { invalid: _, ...valid } = source.schemas[0]!.tables[0]!.indexes[0]!;
    expect(afterRollback.schemas[0]!.tables[0]!.indexes).toEqual([valid]);
  });
});

/** Like walk, on an existing source database (for a source state SQL cannot create directly): forward, back, forward. */
async function walkFrom(
  client: pg.Client,
  source: DatabaseSchema,
  targetSql: string,
): Promise<{ actions: string[]; afterRollback: DatabaseSchema }> {
  const tgt = await freshDatabase();
  await exec(tgt.client, targetSql);
  const target = await introspect(tgt.client, { includeSchemas: [S] });
  const changes = diff(source, target);
  const ctx: PlanContext = { source, target, serverVersionNum: 170000, newTables: new Set() };
  expect(problemsOf(changes, ctx)).toEqual([]);
  const runs = phases(draftsOf(changes, ctx));
  expect(runs).toHaveLength(1);
  const steps = runs[0]!.steps;
  for (const s of steps) await runStep(client, s);
  for (const s of [...steps].reverse()) await undo(client, s);
  const afterRollback = await introspect(client, { includeSchemas: [S] });
  for (const s of steps) await runStep(client, s);
  expect(fingerprint(await introspect(client, { includeSchemas: [S] }))).toBe(fingerprint(target));
  return { actions: steps.map((s) => s.action), afterRollback };
}

describe('unique constraints and primary keys', () => {
  it('add_unique: deferrable, NULLS NOT DISTINCT, and one that foreign keys use (an existing one and one this plan adds)', async () => {
    const tables = `CREATE TABLE ${t('Users')} (id int PRIMARY KEY, "E-mail" text NOT NULL, tenant int);
       CREATE UNIQUE INDEX users_email_idx ON ${t('Users')} ("E-mail");
       CREATE TABLE ${t('orders')} (id int PRIMARY KEY, email text, tenant int);
       ALTER TABLE ${t('orders')} ADD CONSTRAINT "orders email" FOREIGN KEY (email) REFERENCES ${t('Users')} ("E-mail");`;
    const outcome = await walk(
      SCHEMA + tables,
      SCHEMA +
        tables +
        `ALTER TABLE ${t('Users')} ADD CONSTRAINT "Users ""e-mail"" key" UNIQUE ("E-mail");
         ALTER TABLE ${t('Users')} ADD CONSTRAINT users_tenant_key UNIQUE NULLS NOT DISTINCT (tenant);
         ALTER TABLE ${t('Users')} ADD CONSTRAINT users_deferred UNIQUE (tenant, id) DEFERRABLE INITIALLY DEFERRED;
         ALTER TABLE ${t('orders')} ADD CONSTRAINT "orders email again" FOREIGN KEY (email) REFERENCES ${t('Users')} ("E-mail");
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_tenant FOREIGN KEY (tenant) REFERENCES ${t('Users')} (tenant);`,
      `INSERT INTO ${t('Users')} SELECT g, 'u' || g, g FROM generate_series(1, 50) g;
       INSERT INTO ${t('orders')} SELECT g, 'u' || g, g FROM generate_series(1, 50) g;`,
    );
    expect(outcome.kinds).toEqual(['add_foreign_key', 'add_foreign_key', 'add_unique', 'add_unique', 'add_unique']);
    const contract = outcome.drafts.find(
      (d) => d.action === 'add_constraint_using_index' && d.sql.includes('users_tenant_key'),
    )!;
    expect(contract.rollback[0]).toBe(`ALTER TABLE ${t('orders')} DROP CONSTRAINT orders_tenant`);
  });

  it('add_unique adopting an existing unique index (with a comment) that a foreign key uses', async () => {
    const tables = `CREATE TABLE ${t('Users')} (id int PRIMARY KEY, email text);`;
    const fk = `CREATE TABLE ${t('orders')} (email text REFERENCES ${t('Users')} (email));`;
    const outcome = await walk(
      SCHEMA +
        tables +
        `CREATE UNIQUE INDEX "Email u" ON ${t('Users')} (email); COMMENT ON INDEX ${t('Email u')} IS 'x';` +
        fk,
      `${SCHEMA + tables}ALTER TABLE ${t('Users')} ADD CONSTRAINT "Email u" UNIQUE (email);${fk}`,
      `INSERT INTO ${t('Users')} VALUES (1, 'a'), (2, NULL); INSERT INTO ${t('orders')} VALUES ('a'), (NULL);`,
    );
    expect(outcome.kinds).toEqual(['add_unique', 'drop_index']);
    expect(outcome.drafts.map((d) => d.action)).toEqual(['add_constraint_using_index']);
  });

  it('add_primary_key on NOT NULL columns, with a new foreign key using it', async () => {
    const tables = `CREATE TABLE ${t('Accounts')} ("Id" bigint NOT NULL, region text NOT NULL); CREATE TABLE ${t('members')} (account bigint, region text);`;
    await walk(
      SCHEMA + tables,
      SCHEMA +
        tables +
        `ALTER TABLE ${t('Accounts')} ADD CONSTRAINT "Accounts PK" PRIMARY KEY ("Id", region);
         ALTER TABLE ${t('members')} ADD FOREIGN KEY (region, account) REFERENCES ${t('Accounts')} (region, "Id");`,
      `INSERT INTO ${t('Accounts')} SELECT g, 'r' || (g % 3) FROM generate_series(1, 60) g;
       INSERT INTO ${t('members')} SELECT g, 'r' || (g % 3) FROM generate_series(1, 60) g;`,
    );
  });

  it('drop_primary_key and drop_unique, their foreign keys re-pointed onto keys this plan adds', async () => {
    const child = `CREATE TABLE ${t('child')} (pid int, code text);`;
    const fks = `ALTER TABLE ${t('child')} ADD CONSTRAINT child_pid FOREIGN KEY (pid) REFERENCES ${t('Parent')} (id);
       ALTER TABLE ${t('child')} ADD CONSTRAINT child_code FOREIGN KEY (code) REFERENCES ${t('Parent')} (code) NOT VALID;`;
    const outcome = await walk(
      SCHEMA +
        `CREATE TABLE ${t('Parent')} (id int NOT NULL CONSTRAINT "Parent pkey" PRIMARY KEY, code text CONSTRAINT "Parent code" UNIQUE);` +
        child +
        fks,
      SCHEMA +
        `CREATE TABLE ${t('Parent')} (id int NOT NULL CONSTRAINT "Parent id" UNIQUE, code text CONSTRAINT "code ñ" UNIQUE NULLS NOT DISTINCT);` +
        child +
        fks,
      `INSERT INTO ${t('Parent')} SELECT g, 'c' || g FROM generate_series(1, 40) g; INSERT INTO ${t('child')} SELECT g, 'c' || g FROM generate_series(1, 40) g;`,
    );
    expect(outcome.kinds).toEqual(['add_unique', 'add_unique', 'drop_primary_key', 'drop_unique']);
    expect(await fkIndexes(outcome.client)).toEqual({ child_pid: 'Parent id', child_code: 'code ñ' });
  });
});

describe('foreign keys and checks', () => {
  it('add_foreign_key (NOT VALID + VALIDATE, declared NOT VALID, self-referencing, on a new table), drop_foreign_key, validate_foreign_key', async () => {
    const parent = `CREATE TABLE ${t('Parent')} (id int PRIMARY KEY, code text UNIQUE);`;
    const child = `CREATE TABLE ${t('Child')} (id int PRIMARY KEY, pid int, code text, up int, old int, nv int);`;
    const kept = `ALTER TABLE ${t('Child')} ADD CONSTRAINT "old ref" FOREIGN KEY (old) REFERENCES ${t('Parent')} (id) ON DELETE CASCADE;
                  ALTER TABLE ${t('Child')} ADD CONSTRAINT "old nv" FOREIGN KEY (code) REFERENCES ${t('Parent')} (code) NOT VALID;`;
    const outcome = await walk(
      SCHEMA +
        parent +
        child +
        kept +
        `ALTER TABLE ${t('Child')} ADD CONSTRAINT "nv" FOREIGN KEY (nv) REFERENCES ${t('Parent')} (id) NOT VALID;`,
      SCHEMA +
        parent +
        child +
        `ALTER TABLE ${t('Child')} ADD CONSTRAINT "nv" FOREIGN KEY (nv) REFERENCES ${t('Parent')} (id);
         ALTER TABLE ${t('Child')} ADD CONSTRAINT "Child→Parent" FOREIGN KEY (pid) REFERENCES ${t('Parent')} (id) MATCH FULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
         ALTER TABLE ${t('Child')} ADD CONSTRAINT "code later" FOREIGN KEY (code) REFERENCES ${t('Parent')} (code) NOT VALID;
         ALTER TABLE ${t('Child')} ADD CONSTRAINT self FOREIGN KEY (up) REFERENCES ${t('Child')} (id);
         CREATE TABLE ${t('kid')} (pid int CONSTRAINT "kid fk" REFERENCES ${t('Parent')} (id));`,
      `INSERT INTO ${t('Parent')} SELECT g, 'c' || g FROM generate_series(1, 30) g;
       INSERT INTO ${t('Child')} SELECT g, g, 'c' || g, NULLIF(g - 1, 0), g, g FROM generate_series(1, 30) g;`,
    );
    expect(outcome.kinds).toEqual([
      'add_foreign_key',
      'add_foreign_key',
      'add_foreign_key',
      'add_foreign_key',
      'add_table',
      'drop_foreign_key',
      'drop_foreign_key',
      'validate_foreign_key',
    ]);
  });

  it('add_check (NOT VALID + VALIDATE, declared NOT VALID, on a new table), drop_check (valid and NOT VALID), validate_check', async () => {
    const table = `CREATE TABLE ${t('Items')} (id int PRIMARY KEY, "Price" numeric, qty int);`;
    const outcome = await walk(
      SCHEMA +
        table +
        `ALTER TABLE ${t('Items')} ADD CONSTRAINT "old check" CHECK (qty >= 0);
         ALTER TABLE ${t('Items')} ADD CONSTRAINT "old nv" CHECK (qty < 1000) NOT VALID;
         ALTER TABLE ${t('Items')} ADD CONSTRAINT later CHECK ("Price" > 0) NOT VALID;`,
      SCHEMA +
        table +
        `ALTER TABLE ${t('Items')} ADD CONSTRAINT later CHECK ("Price" > 0);
         ALTER TABLE ${t('Items')} ADD CONSTRAINT "Price ""sane""" CHECK ("Price" < 1e6 AND qty IS NOT NULL);
         ALTER TABLE ${t('Items')} ADD CONSTRAINT "declared nv" CHECK (qty <> 13) NOT VALID;
         CREATE TABLE ${t('new')} (a int CONSTRAINT "a pos" CHECK (a > 0));`,
      `INSERT INTO ${t('Items')} SELECT g, g, g FROM generate_series(1, 30) g;`,
    );
    expect(outcome.kinds).toEqual([
      'add_check',
      'add_check',
      'add_table',
      'drop_check',
      'drop_check',
      'validate_check',
    ]);
  });
});

describe('the postmortem: 3 tables, 7 unique keys, 5 foreign keys, one referencing a table created by the plan', () => {
  it('plans every foreign key after its table and key, and rolls every phase back without 2BP01', async () => {
    const customers = `CREATE TABLE ${t('customers')} (id bigint PRIMARY KEY, email text, tax_id text, code text, region text);`;
    const orders = `CREATE TABLE ${t('orders')} (id bigint PRIMARY KEY, customer_email text, customer_tax text, product_sku text, product_code text, region text, ref text);`;
    const products = `CREATE TABLE ${t('products')} (id bigint PRIMARY KEY, sku text, code text, region text);`;
    const outcome = await walk(
      SCHEMA + customers + orders,
      SCHEMA +
        customers +
        orders +
        products +
        `ALTER TABLE ${t('customers')} ADD CONSTRAINT customers_email_key UNIQUE (email);
         CREATE UNIQUE INDEX customers_tax_idx ON ${t('customers')} (tax_id);
         ALTER TABLE ${t('customers')} ADD CONSTRAINT customers_code_region_key UNIQUE (code, region);
         CREATE UNIQUE INDEX orders_ref_idx ON ${t('orders')} (ref);
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_ref_region_key UNIQUE (ref, region);
         CREATE UNIQUE INDEX products_sku_idx ON ${t('products')} (sku);
         ALTER TABLE ${t('products')} ADD CONSTRAINT products_code_region_key UNIQUE (code, region);
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_customer_email_fk FOREIGN KEY (customer_email) REFERENCES ${t('customers')} (email);
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_customer_tax_fk FOREIGN KEY (customer_tax) REFERENCES ${t('customers')} (tax_id);
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_product_sku_fk FOREIGN KEY (product_sku) REFERENCES ${t('products')} (sku);
         ALTER TABLE ${t('orders')} ADD CONSTRAINT orders_product_code_fk FOREIGN KEY (product_code, region) REFERENCES ${t('products')} (code, region);
         ALTER TABLE ${t('customers')} ADD CONSTRAINT customers_region_code_fk FOREIGN KEY (region, code) REFERENCES ${t('customers')} (region, code);`,
      `INSERT INTO ${t('customers')} SELECT g, 'e' || g, 't' || g, 'c' || g, 'r' FROM generate_series(1, 100) g;
       INSERT INTO ${t('orders')} SELECT g, 'e' || g, 't' || g, NULL, NULL, 'r', 'o' || g FROM generate_series(1, 100) g;`,
    );
    expect(outcome.kinds.filter((k) => k === 'add_foreign_key')).toHaveLength(5);
    // The seventh unique key is the new table's, created with it.
    expect(outcome.kinds.filter((k) => k === 'add_unique' || k === 'add_index')).toHaveLength(6);
  });
});

describe('with the whole planner', () => {
  it('add_primary_key on a nullable column: USING INDEX runs after set_not_null made it NOT NULL, so it scans nothing and its rollback leaves NOT NULL alone', async () => {
    const db = await freshDatabase();
    const yaml = stringify({
      schemas: {
        public: {
          tables: {
            accounts: { columns: { id: { type: 'bigint' }, name: { type: 'text' } }, primaryKey: { columns: ['id'] } },
          },
        },
      },
    });
    const scenario = await planScenario(
      db,
      `CREATE TABLE accounts (id bigint, name text); INSERT INTO accounts SELECT g, 'n' FROM generate_series(1, 20) g;`,
      yaml,
    );
    const contract = scenario.plan.releases[0]!.contract.map((s) => s.action);
    const pkStep = contract.indexOf('add_constraint_using_index');
    // PostgreSQL 18 makes the column NOT NULL by validating a NOT NULL constraint; older ones by SET NOT NULL.
    expect(pkStep).toBeGreaterThan(
      contract.indexOf(scenario.plan.server.versionNum >= 180000 ? 'validate_not_null' : 'set_not_null'),
    );
    await checkScenario(db, scenario, { freshDatabase });
  });
});
