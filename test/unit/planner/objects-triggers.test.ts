// Trigger handlers: CREATE TRIGGER and its mode as separate steps, drops with their exact undo, modes in place.
import { describe, expect, it } from 'vitest';
import type { TriggerEnabled } from '../../../src/schema/model/model.js';
import { objectHandlers as H } from '../../support/families.js';
import { whenColumns } from '../../../src/planner/recipes/triggers.js';
import { key } from '../../../src/planner/keys.js';
import { milestone } from '../../../src/planner/recipes/dependents.js';
import { col, context, db, fn, keys, schema, shown, steps, table, trigger } from './objects-fixtures.js';

const S = 'Tr Ü';
const T = '"Tr Ü"."T ""t"""';
const withFn = db(
  schema('app', { functions: [fn('touch')] }),
  schema(S, { tables: [table('T "t"', [col('id'), col('Väl'), col('v')])] }),
);
const sync = trigger('Sync "it"', {
  timing: 'after',
  events: ['insert', 'update'],
  when: '(new."Väl" IS DISTINCT FROM old.v)',
  enabled: 'always',
});
const CREATE = `CREATE TRIGGER "Sync ""it""" AFTER INSERT OR UPDATE ON ${T} FOR EACH ROW WHEN ((new."Väl" IS DISTINCT FROM old.v)) EXECUTE FUNCTION app.touch()`;
const brief = (lock: string, lockedTables: string[], hazards: string[] = []) => ({
  lock,
  lockedTables,
  transactional: true,
  hazards,
});

describe('create_trigger', () => {
  it('created in the default mode, then set to its own: two steps', () => {
    const drafts = steps(
      H.create_trigger,
      { kind: 'create_trigger', schema: S, table: 'T "t"', trigger: sync },
      context(db(), withFn),
    );
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'create_trigger',
        sql: CREATE,
        rollback: [`DROP TRIGGER "Sync ""it""" ON ${T}`],
        ...brief('SHARE ROW EXCLUSIVE', [T]),
      },
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'enable_trigger',
        sql: `ALTER TABLE ${T} ENABLE ALWAYS TRIGGER "Sync ""it"""`,
        rollback: [`ALTER TABLE ${T} ENABLE TRIGGER "Sync ""it"""`],
        ...brief('SHARE ROW EXCLUSIVE', [T]),
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [key.trigger(S, 'T "t"', 'Sync "it"')],
      requires: [
        key.table(S, 'T "t"'),
        key.function('app', 'touch', ''),
        key.column(S, 'T "t"', 'Väl'),
        key.column(S, 'T "t"', 'v'),
      ],
      drops: [],
    });
    expect(drafts[1]!.requires).toEqual([key.trigger(S, 'T "t"', 'Sync "it"')]);
  });

  it('on a table created by the plan: no lock on an existing table; a function outside the model is not required', () => {
    const plain = trigger('t_touch', {
      function: { schema: 'pg_catalog', name: 'suppress_redundant_updates_trigger' },
    });
    const drafts = steps(
      H.create_trigger,
      { kind: 'create_trigger', schema: 'app', table: 't', trigger: plain },
      context(db(), db(), 170000, ['app.t']),
    );
    expect(drafts.map((d) => [d.sql, d.lock, d.lockedTables])).toEqual([
      [
        'CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger()',
        'SHARE ROW EXCLUSIVE',
        [],
      ],
    ]);
    expect(drafts[0]!.requires).toEqual([key.table('app', 't')]);
  });
});

describe('drop_trigger', () => {
  it.each<{ enabled: TriggerEnabled; rollback: string[] }>([
    { enabled: 'origin', rollback: [CREATE] },
    { enabled: 'replica', rollback: [CREATE, `ALTER TABLE ${T} ENABLE REPLICA TRIGGER "Sync ""it"""`] },
    { enabled: 'disabled', rollback: [CREATE, `ALTER TABLE ${T} DISABLE TRIGGER "Sync ""it"""`] },
  ])('in mode $enabled: the next release; the rollback recreates it in that mode', ({ enabled, rollback }) => {
    const drafts = steps(
      H.drop_trigger,
      { kind: 'drop_trigger', schema: S, table: 'T "t"', trigger: { ...sync, enabled } },
      context(withFn, db()),
    );
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_trigger',
        sql: `DROP TRIGGER "Sync ""it""" ON ${T}`,
        rollback,
        ...brief('ACCESS EXCLUSIVE', [T], ['ACCESS_EXCLUSIVE_LOCK']),
      },
    ]);
    expect(drafts[0]!.drops).toEqual([key.trigger(S, 'T "t"', 'Sync "it"')]);
    // Before the drop of its function and table, so that the rollback finds both.
    expect(drafts[0]!.requires.slice(0, 2)).toEqual([key.table(S, 'T "t"'), key.function('app', 'touch', '')]);
  });
});

