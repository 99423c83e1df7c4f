// Scenario data for kinds.test.ts: views and materialized views, each change kind and each table change a view
// is dropped and recreated around. Targets are declared YAML (a view's definition as a person writes it, which
// the shadow canonicalizes) or SQL read back as YAML.
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import type { KindScenario } from './kinds-scenarios.js';

const ORDERS = `
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, name varchar(20));
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL, total numeric(12,2) NOT NULL);
INSERT INTO customers (email, name) VALUES ('ana@example.com', 'Ana'), ('bo@example.org', 'Bo'), ('cy@example.com', NULL);
INSERT INTO orders (customer_id, total) VALUES (1, 10.50), (1, 99.90), (2, 5.00);`;

type Decl = Record<string, unknown>;
const CUSTOMERS: Decl = {
  columns: {
    id: { type: 'bigint', nullable: false, identity: 'always' },
    email: { type: 'text', nullable: false },
    name: { type: 'varchar(20)' },
  },
  primaryKey: { columns: ['id'] },
};
const ORDERS_TABLE: Decl = {
  columns: {
    id: { type: 'bigint', nullable: false, identity: 'always' },
    customer_id: { type: 'bigint', nullable: false },
    total: { type: 'numeric(12,2)', nullable: false },
  },
  primaryKey: { columns: ['id'] },
};

function declare(o: { customers?: Decl | null; orders?: Decl | null; views?: Decl }): string {
  const tables: Decl = {};
  if (o.customers !== null) tables.customers = o.customers ?? CUSTOMERS;
  if (o.orders !== null) tables.orders = o.orders ?? ORDERS_TABLE;
  return stringify({ schemas: { public: { tables, ...(o.views ? { views: o.views } : {}) } } });
}

