// Storage parameters: the declared form (names checked, values kept as written), the exact SQL, and the YAML.
import { describe, expect, it } from 'vitest';
import { diff } from '../../../src/diff/index.js';
import { analyzeDeclared, parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { alterStorage, createTable } from '../../../src/sql/render/index.js';

const file = (storage: string) =>
  `schemas:\n  public:\n    tables:\n      t:\n        columns: { id: { type: int } }\n        storage: ${storage}\n`;

describe('storage parameters', () => {
  it('are read as written, in order, and written back sorted in flow style with numbers and booleans bare', () => {
    const model = parseDeclared(
      file('{ toast.autovacuum_enabled: false, fillfactor: 70, autovacuum_vacuum_scale_factor: 0.10 }'),
      'x.yaml',
    );
    const t = model.schemas[0]!.tables[0]!;
    expect(t.storage).toEqual([
      { name: 'toast.autovacuum_enabled', value: 'false' },
      { name: 'fillfactor', value: '70' },
      { name: 'autovacuum_vacuum_scale_factor', value: '0.10' },
    ]);
    expect(toYaml(model)).toContain(
      'storage: { autovacuum_vacuum_scale_factor: "0.10", fillfactor: 70, toast.autovacuum_enabled: false }',
    );
    // Written back sorted: the same parameters, which is all a fingerprint and the diff compare.
    expect(parseDeclared(toYaml(model), 'y.yaml').schemas[0]!.tables[0]!.storage).toEqual(
      [...t.storage!].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect(createTable('public', t)).toBe(
      "CREATE TABLE public.t (\n  id integer\n) WITH (toast.autovacuum_enabled = 'false', fillfactor = '70', autovacuum_vacuum_scale_factor = '0.10')",
    );
  });

  it('refuse a name that is not [toast.]word and a value that is not a plain word, at their node', () => {
    const bad = analyzeDeclared(file('{ "fillfactor = 1); DROP TABLE t; --": 1, ok_name: "1\'); DROP" }'), 'x.yaml');
    expect(bad.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/storage parameter: lower-case letters/),
      expect.stringMatching(/a number, a boolean or a word/),
    ]);
  });

  it('render RESET then SET in one ALTER TABLE, names through ident and values as literals', () => {
    expect(alterStorage('My Schema', 'T', ['toast.autovacuum_enabled'], [{ name: 'fillfactor', value: "7'0" }])).toBe(
      `ALTER TABLE "My Schema"."T" RESET (toast.autovacuum_enabled), SET (fillfactor = '7''0')`,
    );
    expect(alterStorage('s', 't', ['fillfactor'], [])).toBe('ALTER TABLE s.t RESET (fillfactor)');
  });

  it('diff to one set_storage change with both whole lists, none when equal', () => {
    const m = (s: string) => parseDeclared(file(s), 'x.yaml');
    expect(diff(m('{ fillfactor: 70 }'), m('{ fillfactor: 70 }'))).toEqual([]);
    expect(diff(m('{ fillfactor: 70 }'), m('{ fillfactor: 80 }'))).toEqual([
      {
        kind: 'set_storage',
        schema: 'public',
        table: 't',
        from: [{ name: 'fillfactor', value: '70' }],
        to: [{ name: 'fillfactor', value: '80' }],
      },
    ]);
  });
});
