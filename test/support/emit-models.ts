// Models for the emitter's tests and benchmark: the 2,000-table model of bench/introspect.ts, and strings
// the YAML writer must quote, escape or lay out with care, put in every field of a model.
import type { Column, DatabaseSchema, Sequence, Table } from '../../src/schema/model/model.js';

const col = (name: string, type: string, nullable = true, extra: Partial<Column> = {}): Column => ({ kind: 'column', name, type, nullable, ...extra });

/**
 * The model bench/introspect.ts builds in PostgreSQL (20 columns, 3 indexes, 1 foreign key and a check per
 * table), as introspection returns it: the large model the emitter is timed and compared on.
 */
export function largeModel(tables = 2000): DatabaseSchema {
  const name = (i: number): string => `t${String(i).padStart(4, '0')}`;
  const list: Table[] = [];
  for (let i = 1; i <= tables; i++) {
    const t = name(i);
    list.push({
      kind: 'table', name: t,
      columns: [
        col('id', 'bigint', false, { identity: 'by default' }), col('parent_id', 'bigint'), col('name', 'text', false, { default: "''::text" }),
        col('email', 'character varying(200)'), col('status', 'text', false, { default: "'new'::text" }), col('amount', 'numeric(12,2)'),
        col('quantity', 'integer', false, { default: '0' }), col('created_at', 'timestamp with time zone', false, { default: 'now()' }),
        col('updated_at', 'timestamp with time zone'), col('payload', 'jsonb'), col('flag', 'boolean', false, { default: 'false' }),
        col('code', 'character(3)'), col('ratio', 'double precision'), col('note', 'text'), col('tags', 'text[]'), col('ref', 'uuid'),
        col('seen', 'date'), col('score', 'smallint'), col('big', 'bigint'), col('extra', 'bytea'),
      ],
      primaryKey: { kind: 'primary_key', name: `${t}_pkey`, columns: ['id'] },
      unique: [],
      indexes: [
        { kind: 'index', name: `${t}_created_idx`, unique: false, method: 'btree', keys: [{ column: 'created_at', order: 'desc' }, { column: 'status' }] },
        { kind: 'index', name: `${t}_email_idx`, unique: true, method: 'btree', keys: [{ expression: 'lower((email)::text)' }], where: '(email IS NOT NULL)' },
        { kind: 'index', name: `${t}_parent_idx`, unique: false, method: 'btree', keys: [{ column: 'parent_id' }] },
      ],
      foreignKeys: i > 1 ? [{
        kind: 'foreign_key', name: `${t}_parent_fkey`, columns: ['parent_id'], references: { schema: 'public', table: name(i - 1), columns: ['id'] },
        onDelete: 'no action', onUpdate: 'no action', match: 'simple', deferrable: false, initiallyDeferred: false,
      }] : [],
      checks: [{ kind: 'check', name: `${t}_score_check`, expression: '(score >= 0)' }],
      triggers: [],
    });
  }
  return { schemas: [{ kind: 'schema', name: 'public', enums: [], sequences: [], tables: list, functions: [], comment: 'standard public schema' }] };
}

export const FUNCTION = 'CREATE OR REPLACE FUNCTION app.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n  NEW.at := now();\n  RETURN NEW;\nEND\n$function$\n';

/** Strings the YAML writer must quote, escape, or lay out with care, in every spelling that matters. */
export const HOSTILE: readonly string[] = [
  '', ' ', '  ', 'a', 'plain text', 'yes', 'no', 'on', 'off', 'y', 'n', 'null', 'Null', 'NULL', 'nUll', '~', 'true', 'True', 'TRUE',
  'false', 'FALSE', 'tRue', '1', '0', '-0', '+1', '-1', '007', '1.5', '1.', '.5', '-.5', '1e5', '1E5', '1e-5', '.5e3', '0x1F', '0X1F',
  '0o17', '0b101', '1_000', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1:20', '2001-12-14', '12:30:00', '-', '?', '? x', '?x', '- x',
  '-x', '--', ':', ':x', 'x:', 'a: b', 'a:b', 'a :b', 'a:\tb', 'http://x', 'x #y', 'x#y', '#x', '@x', '`x', '%x', '!x', '!!str', '&x',
  '*x', '|', '>', '|x', '>x', '|-', "'x", '"x', "it's", 'say "hi"', `both ' and "`, "''", '""', ',x', 'x,y', 'x, y', '[x]', '{x}',
  'x]', 'x}', '[', '{', 'a[0]', 'f(a, b)', '---', '--- x', '...', '... x', 'x\n---\ny', 'x\n...', '%YAML 1.2', ' lead', 'trail ',
  ' both ', '\ttab', 'tab\t', 'a\tb', 'line1\nline2', '\nlead', 'trail\n', 'trail2\n\n', 'only\n\n\n', '\n', '\n\n', ' \n', '\n ', 'x\n ',
  'x \ny', 'x\n y', 'x\n\ty', 'x\n#y', 'x\n- y', 'a\r\nb', '\r', 'ñandú', '名前', 'Grüße, Welt', 'emoji 😀', '😀', '\u00a0nbsp', 'nbsp\u00a0',
  '\u2028', 'x\u2028y', '\u0085', 'x\u0085y', '\ufeffbom', '\u0000', 'nul\u0000x', '\x07bell', '\x1b[0m', '\x7f', '\x9f', '\ud800', 'x\udfffy',
  '\\', 'back\\nslash', 'C:\\path\\n', '\\"', 'x'.repeat(81), 'word '.repeat(25).trim(), 'a: b, '.repeat(20), '"quoted" '.repeat(15),
  'k'.repeat(1024), 'k'.repeat(1025), '"' + 'k'.repeat(1021), 'y'.repeat(1030), "it's ".repeat(230), 'z\n'.repeat(30), ' '.repeat(3) + 'leading spaces\nsecond line\n', '  x\n\n  y\n\n', FUNCTION,
  ' ' + FUNCTION, FUNCTION + '\n\n', FUNCTION.replaceAll('\n', '\r\n'), 'x'.repeat(39) + '\ny', 'x'.repeat(40) + '\ny', '"' + 'x'.repeat(45) + '\n y \n',
  'SELECT schema_name FROM central.tenants WHERE active', "(status <> 'done'::app.status)", "nextval('app.orders_id_seq'::regclass)",
  "''::text", 'numeric(12,2)', 'text[]', 'timestamp with time zone', '"C"', 'app."Region Coll"', '(total > (0)::numeric)', 'lower((email)::text)',
];

