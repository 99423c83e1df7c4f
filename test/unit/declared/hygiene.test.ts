// Input hygiene (issue #13): text PostgreSQL cannot take, and names it would truncate, are refused by
// `validate` with the place and the character, instead of failing later as an "internal error". Each row
// is a declared file and the exact problems it must give (formatProblem), in file order.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/errors.js';
import { analyzeDeclared } from '../../../src/schema/declared/yaml.js';

/** Lines under table `users` of schema `public`: the first given line is line 5 and starts at column 9. */
const users = (...lines: string[]): string =>
  `${['schemas:', '  public:', '    tables:', '      users:', ...lines.map((l) => `        ${l}`)].join('\n')}\n`;
/** Lines under schema `public`: the first given line is line 3 and starts at column 5. */
const pub = (...lines: string[]): string =>
  `${['schemas:', '  public:', ...lines.map((l) => `    ${l}`)].join('\n')}\n`;

const problems = (yaml: string): string[] => analyzeDeclared(yaml, 'x.yaml').problems.map(formatProblem);

const NUL_FIX = 'PostgreSQL cannot store a NUL (fix: remove it)';
const CONTROL_FIX = '(fix: remove it: names, enum labels and comments cannot hold control characters)';
const TOO_LONG = 'bytes long; PostgreSQL truncates names to 63 bytes (fix: shorten it to at most 63 bytes (UTF-8))';
/** A trigger calling `fn`, so that the function's name is the only name under test. */
const trigger = (fn: string): string =>
  users(
    'columns: { id: { type: bigint } }',
    'triggers:',
    `  audit: { timing: after, events: [insert], function: { name: "${fn}" } }`,
  );
/** 63 bytes of UTF-8 in 42 characters (21 two-byte ones), and one byte more. */
const bytes63 = 'é'.repeat(21) + 'x'.repeat(21);
const bytes64 = `${bytes63}x`;

type Row = readonly [title: string, yaml: string, expected: readonly string[]];

