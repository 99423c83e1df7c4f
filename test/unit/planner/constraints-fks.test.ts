// Foreign keys and checks: exact steps per case (NOT VALID in expand, VALIDATE in contract, drops in the next
// release) and the keys that order a foreign key after its tables, columns and every key it could use.
import { describe, expect, it } from 'vitest';
import type {
  AddCheck,
  AddForeignKey,
  Change,
  DropCheck,
  DropForeignKey,
  ValidateCheck,
  ValidateForeignKey,
} from '../../../src/diff/index.js';
import { constraintHandlers as h } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import type { Handler, PlanContext } from '../../../src/planner/types.js';
import type { Check, ForeignKey } from '../../../src/schema/model/model.js';
import { app, check, col, db, idx, notNull, pk, schema, table, uq } from '../diff/fixtures.js';
import { context, shape } from './constraints-support.js';

const H = 'My "App"';
const parent = table('Parent ñ', [notNull('id'), col('code', 'text')], {
  primaryKey: pk('Parent pkey', ['id']),
  unique: [uq('Parent code', ['code'])],
});
const child = table('child', [notNull('id'), col('Pid', 'integer'), col('code', 'text')], {
  primaryKey: pk('child_pkey', ['id']),
});
const world = db(schema(H, { tables: [parent, child] }));
const fk = (more: Partial<ForeignKey> = {}): ForeignKey => ({
  kind: 'foreign_key',
  name: 'child→parent',
  columns: ['Pid'],
  references: { schema: H, table: 'Parent ñ', columns: ['id'] },
  onDelete: 'cascade',
  onUpdate: 'no action',
  match: 'full',
  deferrable: true,
  initiallyDeferred: true,
  ...more,
});
const C = '"My ""App""".child';
const P = '"My ""App"""."Parent ñ"';
const ADD = `ALTER TABLE ${C} ADD CONSTRAINT "child→parent" FOREIGN KEY ("Pid") REFERENCES ${P} (id) MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED`;
const DROP = `ALTER TABLE ${C} DROP CONSTRAINT "child→parent"`;
const VALIDATE = `ALTER TABLE ${C} VALIDATE CONSTRAINT "child→parent"`;
const step = (
  phase: 'expand' | 'contract',
  releaseOffset: number,
  sql: string,
  rollback: string[],
  lock: string,
  lockedTables: string[],
  hazards: string[] = [],
) => ({
  phase,
  releaseOffset,
  sql,
  rollback,
  lock,
  lockedTables,
  transactional: true,
  hazards,
});
const validateStep = (sql: string, rollback: string[], table: string, hazards = ['CORRECTNESS', 'FULL_SCAN']) =>
  step('contract', 0, sql, rollback, 'SHARE UPDATE EXCLUSIVE', [table], hazards);

const addFk = (foreignKey: ForeignKey): AddForeignKey => ({
  kind: 'add_foreign_key',
  schema: H,
  table: 'child',
  foreignKey,
});
/** Every phase's steps of one change; backfill is always empty in this family. */
const phasesOf = (handler: Handler<never>, c: Change, ctx: PlanContext) => {
  const change = c as never;
  expect(handler.backfill(change, ctx)).toEqual([]);
  return [...handler.expand(change, ctx), ...handler.contract(change, ctx)].map(shape);
};

