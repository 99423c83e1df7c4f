// Enum handlers: exact SQL of every step and of its rollback, hostile names, server versions, validate().
import { describe, expect, it } from 'vitest';
import type { AddEnumValue, RecreateEnum } from '../../../src/diff/index.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { objectHandlers as H } from '../../support/families.js';
import { draft } from '../../../src/planner/draft.js';
import { key } from '../../../src/planner/keys.js';
import type { DatabaseSchema, Enum, Table } from '../../../src/schema/model/model.js';
import {
  check,
  col,
  context,
  db,
  enumType,
  fk,
  fn,
  idx,
  keys,
  schema,
  shown,
  steps,
  table,
} from './objects-fixtures.js';

const HOSTILE = 'My Schema';
const QH = '"My Schema"."Stätus ""x"""';
const hostile = enumType('Stätus "x"', ['new', "it's"], { comment: "state's" });
const plain = enumType('status', ['a', 'b']);

describe('create_enum and drop_enum', () => {
  it.each([
    {
      name: 'plain',
      schema: 'app',
      e: plain,
      create: [{ sql: "CREATE TYPE app.status AS ENUM ('a', 'b')", rollback: ['DROP TYPE app.status'] }],
      drop: { sql: 'DROP TYPE app.status', rollback: ["CREATE TYPE app.status AS ENUM ('a', 'b')"] },
    },
    {
      name: 'hostile names, a quote in a value, a comment',
      schema: HOSTILE,
      e: hostile,
      create: [
        { sql: `CREATE TYPE ${QH} AS ENUM ('new', 'it''s')`, rollback: [`DROP TYPE ${QH}`] },
        { sql: `COMMENT ON TYPE ${QH} IS 'state''s'`, rollback: [`COMMENT ON TYPE ${QH} IS NULL`] },
      ],
      drop: {
        sql: `DROP TYPE ${QH}`,
        rollback: [`CREATE TYPE ${QH} AS ENUM ('new', 'it''s')`, `COMMENT ON TYPE ${QH} IS 'state''s'`],
      },
    },
  ])('$name', ({ schema: s, e, create, drop }) => {
    const x = context(db());
    const created = steps(H.create_enum, { kind: 'create_enum', schema: s, enum: e }, x);
    expect(created.map(shown)).toEqual(
      create.map((c) => ({
        phase: 'expand',
        releaseOffset: 0,
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: [],
        action: expect.any(String),
        ...c,
      })),
    );
    expect(created[0]!.creates).toEqual([key.type(s, e.name)]);
    const dropped = steps(H.drop_enum, { kind: 'drop_enum', schema: s, enum: e }, x);
    expect(dropped.map(shown)).toEqual([
      {
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_enum',
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: [],
        ...drop,
      },
    ]);
    expect(keys(dropped[0]!)).toEqual({ creates: [], requires: [key.schema(s)], drops: [key.type(s, e.name)] });
  });
});

const inApp = (enums: Enum[], tables: Table[] = [], extra = {}): DatabaseSchema =>
  db(schema('app', { enums, tables, ...extra }));
const add = (e: Enum, value: string, where: { after?: string; before?: string } = {}): AddEnumValue => ({
  kind: 'add_enum_value',
  schema: 'app',
  enum: e,
  value,
  ...where,
});

