// Function handlers: the stored definition passed through, rollbacks by identity arguments, what a function
// needs to exist first, and what CREATE OR REPLACE cannot do.
import { describe, expect, it } from 'vitest';
import type { Function } from '../../../src/schema/model/model.js';
import { objectHandlers as H } from '../../support/families.js';
import { key } from '../../../src/planner/keys.js';
import { check, col, context, db, enumType, keys, schema, shown, steps, table } from './objects-fixtures.js';

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

  // Issue #14: these were refused, or (a renamed parameter) planned as CREATE OR REPLACE and failed on apply.
  it.each([
    { name: 'a different result type', t: def('app.f', 'a integer', 'bigint', 'BEGIN RETURN a; END') },
    { name: 'a different table result', t: def('app.f', 'a integer', 'TABLE(x integer)', 'BEGIN END') },
    {
      name: 'a default added (its rollback would remove it)',
      t: { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 1)') },
    },
    { name: 'a renamed parameter', t: def('app.f', 'b integer', 'integer', 'BEGIN RETURN b; END') },
  ])('$name: dropped and created again in expand', ({ t }) => {
    const c = replace(from, t);
    expect(H.replace_function.validate(c, x)).toEqual([]);
    const drafts = steps(H.replace_function, c, x);
    expect(drafts.map((d) => [d.phase, d.action, d.sql, d.rollback, d.hazards])).toEqual([
      ['expand', 'drop_function', 'DROP FUNCTION app.f(a integer)', [from.definition.trim()], ['BREAKS_OLD_APP']],
      ['expand', 'create_function', t.definition.trim(), [`DROP FUNCTION app.f(${t.args})`], ['USER_SQL']],
    ]);
    expect(drafts[1]!.requires).toContain(drafts[0]!.creates[0]);
  });

  const calling = (extra: { default?: string; check?: string }) =>
    db(
      schema('app', {
        tables: [
          table('t', [col('code', 'integer', extra.default ? { default: extra.default } : {})], {
            checks: extra.check ? [check('t_code_check', extra.check)] : [],
          }),
        ],
      }),
    );
  const renamed = def('app.f', 'b integer', 'integer', 'BEGIN RETURN b; END');

  it('a column default calling it is dropped before and set again after', () => {
    const ctx = context(calling({ default: 'app.f(1)' }));
    const c = replace(from, renamed);
    expect(H.replace_function.validate(c, ctx)).toEqual([]);
    expect(steps(H.replace_function, c, ctx).map((d) => [d.action, d.sql, d.rollback])).toEqual([
      [
        'drop_default',
        'ALTER TABLE app.t ALTER COLUMN code DROP DEFAULT',
        ['ALTER TABLE app.t ALTER COLUMN code SET DEFAULT app.f(1)'],
      ],
      ['drop_function', 'DROP FUNCTION app.f(a integer)', [from.definition.trim()]],
      ['create_function', renamed.definition.trim(), ['DROP FUNCTION app.f(b integer)']],
      [
        'set_default',
        'ALTER TABLE app.t ALTER COLUMN code SET DEFAULT app.f(1)',
        ['ALTER TABLE app.t ALTER COLUMN code DROP DEFAULT'],
      ],
    ]);
  });

  it('validate refuses when a check calls it (it would have to be validated again)', () => {
    const problems = H.replace_function.validate(
      replace(from, renamed),
      context(calling({ check: 'app.f(code) > 0' })),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'function app.f(b integer) changes its parameters or result type, so it is dropped and created again, which check t_code_check on app.t does not survive',
    ]);
  });

  it('validate accepts a changed default value', () => {
    const a = { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 1)') };
    const b = { ...from, definition: from.definition.replace('(a integer)', '(a integer DEFAULT 2)') };
    expect(H.replace_function.validate(replace(a, b), x)).toEqual([]);
  });
});
