// Scenario data for kinds.test.ts: one small source database and target schema per change kind.
import { stringify } from 'yaml';
import type { ChangeKind } from '../../../src/diff/index.js';
import { allSteps } from '../../../src/planner/plan.js';
import type { Plan } from '../../../src/planner/types.js';
import { expect } from 'vitest';
const CUSTOMERS_DDL = `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  name varchar(20),
  created_at timestamptz NOT NULL DEFAULT now()
);`;
const CUSTOMERS_ROWS = `
INSERT INTO customers (email, name) VALUES ('ana@example.com', 'Ana'), ('bo@example.org', 'Bo'), ('cy@example.com', NULL);`;
const CUSTOMERS = CUSTOMERS_DDL + CUSTOMERS_ROWS;

type Decl = Record<string, unknown>;

const CUSTOMER_COLUMNS: Record<string, Decl> = {
  id: { type: 'bigint', nullable: false, identity: 'always' },
  email: { type: 'text', nullable: false },
  name: { type: 'varchar(20)' },
  created_at: { type: 'timestamptz', nullable: false, default: 'now()' },
};

/** The declared customers table; `columns` replaces (null removes, new keys append) columns of CUSTOMERS. */
function customers(o: { columns?: Record<string, Decl | null>; [key: string]: unknown } = {}): Decl {
  const { columns: changed = {}, ...rest } = o;
  const columns: Record<string, Decl> = {};
  for (const [name, col] of Object.entries({ ...CUSTOMER_COLUMNS, ...changed })) if (col) columns[name] = col;
  return { columns, primaryKey: { columns: ['id'] }, ...rest };
}

/** A declared file: the public schema (tables, plus enums/sequences/comment) and any other schemas. */
function declare(publicSchema: Decl, others: Record<string, Decl> = {}): string {
  return stringify({ schemas: { public: publicSchema, ...others } });
}

const ORDERS = `${CUSTOMERS}
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  total numeric(12,2) NOT NULL
);
INSERT INTO orders (customer_id, total) VALUES (1, 10.50), (1, 99.90), (2, 5.00);`;
const ORDERS_TABLE = {
  columns: {
    id: { type: 'bigint', nullable: false, identity: 'always' },
    customer_id: { type: 'bigint', nullable: false },
    total: { type: 'numeric(12,2)', nullable: false },
  },
  primaryKey: { columns: ['id'] },
};
const ORDERS_FK = {
  orders_customer_id_fkey: {
    columns: ['customer_id'],
    references: { table: 'customers', columns: ['id'] },
    onDelete: 'cascade',
  },
};

const NORMALIZE_EMAIL = (body: string) => `
CREATE FUNCTION normalize_email(email text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT ${body} $$;`;

const TOUCH = `
ALTER TABLE customers ADD COLUMN updated_at timestamptz;
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;`;
const TOUCH_TRIGGER = `
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch_updated_at();`;

const PRIORITIES = (values: string) => `
CREATE TYPE ticket_priority AS ENUM (${values});
CREATE TABLE tickets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL,
  priority ticket_priority NOT NULL DEFAULT 'low'
);
INSERT INTO tickets (title, priority) VALUES ('login broken', 'high'), ('typo on invoice', 'low');`;
const TICKETS = (values: string[]) =>
  declare({
    enums: { ticket_priority: values },
    tables: {
      tickets: {
        columns: {
          id: { type: 'bigint', nullable: false, identity: 'always' },
          title: { type: 'text', nullable: false },
          priority: { type: 'ticket_priority', nullable: false, default: "'low'" },
        },
        primaryKey: { columns: ['id'] },
      },
    },
  });

const COUNTRIES = (pk: string) => `
CREATE TABLE countries (code text NOT NULL${pk}, name text NOT NULL);
INSERT INTO countries VALUES ('CL', 'Chile'), ('AR', 'Argentina'), ('UY', 'Uruguay');`;
const COUNTRIES_TABLE = {
  columns: { code: { type: 'text', nullable: false }, name: { type: 'text', nullable: false } },
};

