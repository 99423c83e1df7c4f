// Domains, composite and range types: the differences the differ finds, the exact SQL of each step and of its
// rollback (hostile names included), and the changes PostgreSQL cannot make in place, refused with the reason.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import { allSteps, buildPlan, PlanRefusedError } from '../../../src/planner/plan.js';
import { exclusionProblem } from '../../../src/schema/declared/sql-text.js';
import type {
  CompositeType,
  DatabaseSchema,
  Domain,
  RangeType,
  Schema,
  Table,
} from '../../../src/schema/model/model.js';
import { renderDatabase } from '../../../src/sql/render/index.js';
import { col, db, schema, table } from '../diff/fixtures.js';

const S = 'My App';
const dom = (extra: Partial<Domain> = {}): Domain => ({
  kind: 'domain',
  name: 'E"mail',
  type: 'text',
  checks: [{ name: 'has at', expression: "(VALUE ~ '@'::text)" }],
  ...extra,
});
const pair = (attributes: CompositeType['attributes'], extra: Partial<CompositeType> = {}): CompositeType => ({
  kind: 'composite',
  name: 'pair',
  attributes,
  ...extra,
});
const span: RangeType = {
  kind: 'range',
  name: 'span',
  subtype: 'double precision',
  subtypeDiff: 'pg_catalog.float8mi',
};
const app = (extra: Partial<Schema>): DatabaseSchema => db(schema(S, extra));
/** A table with a column of the domain, so ALTER DOMAIN's scans have a table to lock. */
const users = table('users', [col('email', '"My App"."E""mail"')]);

function plan(from: DatabaseSchema, to: DatabaseSchema, versionNum = 170000) {
  return buildPlan(from, to, { name: 't', number: 1, server: { version: '17', versionNum } });
}
const shown = (p: ReturnType<typeof plan>) =>
  allSteps(p).map((s) => ({ step: `${s.release} ${s.phase} ${s.action}`, sql: s.sql, rollback: s.rollback }));

