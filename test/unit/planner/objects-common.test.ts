// Finding a qualified name in SQL that PostgreSQL printed with an empty search_path, and renaming it.
import { expect, it } from 'vitest';
import { mentions, renameMentions, returnsClause, signatureText } from '../../../src/planner/recipes/objects.js';

it.each([
  { text: "(s <> 'c'::app.st)", found: true },
  { text: "'{a}'::app.st[]", found: true },
  { text: 'app.st', found: true },
  { text: "(s <> 'c'::app.st2)", found: false },
  { text: "(s <> 'c'::myapp.st)", found: false },
  { text: "(s <> 'c'::x.app.st)", found: false },
  { text: "(s <> 'c'::app.st_old)", found: false },
  { text: undefined, found: false },
])('mentions($text, app.st)', ({ text, found }) => {
  expect(mentions(text, 'app', 'st')).toBe(found);
});

it.each([
  { text: `'a'::"My S"."Mö ""d"""`, found: true },
  { text: `'a'::"My S"."Mö ""d"""[]`, found: true },
  { text: `'a'::"My S"."Mö ""d"""""`, found: false },
  { text: `'a'::"My S"."Mö ""d""x"`, found: false },
])('mentions($text, a quoted name)', ({ text, found }) => {
  expect(mentions(text, 'My S', 'Mö "d"')).toBe(found);
});

it('renameMentions changes the type and nothing that merely starts like it', () => {
  expect(
    renameMentions(
      "((s <> 'c'::app.st) AND (t <> 'c'::app.st2) AND (u = ANY ('{a}'::app.st[])))",
      'app',
      'st',
      'st__sy_new',
    ),
  ).toBe("((s <> 'c'::app.st__sy_new) AND (t <> 'c'::app.st2) AND (u = ANY ('{a}'::app.st__sy_new[])))");
  expect(renameMentions(`'x'::"My S"."Mö"`, 'My S', 'Mö', 'Mö__sy_new')).toBe(`'x'::"My S"."Mö__sy_new"`);
});

const fn = (definition: string) => ({ kind: 'function' as const, name: 'f', args: '', definition });
it('returnsClause and signatureText read pg_get_functiondef output', () => {
  const d =
    "CREATE OR REPLACE FUNCTION app.f(k app.kind DEFAULT 'a'::app.kind)\n RETURNS SETOF app.items\n LANGUAGE sql\nAS $function$SELECT * FROM app.other$function$\n";
  expect(returnsClause(d)).toBe('SETOF app.items');
  expect(signatureText(fn(d))).toBe("(k app.kind DEFAULT 'a'::app.kind)\nSETOF app.items");
  expect(signatureText(fn('CREATE OR REPLACE FUNCTION "My S"."f(x)"()\n RETURNS trigger\n'))).toBe('()\ntrigger');
});