/** A model that puts `s` in every field, in short and long mappings, keys and values, block and flow. */
export function modelWith(s: string): DatabaseSchema {
  const main: Table = {
    kind: 'table', name: s, renamedFrom: s, comment: s,
    columns: [
      { kind: 'column', name: s, type: s, nullable: false, default: s, collation: s, renamedFrom: s, up: s, down: s, backfill: s, comment: s },
      { kind: 'column', name: 'c2', type: 'text', nullable: true, generated: s },
      { kind: 'column', name: 'c3', type: s, nullable: false, identity: 'always' },
      { kind: 'column', name: 'c4', type: 'bigint', nullable: true, default: s },
    ],
    primaryKey: { kind: 'primary_key', name: s, columns: [s] },
    unique: [{ kind: 'unique', name: s, columns: [s, 'c2'], nullsNotDistinct: true }, { kind: 'unique', name: 'u2', columns: [s] }],
    indexes: [
      { kind: 'index', name: s, unique: true, method: s, keys: [{ column: s }], include: [s], where: s, comment: s },
      { kind: 'index', name: 'i2', unique: false, method: 'btree', keys: [{ expression: s }] },
      { kind: 'index', name: 'i3', unique: false, method: 'gin', keys: [{ column: s, order: 'desc', nulls: 'last', opclass: s, collation: s }, { expression: s }] },
      { kind: 'index', name: 'i4', unique: false, method: 'btree', keys: [{ column: 'c2', collation: s }] },
    ],
    foreignKeys: [
      { kind: 'foreign_key', name: s, columns: [s], references: { schema: s, table: s, columns: [s] }, onDelete: 'cascade', onUpdate: 'no action', match: 'simple', deferrable: false, initiallyDeferred: false },
      { kind: 'foreign_key', name: 'f2', columns: [s, 'c2'], references: { schema: 'other', table: s, columns: [s, s] }, onDelete: s as 'cascade', onUpdate: 'restrict', match: 'full', deferrable: true, initiallyDeferred: true, notValid: true },
    ],
    checks: [{ kind: 'check', name: s, expression: s, noInherit: true }, { kind: 'check', name: 'k2', expression: s, notValid: true }],
    triggers: [
      { kind: 'trigger', name: s, timing: 'before', events: [s as 'insert', 'insert'], forEach: 'row', function: { schema: s, name: s }, when: s, enabled: s as 'always' },
      { kind: 'trigger', name: 't2', timing: 'after', events: ['truncate'], forEach: 'statement', function: { schema: 'other', name: s }, enabled: 'origin' },
    ],
  };
  const short: Table = { kind: 'table', name: 'short', columns: [{ kind: 'column', name: 'a', type: s, nullable: true }], unique: [], indexes: [], foreignKeys: [], checks: [], triggers: [] };
  const sq = (name: string, ownedBy?: Sequence['ownedBy']): Sequence =>
    ({ kind: 'sequence', name, type: 'integer', start: '5', increment: '-1', min: '-9007199254740993', max: '10', cache: '20', cycle: true, ...(ownedBy ? { ownedBy } : {}) });
  return {
    schemas: [
      {
        kind: 'schema', name: s, comment: s,
        enums: [{ kind: 'enum', name: s, values: [s, 'a'] }, { kind: 'enum', name: 'e2', values: [s], comment: s }, { kind: 'enum', name: 'e3', values: [] }],
        sequences: [sq(s, { table: s, column: s }), sq('q2')],
        tables: [main, short],
        functions: [{ kind: 'function', name: s, args: s, definition: s }, { kind: 'function', name: 'f', args: '', definition: s }],
      },
      { kind: 'schema', name: 'other', enums: [], sequences: [], tables: [{ ...short, name: s, comment: s }], functions: [] },
    ],
    tenants: { registry: s, template: s },
  };
}
