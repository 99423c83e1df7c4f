// Every single-statement renderer, executed on a real PostgreSQL with names that all need quoting, in the
// order the recipes use them. Exact-SQL unit tables prove the text; this proves the server accepts it.
import type pg from 'pg';
import { expect, it } from 'vitest';
import { emptyTable, type Column, type ForeignKey, type Trigger } from '../../../src/schema/model/model.js';
import { literal, qualified } from '../../../src/db/quote.js';
import * as r from '../../../src/sql/render/index.js';
import { freshDatabase } from '../../support/db.js';

const S = 'My "Schema"; ñ';
const T = 'order';
const col = (name: string, type: string, more: Partial<Column> = {}): Column => ({
  kind: 'column',
  name,
  type,
  nullable: true,
  ...more,
});
const fk: ForeignKey = {
  kind: 'foreign_key',
  name: 'Child→Order',
  columns: ['parent'],
  references: { schema: S, table: T, columns: ['a"b'] },
  onDelete: 'cascade',
  onUpdate: 'no action',
  match: 'full',
  deferrable: true,
  initiallyDeferred: true,
};
const trigger: Trigger = {
  kind: 'trigger',
  name: 'Sync "x"',
  timing: 'before',
  events: ['insert', 'update'],
  forEach: 'row',
  function: { schema: S, name: 'Sync fn' },
  enabled: 'origin',
};

async function run(client: pg.Client, ...statements: string[]): Promise<void> {
  for (const sql of statements) {
    await client.query(sql).catch((e: Error) => {
      throw new Error(`${e.message}\n  in: ${sql}`);
    });
  }
}

async function value(client: pg.Client, sql: string): Promise<unknown> {
  const { rows } = await client.query<{ v: unknown }>(sql);
  return rows[0]?.v;
}