describe('domains', () => {
  const D = '"My App"."E""mail"';
  it('creates one with its collation, default, NOT NULL and checks, a NOT VALID one after it, and its comment', () => {
    const d = dom({
      collation: 'C',
      default: "'a@b'::text",
      notNull: true,
      checks: [
        { name: 'has at', expression: "(VALUE ~ '@'::text)" },
        { name: 'short', expression: '(length(VALUE) < 100)', notValid: true },
      ],
      comment: "it's",
    });
    expect(shown(plan(app({}), app({ domains: [d] })))).toEqual([
      {
        step: '1 expand create_domain',
        sql: `CREATE DOMAIN ${D} AS text COLLATE "C" DEFAULT 'a@b'::text NOT NULL CONSTRAINT "has at" CHECK ((VALUE ~ '@'::text))`,
        rollback: [`DROP DOMAIN ${D}`],
      },
      {
        step: '1 expand add_domain_check_not_valid',
        sql: `ALTER DOMAIN ${D} ADD CONSTRAINT short CHECK ((length(VALUE) < 100)) NOT VALID`,
        rollback: [],
      },
      { step: '1 expand comment', sql: `COMMENT ON TYPE ${D} IS 'it''s'`, rollback: [`COMMENT ON TYPE ${D} IS NULL`] },
    ]);
  });

  it('drops one in the next release, the rollback recreating it whole', () => {
    const d = dom({ checks: [{ name: 'k', expression: '(VALUE <> Q)', notValid: true }], comment: 'c' });
    expect(shown(plan(app({ domains: [d] }), app({})))).toEqual([
      {
        step: '2 contract drop_domain',
        sql: `DROP DOMAIN ${D}`,
        rollback: [
          `CREATE DOMAIN ${D} AS text`,
          `ALTER DOMAIN ${D} ADD CONSTRAINT k CHECK ((VALUE <> Q)) NOT VALID`,
          `COMMENT ON TYPE ${D} IS 'c'`,
        ],
      },
    ]);
  });

  it('adds a check NOT VALID in expand and validates it in contract, locking the tables using the domain', () => {
    const from = app({ domains: [dom({ checks: [] })], tables: [users] });
    const to = app({ domains: [dom()], tables: [users] });
    const p = plan(from, to);
    expect(shown(p)).toEqual([
      {
        step: '1 expand add_domain_check_not_valid',
        sql: `ALTER DOMAIN ${D} ADD CONSTRAINT "has at" CHECK ((VALUE ~ '@'::text)) NOT VALID`,
        rollback: [`ALTER DOMAIN ${D} DROP CONSTRAINT "has at"`],
      },
      {
        step: '1 contract validate_domain_check',
        sql: `ALTER DOMAIN ${D} VALIDATE CONSTRAINT "has at"`,
        rollback: [
          `ALTER DOMAIN ${D} DROP CONSTRAINT "has at"`,
          `ALTER DOMAIN ${D} ADD CONSTRAINT "has at" CHECK ((VALUE ~ '@'::text)) NOT VALID`,
        ],
      },
    ]);
    const validate = allSteps(p)[1];
    expect([validate?.lock, validate?.lockedTables]).toEqual(['SHARE', ['"My App".users']]);
    expect(allSteps(plan(from, to, 180000))[1]?.lock).toBe('SHARE UPDATE EXCLUSIVE');
  });

  it('drops a check in expand, re-adding it NOT VALID then validating it on rollback', () => {
    expect(shown(plan(app({ domains: [dom()] }), app({ domains: [dom({ checks: [] })] })))).toEqual([
      {
        step: '1 expand drop_domain_check',
        sql: `ALTER DOMAIN ${D} DROP CONSTRAINT "has at"`,
        rollback: [
          `ALTER DOMAIN ${D} ADD CONSTRAINT "has at" CHECK ((VALUE ~ '@'::text)) NOT VALID`,
          `ALTER DOMAIN ${D} VALIDATE CONSTRAINT "has at"`,
        ],
      },
    ]);
  });

  it('sets and drops the default and NOT NULL; SET NOT NULL scans in contract', () => {
    const p = plan(
      app({ domains: [dom({ notNull: true })], tables: [users] }),
      app({ domains: [dom({ default: '0' })], tables: [users] }),
    );
    expect(shown(p)).toEqual([
      {
        step: '1 expand set_domain_default',
        sql: `ALTER DOMAIN ${D} SET DEFAULT 0`,
        rollback: [`ALTER DOMAIN ${D} DROP DEFAULT`],
      },
      {
        step: '1 expand drop_domain_not_null',
        sql: `ALTER DOMAIN ${D} DROP NOT NULL`,
        rollback: [`ALTER DOMAIN ${D} SET NOT NULL`],
      },
    ]);
    const back = plan(
      app({ domains: [dom({ default: '0' })], tables: [users] }),
      app({ domains: [dom({ notNull: true })], tables: [users] }),
    );
    expect(shown(back)).toEqual([
      {
        step: '1 expand drop_domain_default',
        sql: `ALTER DOMAIN ${D} DROP DEFAULT`,
        rollback: [`ALTER DOMAIN ${D} SET DEFAULT 0`],
      },
      {
        step: '1 contract set_domain_not_null',
        sql: `ALTER DOMAIN ${D} SET NOT NULL`,
        rollback: [`ALTER DOMAIN ${D} DROP NOT NULL`],
      },
    ]);
    expect(allSteps(back)[1]?.hazards).toEqual(['CORRECTNESS', 'FULL_SCAN', 'SHARE_LOCK']);
  });

  it('refuses a new base type, naming the way through', () => {
    const change = () => plan(app({ domains: [dom()] }), app({ domains: [dom({ type: 'character varying(80)' })] }));
    expect(change).toThrow(PlanRefusedError);
    expect(change).toThrow(
      `domain ${D} cannot be changed in place: its base type changes from text to character varying(80): PostgreSQL cannot alter a domain's base type; declare a new domain and move the columns to it (fix: declare a new domain under another name, change the columns to it, then drop ${D})`,
    );
  });
});