describe('add_foreign_key', () => {
  it.each<[string, ForeignKey, PlanContext, object[]]>([
    [
      'NOT VALID in expand (SHARE ROW EXCLUSIVE on both tables), VALIDATE in contract',
      fk(),
      context(world, world),
      [
        step('expand', 0, `${ADD} NOT VALID`, [DROP], 'SHARE ROW EXCLUSIVE', [C, P]),
        validateStep(VALIDATE, [DROP, `${ADD} NOT VALID`], C),
      ],
    ],
    [
      'declared NOT VALID in the target: never validated',
      fk({ notValid: true }),
      context(world, world),
      [step('expand', 0, `${ADD} NOT VALID`, [DROP], 'SHARE ROW EXCLUSIVE', [C, P])],
    ],
    [
      'on a table created by this plan: added valid at once (nothing to scan), only the referenced table locked',
      fk(),
      context(world, world, { newTables: new Set([`${H}.child`]) }),
      [step('expand', 0, ADD, [DROP], 'SHARE ROW EXCLUSIVE', [P])],
    ],
    [
      'both tables created by this plan: nothing locked',
      fk(),
      context(world, world, { newTables: new Set([`${H}.child`, `${H}.Parent ñ`]) }),
      [step('expand', 0, ADD, [DROP], 'SHARE ROW EXCLUSIVE', [])],
    ],
    [
      'self-referencing: the table is locked once',
      fk({
        name: 'up',
        columns: ['Pid'],
        references: { schema: H, table: 'child', columns: ['id'] },
        onDelete: 'no action',
        match: 'simple',
        deferrable: false,
        initiallyDeferred: false,
      }),
      context(world, world),
      [
        step(
          'expand',
          0,
          `ALTER TABLE ${C} ADD CONSTRAINT up FOREIGN KEY ("Pid") REFERENCES ${C} (id) NOT VALID`,
          [`ALTER TABLE ${C} DROP CONSTRAINT up`],
          'SHARE ROW EXCLUSIVE',
          [C],
        ),
        validateStep(
          `ALTER TABLE ${C} VALIDATE CONSTRAINT up`,
          [
            `ALTER TABLE ${C} DROP CONSTRAINT up`,
            `ALTER TABLE ${C} ADD CONSTRAINT up FOREIGN KEY ("Pid") REFERENCES ${C} (id) NOT VALID`,
          ],
          C,
        ),
      ],
    ],
  ])('%s', (_, foreignKey, ctx, steps) => {
    expect(phasesOf(h.add_foreign_key, addFk(foreignKey), ctx)).toEqual(steps);
  });

  it('requires both tables, the columns on both sides, and every key it could use; VALIDATE also their constraints', () => {
    const target = db(
      schema(H, {
        tables: [
          {
            ...parent,
            indexes: [
              idx('parent id idx', ['id'], { unique: true }),
              idx('partial', ['id'], { unique: true, where: '(id > 0)' }),
            ],
          },
          child,
        ],
      }),
    );
    const ctx = context(world, target);
    const [add] = h.add_foreign_key.expand(addFk(fk()), ctx);
    const [validate] = h.add_foreign_key.contract(addFk(fk()), ctx);
    const base = [
      key.table(H, 'child'),
      key.table(H, 'Parent ñ'),
      key.column(H, 'child', 'Pid'),
      key.column(H, 'Parent ñ', 'id'),
    ];
    expect(add!.creates).toEqual([key.constraint(H, 'child', 'child→parent')]);
    expect(add!.requires).toEqual([...base, key.index(H, 'Parent pkey'), key.index(H, 'parent id idx')]);
    expect(validate!.requires).toEqual([
      key.constraint(H, 'child', 'child→parent'),
      ...base,
      key.index(H, 'Parent pkey'),
      key.constraint(H, 'Parent ñ', 'Parent pkey'),
      key.index(H, 'parent id idx'),
    ]);
    expect(validate!.costTable).toEqual({ schema: H, table: 'child', work: 'scan' });
  });
});

describe('drop_foreign_key / validate_foreign_key', () => {
  const both = [C, P];
  it.each<[string, DropForeignKey | ValidateForeignKey, object[]]>([
    [
      'drop: next release, ACCESS EXCLUSIVE on both tables; rollback NOT VALID then VALIDATE',
      { kind: 'drop_foreign_key', schema: H, table: 'child', foreignKey: fk() },
      [step('contract', 1, DROP, [`${ADD} NOT VALID`, VALIDATE], 'ACCESS EXCLUSIVE', both, ['ACCESS_EXCLUSIVE_LOCK'])],
    ],
    [
      'drop of a NOT VALID one: rollback NOT VALID only',
      { kind: 'drop_foreign_key', schema: H, table: 'child', foreignKey: fk({ notValid: true }) },
      [step('contract', 1, DROP, [`${ADD} NOT VALID`], 'ACCESS EXCLUSIVE', both, ['ACCESS_EXCLUSIVE_LOCK'])],
    ],
    [
      'validate: contract of this release; rollback DROP + ADD NOT VALID',
      { kind: 'validate_foreign_key', schema: H, table: 'child', foreignKey: fk() },
      [validateStep(VALIDATE, [DROP, `${ADD} NOT VALID`], C)],
    ],
  ])('%s', (_, change, steps) => {
    const handler = change.kind === 'drop_foreign_key' ? h.drop_foreign_key : h.validate_foreign_key;
    expect(phasesOf(handler, change, context(world, world))).toEqual(steps);
  });

  it('a drop requires every key of the source it could use, so it runs before their drops', () => {
    const [drop] = h.drop_foreign_key.contract(
      { kind: 'drop_foreign_key', schema: H, table: 'child', foreignKey: fk() },
      context(world, db()),
    );
    expect(drop!.drops).toEqual([key.constraint(H, 'child', 'child→parent')]);
    expect(drop!.requires).toEqual(
      expect.arrayContaining([key.index(H, 'Parent pkey'), key.constraint(H, 'Parent ñ', 'Parent pkey')]),
    );
  });
});

