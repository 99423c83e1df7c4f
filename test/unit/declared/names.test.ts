import { describe, expect, it } from 'vitest';
import { closest, defaultConstraintName, makeObjectName, sqlName, yamlName } from '../../../src/schema/model/names.js';

describe('defaultConstraintName mimics PostgreSQL ChooseRelationName', () => {
  it.each([
    ['users', [], 'pkey', 'users_pkey'],
    ['users', ['email'], 'key', 'users_email_key'],
    ['users', ['tier_id'], 'fkey', 'users_tier_id_fkey'],
    ['users', ['a', 'b'], 'key', 'users_a_b_key'],
    ['users', ['price'], 'check', 'users_price_check'],
    ['users', ['created_at'], 'idx', 'users_created_at_idx'],
    // 63 bytes at most; the longer of table and columns is cut first.
    ['t'.repeat(70), [], 'pkey', `${'t'.repeat(58)}_pkey`],
    ['t'.repeat(40), ['c'.repeat(40)], 'key', `${'t'.repeat(29)}_${'c'.repeat(29)}_key`],
    ['short', ['c'.repeat(70)], 'fkey', `short_${'c'.repeat(52)}_fkey`],
    // Multibyte characters are never split: é is 2 bytes, so 58 bytes allow 29 of them.
    ['é'.repeat(40), [], 'pkey', `${'é'.repeat(29)}_pkey`],
    [`a${'é'.repeat(40)}`, [], 'pkey', `a${'é'.repeat(28)}_pkey`],
  ] as const)('%s %j %s', (table, columns, suffix, expected) => {
    const name = defaultConstraintName(table, columns, suffix);
    expect(name).toBe(expected);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });

  it('appends a number when the name is taken, as PostgreSQL does', () => {
    expect(defaultConstraintName('users', ['email'], 'key', new Set(['users_email_key']))).toBe('users_email_key1');
    expect(defaultConstraintName('users', ['email'], 'key', new Set(['users_email_key', 'users_email_key1']))).toBe(
      'users_email_key2',
    );
  });

  it('stops adding column names once past 63 bytes', () => {
    const cols = Array.from({ length: 20 }, (_, i) => `column_${i}`);
    expect(defaultConstraintName('t', cols, 'key')).toBe(makeObjectName('t', cols.join('_'), 'key'));
  });
});

describe('helpers', () => {
  it('suggests close names only', () => {
    expect(closest('nulable', ['type', 'nullable', 'default'])).toBe('nullable');
    expect(closest('ondelete', ['onDelete', 'onUpdate'])).toBe('onDelete');
    expect(closest('zzzzzz', ['type', 'nullable'])).toBeUndefined();
  });

  it.each([
    ['C', '"C"'],
    ['text_pattern_ops', 'text_pattern_ops'],
    ['en_US.utf8', '"en_US.utf8"'],
    ['"myschema"."My Coll"', 'myschema."My Coll"'],
    ['"a""b"', '"a""b"'],
  ])('collation/opclass %s is spelled %s in the model and back', (yaml, sql) => {
    expect(sqlName(yaml)).toBe(sql);
    expect(sqlName(yamlName(sql))).toBe(sql);
  });
});
