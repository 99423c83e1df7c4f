import { describe, expect, it } from 'vitest';
import { isBinaryCoercible } from '../../../src/diff/index.js';

describe('isBinaryCoercible', () => {
  it.each([
    ['character varying(10)', 'character varying(20)', true],
    ['character varying(20)', 'character varying(10)', false],
    ['character varying(20)', 'character varying', true],
    ['character varying(20)', 'text', true],
    ['character varying', 'text', true],
    ['text', 'character varying', true],
    ['text', 'character varying(20)', false],
    ['numeric(10,2)', 'numeric(12,2)', true],
    ['numeric(12,2)', 'numeric(10,2)', false],
    ['numeric(10,2)', 'numeric(12,3)', false],
    ['numeric(10,2)', 'numeric', true],
    ['numeric', 'numeric(12,2)', false],
    ['cidr', 'inet', true],
    ['inet', 'cidr', false],
    ['bit varying(8)', 'bit varying(16)', true],
    ['bit varying(16)', 'bit varying(8)', false],
    ['bit varying(8)', 'bit varying', true],
    ['timestamp without time zone', 'timestamp with time zone', false],
    ['timestamp(3) without time zone', 'timestamp(6) without time zone', true],
    ['timestamp(3) with time zone', 'timestamp with time zone', true],
    ['timestamp without time zone', 'timestamp(3) without time zone', false],
    ['timestamp without time zone', 'timestamp(6) without time zone', true],
    ['time(6) without time zone', 'time(3) without time zone', false],
    ['integer', 'bigint', false],
    ['smallint', 'integer', false],
    ['character(10)', 'character(20)', false],
    ['text', 'text', true],
    ['character varying(10)[]', 'text[]', false],
  ])('%s -> %s: %s', (from, to, expected) => {
    expect(isBinaryCoercible(from, to)).toBe(expected);
  });
});
