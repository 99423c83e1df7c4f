import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { emptyTable, type DatabaseSchema, type Table } from '../../../src/schema/model/model.js';
import { normalizeDatabase } from '../../../src/schema/model/normalize.js';
import { validateFile } from '../../../src/schema/declared/validate.js';
import { loadDeclared, parseDeclared } from '../../../src/schema/declared/yaml.js';

const EXAMPLE = new URL('../../fixtures/declared/example.yaml', import.meta.url);

const users: Table = {
  kind: 'table',
  name: 'users',
  renamedFrom: 'people',
  comment: 'people who log in',
  columns: [
    { kind: 'column', name: 'id', type: 'bigint', nullable: false, identity: 'always' },
    { kind: 'column', name: 'email', type: 'text', nullable: false },
    { kind: 'column', name: 'full_name', type: 'text', nullable: true, renamedFrom: 'name' },
    {
      kind: 'column',
      name: 'salary',
      type: 'numeric(12,2)',
      nullable: true,
      up: 'salary::numeric(12,2)',
      down: 'salary::text',
    },
    { kind: 'column', name: 'tier_id', type: 'bigint', nullable: false, backfill: '1' },
    { kind: 'column', name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
    { kind: 'column', name: 'price', type: 'numeric', nullable: true },
    { kind: 'column', name: 'qty', type: 'integer', nullable: true },
    { kind: 'column', name: 'total', type: 'numeric', nullable: true, generated: 'price * qty' },
    { kind: 'column', name: 'feeling', type: 'mood', nullable: true },
  ],
  primaryKey: { kind: 'primary_key', name: 'users_pkey', columns: ['id'] },
  unique: [{ kind: 'unique', name: 'users_email_key', columns: ['email'] }],
  indexes: [
    {
      kind: 'index',
      name: 'users_created_at_idx',
      unique: false,
      method: 'btree',
      keys: [{ column: 'created_at' }],
      include: ['email'],
      where: "created_at > '2020-01-01'",
    },
    {
      kind: 'index',
      name: 'users_lower_email_idx',
      unique: true,
      method: 'btree',
      keys: [{ expression: 'lower(email)' }],
    },
  ],
  foreignKeys: [
    {
      kind: 'foreign_key',
      name: 'users_tier_id_fkey',
      columns: ['tier_id'],
      references: { schema: 'public', table: 'tiers', columns: ['id'] },
      onDelete: 'restrict',
      onUpdate: 'cascade',
      match: 'simple',
      deferrable: false,
      initiallyDeferred: false,
    },
  ],
  checks: [{ kind: 'check', name: 'users_email_check', expression: "email ~ '@'" }],
  triggers: [],
};

export const EXAMPLE_MODEL: DatabaseSchema = {
  schemas: [
    {
      kind: 'schema',
      name: 'public',
      comment: 'application data',
      enums: [{ kind: 'enum', name: 'mood', values: ['sad', 'ok', 'happy'] }],
      sequences: [
        {
          kind: 'sequence',
          name: 'order_no',
          type: 'bigint',
          start: '1000',
          increment: '1',
          min: '1',
          max: '9223372036854775807',
          cache: '1',
          cycle: false,
        },
      ],
      tables: [
        {
          ...emptyTable('tiers', [
            { kind: 'column', name: 'id', type: 'bigint', nullable: false, identity: 'by default' },
            { kind: 'column', name: 'label', type: 'text', nullable: false },
          ]),
          primaryKey: { kind: 'primary_key', name: 'tiers_pkey', columns: ['id'] },
        },
        users,
      ],
      functions: [],
    },
    {
      kind: 'schema',
      name: 'tenant',
      enums: [],
      sequences: [],
      functions: [],
      tables: [
        {
          ...emptyTable('notes', [
            { kind: 'column', name: 'id', type: 'bigint', nullable: false, identity: 'always' },
            { kind: 'column', name: 'body', type: 'text', nullable: true },
          ]),
          primaryKey: { kind: 'primary_key', name: 'notes_pkey', columns: ['id'] },
        },
      ],
    },
  ],
  tenants: { registry: 'SELECT schema_name FROM central.tenants WHERE active', template: 'tenant' },
};

const parse = (yaml: string): DatabaseSchema => parseDeclared(yaml, 'test.yaml');

describe('parseDeclared on good input', () => {
  it('reads the example to the exact model', () => {
    expect(parse(readFileSync(EXAMPLE, 'utf8'))).toEqual(EXAMPLE_MODEL);
  });

  it('returns a normalized model (sorted by name; columns keep their order)', () => {
    const db = parse(readFileSync(EXAMPLE, 'utf8'));
    expect(db).toEqual(normalizeDatabase(db));
  });

  it('fills every default', () => {
    const db = parse('schemas:\n  public:\n    tables:\n      t:\n        columns:\n          a: { type: int }\n');
    expect(db).toEqual({
      schemas: [
        {
          kind: 'schema',
          name: 'public',
          enums: [],
          sequences: [],
          functions: [],
          tables: [emptyTable('t', [{ kind: 'column', name: 'a', type: 'integer', nullable: true }])],
        },
      ],
    });
  });

  it('accepts an empty schema and an empty file of schemas', () => {
    expect(parse('schemas: { public: {} }\n').schemas).toEqual([
      { kind: 'schema', name: 'public', enums: [], sequences: [], tables: [], functions: [] },
    ]);
    expect(parse('schemas: {}\n')).toEqual({ schemas: [] });
  });

  it('sorts schemas and tables by name but keeps the column order, integer-like names included', () => {
    const db = parse(
      [
        'schemas:',
        '  zeta:',
        '    tables:',
        '      b: { columns: { "2": { type: text }, "1": { type: text }, a: { type: text } } }',
        '      a: { columns: { x: { type: text } } }',
        '  alpha: {}',
        '',
      ].join('\n'),
    );
    expect(db.schemas.map((s) => s.name)).toEqual(['alpha', 'zeta']);
    expect(db.schemas[1]?.tables.map((t) => t.name)).toEqual(['a', 'b']);
    expect(db.schemas[1]?.tables[1]?.columns.map((c) => c.name)).toEqual(['2', '1', 'a']);
  });

  it('keeps the source spelling of scalars read as text', () => {
    const db = parse(
      [
        'schemas:',
        '  public:',
        '    enums:',
        '      flags: [yes, "no", 1.50, true, 007]',
        '    sequences:',
        '      big: { start: 9223372036854775807, max: 9223372036854775807 }',
        '    tables:',
        '      t:',
        '        columns:',
        '          price: { type: numeric, default: 1.50 }',
        '          ok: { type: boolean, default: true, nullable: false, backfill: false }',
        '',
      ].join('\n'),
    );
    const s = db.schemas[0];
    expect(s?.enums[0]?.values).toEqual(['yes', 'no', '1.50', 'true', '007']);
    expect(s?.sequences[0]).toMatchObject({ start: '9223372036854775807', max: '9223372036854775807' });
    expect(s?.tables[0]?.columns.map((c) => c.default)).toEqual(['1.50', 'true']);
    expect(s?.tables[0]?.columns[1]?.backfill).toBe('false');
  });

  it('reads index keys, references and sequences with PostgreSQL defaults', () => {
    const db = parse(
      [
        'schemas:',
        '  app:',
        '    sequences:',
        '      down: { type: int, increment: -1 }',
        '      owned: { type: int8, ownedBy: { table: a, column: id } }',
        '    enums:',
        '      color: { values: [red, green], comment: "paint" }',
        '    tables:',
        '      a:',
        '        columns: { id: { type: int }, name: { type: text, collation: C }, code: { type: text, collation: "public.\\"Code\\"" } }',
        '        primaryKey: { name: a_primary, columns: [id] }',
        '        indexes:',
        '          a_name_idx: { keys: [{ column: name, order: desc, nulls: first, opclass: text_pattern_ops }, { expression: "lower(name)", order: asc, nulls: first, collation: C }] }',
        '        foreignKeys:',
        '          a_self_fkey: { columns: [id], references: { table: a } }',
        '          a_other_fkey: { columns: [id], references: { schema: other, table: b, columns: [x] }, match: full, deferrable: true, initiallyDeferred: true, notValid: true }',
        '        checks: { a_id_check: { expression: " id > 0 ", noInherit: true, notValid: true } }',
        '        triggers:',
        '          a_sync: { timing: before, events: [update, insert], forEach: row, function: { name: sync }, when: "new.id > 0", enabled: always }',
        '  other:',
        '    tables:',
        '      b:',
        '        columns: { x: { type: int } }',
        '        unique: { b_x_key: { columns: [x], nullsNotDistinct: true, deferrable: true, initiallyDeferred: true } }',
        '    functions:',
        '      - { name: f, definition: "CREATE FUNCTION other.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$\\n" }',
        '',
      ].join('\n'),
    );
    const app = db.schemas[0];
    const a = app?.tables[0];
    expect(app?.sequences).toEqual([
      {
        kind: 'sequence',
        name: 'down',
        type: 'integer',
        start: '-1',
        increment: '-1',
        min: '-2147483648',
        max: '-1',
        cache: '1',
        cycle: false,
      },
      {
        kind: 'sequence',
        name: 'owned',
        type: 'bigint',
        start: '1',
        increment: '1',
        min: '1',
        max: '9223372036854775807',
        cache: '1',
        cycle: false,
        ownedBy: { table: 'a', column: 'id' },
      },
    ]);
    expect(app?.enums).toEqual([{ kind: 'enum', name: 'color', values: ['red', 'green'], comment: 'paint' }]);
    expect(a?.columns.map((c) => c.collation)).toEqual([undefined, '"C"', 'public."Code"']);
    expect(a?.primaryKey).toEqual({ kind: 'primary_key', name: 'a_primary', columns: ['id'] });
    expect(a?.indexes[0]?.keys).toEqual([
      { column: 'name', order: 'desc', opclass: 'text_pattern_ops' },
      { expression: 'lower(name)', nulls: 'first', collation: '"C"' },
    ]);
    expect(a?.foreignKeys).toEqual([
      {
        kind: 'foreign_key',
        name: 'a_other_fkey',
        columns: ['id'],
        references: { schema: 'other', table: 'b', columns: ['x'] },
        onDelete: 'no action',
        onUpdate: 'no action',
        match: 'full',
        deferrable: true,
        initiallyDeferred: true,
        notValid: true,
      },
      {
        kind: 'foreign_key',
        name: 'a_self_fkey',
        columns: ['id'],
        references: { schema: 'app', table: 'a', columns: ['id'] },
        onDelete: 'no action',
        onUpdate: 'no action',
        match: 'simple',
        deferrable: false,
        initiallyDeferred: false,
      },
    ]);
    expect(a?.checks).toEqual([
      { kind: 'check', name: 'a_id_check', expression: 'id > 0', noInherit: true, notValid: true },
    ]);
    expect(a?.triggers).toEqual([
      {
        kind: 'trigger',
        name: 'a_sync',
        timing: 'before',
        events: ['insert', 'update'],
        forEach: 'row',
        function: { schema: 'app', name: 'sync' },
        when: 'new.id > 0',
        enabled: 'always',
      },
    ]);
    expect(db.schemas[1]?.tables[0]?.unique).toEqual([
      {
        kind: 'unique',
        name: 'b_x_key',
        columns: ['x'],
        nullsNotDistinct: true,
        deferrable: true,
        initiallyDeferred: true,
      },
    ]);
    expect(db.schemas[1]?.functions).toEqual([
      {
        kind: 'function',
        name: 'f',
        args: '',
        definition: 'CREATE FUNCTION other.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$\n',
      },
    ]);
  });

  it('makes primary key and identity columns NOT NULL unless told otherwise', () => {
    const db = parse(
      'schemas:\n  s:\n    tables:\n      t:\n        columns: { a: { type: int }, b: { type: int, identity: by default }, c: { type: int } }\n        primaryKey: { columns: [a] }\n',
    );
    expect(db.schemas[0]?.tables[0]?.columns.map((c) => c.nullable)).toEqual([false, false, true]);
  });

  it('resolves YAML anchors and aliases', () => {
    const db = parse(
      'schemas:\n  s:\n    tables:\n      t:\n        columns:\n          a: &money { type: "numeric(12,2)", nullable: false }\n          b: *money\n',
    );
    expect(db.schemas[0]?.tables[0]?.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ['a', 'numeric(12,2)', false],
      ['b', 'numeric(12,2)', false],
    ]);
  });
});

describe('loadDeclared and validateFile', () => {
  it('loads a file', async () => {
    expect(await loadDeclared(EXAMPLE.pathname)).toEqual(EXAMPLE_MODEL);
  });

  it('names the path when the file cannot be read', async () => {
    const missing = '/nonexistent/schema.yaml';
    await expect(loadDeclared(missing)).rejects.toThrow(UsageError);
    await expect(loadDeclared(missing)).rejects.toThrow(`cannot read the declared schema ${missing}: no such file`);
    await expect(validateFile(missing)).rejects.toThrow(UsageError);
  });

  it('summarizes a valid file', async () => {
    expect(await validateFile(EXAMPLE.pathname)).toEqual({
      file: EXAMPLE.pathname,
      ok: true,
      problems: [],
      summary: { schemas: 2, tables: 3, columns: 14, indexes: 2, foreignKeys: 1 },
    });
  });

  it('returns problems instead of throwing', async () => {
    const r = await validateFile(new URL('../../fixtures/declared/bad.yaml', import.meta.url).pathname);
    expect(r.ok).toBe(false);
    expect(r.problems.length).toBeGreaterThan(1);
    expect(r.summary.tables).toBe(2);
  });
});