describe('add_enum_value', () => {
  const abc = enumType('status', ['a', 'b', 'c']);
  const src = inApp([enumType('status', ['b'], { comment: 'c' })]);
  it.each([
    {
      name: 'after, 17',
      change: add(abc, 'c', { after: 'b' }),
      v: 170000,
      sql: "ALTER TYPE app.status ADD VALUE 'c' AFTER 'b'",
      previous: "('a', 'b')",
      transactional: true,
    },
    {
      name: 'before, 12: transactional from 12 on',
      change: add(abc, 'a', { before: 'b' }),
      v: 120000,
      sql: "ALTER TYPE app.status ADD VALUE 'a' BEFORE 'b'",
      previous: "('b')",
      transactional: true,
    },
    {
      name: 'at the end, 11: outside a transaction',
      change: add(enumType('status', ['b', 'c']), 'c'),
      v: 110022,
      sql: "ALTER TYPE app.status ADD VALUE 'c'",
      previous: "('b')",
      transactional: false,
    },
  ])('$name', ({ change, v, sql, previous, transactional }) => {
    const [s, ...rest] = steps(H.add_enum_value, change, context(src, inApp([abc]), v));
    expect(rest).toEqual([]);
    expect(shown(s!)).toEqual({
      phase: 'expand',
      releaseOffset: 0,
      action: 'add_enum_value',
      sql,
      // Values added earlier in the plan (here 'a', before 'c') are part of the state this step starts from.
      rollback: [
        'ALTER TYPE app.status RENAME TO status__sy_old',
        `CREATE TYPE app.status AS ENUM ${previous}`,
        'DROP TYPE app.status__sy_old',
        "COMMENT ON TYPE app.status IS 'c'",
      ],
      lock: 'none',
      lockedTables: [],
      transactional,
      hazards: [],
    });
    // Every step using the type comes after the value exists (and is undone before this rollback runs).
    expect(keys(s!)).toEqual({ creates: [key.type('app', 'status')], requires: [], drops: [] });
  });

  it('the rollback converts every user of the type, in any schema, and puts back what it had to remove', () => {
    const T = '"My Schema"."Stätus"';
    const e = enumType('Stätus', ['new', "it's"]);
    const order = table(
      'Order',
      [
        col('id'),
        col('State', T, { default: `'new'::${T}` }),
        col('history', `${T}[]`),
        col('label', 'text', { default: `('new'::${T})::text` }),
        col('other', 'text'),
      ],
      {
        checks: [
          check('soft', `("State" <> 'it''s'::${T})`, { notValid: true }),
          check('plain', "(other <> 'x'::text)"),
        ],
        indexes: [idx('open', ['id'], { where: `("State" = 'new'::${T})`, comment: 'o' }), idx('by_state', ['State'])],
        foreignKeys: [
          fk('parent_fk', ['State'], 'parent', ['code'], {
            references: { schema: HOSTILE, table: 'parent', columns: ['code'] },
          }),
        ],
      },
    );
    const parent = table('parent', [col('code', T)]);
    const label = fn('label_of', `s ${T}`);
    const source = db(
      schema(HOSTILE, {
        enums: [e],
        tables: [order, parent],
        functions: [{ ...label, definition: label.definition.replace(' RETURNS trigger', ' RETURNS text') }],
      }),
      schema('public', { tables: [table('other', [col('s', `${T}[]`)])] }),
    );
    const target = db(schema(HOSTILE, { enums: [{ ...e, values: [...e.values, 'done'] }] }));
    const [s] = H.add_enum_value.expand(
      {
        kind: 'add_enum_value',
        schema: HOSTILE,
        enum: { ...e, values: [...e.values, 'done'] },
        value: 'done',
        after: "it's",
      },
      context(source, target),
    );
    expect(s!.sql).toBe(`ALTER TYPE ${T} ADD VALUE 'done' AFTER 'it''s'`);
    expect(s!.rollback).toEqual([
      `ALTER TABLE ${QH.replace('"Stätus ""x"""', '"Order"')} DROP CONSTRAINT parent_fk`,
      `DROP INDEX "My Schema".open`,
      `DROP FUNCTION "My Schema".label_of(s ${T})`,
      `ALTER TYPE ${T} RENAME TO "Stätus__sy_old"`,
      `CREATE TYPE ${T} AS ENUM ('new', 'it''s')`,
      `ALTER TABLE "My Schema"."Order" DROP CONSTRAINT soft, ALTER COLUMN "State" DROP DEFAULT, ALTER COLUMN "State" TYPE ${T} USING "State"::text::${T}, ` +
        `ALTER COLUMN "State" SET DEFAULT 'new'::${T}, ALTER COLUMN history TYPE ${T}[] USING history::text::${T}[], ` +
        `ALTER COLUMN label SET DEFAULT ('new'::${T})::text, ADD CONSTRAINT soft CHECK (("State" <> 'it''s'::${T})) NOT VALID`,
      `ALTER TABLE "My Schema".parent ALTER COLUMN code TYPE ${T} USING code::text::${T}`,
      `ALTER TABLE public.other ALTER COLUMN s TYPE ${T}[] USING s::text::${T}[]`,
      `DROP TYPE "My Schema"."Stätus__sy_old"`,
      label.definition.replace(' RETURNS trigger', ' RETURNS text').trim(),
      `CREATE INDEX open ON "My Schema"."Order" USING btree (id) WHERE ("State" = 'new'::${T})`,
      `COMMENT ON INDEX "My Schema".open IS 'o'`,
      `ALTER TABLE "My Schema"."Order" ADD CONSTRAINT parent_fk FOREIGN KEY ("State") REFERENCES "My Schema".parent (code)`,
    ]);
    expect(s!.description).toBe(
      `add value 'done' to enum ${T} (the rollback recreates the type and rewrites 3 table(s) using it; it fails if any row holds 'done')`,
    );
  });

  it.each([
    {
      name: 'a generated column over an enum column',
      source: inApp([plain], [table('t', [col('s', 'app.status'), col('g', 'text', { generated: '(s)::text' })])]),
      message:
        "the rollback of adding 'c' to enum app.status must recreate the type, and PostgreSQL cannot change a column's type under the generated column(s) app.t.g",
    },
    {
      name: 'a temporary name longer than 63 bytes',
      source: inApp([enumType('e'.repeat(60), ['a'])]),
      message: `the rollback of adding 'c' to enum app.${'e'.repeat(60)} needs the temporary type name app.${'e'.repeat(60)}__sy_old, which is longer than 63 bytes`,
    },
    {
      name: 'a temporary name taken by a table',
      source: inApp([plain], [table('status__sy_old', [])]),
      message:
        "the rollback of adding 'c' to enum app.status needs the temporary type name app.status__sy_old, which is taken",
    },
  ])('validate refuses $name', ({ source, message }) => {
    const e = source.schemas[0]!.enums[0]!;
    const change = add({ ...e, values: [...e.values, 'c'] }, 'c');
    expect(H.add_enum_value.validate(change, context(source)).map((p) => p.message)).toEqual([message]);
  });

  it('validate accepts an enum with ordinary users', () => {
    const source = inApp([plain], [table('t', [col('s', 'app.status', { default: "'a'::app.status" })])]);
    expect(H.add_enum_value.validate(add(abc, 'c', { after: 'b' }), context(source))).toEqual([]);
  });
});