describe('composite types', () => {
  const T = '"My App".pair';
  const ab = [
    { name: 'a', type: 'text', collation: 'C' },
    { name: 'b', type: 'integer' },
  ];
  it('creates and drops one', () => {
    expect(shown(plan(app({}), app({ composites: [pair(ab)] })))).toEqual([
      {
        step: '1 expand create_composite',
        sql: `CREATE TYPE ${T} AS (a text COLLATE "C", b integer)`,
        rollback: [`DROP TYPE ${T}`],
      },
    ]);
    expect(shown(plan(app({ composites: [pair(ab)] }), app({})))).toEqual([
      {
        step: '2 contract drop_composite',
        sql: `DROP TYPE ${T}`,
        rollback: [`CREATE TYPE ${T} AS (a text COLLATE "C", b integer)`],
      },
    ]);
  });

  it('renames, drops and adds attributes in place', () => {
    const to = pair([
      { name: 'A', type: 'text', collation: 'C', renamedFrom: 'a' },
      { name: 'c', type: 'date' },
    ]);
    expect(shown(plan(app({ composites: [pair(ab)] }), app({ composites: [to] })))).toEqual([
      {
        step: '1 expand add_attribute',
        sql: `ALTER TYPE ${T} ADD ATTRIBUTE c date`,
        rollback: [`ALTER TYPE ${T} DROP ATTRIBUTE c`],
      },
      {
        step: '1 contract rename_attribute',
        sql: `ALTER TYPE ${T} RENAME ATTRIBUTE a TO "A"`,
        rollback: [`ALTER TYPE ${T} RENAME ATTRIBUTE "A" TO a`],
      },
      {
        step: '2 contract drop_attribute',
        sql: `ALTER TYPE ${T} DROP ATTRIBUTE b`,
        rollback: [`ALTER TYPE ${T} ADD ATTRIBUTE b integer`],
      },
    ]);
  });

  it('refuses an attribute that changes type or moves', () => {
    const retyped = pair([ab[0]!, { name: 'b', type: 'bigint' }]);
    const moved = pair([ab[1]!, ab[0]!]);
    for (const to of [retyped, moved])
      expect(() => plan(app({ composites: [pair(ab)] }), app({ composites: [to] }))).toThrow(
        `composite type ${T} cannot be changed in place: an attribute changes type, collation or position`,
      );
  });
});

describe('range types', () => {
  it('creates one with its options and drops it', () => {
    const r: RangeType = { ...span, subtypeOpclass: 'float8_ops', multirange: 'spans' };
    const create = `CREATE TYPE "My App".span AS RANGE (SUBTYPE = double precision, SUBTYPE_OPCLASS = float8_ops, SUBTYPE_DIFF = pg_catalog.float8mi, MULTIRANGE_TYPE_NAME = "My App".spans)`;
    expect(shown(plan(app({}), app({ ranges: [r] })))).toEqual([
      { step: '1 expand create_range', sql: create, rollback: ['DROP TYPE "My App".span'] },
    ]);
    expect(shown(plan(app({ ranges: [r] }), app({})))).toEqual([
      { step: '2 contract drop_range', sql: 'DROP TYPE "My App".span', rollback: [create] },
    ]);
  });

  it('refuses a changed definition', () => {
    expect(() =>
      plan(app({ ranges: [span] }), app({ ranges: [{ ...span, subtypeDiff: undefined } as RangeType] })),
    ).toThrow('range type "My App".span cannot be changed in place');
  });
});

