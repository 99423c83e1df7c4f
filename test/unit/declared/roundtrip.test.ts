import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import {
  emptySchema,
  emptyTable,
  type Column,
  type DatabaseSchema,
  type Table,
} from '../../../src/schema/model/model.js';
import { normalizeDatabase } from '../../../src/schema/model/normalize.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';

const example = parseDeclared(
  readFileSync(new URL('../../fixtures/declared/example.yaml', import.meta.url), 'utf8'),
  'example.yaml',
);

/** model -> YAML -> model must give the same data and the same fingerprint. */
function roundTrip(model: DatabaseSchema): DatabaseSchema {
  const yaml = toYaml(model);
  const back = parseDeclared(yaml, 'roundtrip.yaml');
  expect(back).toEqual(normalizeDatabase(model));
  expect(fingerprint(back)).toBe(fingerprint(model));
  return back;
}

const col = (name: string, type = 'text', extra: Partial<Column> = {}): Column => ({
  kind: 'column',
  name,
  type,
  nullable: true,
  ...extra,
});

/** Everything the format can say, in non-default forms. */
const everything: DatabaseSchema = {
  schemas: [
    {
      ...emptySchema('app'),
      comment: 'line one\nline two: with a colon',
      enums: [{ kind: 'enum', name: 'state', values: ['new', 'yes', 'null', '1.50', 'with space'], comment: 'states' }],
      sequences: [
        {
          kind: 'sequence',
          name: 'down',
          type: 'smallint',
          start: '-5',
          increment: '-1',
          min: '-100',
          max: '-1',
          cache: '20',
          cycle: true,
        },
        {
          kind: 'sequence',
          name: 'huge',
          type: 'bigint',
          start: '9007199254740993',
          increment: '1',
          min: '1',
          max: '9223372036854775807',
          cache: '1',
          cycle: false,
          ownedBy: { table: 'parent', column: 'id' },
        },
      ],
      functions: [
        {
          kind: 'function',
          name: 'sync',
          args: '',
          definition:
            'CREATE OR REPLACE FUNCTION app.sync()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$ BEGIN RETURN NEW; END $function$\n',
        },
        {
          kind: 'function',
          name: 'sync',
          args: 'a integer',
          definition: 'CREATE OR REPLACE FUNCTION app.sync(a integer) RETURNS int LANGUAGE sql AS $$ SELECT a $$',
        },
      ],
      tables: [
        {
          ...emptyTable('parent', [
            col('id', 'bigint', { nullable: false, identity: 'by default' }),
            col('code', 'text', { nullable: false, collation: '"C"' }),
            col('region', 'text', { collation: 'app."Region Coll"' }),
          ]),
          primaryKey: { kind: 'primary_key', name: 'parent_primary', columns: ['id'] },
          unique: [
            {
              kind: 'unique',
              name: 'parent_code_key',
              columns: ['code', 'region'],
              nullsNotDistinct: true,
              deferrable: true,
              initiallyDeferred: true,
            },
          ],
          comment: 'parents',
        },
        {
          ...emptyTable('child', [
            col('id', 'integer', { nullable: false }),
            col('parent_code', 'character varying(20)', {
              renamedFrom: 'code',
              up: 'code::varchar(20)',
              down: 'parent_code::text',
            }),
            col('parent_region', 'text', {
              nullable: false,
              default: "'eu'::text",
              backfill: "'eu'",
              comment: 'where',
            }),
            col('total', 'numeric(12,2)', { generated: 'price * qty' }),
            col('tags', 'text[]', { default: "'{}'::text[]" }),
            col('state', 'app.state'),
          ]),
          renamedFrom: 'kid',
          primaryKey: { kind: 'primary_key', name: 'child_pkey', columns: ['id'] },
          indexes: [
            {
              kind: 'index',
              name: 'child_mixed_idx',
              unique: false,
              method: 'btree',
              keys: [
                { column: 'parent_code', order: 'desc', nulls: 'last', opclass: 'text_pattern_ops' },
                { expression: 'lower(parent_region)', collation: '"C"' },
              ],
              include: ['tags'],
            },
            {
              kind: 'index',
              name: 'child_tags_idx',
              unique: false,
              method: 'gin',
              keys: [{ column: 'tags' }],
              where: 'total > 0',
              comment: 'tags',
            },
            {
              kind: 'index',
              name: 'child_unique_idx',
              unique: true,
              method: 'btree',
              keys: [{ expression: 'lower(parent_code)' }],
              nullsNotDistinct: true,
              invalid: true,
            },
          ],
          foreignKeys: [
            {
              kind: 'foreign_key',
              name: 'child_parent_fkey',
              columns: ['parent_code', 'parent_region'],
              references: { schema: 'app', table: 'parent', columns: ['code', 'region'] },
              onDelete: 'set null',
              onUpdate: 'set default',
              match: 'full',
              deferrable: true,
              initiallyDeferred: false,
              notValid: true,
            },
            {
              kind: 'foreign_key',
              name: 'child_other_fkey',
              columns: ['id'],
              references: { schema: 'other schema', table: 'target', columns: ['id'] },
              onDelete: 'cascade',
              onUpdate: 'restrict',
              match: 'simple',
              deferrable: false,
              initiallyDeferred: false,
            },
          ],
          checks: [
            {
              kind: 'check',
              name: 'child_total_check',
              expression: '(total > (0)::numeric)',
              noInherit: true,
              notValid: true,
            },
          ],
          triggers: [
            {
              kind: 'trigger',
              name: 'child_sync',
              timing: 'before',
              events: ['insert', 'update'],
              forEach: 'row',
              function: { schema: 'app', name: 'sync' },
              when: '(new.id > 0)',
              enabled: 'always',
            },
            {
              kind: 'trigger',
              name: 'child_audit',
              timing: 'after',
              events: ['truncate'],
              forEach: 'statement',
              function: { schema: 'audit', name: 'log' },
              enabled: 'disabled',
            },
          ],
        },
      ],
    },
    {
      ...emptySchema('other schema'),
      tables: [
        {
          ...emptyTable('target', [col('id', 'integer', { nullable: false })]),
          primaryKey: { kind: 'primary_key', name: 'target_pkey', columns: ['id'] },
        },
      ],
    },
    { ...emptySchema('empty') },
  ],
  tenants: { registry: "SELECT schema_name FROM central.tenants WHERE active AND name <> ''", template: 'empty' },
};

