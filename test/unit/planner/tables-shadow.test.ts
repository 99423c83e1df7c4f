// The two-column recipe: rename_column and alter_column_type (not binary-coercible), their exact SQL, and what
// validate() refuses. Other column changes of a rebuilt column leave it to the recipe.
import { describe, expect, it } from 'vitest';
import { key } from '../../../src/planner/keys.js';
import type { Column, Table } from '../../../src/schema/model/model.js';
import { diff } from '../../../src/diff/index.js';
import {
  H,
  HQ,
  check,
  col,
  context,
  fk,
  hostile,
  idx,
  notNull,
  pk,
  planOf,
  problems,
  shape,
  sql,
  table,
  trigger,
  uq,
} from './tables-fixtures.js';

const T = `${HQ}."Orders"`;
const orders = (amount: Column, extra: Partial<Table> = {}): Table =>
  table('Orders', [notNull('id', 'bigint'), amount, col('Note é', 'text')], {
    primaryKey: pk('Orders_pkey', ['id']),
    ...extra,
  });

describe('rename_column', () => {
  const from = orders(notNull('amount', 'integer', { default: '0', comment: 'cents' }), {
    indexes: [idx('Amount idx', ['amount'], { where: '(amount > 5)', comment: 'partial' })],
    checks: [check('pos', '(amount >= 0)')],
  });
  const to = orders(notNull('Total Ç', 'integer', { default: '0', comment: 'cents', renamedFrom: 'amount' }), {
    indexes: [idx('Amount idx', ['Total Ç'], { where: '("Total Ç" > 5)', comment: 'partial' })],
    checks: [check('pos', '("Total Ç" >= 0)')],
  });
  const p = planOf('rename_column', hostile(from), hostile(to));
  const N = '"Total Ç"';

  it('has the shape of the recipe: expand, backfill, validate, then the next release', () => {
    expect(p.problems).toEqual([]);
    expect(p.steps.map(shape)).toEqual([
      '0/expand add_shadow_column [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/expand create_sync_function',
      '0/expand create_sync_trigger [SHARE ROW EXCLUSIVE]',
      '0/expand enable_always_sync_trigger [SHARE ROW EXCLUSIVE]',
      '0/expand comment_column',
      '0/expand add_not_null_not_valid [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/expand create_index_concurrently [SHARE UPDATE EXCLUSIVE, non-transactional] INDEX_BUILD',
      '0/expand add_check_not_valid [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/backfill backfill [ROW EXCLUSIVE]',
      '0/contract validate_not_null [SHARE UPDATE EXCLUSIVE] CORRECTNESS,FULL_SCAN',
      '0/contract set_not_null [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/contract drop_not_null_check [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/contract validate_check [SHARE UPDATE EXCLUSIVE] CORRECTNESS,FULL_SCAN',
      '1/contract retire_old_column [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '1/contract drop_sync_function',
      '1/contract drop_index_concurrently [SHARE UPDATE EXCLUSIVE, non-transactional]',
      '1/contract drop_column [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,DELETES_DATA',
    ]);
  });

  it('adds the new column without default (a non-NULL value on INSERT means the new version wrote it)', () => {
    expect(sql(p.steps[0]!)).toEqual({
      sql: `ALTER TABLE ${T} ADD COLUMN ${N} integer`,
      rollback: [`ALTER TABLE ${T} DROP COLUMN ${N}`],
    });
  });

  it('syncs both ways with the identity, firing last among BEFORE triggers', () => {
    const fn = `${HQ}."_sy_sync_Orders_Total Ç"`;
    expect(p.steps[1]?.sql).toBe(
      [
        `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $sy$`,
        '#variable_conflict use_column',
        'BEGIN',
        "  IF TG_OP = 'INSERT' THEN",
        `    IF NEW.${N} IS NULL THEN`,
        `      NEW.${N} := NEW.amount;`,
        `    ELSIF NEW.${N} IS DISTINCT FROM NEW.amount THEN`,
        `      NEW.amount := NEW.${N};`,
        '    END IF;',
        `  ELSIF NEW.amount IS DISTINCT FROM OLD.amount AND NEW.${N} IS NOT DISTINCT FROM OLD.${N} THEN`,
        `    NEW.${N} := NEW.amount;`,
        `  ELSIF NEW.${N} IS DISTINCT FROM OLD.${N} AND NEW.amount IS NOT DISTINCT FROM OLD.amount AND NEW.${N} IS DISTINCT FROM NEW.amount THEN`,
        `    NEW.amount := NEW.${N};`,
        `  ELSIF NEW.${N} IS NULL THEN`,
        `    NEW.${N} := NEW.amount;`,
        '  END IF;',
        '  RETURN NEW;',
        'END',
        '$sy$',
      ].join('\n'),
    );
    expect(p.steps[2]?.sql).toBe(
      `CREATE TRIGGER "zz_sy_sync_Total Ç" BEFORE INSERT OR UPDATE ON ${T} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
    expect(p.steps[3]?.sql).toBe(`ALTER TABLE ${T} ENABLE ALWAYS TRIGGER "zz_sy_sync_Total Ç"`);
  });

  it('copies the index and the check onto the new column under temporary names', () => {
    expect(p.steps.slice(6, 8).map(sql)).toEqual([
      {
        sql: `CREATE INDEX CONCURRENTLY "Amount idx__new" ON ${T} USING btree (${N}) WHERE (${N} > 5)`,
        rollback: [`DROP INDEX CONCURRENTLY ${HQ}."Amount idx__new"`],
      },
      {
        sql: `ALTER TABLE ${T} ADD CONSTRAINT pos__new CHECK ((${N} >= 0)) NOT VALID`,
        rollback: [`ALTER TABLE ${T} DROP CONSTRAINT pos__new`],
      },
    ]);
  });

  it('backfills where the new column differs', () => {
    const b = p.steps[8];
    expect(b?.sql).toBe(`UPDATE ${T} SET ${N} = amount WHERE ${N} IS DISTINCT FROM (amount)`);
    expect(b?.backfill).toEqual({
      schema: H,
      table: 'Orders',
      key: ['id'],
      set: [{ column: 'Total Ç', expression: 'amount' }],
      where: `${N} IS DISTINCT FROM (amount)`,
    });
  });

  it('retires the old column in one transaction, and its rollback restores rows written since', () => {
    const retire = p.steps[13]!;
    expect(retire.sql).toBe(
      [
        'DO $sy$',
        'BEGIN',
        `  DROP TRIGGER "zz_sy_sync_Total Ç" ON ${T};`,
        `  ALTER TABLE ${T} ALTER COLUMN amount DROP DEFAULT;`,
        `  ALTER TABLE ${T} ALTER COLUMN amount DROP NOT NULL;`,
        `  ALTER TABLE ${T} DROP CONSTRAINT pos;`,
        `  ALTER TABLE ${T} RENAME CONSTRAINT pos__new TO pos;`,
        `  ALTER INDEX ${HQ}."Amount idx" RENAME TO "Amount idx__old";`,
        `  ALTER INDEX ${HQ}."Amount idx__new" RENAME TO "Amount idx";`,
        `  COMMENT ON INDEX ${HQ}."Amount idx" IS 'partial';`,
        `  ALTER TABLE ${T} ALTER COLUMN ${N} SET DEFAULT 0;`,
        'END',
        '$sy$',
      ].join('\n'),
    );
    expect(retire.rollback).toEqual([
      [
        'DO $sy$',
        'BEGIN',
        `  LOCK TABLE ${T} IN ACCESS EXCLUSIVE MODE;`,
        `  UPDATE ${T} SET amount = ${N} WHERE ${N} IS DISTINCT FROM (amount);`,
        `  ALTER TABLE ${T} ALTER COLUMN ${N} DROP DEFAULT;`,
        `  COMMENT ON INDEX ${HQ}."Amount idx" IS NULL;`,
        `  ALTER INDEX ${HQ}."Amount idx" RENAME TO "Amount idx__new";`,
        `  ALTER INDEX ${HQ}."Amount idx__old" RENAME TO "Amount idx";`,
        `  ALTER TABLE ${T} RENAME CONSTRAINT pos TO pos__new;`,
        `  ALTER TABLE ${T} ADD CONSTRAINT pos CHECK ((amount >= 0)) NOT VALID;`,
        `  ALTER TABLE ${T} ALTER COLUMN amount SET NOT NULL;`,
        `  ALTER TABLE ${T} ALTER COLUMN amount SET DEFAULT 0;`,
        `  CREATE TRIGGER "zz_sy_sync_Total Ç" BEFORE INSERT OR UPDATE ON ${T} FOR EACH ROW EXECUTE FUNCTION ${HQ}."_sy_sync_Orders_Total Ç"();`,
        `  ALTER TABLE ${T} ENABLE ALWAYS TRIGGER "zz_sy_sync_Total Ç";`,
        'END',
        '$sy$',
      ].join('\n'),
      `ALTER TABLE ${T} VALIDATE CONSTRAINT pos`,
    ]);
    expect(retire.hazards).not.toContain('BREAKS_OLD_APP');
  });

  it('drops the old index and column last; their rollbacks rebuild them', () => {
    expect(p.steps.slice(15).map(sql)).toEqual([
      {
        sql: `DROP INDEX CONCURRENTLY ${HQ}."Amount idx__old"`,
        rollback: [
          `CREATE INDEX CONCURRENTLY "Amount idx__old" ON ${T} USING btree (amount) WHERE (amount > 5)`,
          `COMMENT ON INDEX ${HQ}."Amount idx__old" IS 'partial'`,
        ],
      },
      {
        sql: `ALTER TABLE ${T} DROP COLUMN amount`,
        rollback: [
          `ALTER TABLE ${T} ADD COLUMN amount integer`,
          `UPDATE ${T} SET amount = ${N}`,
          `COMMENT ON COLUMN ${T}.amount IS 'cents'`,
        ],
      },
    ]);
  });

  it('orders the next release by keys: switch, then the function, the old index, the old column', () => {
    const [retire, fn, index, column] = p.steps.slice(13);
    expect(retire?.requires).toContain(key.function(H, '_sy_sync_Orders_Total Ç', ''));
    expect(fn?.drops).toEqual([key.function(H, '_sy_sync_Orders_Total Ç', '')]);
    expect(retire?.creates).toContain(key.index(H, 'Amount idx__old'));
    expect(index?.drops).toEqual([key.index(H, 'Amount idx__old')]);
    expect(index?.requires).toEqual([key.column(H, 'Orders', 'amount')]);
    expect(column?.drops).toEqual([key.column(H, 'Orders', 'amount')]);
  });

  it('leaves the column attributes to the recipe', () => {
    const retyped = orders(col('Total Ç', 'bigint', { renamedFrom: 'amount', down: '"Total Ç"::integer' }));
    const q = planOf('alter_column_type', hostile(orders(col('amount', 'integer'))), hostile(retyped));
    expect(q.steps).toEqual([]);
    expect(q.problems).toEqual([]);
    const r = planOf('rename_column', hostile(orders(col('amount', 'integer'))), hostile(retyped));
    expect(r.steps[0]?.sql).toBe(`ALTER TABLE ${T} ADD COLUMN ${N} bigint`);
    expect(r.steps.find((s) => s.phase === 'backfill')?.sql).toBe(
      `UPDATE ${T} SET ${N} = amount::bigint WHERE ${N} IS DISTINCT FROM (amount::bigint)`,
    );
  });
});

describe('alter_column_type with the five steps', () => {
  const from = orders(notNull('amount', 'integer', { default: '0' }), { indexes: [idx('amount_idx', ['amount'])] });
  const to = orders(notNull('amount', 'bigint', { default: '0', down: 'amount::integer' }), {
    indexes: [idx('amount_idx', ['amount'])],
  });

  it('adds amount__new, swaps in the next release, drops amount__old one release later', () => {
    const p = planOf('alter_column_type', hostile(from), hostile(to));
    expect(p.problems).toEqual([]);
    expect(p.steps.map(shape)).toEqual([
      '0/expand add_shadow_column [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/expand create_sync_function USER_SQL',
      '0/expand create_sync_trigger [SHARE ROW EXCLUSIVE]',
      '0/expand enable_always_sync_trigger [SHARE ROW EXCLUSIVE]',
      '0/expand add_not_null_not_valid [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/expand create_index_concurrently [SHARE UPDATE EXCLUSIVE, non-transactional] INDEX_BUILD',
      '0/backfill backfill [ROW EXCLUSIVE] CORRECTNESS',
      '0/contract validate_not_null [SHARE UPDATE EXCLUSIVE] CORRECTNESS,FULL_SCAN',
      '0/contract set_not_null [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '0/contract drop_not_null_check [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK',
      '1/contract swap_columns [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,BREAKS_OLD_APP',
      '1/contract drop_sync_function',
      '2/contract drop_index_concurrently [SHARE UPDATE EXCLUSIVE, non-transactional]',
      '2/contract drop_column [ACCESS EXCLUSIVE] ACCESS_EXCLUSIVE_LOCK,DELETES_DATA',
    ]);
    expect(p.steps[0]?.sql).toBe(`ALTER TABLE ${T} ADD COLUMN amount__new bigint`);
    // `down` is written over the target's names: `amount` is the new value, amount__new while both exist.
    expect(p.steps[1]?.sql).toContain('NEW.amount := (SELECT (amount__new::integer) FROM (SELECT NEW.*) AS _sy_row);');
    expect(p.steps[1]?.sql).toContain('NEW.amount__new := (SELECT (amount::bigint) FROM (SELECT NEW.*) AS _sy_row);');
    expect(p.steps[5]?.sql).toBe(`CREATE INDEX CONCURRENTLY amount_idx__new ON ${T} USING btree (amount__new)`);
    expect(p.steps[10]?.sql).toBe(
      [
        'DO $sy$',
        'BEGIN',
        `  DROP TRIGGER zz_sy_sync_amount ON ${T};`,
        `  ALTER TABLE ${T} ALTER COLUMN amount DROP DEFAULT;`,
        `  ALTER TABLE ${T} ALTER COLUMN amount DROP NOT NULL;`,
        `  ALTER INDEX ${HQ}.amount_idx RENAME TO amount_idx__old;`,
        `  ALTER INDEX ${HQ}.amount_idx__new RENAME TO amount_idx;`,
        `  ALTER TABLE ${T} RENAME COLUMN amount TO amount__old;`,
        `  ALTER TABLE ${T} RENAME COLUMN amount__new TO amount;`,
        `  ALTER TABLE ${T} ALTER COLUMN amount SET DEFAULT 0;`,
        'END',
        '$sy$',
      ].join('\n'),
    );
    expect(p.steps[10]?.rollback[0]).toContain(
      `UPDATE ${T} SET amount__old = amount::integer WHERE amount IS DISTINCT FROM (amount__old::bigint);`,
    );
    expect(p.steps.slice(12).map(sql)).toEqual([
      {
        sql: `DROP INDEX CONCURRENTLY ${HQ}.amount_idx__old`,
        rollback: [`CREATE INDEX CONCURRENTLY amount_idx__old ON ${T} USING btree (amount__old)`],
      },
      {
        sql: `ALTER TABLE ${T} DROP COLUMN amount__old`,
        rollback: [`ALTER TABLE ${T} ADD COLUMN amount__old integer`, `UPDATE ${T} SET amount__old = amount::integer`],
      },
    ]);
  });

  it('renames the NOT NULL constraint to its default name at the swap on 18', () => {
    const p = planOf('alter_column_type', hostile(from), hostile(to), 180000);
    expect(p.steps.find((s) => s.action === 'swap_columns')?.sql).toContain(
      `ALTER TABLE ${T} RENAME CONSTRAINT "Orders_amount__new_not_null" TO "Orders_amount_not_null";`,
    );
  });

  it('leaves the new default, NOT NULL and the like to the recipe', () => {
    const src = hostile(orders(col('amount', 'integer', { default: '1' })));
    const tgt = hostile(orders(notNull('amount', 'bigint', { default: '2', down: 'amount::integer' })));
    expect(planOf('set_default', src, tgt).steps).toEqual([]);
    expect(planOf('set_not_null', src, tgt).steps).toEqual([]);
  });
});

describe('validate() of the two-column recipe', () => {
  const amount = col('amount', 'integer');
  const retype = (
    extra: Partial<Table> = {},
    targetExtra: Partial<Table> = extra,
    version = 170004,
    down: string | null = 'amount::integer',
  ) =>
    planOf(
      'alter_column_type',
      hostile(orders(amount, extra)),
      hostile(orders(col('amount', 'bigint', down !== null ? { down } : {}), targetExtra)),
      version,
    ).problems;
  const rename = (extra: Partial<Table> = {}, targetExtra: Partial<Table> = extra) =>
    planOf(
      'rename_column',
      hostile(orders(amount, extra)),
      hostile(orders(col('total', 'integer', { renamedFrom: 'amount' }), targetExtra)),
    ).problems;
  const fixes = (ps: readonly { fix: string }[]) => ps.map((x) => x.fix);

  it.each([
    ['a missing `down`', () => retype({}, {}, 170004, null), ['add `down:` computing the old value from the new one']],
    [
      'a primary key on the column',
      () => retype({ primaryKey: pk('Orders_pkey', ['amount']) }),
      [expect.stringMatching(/replace the constraint with a unique index/)],
    ],
    [
      'a unique constraint on the column',
      () => rename({ unique: [uq('u', ['amount'])] }, { unique: [uq('u', ['total'])] }),
      [expect.stringMatching(/replace the constraint/)],
    ],
    [
      'a foreign key on the column',
      () => retype({ foreignKeys: [fk('f', ['amount'], 'Orders', ['id'])] }),
      [expect.stringMatching(/drop the foreign key/)],
    ],
    [
      'a generated column computed from it',
      () =>
        planOf(
          'rename_column',
          hostile(
            table('Orders', [notNull('id', 'bigint'), amount, col('g', 'integer', { generated: '(amount * 2)' })], {
              primaryKey: pk('Orders_pkey', ['id']),
            }),
          ),
          hostile(
            table(
              'Orders',
              [
                notNull('id', 'bigint'),
                col('total', 'integer', { renamedFrom: 'amount' }),
                col('g', 'integer', { generated: '(total * 2)' }),
              ],
              { primaryKey: pk('Orders_pkey', ['id']) },
            ),
          ),
        ).problems,
      [expect.stringMatching(/drop the generated column/)],
    ],
    [
      'a trigger testing it',
      () => retype({ triggers: [trigger('t', { when: '(new.amount > 0)' })] }),
      [expect.stringMatching(/drop the trigger/)],
    ],
    [
      'an index on it redefined by the plan',
      () => retype({ indexes: [idx('i', ['amount'])] }, { indexes: [idx('i', ['amount'], { unique: true })] }),
      ['change the index or check in a separate plan'],
    ],
    [
      'a new index on a retyped column',
      () => retype({}, { indexes: [idx('i', ['amount'])] }),
      ['add the index in the next plan'],
    ],
    [
      'CONCURRENTLY on 14.0 to 14.3',
      () => retype({ indexes: [idx('i', ['amount'])] }, { indexes: [idx('i', ['amount'])] }, 140002),
      ['upgrade to 14.4+'],
    ],
    [
      'a table without key',
      () =>
        planOf(
          'rename_column',
          hostile(table('K', [amount])),
          hostile(table('K', [col('total', 'integer', { renamedFrom: 'amount' })])),
        ).problems,
      ['add a primary key to the table in an earlier plan'],
    ],
  ])('refuses %s', (_what, problems, expected) => {
    expect(fixes(problems())).toEqual(expected);
  });

  it('refuses an identity column', () => {
    const p = planOf(
      'rename_column',
      hostile(orders(notNull('amount', 'integer', { identity: 'always' }))),
      hostile(orders(notNull('total', 'integer', { identity: 'always', renamedFrom: 'amount' }))),
    );
    expect(p.problems.map((x) => x.message)).toEqual([expect.stringMatching(/identity and generated columns/)]);
  });

  it('accepts a rename with a new index on the new name (add_index builds it there)', () => {
    expect(rename({}, { indexes: [idx('i', ['total'])] })).toEqual([]);
  });

  it('refuses when an index uses two columns rebuilt by the same plan', () => {
    const two = (a: string, b: string, hints: [Partial<Column>, Partial<Column>]) =>
      hostile(
        table('Orders', [notNull('id', 'bigint'), col(a, 'integer', hints[0]), col(b, 'integer', hints[1])], {
          primaryKey: pk('Orders_pkey', ['id']),
          indexes: [idx('both', [a, b])],
        }),
      );
    const ctx = context(
      two('amount', 'x', [{}, {}]),
      two('total', 'x2', [{ renamedFrom: 'amount' }, { renamedFrom: 'x' }]),
    );
    const renames = diff(ctx.source, ctx.target).filter((c) => c.kind === 'rename_column');
    expect(renames.flatMap((c) => fixes(problems(c, ctx)))).toEqual([
      'change one column of the index per plan',
      'change one column of the index per plan',
    ]);
  });
});