describe('a whole database', () => {
  it('creates types after enums and before tables, and NOT VALID domain checks after the tables', () => {
    const d = dom({ checks: [{ name: 'k', expression: '(VALUE <> Q)', notValid: true }] });
    expect(
      renderDatabase(
        app({
          domains: [d],
          composites: [pair([{ name: 'e', type: '"My App"."E""mail"' }])],
          ranges: [span],
          tables: [users],
        }),
      ),
    ).toEqual([
      'CREATE SCHEMA "My App"',
      'CREATE TYPE "My App".span AS RANGE (SUBTYPE = double precision, SUBTYPE_DIFF = pg_catalog.float8mi)',
      'CREATE DOMAIN "My App"."E""mail" AS text',
      'CREATE TYPE "My App".pair AS (e "My App"."E""mail")',
      'CREATE TABLE "My App".users (\n  email "My App"."E""mail"\n)',
      'ALTER DOMAIN "My App"."E""mail" ADD CONSTRAINT k CHECK ((VALUE <> Q)) NOT VALID',
    ]);
  });

  it('finds nothing to do between equal types', () => {
    const x = app({ domains: [dom()], composites: [pair([{ name: 'a', type: 'text' }])], ranges: [span] });
    expect(diff(x, x)).toEqual([]);
  });
});

describe('exclusion constraints', () => {
  const x = { kind: 'exclusion', name: 'no overlap', definition: 'EXCLUDE USING gist (r WITH &&)' } as const;
  const booked = (exclusions: Table['exclusions']) =>
    app({ tables: [table('bookings', [col('r', 'tstzrange')], exclusions ? { exclusions } : {})] });

  it('adds one on an existing table in one statement, naming the lock, the scan and the index build', () => {
    const p = plan(booked(undefined), booked([x]));
    expect(shown(p)).toEqual([
      {
        step: '1 expand add_exclusion',
        sql: 'ALTER TABLE "My App".bookings ADD CONSTRAINT "no overlap" EXCLUDE USING gist (r WITH &&)',
        rollback: ['ALTER TABLE "My App".bookings DROP CONSTRAINT "no overlap"'],
      },
    ]);
    const [step] = allSteps(p);
    expect([step?.lock, step?.lockedTables, step?.hazards]).toEqual([
      'ACCESS EXCLUSIVE',
      ['"My App".bookings'],
      ['ACCESS_EXCLUSIVE_LOCK', 'CORRECTNESS', 'FULL_SCAN', 'INDEX_BUILD', 'USER_SQL'],
    ]);
  });

  it('drops one in the next release, and a redefinition in expand before its new definition', () => {
    expect(shown(plan(booked([{ ...x, comment: 'c' }]), booked(undefined)))).toEqual([
      {
        step: '2 contract drop_exclusion',
        sql: 'ALTER TABLE "My App".bookings DROP CONSTRAINT "no overlap"',
        rollback: [
          'ALTER TABLE "My App".bookings ADD CONSTRAINT "no overlap" EXCLUDE USING gist (r WITH &&)',
          `COMMENT ON CONSTRAINT "no overlap" ON "My App".bookings IS 'c'`,
        ],
      },
    ]);
    const redefined = { ...x, definition: 'EXCLUDE USING gist (r WITH &&) DEFERRABLE' };
    expect(shown(plan(booked([x]), booked([redefined]))).map((s) => s.step)).toEqual([
      '1 expand drop_exclusion',
      '1 expand add_exclusion',
    ]);
  });

  it('accepts exactly one exclusion constraint as declared text', () => {
    expect(exclusionProblem('EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (NOT cancelled)')).toBeUndefined();
    expect(exclusionProblem('CHECK (true)')?.message).toBe(
      'not a single exclusion constraint: write `EXCLUDE USING <method> (<element> WITH <operator>, ...)`',
    );
    expect(exclusionProblem('EXCLUDE USING gist (r WITH &&); DROP TABLE x')?.message).toBe(
      'not a single exclusion constraint: write `EXCLUDE USING <method> (<element> WITH <operator>, ...)`',
    );
  });
});