describe('a trigger redefined under the same name (issue #14: the create failed, "already exists")', () => {
  const old = trigger('Sync "it"', { timing: 'before', events: ['update'], enabled: 'replica' });
  const onTable = (tr: typeof old) =>
    db(
      schema('app', { functions: [fn('touch')] }),
      schema(S, { tables: [table('T "t"', [col('id'), col('Väl'), col('v')], { triggers: [tr] })] }),
    );
  const change = { kind: 'create_trigger', schema: S, table: 'T "t"', trigger: sync } as const;
  const drop = { kind: 'drop_trigger', schema: S, table: 'T "t"', trigger: old } as const;
  const OLD = `CREATE OR REPLACE TRIGGER "Sync ""it""" BEFORE UPDATE ON ${T} FOR EACH ROW EXECUTE FUNCTION app.touch()`;
  const REPLICA = `ALTER TABLE ${T} ENABLE REPLICA TRIGGER "Sync ""it"""`;
  const ALWAYS = `ALTER TABLE ${T} ENABLE ALWAYS TRIGGER "Sync ""it"""`;

  it('PostgreSQL 14+: CREATE OR REPLACE TRIGGER in expand, rolled back to the old definition and mode; no drop', () => {
    const ctx = context(onTable(old), onTable(sync), 140000);
    expect(steps(H.drop_trigger, drop, ctx)).toEqual([]);
    expect(steps(H.create_trigger, change, ctx).map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'replace_trigger',
        sql: CREATE.replace('CREATE TRIGGER', 'CREATE OR REPLACE TRIGGER'),
        rollback: [OLD, REPLICA],
        ...brief('SHARE ROW EXCLUSIVE', [T]),
      },
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'enable_trigger',
        sql: ALWAYS,
        rollback: [`ALTER TABLE ${T} ENABLE TRIGGER "Sync ""it"""`],
        ...brief('SHARE ROW EXCLUSIVE', [T]),
      },
    ]);
  });

  it('PostgreSQL 12 and 13: the old one dropped in expand, just before the create (ordered by a milestone)', () => {
    const ctx = context(onTable(old), onTable(sync), 130000);
    const dropped = steps(H.drop_trigger, drop, ctx);
    expect(dropped.map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'drop_trigger',
        sql: `DROP TRIGGER "Sync ""it""" ON ${T}`,
        rollback: [OLD.replace(' OR REPLACE', ''), REPLICA],
        ...brief('ACCESS EXCLUSIVE', [T], ['ACCESS_EXCLUSIVE_LOCK']),
      },
    ]);
    const gone = milestone.gone(key.trigger(S, 'T "t"', 'Sync "it"'));
    expect(keys(dropped[0]!)).toMatchObject({ creates: [gone], drops: [] });
    const created = steps(H.create_trigger, change, ctx);
    expect(created.map((d) => [d.action, d.sql])).toEqual([
      ['create_trigger', CREATE],
      ['enable_trigger', ALWAYS],
    ]);
    expect(created[0]!.requires).toContain(gone);
  });
});

describe('enable_trigger', () => {
  it.each<{ from: TriggerEnabled; to: TriggerEnabled; sql: string; back: string }>([
    { from: 'origin', to: 'disabled', sql: 'DISABLE TRIGGER', back: 'ENABLE TRIGGER' },
    { from: 'disabled', to: 'always', sql: 'ENABLE ALWAYS TRIGGER', back: 'DISABLE TRIGGER' },
    { from: 'always', to: 'replica', sql: 'ENABLE REPLICA TRIGGER', back: 'ENABLE ALWAYS TRIGGER' },
  ])('$from to $to', ({ from, to, sql, back }) => {
    const drafts = steps(
      H.enable_trigger,
      { kind: 'enable_trigger', schema: S, table: 'T "t"', trigger: { ...sync, enabled: to }, from, to },
      context(withFn),
    );
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'enable_trigger',
        sql: `ALTER TABLE ${T} ${sql} "Sync ""it"""`,
        rollback: [`ALTER TABLE ${T} ${back} "Sync ""it"""`],
        ...brief('SHARE ROW EXCLUSIVE', [T]),
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [],
      requires: [key.table(S, 'T "t"'), key.trigger(S, 'T "t"', 'Sync "it"')],
      drops: [],
    });
  });
});

it.each([
  { when: undefined, columns: [] },
  { when: '(new.total IS DISTINCT FROM old.total)', columns: ['total'] },
  { when: '((new."Mixed ""Q""" > 0) AND (old.a_b$ IS NULL))', columns: ['Mixed "Q"', 'a_b$'] },
  { when: "(renew.x = 'new.y'::text)", columns: [] },
])('whenColumns($when)', ({ when, columns }) => {
  expect(whenColumns(when)).toEqual(columns);
});