describe('recreate_enum', () => {
  const from = enumType('mood', ['sad', 'ok', 'meh'], { comment: 'old' });
  const to = enumType('mood', ['ok', 'sad'], { comment: "it's" });
  const visit = table(
    'visit',
    [
      col('id'),
      col('mood', 'app.mood', { default: "'ok'::app.mood" }),
      col('note', 'text', { default: "('ok'::app.mood)::text" }),
    ],
    {
      checks: [check('not_sad', "(mood <> 'sad'::app.mood)", { notValid: true })],
    },
  );
  const log = table('log', [col('m', 'app.mood[]')]);
  const change: RecreateEnum = { kind: 'recreate_enum', schema: 'app', from, to };
  // `log.m` exists only in the source: its own drop_column (which requires the type) removes it, unconverted.
  const x = context(inApp([from], [visit, log]), inApp([to], [visit, table('log', [])]));

  it('the contract of the next release, one statement per step, each with its exact undo', () => {
    const drafts = steps(H.recreate_enum, change, x);
    const c = { phase: 'contract', releaseOffset: 1, transactional: true };
    const typeStep = { ...c, lock: 'none', lockedTables: [], hazards: [] };
    expect(drafts.map(shown)).toEqual([
      {
        ...typeStep,
        action: 'create_enum_replacement',
        sql: "CREATE TYPE app.mood__sy_new AS ENUM ('ok', 'sad')",
        rollback: ['DROP TYPE app.mood__sy_new'],
      },
      {
        ...typeStep,
        action: 'comment_enum_replacement',
        sql: "COMMENT ON TYPE app.mood__sy_new IS 'it''s'",
        rollback: ['COMMENT ON TYPE app.mood__sy_new IS NULL'],
      },
      {
        ...c,
        action: 'convert_enum_users',
        sql:
          'ALTER TABLE app.visit DROP CONSTRAINT not_sad, ALTER COLUMN mood DROP DEFAULT, ALTER COLUMN mood TYPE app.mood__sy_new USING mood::text::app.mood__sy_new, ' +
          "ALTER COLUMN mood SET DEFAULT 'ok'::app.mood__sy_new, ALTER COLUMN note SET DEFAULT ('ok'::app.mood__sy_new)::text, " +
          "ADD CONSTRAINT not_sad CHECK ((mood <> 'sad'::app.mood__sy_new)) NOT VALID",
        rollback: [
          'ALTER TABLE app.visit DROP CONSTRAINT not_sad, ALTER COLUMN mood DROP DEFAULT, ALTER COLUMN mood TYPE app.mood USING mood::text::app.mood, ' +
            "ALTER COLUMN mood SET DEFAULT 'ok'::app.mood, ALTER COLUMN note SET DEFAULT ('ok'::app.mood)::text, " +
            "ADD CONSTRAINT not_sad CHECK ((mood <> 'sad'::app.mood)) NOT VALID",
        ],
        lock: 'ACCESS EXCLUSIVE',
        lockedTables: ['app.visit'],
        hazards: ['ACCESS_EXCLUSIVE_LOCK', 'CORRECTNESS', 'TABLE_REWRITE'],
      },
      {
        ...typeStep,
        action: 'drop_old_enum',
        sql: 'DROP TYPE app.mood',
        rollback: ["CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'meh')", "COMMENT ON TYPE app.mood IS 'it''s'"],
      },
      {
        ...typeStep,
        action: 'rename_enum_replacement',
        sql: 'ALTER TYPE app.mood__sy_new RENAME TO mood',
        rollback: ['ALTER TYPE app.mood RENAME TO mood__sy_new'],
      },
    ]);
    expect(drafts[2]!.description).toBe(
      "move mood, note, check not_sad of app.visit to the new enum app.mood (rewrites the table; fails if a row holds 'meh')",
    );
    expect(drafts[2]!.costTable).toEqual({ schema: 'app', table: 'visit', work: 'rewrite' });
  });

  it('a reorder only, with hostile names: no CORRECTNESS hazard', () => {
    const T = '"My Schema"."Mö ""d"""';
    const a = enumType('Mö "d"', ['x', 'y']);
    const b = enumType('Mö "d"', ['y', 'x']);
    const t = table('T', [col('c', T)]);
    const drafts = steps(
      H.recreate_enum,
      { kind: 'recreate_enum', schema: HOSTILE, from: a, to: b },
      context(db(schema(HOSTILE, { enums: [a], tables: [t] })), db(schema(HOSTILE, { enums: [b], tables: [t] }))),
    );
    expect(drafts.map((d) => [d.sql, d.rollback, d.hazards])).toEqual([
      [
        `CREATE TYPE "My Schema"."Mö ""d""__sy_new" AS ENUM ('y', 'x')`,
        [`DROP TYPE "My Schema"."Mö ""d""__sy_new"`],
        [],
      ],
      [
        `ALTER TABLE "My Schema"."T" ALTER COLUMN c TYPE "My Schema"."Mö ""d""__sy_new" USING c::text::"My Schema"."Mö ""d""__sy_new"`,
        [`ALTER TABLE "My Schema"."T" ALTER COLUMN c TYPE ${T} USING c::text::${T}`],
        ['ACCESS_EXCLUSIVE_LOCK', 'TABLE_REWRITE'],
      ],
      [`DROP TYPE ${T}`, [`CREATE TYPE ${T} AS ENUM ('x', 'y')`], []],
      [
        `ALTER TYPE "My Schema"."Mö ""d""__sy_new" RENAME TO "Mö ""d"""`,
        [`ALTER TYPE ${T} RENAME TO "Mö ""d""__sy_new"`],
        [],
      ],
    ]);
  });

  it('the graph orders the recipe, and puts drops of columns of the old type before DROP TYPE', () => {
    expect(
      steps(H.recreate_enum, change, x)
        .filter((d) => d.action === 'convert_enum_users')
        .map((d) => d.lockedTables),
    ).toEqual([['app.visit']]);
    const drafts = steps(H.recreate_enum, change, x);
    // Another family's drop of a column of the type: it requires the column and the type.
    const dropColumn = draft({
      phase: 'contract',
      releaseOffset: 1,
      action: 'drop_column',
      description: 'drop log.m',
      sql: 'ALTER TABLE app.log DROP COLUMN m',
      requires: [key.type('app', 'mood')],
      drops: [key.column('app', 'log', 'm')],
    });
    const ordered = orderSteps([...drafts, dropColumn].reverse()).map(
      (d) => d.action + (d.lockedTables[0] ? ` ${d.lockedTables[0]}` : ''),
    );
    const at = (a: string) => ordered.indexOf(a);
    expect(at('create_enum_replacement')).toBeLessThan(at('convert_enum_users app.visit'));
    expect(at('drop_column')).toBeLessThan(at('drop_old_enum'));
    expect(at('convert_enum_users app.visit')).toBeLessThan(at('drop_old_enum'));
    expect(at('comment_enum_replacement')).toBeLessThan(at('rename_enum_replacement'));
    expect(ordered.at(-1)).toBe('rename_enum_replacement');
  });

  const refused = (source: DatabaseSchema, target: DatabaseSchema = source) =>
    H.recreate_enum
      .validate(
        { kind: 'recreate_enum', schema: 'app', from: plain, to: { ...plain, values: ['b', 'a'] } },
        context(source, target),
      )
      .map((p) => [p.message, p.fix]);
  const S = 'app.status';

  it.each([
    {
      name: 'a foreign key between enum columns',
      source: inApp(
        [plain],
        [table('p', [col('k', S)]), table('c', [col('k', S)], { foreignKeys: [fk('c_k_fkey', ['k'], 'p', ['k'])] })],
      ),
      problem: [
        'recreating enum app.status: foreign key c_k_fkey on app.c joins columns of the enum, whose two sides cannot change type one at a time',
        'drop the foreign key in a plan before this one, and add it back in a plan after it',
      ],
    },
    {
      name: 'an index naming the type',
      source: inApp(
        [plain],
        [table('t', [col('k', S)], { indexes: [idx('t_a', ['k'], { where: "(k = 'a'::app.status)" })] })],
      ),
      problem: [
        'recreating enum app.status: index app.t_a names the enum in its expression or predicate',
        'drop the index in a plan before this one, and add it back in a plan after it',
      ],
    },
    {
      name: 'a function with the type in its signature',
      source: inApp([plain], [], { functions: [fn('f', `s ${S}`)] }),
      problem: [
        'recreating enum app.status: function app.f(s app.status) has the enum in its signature',
        'drop the function (or make it take text) in a plan before this one, and add it back in a plan after it',
      ],
    },
    {
      name: 'a generated column',
      source: inApp([plain], [table('t', [col('k', S, { generated: "'a'::app.status" })])]),
      problem: [
        'recreating enum app.status: PostgreSQL cannot change the type of a column used by the generated column app.t.k',
        'drop the generated column or make it a plain column in a plan before this one, and add it back in a plan after it',
      ],
    },
    {
      name: 'a check naming the type that changes in the same plan',
      source: inApp([plain], [table('t', [col('k', S)], { checks: [check('ck', "(k <> 'a'::app.status)")] })]),
      target: inApp([plain], [table('t', [col('k', S)], { checks: [check('ck', "(k <> 'b'::app.status)")] })]),
      problem: [
        'recreating enum app.status: check app.t ck names the enum and changes in the same plan',
        'change the check in a separate plan',
      ],
    },
    {
      name: 'a column changing to or from the enum in the same plan',
      source: inApp([plain], [table('t', [col('k', S)])]),
      target: inApp([plain], [table('t', [col('k', 'text')])]),
      problem: [
        'recreating enum app.status: column app.t.k changes between the enum and another type in the same plan',
        'change the column type in a separate plan',
      ],
    },
  ])('validate refuses $name', ({ source, target, problem }) => {
    expect(refused(source, target)).toEqual([problem]);
  });

  it('validate accepts columns, arrays, defaults and unchanged checks', () => {
    expect(
      refused(
        inApp(
          [plain],
          [
            table('t', [col('k', `${S}[]`, { default: "'{a}'::app.status[]" })], {
              checks: [check('ck', "(k <> '{}'::app.status[])")],
            }),
          ],
        ),
      ),
    ).toEqual([]);
  });
});
