// A declared file that is not UTF-8 is refused at its first bad byte, with the line and column an editor
// shows (columns in UTF-16 units, as every other problem's), instead of being read with U+FFFD in its names.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, InvalidSchemaError } from '../../../src/errors.js';
import { decodeUtf8 } from '../../../src/schema/declared/utf8.js';
import { validateFile } from '../../../src/schema/declared/validate.js';
import { readDeclaredText } from '../../../src/schema/declared/yaml.js';
import { cli } from '../../support/cli.js';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const FIX = '(fix: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), or retype the character)';
const shown = (b: Uint8Array): string => {
  const r = decodeUtf8(b, 'x.yaml');
  return 'problem' in r ? formatProblem(r.problem) : `text ${JSON.stringify(r.text)}`;
};

describe('decodeUtf8', () => {
  it.each(
    [
      ['a Latin-1 é in a comment', bytes('schemas:\n  public:\n    comment: "caf', [0xe9], '"\n'), '3:18', 'E9'],
      ['a byte that never starts a character', bytes('schemas: {}\n', [0xff]), '2:1', 'FF'],
      ['an overlong encoding of /', bytes('a: ', [0xc0, 0xaf]), '1:4', 'C0'],
      ['a surrogate encoded in UTF-8', bytes('a: ', [0xed, 0xa0, 0x80]), '1:4', 'ED'],
      ['a code point above U+10FFFF', bytes('a: ', [0xf4, 0x90, 0x80, 0x80]), '1:4', 'F4'],
      ['a character cut off at the end of the file', bytes('a: ', [0xe2, 0x82]), '1:4', 'E2'],
      ['a stray continuation byte', bytes('a: b', [0x80]), '1:5', '80'],
      ['after characters of 2, 3 and 4 bytes (😀 is two columns)', bytes('\n\n😀名é ', [0xfe]), '3:6', 'FE'],
    ].map(([title, input, at, hex]) => ({ title, input: input as Uint8Array, at, hex })),
  )('$title: at $at', ({ input, at, hex }) => {
    expect(shown(input)).toBe(
      `x.yaml:${at}: the file is not valid UTF-8: byte 0x${hex} is not part of a UTF-8 character ${FIX}`,
    );
  });

  it('reads valid UTF-8, keeping a byte order mark for the YAML reader', () => {
    expect(decodeUtf8(bytes([0xef, 0xbb, 0xbf], 'a: 😀名é\n'), 'x.yaml')).toEqual({ text: '\ufeffa: 😀名é\n' });
  });
});

describe('a file that is not UTF-8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-utf8-'));
  const path = join(dir, 'latin1.yaml');
  writeFileSync(
    path,
    bytes('schemas:\n  public:\n    tables:\n      caf', [0xe9], ': { columns: { id: { type: bigint } } }\n'),
  );
  const expected = `${path}:4:10: the file is not valid UTF-8: byte 0xE9 is not part of a UTF-8 character ${FIX}`;

  it('is an InvalidSchemaError (exit code 2) when read for a command', async () => {
    const e = await readDeclaredText(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidSchemaError);
    expect((e as InvalidSchemaError).exitCode).toBe(2);
    expect((e as InvalidSchemaError).problems.map(formatProblem)).toEqual([expected]);
  });

  it('is a problem of `validate`, like any other', async () => {
    const r = await validateFile(path);
    expect(r.ok).toBe(false);
    expect(r.problems.map(formatProblem)).toEqual([expected]);
    const run = await cli('validate', path);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(`1 problem in ${path}:\n  ${expected}\n`);
  });
});