// ---- the scenarios -----------------------------------------------------------------------------------------

export interface KindScenario {
  readonly name: string;
  /** The plan must contain a step of this change kind. */
  readonly kind: ChangeKind;
  /** Source schema and sample rows. */
  readonly source: string;
  /** Declared YAML, or SQL that builds the target on a scratch database (read back as YAML). */
  readonly target: string | { readonly sql: string };
  readonly alsoRead?: readonly string[];
  /** Extra assertions on the plan. */
  readonly plan?: (plan: Plan) => void;
}

export const changes = (plan: Plan) => allSteps(plan).map((s) => s.change);

export const SCENARIOS: readonly KindScenario[] = [
  {
    name: 'a new schema with a table referencing public',
    kind: 'create_schema',
    source: CUSTOMERS,
    target: declare(
      { tables: { customers: customers() } },
      {
        billing: {
          comment: 'Invoices and payments',
          tables: {
            invoices: {
              columns: {
                id: { type: 'bigint', nullable: false, identity: 'always' },
                customer_id: { type: 'bigint', nullable: false },
                total: { type: 'numeric(12,2)', nullable: false, default: '0' },
              },
              primaryKey: { columns: ['id'] },
              foreignKeys: {
                invoices_customer_id_fkey: {
                  columns: ['customer_id'],
                  references: { schema: 'public', table: 'customers' },
                },
              },
            },
          },
        },
      },
    ),
    plan: (p) => expect(changes(p)).toEqual(expect.arrayContaining(['add_table', 'add_foreign_key'])),
  },
  {
    name: 'a schema no longer declared, with a table and rows',
    kind: 'drop_schema',
    source: `${CUSTOMERS}
CREATE SCHEMA legacy;
CREATE TABLE legacy.import_log (id bigint PRIMARY KEY, note text);
INSERT INTO legacy.import_log VALUES (1, 'first import'), (2, 'second import');`,
    target: declare({ tables: { customers: customers() } }),
    alsoRead: ['legacy'],
  },
  {
    name: 'a new enum and a column of it',
    kind: 'create_enum',
    source: CUSTOMERS,
    target: declare({
      enums: { customer_status: ['active', 'suspended'] },
      tables: { customers: customers({ columns: { status: { type: 'customer_status' } } }) },
    }),
  },
  {
    name: 'an enum dropped with the column using it',
    kind: 'drop_enum',
    source: `CREATE TYPE mood AS ENUM ('happy', 'grumpy');${CUSTOMERS}
ALTER TABLE customers ADD COLUMN mood mood;
UPDATE customers SET mood = 'happy' WHERE id = 1;`,
    target: declare({ tables: { customers: customers() } }),
    plan: (p) => expect(changes(p)).toContain('drop_column'),
  },
  {
    name: 'enum values added before, between and after existing ones',
    kind: 'add_enum_value',
    source: PRIORITIES("'low', 'high'"),
    target: TICKETS(['trivial', 'low', 'medium', 'high', 'urgent']),
  },
  {
    name: 'an unused enum value removed',
    kind: 'recreate_enum',
    source: PRIORITIES("'low', 'medium', 'high', 'urgent'"),
    target: TICKETS(['low', 'medium', 'high']),
  },
  {
    name: 'a new sequence',
    kind: 'create_sequence',
    source: CUSTOMERS,
    target: declare({ sequences: { invoice_number_seq: { start: 1000 } }, tables: { customers: customers() } }),
  },
  {
    name: 'a sequence no longer declared',
    kind: 'drop_sequence',
    source: `${CUSTOMERS}
CREATE SEQUENCE legacy_ref_seq START 500;
SELECT nextval('legacy_ref_seq');`,
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a sequence with a new increment and cache',
    kind: 'alter_sequence',
    source: `${CUSTOMERS}
CREATE SEQUENCE order_number_seq START 1000;
SELECT nextval('order_number_seq'), nextval('order_number_seq');`,
    target: declare({
      sequences: { order_number_seq: { start: 1000, min: 1000, increment: 10, cache: 20 } },
      tables: { customers: customers() },
    }),
  },
  {
    // Issue #14: failed with "RESTART value (1) cannot be less than MINVALUE (1000)" on a never-used sequence.
    name: 'a never-used sequence given a minimum above its old start',
    kind: 'alter_sequence',
    source: `${CUSTOMERS}
CREATE SEQUENCE invoice_seq;`,
    target: declare({
      sequences: { invoice_seq: { start: 1000, min: 1000 } },
      tables: { customers: customers() },
    }),
  },
  {
    name: 'a new function',
    kind: 'create_function',
    source: CUSTOMERS,
    target: { sql: CUSTOMERS_DDL + NORMALIZE_EMAIL('lower(email)') },
  },
  {
    name: 'a function no longer declared',
    kind: 'drop_function',
    source: CUSTOMERS + NORMALIZE_EMAIL('lower(email)'),
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a function with a new body',
    kind: 'replace_function',
    source: CUSTOMERS + NORMALIZE_EMAIL('lower(email)'),
    target: { sql: CUSTOMERS_DDL + NORMALIZE_EMAIL('lower(btrim(email))') },
  },
  {
    // Issue #14: planned as CREATE OR REPLACE, which failed (cannot change name of input parameter "email").
    name: 'a function whose parameter is renamed, called by a column default',
    kind: 'replace_function',
    source: `${CUSTOMERS}${NORMALIZE_EMAIL('lower(email)')}
ALTER TABLE customers ADD COLUMN contact text DEFAULT normalize_email('Desk@Example.com');`,
    target: {
      sql: `${CUSTOMERS_DDL}
CREATE FUNCTION normalize_email(address text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(address) $$;
ALTER TABLE customers ADD COLUMN contact text DEFAULT normalize_email('Desk@Example.com');`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => s.action)).toEqual([
        'drop_default',
        'drop_function',
        'create_function',
        'set_default',
      ]),
  },
  {
    // Issue #14: CREATE OR REPLACE cannot change the result type either.
    name: 'a function whose result type changes',
    kind: 'replace_function',
    source: `${CUSTOMERS}
CREATE FUNCTION greeting(who text) RETURNS varchar LANGUAGE sql IMMUTABLE AS $$ SELECT 'hi ' || who $$;`,
    target: {
      sql: `${CUSTOMERS_DDL}
CREATE FUNCTION greeting(who text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'hi ' || who $$;`,
    },
  },
  {
    name: 'a new table with identity, defaults, a unique key, a check and a comment',
    kind: 'add_table',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers(),
        products: {
          comment: 'What we sell',
          columns: {
            id: { type: 'bigint', nullable: false, identity: 'always' },
            sku: { type: 'text', nullable: false },
            price: { type: 'numeric(12,2)', nullable: false, default: '0' },
            created_at: { type: 'timestamptz', nullable: false, default: 'now()' },
          },
          primaryKey: { columns: ['id'] },
          unique: { products_sku_key: { columns: ['sku'] } },
          checks: { products_price_check: { expression: 'price >= 0' } },
        },
      },
    }),
  },
  {
    name: 'a table with rows, an index, a serial and a foreign key, no longer declared',
    kind: 'drop_table',
    source: `${CUSTOMERS}
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  customer_id bigint REFERENCES customers,
  payload jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_customer_id_idx ON audit_events (customer_id);
INSERT INTO audit_events (customer_id, payload) VALUES (1, '{"event": "login"}'), (2, '{"event": "logout"}');`,
    target: declare({ tables: { customers: customers() } }),
    plan: (p) => expect(changes(p)).toEqual(expect.arrayContaining(['drop_foreign_key', 'drop_index'])),
  },
  {
    name: 'a table renamed (renamedFrom)',
    kind: 'rename_table',
    source: CUSTOMERS.replaceAll('customers', 'clients'),
    target: declare({
      tables: {
        customers: customers({ renamedFrom: 'clients', primaryKey: { name: 'clients_pkey', columns: ['id'] } }),
      },
    }),
  },
  {
    name: 'a column no longer declared',
    kind: 'drop_column',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD COLUMN fax text;
UPDATE customers SET fax = '+56 2 2345 6789' WHERE id = 1;`,
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a column renamed (renamedFrom)',
    kind: 'rename_column',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({ columns: { name: null, full_name: { type: 'varchar(20)', renamedFrom: 'name' } } }),
      },
    }),
  },
  {
    name: 'a collation changed',
    kind: 'alter_collation',
    source: CUSTOMERS,
    target: declare({
      tables: { customers: customers({ columns: { email: { type: 'text', nullable: false, collation: 'C' } } }) },
    }),
  },
  {
    name: 'a generated column with a new expression',
    kind: 'alter_generated',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD COLUMN email_domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED;`,
    target: declare({
      tables: {
        customers: customers({
          columns: { email_domain: { type: 'text', generated: "lower(split_part(email, '@', 2))" } },
        }),
      },
    }),
  },
  {
    name: 'a default added',
    kind: 'set_default',
    source: CUSTOMERS,
    target: declare({
      tables: { customers: customers({ columns: { name: { type: 'varchar(20)', default: "'anonymous'" } } }) },
    }),
  },
  {
    name: 'a default removed',
    kind: 'drop_default',
    source: CUSTOMERS,
    target: declare({
      tables: { customers: customers({ columns: { created_at: { type: 'timestamptz', nullable: false } } }) },
    }),
  },
  {
    name: 'identity added to a plain key column with rows',
    kind: 'set_identity',
    source: `
CREATE TABLE legacy_orders (id bigint NOT NULL PRIMARY KEY, note text);
INSERT INTO legacy_orders VALUES (1, 'a'), (2, 'b'), (7, 'c');`,
    target: declare({
      tables: {
        legacy_orders: {
          columns: { id: { type: 'bigint', nullable: false, identity: 'by default' }, note: { type: 'text' } },
          primaryKey: { columns: ['id'] },
        },
      },
    }),
  },
  {
    name: 'identity changed from always to by default',
    kind: 'set_identity',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({ columns: { id: { type: 'bigint', nullable: false, identity: 'by default' } } }),
      },
    }),
  },
  {
    name: 'identity removed',
    kind: 'drop_identity',
    source: CUSTOMERS,
    target: declare({ tables: { customers: customers({ columns: { id: { type: 'bigint', nullable: false } } }) } }),
  },
  {
    name: 'NOT NULL on a column with NULLs, with a backfill',
    kind: 'set_not_null',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({
          columns: { name: { type: 'varchar(20)', nullable: false, backfill: "split_part(email, '@', 1)" } },
        }),
      },
    }),
  },
  {
    name: 'NOT NULL removed',
    kind: 'drop_not_null',
    source: CUSTOMERS,
    target: declare({ tables: { customers: customers({ columns: { email: { type: 'text' } } }) } }),
  },
  {
    name: 'a primary key added to a table with rows',
    kind: 'add_primary_key',
    source: COUNTRIES(''),
    target: declare({ tables: { countries: { ...COUNTRIES_TABLE, primaryKey: { columns: ['code'] } } } }),
  },
  {
    name: 'a primary key removed',
    kind: 'drop_primary_key',
    source: COUNTRIES(' PRIMARY KEY'),
    target: declare({ tables: { countries: COUNTRIES_TABLE } }),
  },
  {
    name: 'a unique constraint added',
    kind: 'add_unique',
    source: CUSTOMERS,
    target: declare({ tables: { customers: customers({ unique: { customers_email_key: { columns: ['email'] } } }) } }),
  },
  {
    name: 'a unique constraint removed',
    kind: 'drop_unique',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);`,
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a foreign key added to a table with rows',
    kind: 'add_foreign_key',
    source: ORDERS,
    target: declare({ tables: { customers: customers(), orders: { ...ORDERS_TABLE, foreignKeys: ORDERS_FK } } }),
  },
  {
    name: 'a foreign key removed',
    kind: 'drop_foreign_key',
    source: `${ORDERS}
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;`,
    target: declare({ tables: { customers: customers(), orders: ORDERS_TABLE } }),
  },
  {
    // Issue #14, point 5: refused before; added NOT VALID and validated as <name>__new, it takes the name
    // after the old one goes. Another referenced column and other actions, a comment carried along.
    name: 'a foreign key redefined under the same name',
    kind: 'add_foreign_key',
    source: `${ORDERS}
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);
ALTER TABLE orders ADD COLUMN customer_email text;
UPDATE orders o SET customer_email = c.email FROM customers c WHERE c.id = o.customer_id;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);
COMMENT ON CONSTRAINT orders_customer_fkey ON orders IS 'by id';`,
    target: {
      sql: `${CUSTOMERS_DDL}
ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  total numeric(12,2) NOT NULL,
  customer_email text,
  CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_email) REFERENCES customers (email)
    ON UPDATE CASCADE ON DELETE SET NULL
);
COMMENT ON CONSTRAINT orders_customer_fkey ON orders IS 'by email';`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`)).toEqual([
        '1 expand add_foreign_key_not_valid',
        '1 expand comment',
        '1 contract validate_foreign_key',
        '2 contract drop_foreign_key',
        '2 contract rename_foreign_key',
      ]),
  },
  {
    name: 'a NOT VALID foreign key validated',
    kind: 'validate_foreign_key',
    source: `${ORDERS}
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID;`,
    target: declare({ tables: { customers: customers(), orders: { ...ORDERS_TABLE, foreignKeys: ORDERS_FK } } }),
  },
  {
    name: 'a check added',
    kind: 'add_check',
    source: CUSTOMERS,
    target: declare({
      tables: { customers: customers({ checks: { customers_email_check: { expression: "email ~ '@'" } } }) },
    }),
  },
  {
    name: 'a check removed',
    kind: 'drop_check',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD CONSTRAINT customers_email_check CHECK (email ~ '@');`,
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a NOT VALID check validated',
    kind: 'validate_check',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD CONSTRAINT customers_email_check CHECK (email ~ '@') NOT VALID;`,
    target: declare({
      tables: { customers: customers({ checks: { customers_email_check: { expression: "email ~ '@'" } } }) },
    }),
  },
  {
    name: 'indexes added: plain, unique expression, partial',
    kind: 'add_index',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({
          indexes: {
            customers_created_at_idx: { columns: ['created_at'] },
            customers_lower_email_idx: { expressions: ['lower(email)'], unique: true },
            customers_unnamed_idx: { columns: ['id'], where: 'name IS NULL' },
          },
        }),
      },
    }),
  },
  {
    // Issue #14: refused before ("cannot be created while ... exists"); now built aside and swapped in, online.
    name: 'an index redefined under the same name',
    kind: 'add_index',
    source: `${CUSTOMERS}
CREATE INDEX customers_email_idx ON customers (email);
COMMENT ON INDEX customers_email_idx IS 'login lookups';`,
    target: {
      sql: `${CUSTOMERS_DDL}
CREATE INDEX customers_email_idx ON customers (lower(email)) INCLUDE (name);
COMMENT ON INDEX customers_email_idx IS 'login lookups, any case';`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`)).toEqual([
        '1 expand create_index_concurrently',
        '1 expand swap_index_names',
        '1 expand comment_index',
        '2 contract drop_index_concurrently',
      ]),
  },
  {
    // Issue #14: refused before; the new check is added and validated as <name>__new and takes the name.
    name: 'a check redefined under the same name',
    kind: 'add_check',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD CONSTRAINT customers_email_check CHECK (email LIKE '%@%');`,
    target: {
      sql: `${CUSTOMERS_DDL}
ALTER TABLE customers ADD CONSTRAINT customers_email_check CHECK (position('@' in email) > 1);`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`)).toEqual([
        '1 expand add_check_not_valid',
        '1 contract validate_check',
        '2 contract drop_check',
        '2 contract rename_check',
      ]),
  },
  {
    // Issue #14: refused before; built and attached as <name>__new, it takes the name after the old one goes.
    name: 'a unique constraint redefined under the same name',
    kind: 'add_unique',
    source: `${CUSTOMERS}
ALTER TABLE customers ADD CONSTRAINT customers_contact_key UNIQUE (email);`,
    target: {
      sql: `${CUSTOMERS_DDL}
ALTER TABLE customers ADD CONSTRAINT customers_contact_key UNIQUE (email, name);`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`)).toEqual([
        '1 expand create_unique_index_concurrently',
        '1 contract add_constraint_using_index',
        '2 contract drop_constraint',
        '2 contract rename_constraint',
      ]),
  },
  {
    // Issue #14, point 5: refused before ("a table cannot have two"). The new key's index is built aside; in
    // the next release one statement drops the old key and makes that index the key. The foreign key on the
    // old column goes around the swap and back on the unique constraint the target keeps there.
    name: 'a primary key redefined under the same name, a foreign key on the old column',
    kind: 'add_primary_key',
    source: `${ORDERS}
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);
COMMENT ON CONSTRAINT customers_pkey ON customers IS 'by id';`,
    target: {
      sql: `
CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY,
  email text NOT NULL,
  name varchar(20),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_pkey PRIMARY KEY (email),
  CONSTRAINT customers_id_key UNIQUE (id)
);
COMMENT ON CONSTRAINT customers_pkey ON customers IS 'by email';
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(12,2) NOT NULL
);`,
    },
    plan: (p) =>
      expect(allSteps(p).map((s) => `${s.release} ${s.phase} ${s.action}`)).toEqual([
        '1 expand create_unique_index_concurrently',
        '1 expand create_unique_index_concurrently',
        '1 contract add_constraint_using_index',
        '2 contract detach_foreign_key',
        '2 contract swap_primary_key',
        '2 contract reattach_foreign_key',
        '2 contract validate_foreign_key',
        '2 contract comment',
      ]),
  },
  {
    name: 'an index removed',
    kind: 'drop_index',
    source: `${CUSTOMERS}
CREATE INDEX customers_created_at_idx ON customers (created_at);`,
    target: declare({ tables: { customers: customers() } }),
  },
  {
    name: 'a trigger and its function added',
    kind: 'create_trigger',
    source:
      CUSTOMERS +
      `
ALTER TABLE customers ADD COLUMN updated_at timestamptz;`,
    target: { sql: CUSTOMERS_DDL + TOUCH + TOUCH_TRIGGER },
    plan: (p) => expect(changes(p)).toContain('create_function'),
  },
  {
    name: 'a trigger removed, its function kept',
    kind: 'drop_trigger',
    source: CUSTOMERS + TOUCH + TOUCH_TRIGGER,
    target: { sql: CUSTOMERS_DDL + TOUCH },
  },
  {
    // Issue #14: planned as create-new-then-drop-old, the create failed (trigger "customers_touch" already exists).
    name: 'a trigger redefined under the same name, in a mode of its own',
    kind: 'create_trigger',
    source: CUSTOMERS + TOUCH + TOUCH_TRIGGER,
    target: {
      sql: `${CUSTOMERS_DDL}${TOUCH}
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE customers ENABLE ALWAYS TRIGGER customers_touch;`,
    },
  },
  {
    name: 'a trigger made ENABLE ALWAYS',
    kind: 'enable_trigger',
    source: CUSTOMERS + TOUCH + TOUCH_TRIGGER,
    target: {
      sql:
        CUSTOMERS_DDL +
        TOUCH +
        TOUCH_TRIGGER +
        `
ALTER TABLE customers ENABLE ALWAYS TRIGGER customers_touch;`,
    },
  },
  {
    name: 'comments changed on a table and a column',
    kind: 'set_comment',
    plan: (p) =>
      expect(
        allSteps(p)
          .filter((s) => s.change === 'set_comment')
          .map((s) => s.sql),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^COMMENT ON TABLE/),
          expect.stringMatching(/^COMMENT ON COLUMN/),
        ]),
      ),
    source: `${CUSTOMERS}
COMMENT ON TABLE customers IS 'people who buy';`,
    target: declare({
      tables: {
        customers: customers({
          comment: 'people who buy things',
          columns: { email: { type: 'text', nullable: false, comment: 'login' } },
        }),
      },
    }),
  },
];

