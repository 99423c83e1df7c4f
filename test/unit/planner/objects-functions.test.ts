// Function handlers: the stored definition passed through, rollbacks by identity arguments, what a function
// needs to exist first, and what CREATE OR REPLACE cannot do.
import { describe, expect, it } from 'vitest';
import type { Function } from '../../../src/schema/model/model.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { col, context, db, enumType, keys, schema, shown, steps, table } from './objects-fixtures.js';

const def = (name: string, args: string, returns: string, body: string, language = 'plpgsql'): Function => ({
  kind: 'function',
  name,
  args,
  definition: `CREATE OR REPLACE FUNCTION ${name}(${args})\n RETURNS ${returns}\n LANGUAGE ${language}\nAS $function$${body}$function$\n`,
});
const hostile = def('"Fn Ü"."say ""hi"""', "who text DEFAULT 'it''s'::text", 'text', 'BEGIN RETURN who; END');
const H_DEF = `CREATE OR REPLACE FUNCTION "Fn Ü"."say ""hi"""(who text DEFAULT 'it''s'::text)\n RETURNS text\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN who; END$function$`;
const model = { ...hostile, name: 'say "hi"', args: 'who text' };
const x = context(db());

describe('create_function and drop_function', () => {
  it('create: the stored statement, without its trailing newline; rollback by identity arguments', () => {
    const drafts = steps(H.create_function, { kind: 'create_function', schema: 'Fn Ü', function: model }, x);
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'create_function',
        sql: H_DEF,
        rollback: ['DROP FUNCTION "Fn Ü"."say ""hi"""(who text)'],
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: ['USER_SQL'],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [key.function('Fn Ü', 'say "hi"', 'who text')],
      requires: [key.schema('Fn Ü')],
      drops: [],
    });
  });

  it('drop: the next release; the rollback is the source definition', () => {
    const drafts = steps(H.drop_function, { kind: 'drop_function', schema: 'Fn Ü', function: model }, x);
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'contract',
        releaseOffset: 1,
        action: 'drop_function',
        sql: 'DROP FUNCTION "Fn Ü"."say ""hi"""(who text)',
        rollback: [H_DEF],
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: [],
      },
    ]);
    expect(keys(drafts[0]!)).toEqual({
      creates: [],
      requires: [key.schema('Fn Ü')],
      drops: [key.function('Fn Ü', 'say "hi"', 'who text')],
    });
  });

  const target = db(
    schema('app', {
      enums: [enumType('kind', ['a'])],
      tables: [table('items', [col('id')]), table('items2', [col('id')])],
    }),
  );
  it.each([
    {
      name: 'types in the signature, any language',
      f: def('app.f', 'k app.kind', 'SETOF app.items', 'BEGIN END'),
      requires: [key.type('app', 'kind'), key.table('app', 'items')],
    },
    {
      name: 'plpgsql bodies are not parsed at creation',
      f: def('app.f', '', 'bigint', 'SELECT count(*) FROM app.items'),
      requires: [],
    },
    {
      name: 'SQL bodies are',
      f: def('app.f', '', 'bigint', 'SELECT count(*) FROM app.items', 'sql'),
      requires: [key.table('app', 'items')],
    },
    {
      name: 'a longer name is another name',
      f: def('app.f', '', 'bigint', 'SELECT count(*) FROM app.items2x', 'sql'),
      requires: [],
    },
    { name: 'its own name is no dependency', f: def('app.items', '', 'bigint', 'SELECT 1', 'sql'), requires: [] },
    { name: 'nor in a signature', f: def('app.items', '', 'trigger', 'BEGIN END'), requires: [] },
  ])('requires what it names: $name', ({ f, requires }) => {
    const [d] = H.create_function.expand(
      { kind: 'create_function', schema: 'app', function: { ...f, name: 'f' } },
      context(db(), target),
    );
    expect(d!.requires).toEqual([key.schema('app'), ...requires]);
  });
});

describe('replace_function', () => {
  const from = def('app.f', 'a integer', 'integer', 'BEGIN RETURN a; END');
  const to = def('app.f', 'a integer', 'integer', 'BEGIN RETURN a + 1; END');
  const replace = (f: Function, t: Function) => ({
    kind: 'replace_function' as const,
    schema: 'app',
    from: { ...f, name: 'f' },
    to: { ...t, name: 'f' },
  });

  it('expand replaces; the rollback replaces back', () => {
    const drafts = steps(H.replace_function, replace(from, to), x);
    expect(drafts.map(shown)).toEqual([
      {
        phase: 'expand',
        releaseOffset: 0,
        action: 'replace_function',
        sql: to.definition.trim(),
        rollback: [from.definition.trim()],
        lock: 'none',
        lockedTables: [],
        transactional: true,
        hazards: ['USER_SQL'],
      },
    ]);
    expect(drafts[0]!.requires).toEqual([key.function('app', 'f', 'a integer')]);
    expect(H.replace_function.validate(replace(from, to), x)).toEqual([]);
  });

  it.each([
    {
      name: 'a different result type',
      t: def('app.f', 'a integer', 'bigint', 'BEGIN RETURN a; END'),
      message:
        'function app.f(a integer) changes its result type from integer to bigint, which CREATE OR REPLACE cannot do (and DROP FUNCTION would break its callers)',
    },
    {
      name: 'a different table result',
      t: def('app.f', 'a integer', 'TABLE(x integer)', 'BEGIN END'),
      message:
        'function app.f(a integer) changes its result type from integer to TABLE(x integer), which CREATE OR REPLACE cannot do (and DROP FUNCTION would break its callers)',
    },
    {
      name: 'a default added (its rollback would remove it)',
      t: { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 1)') },
      message:
        'function app.f(a integer) changes which parameters have defaults; CREATE OR REPLACE cannot remove a default, so either the change or its rollback would fail',
    },
  ])('validate refuses $name', ({ t, message }) => {
    const problems = H.replace_function.validate(replace(from, t), x);
    expect(problems.map((p) => [p.message, p.fix])).toEqual([
      [message, 'give the new version another name (add it, move callers to it, drop the old one in a later release)'],
    ]);
  });

  it('validate accepts a changed default value', () => {
    const a = { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 1)') };
    const b = { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 2)') };
    expect(H.replace_function.validate(replace(a, b), x)).toEqual([]);
  });
});