const rows: readonly Row[] = [
  [
    'a NUL in a table name (an escape)',
    pub('tables:', '  "us\\0ers": { columns: { id: { type: bigint } } }'),
    [`x.yaml:4:7: table "public"."us\\u0000ers": the name contains U+0000 (NUL) at character 3; ${NUL_FIX}`],
  ],
  [
    'a NUL byte in a column name (raw, in the file)',
    users('columns:', '  i\0d: { type: bigint }'),
    [
      `x.yaml:6:11: column "i\\u0000d" of table "public"."users": the name contains U+0000 (NUL) at character 2; ${NUL_FIX}`,
    ],
  ],
  [
    'a NUL in a column comment',
    users('columns:', '  id: { type: bigint, comment: "price\\0" }'),
    [
      `x.yaml:6:40: column "id" of table "public"."users": \`comment\` contains U+0000 (NUL) at character 6; ${NUL_FIX}`,
    ],
  ],
  [
    'a NUL in an enum label',
    pub('enums:', '  mood: [ok, "s\\0ad"]'),
    [`x.yaml:4:18: enum "public"."mood": \`[1]\` contains U+0000 (NUL) at character 2; ${NUL_FIX}`],
  ],
  [
    'a NUL in SQL (a check expression)',
    users('columns: { id: { type: bigint } }', 'checks:', '  positive: { expression: "id > 0\\0" }'),
    [
      `x.yaml:7:35: check constraint "positive" of table "public"."users": \`expression\` contains U+0000 (NUL) at character 7; ${NUL_FIX}`,
    ],
  ],
  [
    'a control character (BEL) in a schema name',
    'schemas:\n  "app\\a": {}\n',
    [`x.yaml:2:3: schema "app\\u0007": the name contains the control character U+0007 at character 4 ${CONTROL_FIX}`],
  ],
  [
    'an escape character in an index name',
    users('columns: { id: { type: bigint } }', 'indexes:', '  "\\e[31mred": { columns: [id] }'),
    [
      `x.yaml:7:11: index "\\u001b[31mred" of table "public"."users": the name contains the control character U+001B at character 1 ${CONTROL_FIX}`,
    ],
  ],
  [
    'DEL in a table comment',
    users('comment: "old\\x7F"', 'columns: { id: { type: bigint } }'),
    [
      `x.yaml:5:18: table "public"."users": \`comment\` contains the control character U+007F at character 4 ${CONTROL_FIX}`,
    ],
  ],
  [
    'a C1 control character in an enum label',
    pub('enums:', '  mood: { values: ["\\x9Bok"] }'),
    [
      `x.yaml:4:24: enum "public"."mood": \`values[0]\` contains the control character U+009B at character 1 ${CONTROL_FIX}`,
    ],
  ],
  [
    'a control character in a trigger function name',
    trigger('audit\\x01'),
    [
      `x.yaml:7:71: trigger "audit" of table "public"."users": \`function.name\` contains the control character U+0001 at character 6 ${CONTROL_FIX}`,
    ],
  ],
  [
    'an unpaired surrogate in a column comment',
    users('columns:', '  id: { type: bigint, comment: "\\uD83D!" }'),
    [
      'x.yaml:6:40: column "id" of table "public"."users": `comment` contains an unpaired surrogate U+D83D at character 1, which has no UTF-8 form (fix: remove it, or escape the whole character (`\\U0001F600`))',
    ],
  ],
  [
    'a 64-byte trigger function name',
    trigger('f'.repeat(64)),
    [`x.yaml:7:71: trigger "audit" of table "public"."users": \`function.name\`: the name is 64 ${TOO_LONG}`],
  ],
  [
    'a 64-byte trigger function schema',
    users(
      'columns: { id: { type: bigint } }',
      'triggers:',
      `  audit: { timing: after, events: [insert], function: { schema: ${'s'.repeat(64)}, name: f } }`,
    ),
    [`x.yaml:7:73: trigger "audit" of table "public"."users": \`function.schema\`: the name is 64 ${TOO_LONG}`],
  ],
  [
    'a 64-byte trigger function name of 2-byte characters',
    trigger(bytes64),
    [`x.yaml:7:71: trigger "audit" of table "public"."users": \`function.name\`: the name is 64 ${TOO_LONG}`],
  ],
  [
    'a 64-byte table name of 2-byte characters',
    pub('tables:', `  ${bytes64}: { columns: { id: { type: bigint } } }`),
    [`x.yaml:4:7: table "public"."${bytes64}": the name is 64 ${TOO_LONG}`],
  ],
];

/** Files that must stay valid: the limits are exact, and whitespace where text allows it is not refused. */
const accepted: ReadonlyArray<readonly [string, string]> = [
  ['a 63-byte trigger function name of 2-byte characters', trigger(bytes63)],
  ['a 63-byte table name of 2-byte characters', pub('tables:', `  ${bytes63}: { columns: { id: { type: bigint } } }`)],
  [
    'tabs and line breaks in a comment',
    users('comment: "line 1\\n\\tline 2\\r\\n"', 'columns: { id: { type: bigint } }'),
  ],
  ['a form feed in SQL (whitespace to PostgreSQL)', users('columns: { id: { type: bigint, default: "1\\f" } }')],
  [
    'a character outside the BMP (a surrogate pair) in a name',
    pub('tables:', '  "t\\U0001F600": { columns: { id: { type: bigint } } }'),
  ],
];

describe('input hygiene', () => {
  it.each(rows.map(([title, yaml, expected]) => ({ title, yaml, expected })))('$title', ({ yaml, expected }) => {
    expect(problems(yaml)).toEqual(expected);
  });

  it.each(accepted.map(([title, yaml]) => ({ title, yaml })))('accepts $title', ({ yaml }) => {
    expect(problems(yaml)).toEqual([]);
  });

  it('prints no control character of the file, whatever the problem', () => {
    // The duplicate-key problem names the column too; its message is made printable the same way.
    const shown = problems(users('columns:', '  "a\\0": { type: bigint }', '  "a\\0": { type: text }')).join('\n');
    expect(shown).toContain('column "a\\u0000" of table "public"."users" is declared twice');
    expect(shown).not.toMatch(/[\0-\x08\x0B-\x1F\x7F-\x9F]/);
  });
});