describe('model -> YAML -> model', () => {
  it('is identical for the example, change hints included', () => {
    roundTrip(example);
  });

  it('is identical for a model using every feature in non-default forms', () => {
    roundTrip(everything);
  });

  it('keeps names with spaces, quotes, semicolons, non-ASCII and YAML-special spellings', () => {
    const awkward = [
      'with space',
      'qu"ote',
      "apo'strophe",
      'semi;colon',
      'ñandú',
      '名前',
      '123',
      '1.50',
      'true',
      'null',
      '~',
      '#hash',
      'colon: here',
      '- dash',
      '*star',
      '&amp',
      '!bang',
      '[x]',
      '{y}',
      '%pct',
      '@at',
      '`tick`',
      ' lead',
      'trail ',
      'multi\nline',
      'Users',
    ];
    const columns = awkward.map((n) => col(n));
    const table: Table = {
      ...emptyTable('t; DROP TABLE x', columns),
      primaryKey: { kind: 'primary_key', name: 'pk "quoted"', columns: ['with space'] },
    };
    const pk = table.columns.map((c) => (c.name === 'with space' ? { ...c, nullable: false } : c));
    const db: DatabaseSchema = {
      schemas: [
        {
          ...emptySchema('schéma "x"'),
          enums: [{ kind: 'enum', name: 'e', values: awkward }],
          tables: [{ ...table, columns: pk }],
        },
      ],
    };
    const back = roundTrip(db);
    expect(back.schemas[0]?.tables[0]?.columns.map((c) => c.name)).toEqual(awkward);
  });
});

describe('toYaml', () => {
  it('is deterministic and a fixed point', () => {
    const once = toYaml(everything);
    expect(toYaml(everything)).toBe(once);
    expect(toYaml(parseDeclared(once, 'x.yaml'))).toBe(once);
    const shuffled: DatabaseSchema = { ...everything, schemas: [...everything.schemas].reverse() };
    expect(toYaml(shuffled)).toBe(once);
  });

  it('writes the short forms and leaves defaults out', () => {
    const yaml = toYaml(example);
    expect(yaml).toContain('        primaryKey: { columns: [ id ] }\n');
    expect(yaml).toContain('          users_email_key: { columns: [ email ] }\n');
    expect(yaml).toContain('          users_lower_email_idx: { expressions: [ lower(email) ], unique: true }\n');
    expect(yaml).toContain('            references: { table: tiers }\n');
    expect(yaml).toContain('          email: { type: text, nullable: false }\n');
    expect(yaml).toContain('          id: { type: bigint, identity: always }\n');
    expect(yaml).toContain('      mood: [ sad, ok, happy ]\n');
    expect(yaml).toContain('      order_no: { start: 1000 }\n');
    for (const noise of [
      'nullable: true',
      'method: btree',
      'no action',
      'users_pkey',
      'match:',
      'deferrable: false',
      'unique: false',
      'type: bigint, start',
      'kind:',
    ])
      expect(yaml).not.toContain(noise);
  });

  it('writes the example as expected', () => {
    expect(toYaml(example)).toBe(
      readFileSync(new URL('../../fixtures/declared/example.out.yaml', import.meta.url), 'utf8'),
    );
  });
});