it('runs every renderer through the add-NOT-NULL, unique, foreign key, rename and drop recipes', async () => {
  const { client } = await freshDatabase();
  const rel = literal(qualified(S, T));
  await run(
    client,
    r.createSchema(S),
    r.createEnum(S, { kind: 'enum', name: 'Mood', values: ['ok'] }),
    r.addEnumValue(S, 'Mood', "it's", { before: 'ok' }),
    r.addEnumValue(S, 'Mood', 'ñ', { after: 'ok' }),
    r.addEnumValue(S, 'Mood', 'last'),
    r.createTable(
      S,
      emptyTable(T, [col('user', 'integer', { nullable: false }), col('a"b', 'text', { collation: 'C' })]),
    ),
    // add NOT NULL column: nullable + CHECK NOT VALID, backfill, VALIDATE, SET NOT NULL, drop the check
    r.addColumn(S, T, col('Mood', `${qualified(S, 'Mood')}`)),
    r.setDefault(S, T, 'Mood', `'ok'::${qualified(S, 'Mood')}`),
    r.addCheck(S, T, { kind: 'check', name: 'Mood set', expression: '("Mood" IS NOT NULL)' }, { notValid: true }),
    `UPDATE ${qualified(S, T)} SET "Mood" = 'ok'`,
    r.validateConstraint(S, T, 'Mood set'),
    r.setNotNull(S, T, 'Mood'),
    r.dropConstraint(S, T, 'Mood set'),
    r.dropNotNull(S, T, 'Mood'),
    r.dropDefault(S, T, 'Mood'),
    // unique and primary key from concurrently built indexes
    r.createIndex(
      S,
      T,
      {
        kind: 'index',
        name: 'uq idx',
        unique: true,
        method: 'btree',
        keys: [{ column: 'user' }],
        nullsNotDistinct: true,
      },
      { concurrently: true },
    ),
    r.addUnique(
      S,
      T,
      { kind: 'unique', name: 'Order;uq', columns: ['user'], deferrable: true, initiallyDeferred: true },
      { usingIndex: 'uq idx' },
    ),
    r.createIndex(
      S,
      T,
      { kind: 'index', name: 'pk idx', unique: true, method: 'btree', keys: [{ column: 'a"b' }] },
      { concurrently: true },
    ),
    `UPDATE ${qualified(S, T)} SET "a""b" = 'x'`,
    r.addPrimaryKey(S, T, { kind: 'primary_key', name: 'Order PK', columns: ['a"b'] }, { usingIndex: 'pk idx' }),
    // foreign key NOT VALID then VALIDATE
    r.createTable(S, emptyTable('child', [col('parent', 'text')])),
    r.addForeignKey(S, 'child', fk, { notValid: true }),
    r.validateConstraint(S, 'child', fk.name),
    r.addCheck(S, 'child', { kind: 'check', name: 'positive', expression: "(parent <> ''::text)", noInherit: true }),
    // sequences
    r.createSequence(S, {
      kind: 'sequence',
      name: 'Seq;1',
      type: 'integer',
      start: '5',
      increment: '5',
      min: '5',
      max: '500',
      cache: '2',
      cycle: true,
    }),
    r.addColumn(S, 'child', col('n', 'integer', { default: `nextval(${literal(qualified(S, 'Seq;1'))}::regclass)` })),
    r.alterSequenceOwnedBy(S, 'Seq;1', { table: 'child', column: 'n' }),
    // type change, rename
    r.alterColumnType(S, 'child', 'n', 'bigint', '(n)::bigint'),
    r.renameColumn(S, 'child', 'n', 'Número'),
    r.renameTable(S, 'child', 'Child "T"'),
    // triggers and functions
    r.createFunction({
      kind: 'function',
      name: 'Sync fn',
      args: '',
      definition: `CREATE OR REPLACE FUNCTION ${qualified(S, 'Sync fn')}() RETURNS trigger LANGUAGE plpgsql AS $$begin return new; end$$;`,
    }),
    r.createTrigger(S, T, trigger),
    r.createTrigger(S, T, {
      ...trigger,
      name: 'when',
      events: ['update'],
      when: '(old."user" IS DISTINCT FROM new."user")',
    }),
    r.enableTrigger(S, T, trigger.name, 'replica'),
    r.enableTrigger(S, T, trigger.name, 'disabled'),
    r.enableTrigger(S, T, trigger.name, 'origin'),
    r.enableTrigger(S, T, trigger.name, 'always'),
    // comments on every target kind
    r.comment({ kind: 'schema', schema: S }, 's'),
    r.comment({ kind: 'table', schema: S, table: T }, "it's"),
    r.comment({ kind: 'column', schema: S, table: T, column: 'a"b' }, 'c'),
    r.comment({ kind: 'index', schema: S, name: 'Order;uq' }, 'i'),
    r.comment({ kind: 'type', schema: S, name: 'Mood' }, 'ty'),
    r.comment({ kind: 'sequence', schema: S, name: 'Seq;1' }, 'sq'),
    r.comment({ kind: 'constraint', schema: S, table: T, name: 'Order PK' }, 'pk'),
    r.comment({ kind: 'constraint', schema: S, table: T, name: 'Order PK' }, null),
  );

  expect(await value(client, `SELECT enum_range(NULL::${qualified(S, 'Mood')})::text AS v`)).toBe("{it's,ok,ñ,last}");
  expect(await value(client, `SELECT condeferred AS v FROM pg_constraint WHERE conname = 'Order;uq'`)).toBe(true);
  expect(await value(client, `SELECT contype AS v FROM pg_constraint WHERE conname = 'Order PK'`)).toBe('p');
  expect(
    await value(client, `SELECT pg_get_constraintdef(oid) AS v FROM pg_constraint WHERE conname = ${literal(fk.name)}`),
  ).toBe(
    `FOREIGN KEY (parent) REFERENCES ${qualified(S, T)}("a""b") MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED`,
  );
  expect(
    await value(client, `SELECT pg_get_serial_sequence(${literal(qualified(S, 'Child "T"'))}, 'Número') AS v`),
  ).toBe(qualified(S, 'Seq;1'));
  expect(await value(client, `SELECT tgenabled AS v FROM pg_trigger WHERE tgname = ${literal(trigger.name)}`)).toBe(
    'A',
  );
  expect(await value(client, `SELECT obj_description(${rel}::regclass, 'pg_class') AS v`)).toBe("it's");
  expect(
    await value(
      client,
      `SELECT count(*)::int AS v FROM pg_description WHERE description IN ('s', 'c', 'i', 'ty', 'sq', 'pk')`,
    ),
  ).toBe(5);

  await run(
    client,
    r.alterSequenceOwnedBy(S, 'Seq;1', null),
    r.dropTrigger(S, T, trigger.name),
    r.dropTrigger(S, T, 'when'),
    r.dropFunction(S, 'Sync fn', ''),
    r.dropConstraint(S, 'Child "T"', fk.name),
    r.dropConstraint(S, T, 'Order;uq'),
    r.createIndex(
      S,
      T,
      { kind: 'index', name: 'plain', unique: false, method: 'btree', keys: [{ expression: 'lower("a""b")' }] },
      { concurrently: true },
    ),
    r.dropIndex(S, 'plain', { concurrently: true }),
    r.createIndex(S, T, { kind: 'index', name: 'plain', unique: false, method: 'hash', keys: [{ column: 'user' }] }),
    r.dropIndex(S, 'plain'),
    r.dropColumn(S, 'Child "T"', 'Número'),
    r.dropSequence(S, 'Seq;1'),
    r.dropColumn(S, T, 'Mood'),
    r.dropType(S, 'Mood'),
    r.dropTable(S, 'Child "T"'),
    r.dropTable(S, T),
    r.dropSchema(S),
  );
  expect(await value(client, `SELECT count(*)::int AS v FROM pg_namespace WHERE nspname = ${literal(S)}`)).toBe(0);
});

it('never cascades: dropping a referenced table fails instead of taking the foreign key with it', async () => {
  const { client } = await freshDatabase();
  await run(
    client,
    r.createTable('public', {
      ...emptyTable('p', [col('id', 'integer', { nullable: false })]),
      primaryKey: { kind: 'primary_key', name: 'p_pkey', columns: ['id'] },
    }),
    r.createTable(
      'public',
      {
        ...emptyTable('c', [col('p', 'integer')]),
        foreignKeys: [
          {
            ...fk,
            name: 'c_p_fk',
            columns: ['p'],
            deferrable: false,
            initiallyDeferred: false,
            references: { schema: 'public', table: 'p', columns: ['id'] },
          },
        ],
      },
      { foreignKeys: true },
    ),
  );
  await expect(client.query(r.dropTable('public', 'p'))).rejects.toMatchObject({ code: '2BP01' });
  await expect(client.query(r.dropConstraint('public', 'p', 'p_pkey'))).rejects.toMatchObject({ code: '2BP01' });
});
