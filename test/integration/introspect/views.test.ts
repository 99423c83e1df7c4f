// Views and materialized views read from the catalog: definition as pg_get_viewdef prints it, options, comments,
// a materialized view's indexes, and what each reads (pg_depend of its rewrite rule); then the round trip
// introspect -> YAML -> validate -> canonicalize on a server -> plan, which must be empty.
import { describe, expect, it } from 'vitest';
import { introspect, serverVersion } from '../../../src/introspect/index.js';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { canonicalize, prepareSession } from '../../../src/rehearsal/shadow.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { freshDatabase } from '../../support/db.js';

const SQL = `
CREATE SCHEMA app;
CREATE TABLE app.customers (id bigint PRIMARY KEY, email text NOT NULL, name text, "Odd col" int);
CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES app.customers, total numeric(12,2));
CREATE VIEW app.spenders WITH (security_barrier, security_invoker = on) AS
  SELECT c.id, c.email, sum(o.total) AS spent FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
  GROUP BY c.id, c.email;
COMMENT ON VIEW app.spenders IS 'who ordered';
COMMENT ON COLUMN app.spenders.spent IS 'sum of totals';
CREATE VIEW app."Big spenders" AS SELECT id, email FROM app.spenders WHERE spent > 100 WITH CASCADED CHECK OPTION;
CREATE VIEW app.constant AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW app.per_customer AS SELECT customer_id, count(*) AS n FROM app.orders GROUP BY customer_id;
CREATE UNIQUE INDEX per_customer_key ON app.per_customer (customer_id);
COMMENT ON MATERIALIZED VIEW app.per_customer IS 'counts';
COMMENT ON INDEX app.per_customer_key IS 'for REFRESH CONCURRENTLY';
`;

describe('views in the model', () => {
  it('reads definitions, options, comments, indexes and what each view reads', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    const model = await introspect(db.client, { includeSchemas: ['app'] });
    const views = model.schemas[0]!.views!;
    expect(views.map((v) => v.name)).toEqual(['Big spenders', 'constant', 'per_customer', 'spenders']);
    const [big, constant, per, spenders] = views;
    expect(spenders).toMatchObject({
      securityBarrier: true,
      securityInvoker: true,
      comment: 'who ordered',
      columnComments: [{ name: 'spent', comment: 'sum of totals' }],
      derived: {
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'email', type: 'text' },
          { name: 'spent', type: 'numeric' },
        ],
        reads: [
          { schema: 'app', relation: 'customers', columns: ['email', 'id'] },
          { schema: 'app', relation: 'orders', columns: ['customer_id', 'total'] },
        ],
      },
    });
    // Qualified names: introspection runs with an empty search_path.
    expect(spenders!.definition).toContain('FROM (app.customers c');
    expect(spenders!.definition.endsWith(';')).toBe(false);
    expect(big).toMatchObject({
      checkOption: 'cascaded',
      derived: { reads: [{ schema: 'app', relation: 'spenders', columns: ['email', 'id', 'spent'] }] },
    });
    expect(constant!.derived).toEqual({ columns: [{ name: 'one', type: 'integer' }], reads: [] });
    expect(per).toMatchObject({
      materialized: true,
      comment: 'counts',
      indexes: [
        {
          name: 'per_customer_key',
          unique: true,
          keys: [{ column: 'customer_id' }],
          comment: 'for REFRESH CONCURRENTLY',
        },
      ],
    });
    // A materialized view has no view options, and its index is not a table's.
    expect(per!.securityBarrier).toBeUndefined();
    expect(model.schemas[0]!.tables.flatMap((t) => t.indexes)).toEqual([]);
  });

  it('round-trips: introspect -> YAML -> validate -> canonicalize -> an empty plan, the same fingerprint', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    await prepareSession(db.client);
    const source = await introspect(db.client, { includeSchemas: ['app'] });
    const yaml = toYaml(source);
    expect(yaml).toContain('views:');
    expect(yaml).not.toContain('derived');
    const declared = parseDeclared(yaml, 'live.yaml');
    const target = await canonicalize(declared, { url: db.url });
    const show = (m: typeof source) =>
      JSON.stringify(
        m.schemas[0]!.views!.map(({ derived: _, ...v }) => v),
        null,
        1,
      );
    expect(show(target)).toBe(show(source));
    expect(fingerprint(target)).toBe(fingerprint(source));
    expect(fingerprint(declared)).toBe(fingerprint(source));
    const v = await serverVersion(db.client);
    const plan = buildPlan(source, target, {
      name: 'again',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    expect(allSteps(plan).map((s) => s.description)).toEqual([]);
  });

  it('a hand-written definition is canonicalized through the server, so it plans nothing against the same view', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    await prepareSession(db.client);
    const source = await introspect(db.client, { includeSchemas: ['app'] });
    const yaml = toYaml(source).replace(
      /spenders:\n(\s+)securityInvoker: true\n\s+securityBarrier: true\n\s+definition: [\s\S]*?\n(\s+)columns:/,
      (_m, indent: string, cIndent: string) =>
        `spenders:\n${indent}securityInvoker: true\n${indent}securityBarrier: true\n${indent}definition: select c.id, c.email, sum(o.total) as spent from app.customers c join app.orders o on o.customer_id = c.id group by c.id, c.email\n${cIndent}columns:`,
    );
    expect(yaml).toContain('definition: select c.id');
    const target = await canonicalize(parseDeclared(yaml, 'hand.yaml'), { url: db.url });
    const v = await serverVersion(db.client);
    const plan = buildPlan(source, target, {
      name: 'again',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    expect(allSteps(plan).map((s) => s.description)).toEqual([]);
  });

  it('refuses a definition that is not exactly one SELECT, at its node', () => {
    const file = (definition: string) =>
      `schemas:\n  app:\n    views:\n      v:\n        definition: ${JSON.stringify(definition)}\n`;
    expect(() => parseDeclared(file('SELECT 1; DROP TABLE app.customers'), 'bad.yaml')).toThrow(
      /view "app"."v": `definition`: a second statement starts at character 11/,
    );
    expect(() => parseDeclared(file('DELETE FROM app.customers'), 'bad.yaml')).toThrow(
      /expected one SELECT, found DELETE/,
    );
    expect(() =>
      parseDeclared(
        `schemas:\n  app:\n    views:\n      v:\n        definition: SELECT 1\n        indexes: { i: { columns: [a] } }\n`,
        'bad.yaml',
      ),
    ).toThrow(/only a materialized view has indexes/);
    expect(() =>
      parseDeclared(file('WITH t AS (SELECT 1 AS a) SELECT a FROM t JOIN customers ON true'), 'bad.yaml'),
    ).toThrow(/`customers` has no schema, so it would be read from the search_path \(public\), not from app/);
    expect(() => parseDeclared(file('WITH t AS (SELECT 1 AS a) SELECT a FROM t'), 'ok.yaml')).not.toThrow();
  });
});
