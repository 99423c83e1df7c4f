// Sample rows under foreign keys the plan adds: the rehearsal validates them, so rows of the source must
// already point at parent rows (parents inserted first), or hold NULL where the parent does not exist yet.
import { describe, expect, it } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import { rehearse, type RehearsalEvent } from '../../../src/rehearsal/rehearse.js';
import { freshDatabase } from '../../support/db.js';
import { planScenario } from '../../support/scenario.js';

// `orders` comes first, so that only the foreign keys of the target can put `customers` before it; customer ids
// come from the identity (1, 2...), so no ordinary sample value of `customer_id` (1001...) matches one by chance.
const SOURCE = `
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, coupon_code text, total numeric(12,2) NOT NULL);
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);`;

const CUSTOMERS = `
      customers:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
        primaryKey: { columns: [id] }`;

const target = (o: { coupons: boolean }) => `
schemas:
  public:
    tables:${CUSTOMERS}${
      o.coupons
        ? `
      coupons:
        columns:
          code: { type: text, nullable: false }
        primaryKey: { columns: [code] }`
        : ''
    }
      orders:
        columns:
          id: { type: bigint, nullable: false }
          customer_id: { type: bigint, nullable: false }
          coupon_code: { type: text }
          total: { type: 'numeric(12,2)', nullable: false }
        primaryKey: { columns: [id] }
        foreignKeys:
          orders_customer_id_fkey: { columns: [customer_id], references: { table: customers, columns: [id] } }${
            o.coupons
              ? `
          orders_coupon_code_fkey: { columns: [coupon_code], references: { table: coupons, columns: [code] } }`
              : ''
          }
`;

async function rehearsed(targetYaml: string, validated: readonly string[]) {
  const db = await freshDatabase();
  const { plan } = await planScenario(db, SOURCE, targetYaml);
  const validations = allSteps(plan)
    .filter((s) => s.action === 'validate_foreign_key')
    .map((s) => s.description);
  expect(validations).toEqual(validated.map((name) => expect.stringContaining(name)));
  const events: RehearsalEvent[] = [];
  const report = await rehearse(plan, { sampleRows: 10, onEvent: (e) => events.push(e) });
  expect(report.failure, JSON.stringify(report.failure)).toBeUndefined();
  expect(report.passed).toBe(true);
  return events.find((e) => e.kind === 'source');
}

describe('sample rows and the foreign keys a plan adds', () => {
  it('a plan adding and validating a foreign key between two existing tables passes the rehearsal with sample rows', async () => {
    // Every row made it in: each order points at an existing customer.
    expect(await rehearsed(target({ coupons: false }), ['orders_customer_id_fkey'])).toMatchObject({
      tables: 2,
      rows: 20,
      short: [],
    });
  });

  it('a nullable column whose new foreign key references a table the plan creates gets NULL', async () => {
    expect(
      await rehearsed(target({ coupons: true }), ['orders_coupon_code_fkey', 'orders_customer_id_fkey']),
    ).toMatchObject({ tables: 2, rows: 20, short: [] });
  });
});

describe('sample rows and a foreign key redefined under the same name on other columns', () => {
  it('rows satisfy the new definition too, which the plan validates: the rehearsal passes', async () => {
    const db = await freshDatabase();
    const { plan } = await planScenario(
      db,
      `
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL,
  customer_email text,
  CONSTRAINT orders_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)
);`,
      `
schemas:
  public:
    tables:
      customers:
        columns:
          id: { type: bigint, nullable: false, identity: always }
          email: { type: text, nullable: false }
        primaryKey: { columns: [id] }
        unique:
          customers_email_key: { columns: [email] }
      orders:
        columns:
          id: { type: bigint, nullable: false }
          customer_id: { type: bigint, nullable: false }
          customer_email: { type: text }
        primaryKey: { columns: [id] }
        foreignKeys:
          orders_customer_fkey: { columns: [customer_email], references: { table: customers, columns: [email] } }
`,
    );
    expect(allSteps(plan).map((s) => s.action)).toEqual(
      expect.arrayContaining(['add_foreign_key_not_valid', 'validate_foreign_key', 'rename_foreign_key']),
    );
    const report = await rehearse(plan, { sampleRows: 10 });
    expect(report.failure, JSON.stringify(report.failure)).toBeUndefined();
    expect(report.passed).toBe(true);
  });
});