const actions = (p: Plan) => allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`);

const SPENDERS_SQL = `CREATE VIEW spenders AS SELECT c.id, c.email, sum(o.total) AS spent
  FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email;`;
const NAMED_SQL = 'CREATE VIEW named AS SELECT id, name FROM customers WHERE name IS NOT NULL;';

export const VIEW_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'a view with options and comments, and a view reading it',
    kind: 'create_view',
    source: ORDERS,
    target: declare({
      views: {
        spenders: {
          securityBarrier: true,
          definition:
            'SELECT c.id, c.email, sum(o.total) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email',
          comment: 'Customers who ordered',
          columns: { spent: { comment: 'Sum of order totals' } },
        },
        big_spenders: { definition: 'SELECT id, email FROM spenders WHERE spent > 50', checkOption: 'local' },
      },
    }),
    plan: (p) => {
      expect(actions(p)).toEqual(['1 expand create_view', '1 expand create_view']);
      expect(allSteps(p)[0]!.description).toBe('create view public.spenders');
    },
  },
  {
    name: 'a materialized view with a unique index, refreshed in the backfill phase',
    kind: 'create_view',
    source: ORDERS,
    target: declare({
      views: {
        order_totals: {
          materialized: true,
          definition: 'SELECT customer_id, count(*) AS orders, sum(total) AS total FROM orders GROUP BY customer_id',
          indexes: { order_totals_customer_id_key: { columns: ['customer_id'], unique: true } },
          comment: 'Per customer',
        },
      },
    }),
    plan: (p) =>
      expect(actions(p)).toEqual(['1 expand create_materialized_view', '1 backfill refresh_materialized_view']),
  },
  {
    name: 'a view that gains a column at the end: CREATE OR REPLACE',
    kind: 'replace_view',
    source: `${ORDERS}\nCREATE VIEW contacts AS SELECT id, email FROM customers;\nCOMMENT ON COLUMN contacts.email IS 'primary';`,
    target: declare({
      views: {
        contacts: {
          definition: 'SELECT id, email, name FROM customers',
          columns: { email: { comment: 'primary' }, name: { comment: 'display name' } },
        },
      },
    }),
    plan: (p) => expect(actions(p)).toEqual(['1 expand replace_view']),
  },
  {
    name: 'a view whose columns change type, and a view reading it: dropped and created in one step',
    kind: 'replace_view',
    source: `${ORDERS}\n${SPENDERS_SQL}\nCREATE VIEW top AS SELECT id FROM spenders ORDER BY spent DESC LIMIT 1;`,
    target: declare({
      views: {
        spenders: {
          definition:
            'SELECT c.id, c.email, count(o.id) AS spent FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email',
        },
        top: { definition: 'SELECT id FROM spenders ORDER BY spent DESC LIMIT 1' },
      },
    }),
    plan: (p) => expect(actions(p)).toEqual(['1 expand recreate_view']),
  },
  {
    name: 'a view and a materialized view no longer declared',
    kind: 'drop_view',
    source: `${ORDERS}\n${NAMED_SQL}\nCREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM orders;\nCREATE UNIQUE INDEX m_n ON m (n);`,
    target: declare({}),
  },
  {
    name: 'a view reading a column the plan drops: recreated before the drop',
    kind: 'replace_view',
    source: `${ORDERS}\nCREATE VIEW contacts AS SELECT id, email, name FROM customers;`,
    target: declare({
      customers: {
        columns: {
          id: { type: 'bigint', nullable: false, identity: 'always' },
          email: { type: 'text', nullable: false },
        },
        primaryKey: { columns: ['id'] },
      },
      views: { contacts: { definition: 'SELECT id, email FROM customers' } },
    }),
    plan: (p) => expect(actions(p)).toEqual(['2 contract recreate_view', '2 contract drop_column']),
  },
  {
    name: 'a view reading a table the plan drops: recreated before the drop',
    kind: 'replace_view',
    source: `${ORDERS}\nCREATE VIEW people AS SELECT c.id, c.email, count(o.id) AS n FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email;`,
    target: declare({
      orders: null,
      views: { people: { definition: 'SELECT id, email, 0::bigint AS n FROM customers' } },
    }),
    plan: (p) => {
      const a = actions(p);
      expect(a.indexOf('2 contract replace_view')).toBeGreaterThanOrEqual(0);
      expect(a.indexOf('2 contract replace_view')).toBeLessThan(a.indexOf('2 contract drop_table'));
    },
  },
  {
    name: 'views reading a renamed column keep their source shape until the switch, which rebuilds them',
    kind: 'rename_column',
    source: `${ORDERS}\nCREATE VIEW contacts AS SELECT id, name FROM customers;\nCREATE VIEW named AS SELECT name FROM contacts WHERE name IS NOT NULL;`,
    target: declare({
      customers: {
        ...CUSTOMERS,
        columns: {
          id: { type: 'bigint', nullable: false, identity: 'always' },
          email: { type: 'text', nullable: false },
          full_name: { type: 'varchar(20)', renamedFrom: 'name' },
        },
      },
      views: {
        contacts: { definition: 'SELECT id, full_name FROM customers' },
        named: { definition: 'SELECT full_name FROM contacts WHERE full_name IS NOT NULL' },
      },
    }),
    plan: (p) => {
      const steps = allSteps(p);
      expect(steps.filter((x) => x.change === 'replace_view')).toEqual([]);
      const retire = steps.find((x) => x.action === 'retire_old_column')!;
      expect(retire.release).toBe(2);
      expect(retire.sql).toContain('  DROP VIEW public.named;\n  DROP VIEW public.contacts;\n  DROP TRIGGER');
      expect(retire.sql).toContain(
        '  CREATE VIEW public.contacts AS\n  SELECT customers.id,\n      customers.full_name',
      );
      expect(retire.rollback[0]).toContain(
        '  CREATE VIEW public.contacts AS\n  SELECT customers.id,\n      customers.name',
      );
    },
  },
  {
    name: 'a view and a materialized view reading a column retyped through a new column: rebuilt at the swap',
    kind: 'alter_column_type',
    source: `${ORDERS}\nCREATE VIEW order_totals AS SELECT customer_id, total FROM orders;\nCREATE MATERIALIZED VIEW big AS SELECT id, total FROM orders WHERE total > 50;`,
    target: declare({
      orders: {
        ...ORDERS_TABLE,
        columns: {
          ...(ORDERS_TABLE.columns as Decl),
          total: { type: 'bigint', nullable: false, up: 'round(total)::bigint', down: 'total::numeric(12,2)' },
        },
      },
      views: {
        order_totals: { definition: 'SELECT customer_id, total FROM orders' },
        big: { materialized: true, definition: 'SELECT id, total FROM orders WHERE total > 50' },
      },
    }),
    plan: (p) => {
      const steps = allSteps(p);
      expect(steps.filter((x) => x.change === 'replace_view')).toEqual([]);
      const swap = steps.find((x) => x.action === 'swap_columns')!;
      expect(swap.sql).toMatch(
        /DROP VIEW public\.order_totals;[\s\S]*RENAME COLUMN total TO total__old[\s\S]*CREATE VIEW public\.order_totals/,
      );
      expect(swap.sql).toContain('DROP MATERIALIZED VIEW public.big;');
      expect(swap.sql).toContain('WITH DATA;');
    },
  },
  {
    name: 'a view reading a column retyped in place (binary-coercible): dropped and built again around it',
    kind: 'alter_column_type',
    source: `${ORDERS}\n${NAMED_SQL}`,
    target: declare({
      customers: { ...CUSTOMERS, columns: { ...(CUSTOMERS.columns as Decl), name: { type: 'text' } } },
      views: { named: { definition: 'SELECT id, name FROM customers WHERE name IS NOT NULL' } },
    }),
    plan: (p) => {
      const steps = allSteps(p);
      expect(steps.map((x) => x.action)).toEqual(['alter_column_type']);
      expect(steps[0]!.sql).toMatch(
        /^DO \$sy\$\nBEGIN\n {2}DROP VIEW public\.named;\n {2}ALTER TABLE public\.customers ALTER COLUMN name TYPE text;\n {2}CREATE VIEW public\.named AS/,
      );
    },
  },
  {
    name: 'comments on a view, a materialized view and their columns',
    kind: 'set_comment',
    source: `${ORDERS}\n${NAMED_SQL}\nCOMMENT ON COLUMN named.name IS 'old';\nCREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM orders;`,
    target: declare({
      views: {
        named: {
          definition: 'SELECT id, name FROM customers WHERE name IS NOT NULL',
          comment: 'customers with a name',
          columns: { id: { comment: 'the key' } },
        },
        m: { materialized: true, definition: 'SELECT count(*) AS n FROM orders', columns: { n: { comment: 'rows' } } },
      },
    }),
    plan: (p) =>
      expect(allSteps(p).map((x) => x.sql)).toEqual([
        "COMMENT ON COLUMN public.m.n IS 'rows'",
        "COMMENT ON VIEW public.named IS 'customers with a name'",
        "COMMENT ON COLUMN public.named.id IS 'the key'",
        'COMMENT ON COLUMN public.named.name IS NULL',
      ]),
  },
  {
    name: 'a view reading a column whose collation changes: dropped and built again around it',
    kind: 'alter_collation',
    source: `${ORDERS}\n${NAMED_SQL}`,
    target: declare({
      customers: {
        ...CUSTOMERS,
        columns: { ...(CUSTOMERS.columns as Decl), name: { type: 'varchar(20)', collation: 'C' } },
      },
      views: { named: { definition: 'SELECT id, name FROM customers WHERE name IS NOT NULL' } },
    }),
    plan: (p) => {
      const steps = allSteps(p);
      expect(steps.map((x) => x.action)).toEqual(['alter_collation']);
      expect(steps[0]!.sql).toContain(
        '  DROP VIEW public.named;\n  ALTER TABLE public.customers ALTER COLUMN name TYPE',
      );
    },
  },
  {
    name: 'a new view reading a column retyped through a new column: created in expand, rebuilt at the swap',
    kind: 'create_view',
    source: ORDERS,
    target: declare({
      orders: {
        ...ORDERS_TABLE,
        columns: {
          ...(ORDERS_TABLE.columns as Decl),
          total: { type: 'bigint', nullable: false, up: 'round(total)::bigint', down: 'total::numeric(12,2)' },
        },
      },
      views: { order_totals: { definition: 'SELECT customer_id, total FROM orders' } },
    }),
    plan: (p) => {
      const swap = allSteps(p).find((x) => x.action === 'swap_columns')!;
      expect(swap.sql).toContain('DROP VIEW public.order_totals;');
      expect(swap.sql).toContain('CREATE VIEW public.order_totals AS');
    },
  },
  {
    name: 'a new view reading a column retyped in place: created after the change',
    kind: 'create_view',
    source: ORDERS,
    target: declare({
      customers: { ...CUSTOMERS, columns: { ...(CUSTOMERS.columns as Decl), name: { type: 'text' } } },
      views: { named: { definition: 'SELECT id, name FROM customers WHERE name IS NOT NULL' } },
    }),
    plan: (p) => expect(actions(p)).toEqual(['1 expand alter_column_type', '1 expand create_view']),
  },
  {
    name: 'a materialized view whose query changes: built beside it, refreshed in backfill, swapped in contract',
    kind: 'replace_view',
    source: `${ORDERS}\nCREATE MATERIALIZED VIEW per_customer AS SELECT customer_id, count(*) AS n FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX per_customer_key ON per_customer (customer_id);\nCOMMENT ON MATERIALIZED VIEW per_customer IS 'old';`,
    target: declare({
      views: {
        per_customer: {
          materialized: true,
          definition: 'SELECT customer_id, count(*) AS n, sum(total) AS spent FROM orders GROUP BY customer_id',
          indexes: {
            per_customer_key: { columns: ['customer_id'], unique: true, comment: 'for REFRESH CONCURRENTLY' },
          },
          comment: 'per customer',
          columns: { spent: { comment: 'sum of totals' } },
        },
      },
    }),
    plan: (p) => {
      expect(actions(p)).toEqual([
        '1 expand create_materialized_view',
        '1 backfill refresh_materialized_view',
        '1 contract swap_materialized_view',
      ]);
      expect(allSteps(p)[1]!.sql).toBe('REFRESH MATERIALIZED VIEW public.per_customer__new');
    },
  },
  {
    name: 'a materialized view reading a column whose NULLs a backfill fills: refreshed CONCURRENTLY after it',
    kind: 'set_not_null',
    source: `${ORDERS}\nCREATE MATERIALIZED VIEW by_name AS SELECT name, count(*) AS n FROM customers GROUP BY name;
CREATE UNIQUE INDEX by_name_key ON by_name (name);\nCREATE MATERIALIZED VIEW emails AS SELECT count(*) AS n FROM customers WHERE name IS NULL;`,
    target: declare({
      customers: {
        ...CUSTOMERS,
        columns: {
          ...(CUSTOMERS.columns as Decl),
          name: { type: 'varchar(20)', nullable: false, backfill: "'anonymous'" },
        },
      },
      views: {
        by_name: {
          materialized: true,
          definition: 'SELECT name, count(*) AS n FROM customers GROUP BY name',
          indexes: { by_name_key: { columns: ['name'], unique: true } },
        },
        emails: { materialized: true, definition: 'SELECT count(*) AS n FROM customers WHERE name IS NULL' },
      },
    }),
    plan: (p) => {
      const backfill = p.releases[0]!.backfill;
      expect(backfill.map((x) => [x.action, x.sql, x.transactional])).toEqual([
        ['backfill', expect.stringContaining('UPDATE'), true],
        ['refresh_materialized_view', 'REFRESH MATERIALIZED VIEW CONCURRENTLY public.by_name', false],
        ['refresh_materialized_view', 'REFRESH MATERIALIZED VIEW public.emails', true],
      ]);
    },
  },
];
