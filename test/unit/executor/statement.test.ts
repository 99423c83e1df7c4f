// The statements a step runs with, exactly: what runs alone, the timeout settings, and which index a
// CONCURRENTLY statement builds or drops (read back from SQL the renderer wrote, hostile names included).
import { describe, expect, it } from 'vitest';
import { concurrentIndex, mustRunAlone, statementScript } from '../../../src/executor/statement.js';
import { createIndex, dropIndex } from '../../../src/sql/render/index.js';
import type { Index } from '../../../src/schema/model/model.js';

const index = (name: string, unique = false): Index =>
  ({ kind: 'index', name, unique, method: 'btree', keys: [{ column: 'id' }] }) as unknown as Index;

describe('concurrentIndex', () => {
  it.each([
    ['app', 'orders', 'orders_id_idx'],
    ['App "x"; DROP', 'Orders', 'ix "a"; b'],
    ['ñ', 'select', 'unique'],
  ])('reads back the index of CREATE/DROP INDEX CONCURRENTLY in schema %j', (schema, table, name) => {
    expect(concurrentIndex(createIndex(schema, table, index(name, true), { concurrently: true }))).toEqual({
      op: 'create',
      schema,
      name,
    });
    expect(concurrentIndex(createIndex(schema, table, index(name), { concurrently: true }))).toEqual({
      op: 'create',
      schema,
      name,
    });
    expect(concurrentIndex(dropIndex(schema, name, { concurrently: true }))).toEqual({ op: 'drop', schema, name });
  });

  it('knows nothing of other statements', () => {
    expect(concurrentIndex(createIndex('app', 't', index('i')))).toBeUndefined();
    expect(concurrentIndex('ALTER TABLE app.t DROP CONSTRAINT k')).toBeUndefined();
    expect(concurrentIndex('REINDEX INDEX CONCURRENTLY app.i')).toBeUndefined();
  });
});

describe('statementScript', () => {
  const o = { lockTimeoutMs: 2000, statementTimeoutMs: 60_000 };
  it('wraps a transactional statement with SET LOCAL and its ledger row', () => {
    expect(
      statementScript('ALTER TABLE app.t ADD COLUMN c integer', { ...o, transactional: true }, '-- ledger'),
    ).toEqual([
      'BEGIN',
      "SET LOCAL lock_timeout = '2000ms'; SET LOCAL statement_timeout = '60000ms'",
      'ALTER TABLE app.t ADD COLUMN c integer',
      '-- ledger',
      'COMMIT',
    ]);
  });
  it('runs a CONCURRENTLY statement alone, between SET and RESET', () => {
    const sql = 'CREATE INDEX CONCURRENTLY i ON app.t USING btree (id)';
    expect(mustRunAlone(sql)).toBe(true);
    expect(statementScript(sql, { ...o, transactional: true }, '-- ledger')).toEqual([
      "SET lock_timeout = '2000ms'; SET statement_timeout = '60000ms'",
      sql,
      'RESET lock_timeout; RESET statement_timeout',
    ]);
  });
  it('reads CONCURRENTLY only in code: not in a comment text, a quoted name or an SQL comment', () => {
    const swap = [
      'DO $sy$',
      'BEGIN',
      '  ALTER INDEX public.per_customer_key__new RENAME TO per_customer_key;',
      "  COMMENT ON INDEX public.per_customer_key IS 'for REFRESH CONCURRENTLY';",
      "  COMMENT ON COLUMN public.t.c IS E'it\\'s refreshed concurrently';",
      "  COMMENT ON TABLE public.t IS 'say ''concurrently''';",
      'END',
      '$sy$',
    ].join('\n');
    expect(mustRunAlone(swap)).toBe(false);
    expect(statementScript(swap, { ...o, transactional: true }, '-- ledger')[0]).toBe('BEGIN');
    expect(mustRunAlone('ALTER TABLE public."concurrently" ADD COLUMN c integer -- not CONCURRENTLY')).toBe(false);
    expect(mustRunAlone('/* CONCURRENTLY */ ALTER TABLE public.t ADD COLUMN c integer')).toBe(false);
    expect(mustRunAlone("REFRESH MATERIALIZED VIEW CONCURRENTLY public.m -- 'x'")).toBe(true);
    expect(mustRunAlone("COMMENT ON TABLE public.t IS 'x'; DROP INDEX CONCURRENTLY public.i")).toBe(true);
  });
});
