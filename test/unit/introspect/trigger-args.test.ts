// pg_trigger.tgargs arrives as hex: each argument is UTF-8 followed by a NUL byte.
import { describe, expect, it } from 'vitest';
import { triggerArgs } from '../../../src/introspect/map-table.js';
import { multirangeName } from '../../../src/schema/model/types.js';

const hex = (...args: string[]) => Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8').toString('hex');

describe('trigger arguments', () => {
  it.each([
    ['none', [] as string[]],
    ['one', ['fulltext']],
    ['empty ones and quotes', ['', "it's", '']],
    ['UTF-8 and a backslash', ['bıgınt', 'a\\b']],
  ])('%s', (_, args) => {
    expect(triggerArgs(hex(...args))).toEqual(args);
  });
});

describe('multirange names', () => {
  it.each([
    ['span', 'span_multirange'],
    ['floatrange', 'floatmultirange'],
    ['rangerange', 'multirangerange'],
  ])('%s -> %s', (range, multi) => {
    expect(multirangeName(range)).toBe(multi);
  });
});