/** Default privileges of the scenario's schema (public here, its own schema in all-kinds.ts). */
const DEFAULT_SELECT = (verb: 'GRANT' | 'REVOKE', what: string) => `
DO $$ BEGIN EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I ${verb} ${what} ON TABLES ${verb === 'GRANT' ? 'TO' : 'FROM'} PUBLIC', current_schema()); END $$;`;

/**
 * Grants and default privileges to PUBLIC, which every cluster has (grants to roles of their own, grant options
 * and every object class: grants.test.ts).
 */
export const GRANT_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'granted to PUBLIC: on the table and on a column',
    kind: 'grant_privileges',
    source: CUSTOMERS,
    target: { sql: `${CUSTOMERS}\nGRANT SELECT ON customers TO PUBLIC;\nGRANT UPDATE (name) ON customers TO PUBLIC;` },
  },
  {
    name: 'revoked from PUBLIC: on the table and on a column',
    kind: 'revoke_privileges',
    source: `${CUSTOMERS}\nGRANT SELECT, INSERT ON customers TO PUBLIC;\nGRANT UPDATE (name) ON customers TO PUBLIC;`,
    target: { sql: `${CUSTOMERS}\nGRANT SELECT ON customers TO PUBLIC;` },
  },
  {
    name: 'default privileges granted in the schema',
    kind: 'grant_default_privileges',
    source: CUSTOMERS,
    target: { sql: `${CUSTOMERS}${DEFAULT_SELECT('GRANT', 'SELECT, INSERT')}` },
  },
  {
    name: 'default privileges revoked in the schema',
    kind: 'revoke_default_privileges',
    source: `${CUSTOMERS}${DEFAULT_SELECT('GRANT', 'SELECT, INSERT')}`,
    target: { sql: `${CUSTOMERS}${DEFAULT_SELECT('GRANT', 'SELECT')}` },
  },
];