describe('checks', () => {
  const items = table('Items', [notNull('id'), col('Price', 'numeric'), col('qty')]);
  const ctx = context(app(items), app(items));
  const T = 'app."Items"';
  const ck = check('Price "sane"', '(("Price" > (0)::numeric) AND (qty IS NOT NULL))');
  const ADDC = `ALTER TABLE ${T} ADD CONSTRAINT "Price ""sane""" CHECK ((("Price" > (0)::numeric) AND (qty IS NOT NULL)))`;
  const DROPC = `ALTER TABLE ${T} DROP CONSTRAINT "Price ""sane"""`;
  const VALIDATEC = `ALTER TABLE ${T} VALIDATE CONSTRAINT "Price ""sane"""`;
  const addC = (c: Check): AddCheck => ({ kind: 'add_check', schema: 'app', table: 'Items', check: c });

  it.each<[string, AddCheck | DropCheck | ValidateCheck, PlanContext, object[]]>([
    [
      'add: NOT VALID in expand (brief ACCESS EXCLUSIVE, user SQL), VALIDATE in contract',
      addC(ck),
      ctx,
      [
        step('expand', 0, `${ADDC} NOT VALID`, [DROPC], 'ACCESS EXCLUSIVE', [T], ['ACCESS_EXCLUSIVE_LOCK', 'USER_SQL']),
        validateStep(VALIDATEC, [DROPC, `${ADDC} NOT VALID`], T, ['CORRECTNESS', 'FULL_SCAN', 'USER_SQL']),
      ],
    ],
    [
      'add, declared NOT VALID: never validated',
      addC({ ...ck, notValid: true }),
      ctx,
      [step('expand', 0, `${ADDC} NOT VALID`, [DROPC], 'ACCESS EXCLUSIVE', [T], ['ACCESS_EXCLUSIVE_LOCK', 'USER_SQL'])],
    ],
    [
      'add, NO INHERIT, on a table created by this plan: valid at once',
      addC({ ...ck, noInherit: true }),
      context(db(), app(items), { newTables: new Set(['app.Items']) }),
      [step('expand', 0, `${ADDC} NO INHERIT`, [DROPC], 'ACCESS EXCLUSIVE', [], ['USER_SQL'])],
    ],
    [
      'drop: next release; rollback NOT VALID then VALIDATE',
      { kind: 'drop_check', schema: 'app', table: 'Items', check: ck },
      ctx,
      [
        step(
          'contract',
          1,
          DROPC,
          [`${ADDC} NOT VALID`, VALIDATEC],
          'ACCESS EXCLUSIVE',
          [T],
          ['ACCESS_EXCLUSIVE_LOCK'],
        ),
      ],
    ],
    [
      'drop of a NOT VALID one: rollback NOT VALID only',
      { kind: 'drop_check', schema: 'app', table: 'Items', check: { ...ck, notValid: true } },
      ctx,
      [step('contract', 1, DROPC, [`${ADDC} NOT VALID`], 'ACCESS EXCLUSIVE', [T], ['ACCESS_EXCLUSIVE_LOCK'])],
    ],
    [
      'validate: contract of this release; rollback DROP + ADD NOT VALID',
      { kind: 'validate_check', schema: 'app', table: 'Items', check: ck },
      ctx,
      [validateStep(VALIDATEC, [DROPC, `${ADDC} NOT VALID`], T, ['CORRECTNESS', 'FULL_SCAN', 'USER_SQL'])],
    ],
  ])('%s', (_, change, c, steps) => {
    const handler = { add_check: h.add_check, drop_check: h.drop_check, validate_check: h.validate_check }[change.kind];
    expect(phasesOf(handler, change, c)).toEqual(steps);
  });

  it('requires the columns the expression mentions (quoted or bare), so a drop runs before DROP COLUMN', () => {
    const [add] = h.add_check.expand(addC(ck), ctx);
    expect(add!.requires).toEqual([
      key.table('app', 'Items'),
      key.column('app', 'Items', 'Price'),
      key.column('app', 'Items', 'qty'),
    ]);
    const [drop] = h.drop_check.contract({ kind: 'drop_check', schema: 'app', table: 'Items', check: ck }, ctx);
    expect(drop!.drops).toEqual([key.constraint('app', 'Items', 'Price "sane"')]);
    expect(drop!.requires).toEqual(add!.requires);
  });
});