/** add_column and alter_column_type have several recipes: one row each. */
export const ADD_COLUMN: readonly KindScenario[] = [
  {
    name: 'nullable',
    kind: 'add_column',
    source: CUSTOMERS,
    target: declare({ tables: { customers: customers({ columns: { phone: { type: 'text' } } }) } }),
  },
  {
    name: 'NOT NULL with a backfill',
    kind: 'add_column',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({
          columns: { email_domain: { type: 'text', nullable: false, backfill: "split_part(email, '@', 2)" } },
        }),
      },
    }),
  },
  {
    name: 'volatile default',
    kind: 'add_column',
    source: CUSTOMERS,
    target: declare({
      tables: {
        customers: customers({
          columns: { public_id: { type: 'uuid', nullable: false, default: 'gen_random_uuid()' } },
        }),
      },
    }),
  },
];

export const ALTER_COLUMN_TYPE: readonly KindScenario[] = [
  {
    name: 'binary-coercible varchar(20) -> text',
    kind: 'alter_column_type',
    source: CUSTOMERS,
    target: declare({ tables: { customers: customers({ columns: { name: { type: 'text' } } }) } }),
  },
  {
    // The runbook's case: salaries stored as text become numeric(12,2), with `up` and `down`.
    name: 'text -> numeric(12,2) with up/down',
    kind: 'alter_column_type',
    source: `
CREATE TABLE employees (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, rut text NOT NULL, salary text);
INSERT INTO employees (rut, salary) VALUES ('12345678-5', '1200000.50'), ('9876543-K', '980000'), ('11111111-1', NULL);`,
    target: declare({
      tables: {
        employees: {
          columns: {
            id: { type: 'bigint', nullable: false, identity: 'by default' },
            rut: { type: 'text', nullable: false },
            salary: { type: 'numeric(12,2)', up: 'salary::numeric(12,2)', down: 'salary::text' },
          },
          primaryKey: { columns: ['id'] },
        },
      },
    }),
  },
];

// ---- the PostgreSQL 15 server and its databases ------------------------------------------------------------
