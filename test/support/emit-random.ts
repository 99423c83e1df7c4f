// Seeded random models for the emitter's tests: hostile ones, with any string in any field (the emitter must
// write what the yaml library wrote, even where the result is not a valid schema), and valid ones, which must
// also read back. A failure names the model's index; the same seed rebuilds it.
import type {
  Column,
  DatabaseSchema,
  ForeignKey,
  Function,
  Index,
  IndexKey,
  Schema,
  Sequence,
  Table,
  Trigger,
} from '../../src/schema/model/model.js';
import { defaultConstraintName } from '../../src/schema/model/names.js';
import { literal, qualified } from '../../src/db/quote.js';
import { FUNCTION, HOSTILE } from './emit-models.js';

/** mulberry32: a small seeded generator, so that a failure names a model that can be rebuilt. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  times<T>(max: number, make: (i: number) => T): T[] {
    return Array.from({ length: this.int(max + 1) }, (_, i) => make(i));
  }
}

const FRAGMENTS = [
  'a',
  'b',
  'Z',
  '_',
  'id',
  '0',
  '9',
  ' ',
  '  ',
  ':',
  ': ',
  '#',
  ' #',
  ',',
  ', ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '\n',
  '\n\n',
  '\t',
  '-',
  '- ',
  '?',
  '? ',
  '|',
  '>',
  '%',
  '@',
  '`',
  '!',
  '&',
  '*',
  '~',
  '.',
  '...',
  '---',
  '\\',
  '\\n',
  'é',
  '名',
  '😀',
  '\r',
  '\x1b',
  '\x7f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ud800',
  'null',
  'true',
  '0x1F',
  '1e5',
  '::text',
  '()',
  'SELECT 1',
];

/** Any string: a hostile one, a random mix of fragments, or a long or multi-line one. */
function anyText(r: Random): string {
  const k = r.next();
  if (k < 0.35) return r.pick(HOSTILE);
  if (k < 0.75) return r.times(7, () => r.pick(FRAGMENTS)).join('');
  if (k < 0.85) return r.pick(['id', 'name', 'created_at', 'bigint', 'text', 'users', 'x_1']);
  if (k < 0.93)
    return r
      .times(3, () => r.pick(FRAGMENTS))
      .join('')
      .repeat(10 + r.int(40));
  return (
    r.times(6, () => r.pick(['  ', ' ', '', '\t'])).join('') +
    r.times(5, () => `${r.pick(FRAGMENTS)}line`).join('\n') +
    '\n'.repeat(r.int(4))
  );
}

/** Distinct names (a repeated name makes both emitters throw; some models test that anyway). */
function names(r: Random, count: number, make: () => string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < count * 3 && out.size < count; i++) out.add(make());
  const list = [...out];
  if (list.length > 0 && r.chance(0.01)) list.push(list[0] as string);
  return list;
}

export function hostileModel(r: Random): DatabaseSchema {
  const t = (): string => anyText(r);
  const maybe = (p = 0.3): string | undefined => (r.chance(p) ? t() : undefined);
  const oneOf = <T extends string>(values: readonly T[]): T => (r.chance(0.85) ? r.pick(values) : (t() as T));
  const schemaNames = names(r, 1 + r.int(3), t);
  const table = (name: string): Table => {
    const columns = names(r, r.int(6), t);
    const anyColumn = (): string => (columns.length > 0 && r.chance(0.8) ? r.pick(columns) : t());
    const key = (): IndexKey =>
      r.chance(0.5)
        ? { column: anyColumn(), ...(r.chance(0.1) ? { expression: undefined } : {}) }
        : {
            ...(r.chance(0.6) ? { column: anyColumn() } : { expression: t() }),
            order: r.chance(0.5) ? 'desc' : undefined,
            nulls: r.chance(0.3) ? r.pick(['first', 'last'] as const) : undefined,
            opclass: maybe(),
            collation: maybe(),
          };
    const index = (n: string): Index => {
      const style = r.int(3);
      return {
        kind: 'index',
        name: n,
        unique: r.chance(0.3),
        method: r.chance(0.7) ? 'btree' : t(),
        comment: maybe(),
        where: maybe(),
        keys: r.times(3, () => (style === 0 ? { column: anyColumn() } : style === 1 ? { expression: t() } : key())),
        ...(r.chance(0.2) ? { include: r.times(2, anyColumn) } : {}),
        ...(r.chance(0.1) ? { nullsNotDistinct: true } : {}),
        ...(r.chance(0.1) ? { invalid: true } : {}),
      };
    };
    const foreignKey = (n: string): ForeignKey => ({
      kind: 'foreign_key',
      name: n,
      columns: r.times(2, anyColumn),
      notValid: r.chance(0.2) ? true : undefined,
      references: {
        schema: r.chance(0.7) ? r.pick(schemaNames.length ? schemaNames : ['x']) : t(),
        table: r.chance(0.5) ? name : t(),
        columns: r.times(2, anyColumn),
      },
      onDelete: oneOf(['no action', 'restrict', 'cascade', 'set null', 'set default'] as const),
      onUpdate: oneOf(['no action', 'cascade'] as const),
      match: oneOf(['simple', 'full'] as const),
      deferrable: r.chance(0.3),
      initiallyDeferred: r.chance(0.2),
    });
    const trigger = (n: string): Trigger => ({
      kind: 'trigger',
      name: n,
      timing: oneOf(['before', 'after', 'instead of'] as const),
      events: r.times(3, () => oneOf(['insert', 'update', 'delete', 'truncate'] as const)),
      forEach: oneOf(['row', 'statement'] as const),
      function: { schema: r.chance(0.5) ? r.pick(schemaNames.length ? schemaNames : ['x']) : t(), name: t() },
      when: maybe(),
      enabled: oneOf(['origin', 'always', 'replica', 'disabled'] as const),
    });
    const column = (n: string): Column => ({
      kind: 'column',
      name: n,
      type: r.chance(0.6) ? r.pick(['bigint', 'text', 'integer', 'numeric(12,2)', 'text[]']) : t(),
      nullable: r.chance(0.6),
      default: maybe(0.2),
      identity: r.chance(0.15) ? oneOf(['always', 'by default'] as const) : undefined,
      generated: maybe(0.1),
      collation: maybe(0.1),
      comment: maybe(0.2),
      renamedFrom: maybe(0.1),
      up: maybe(0.1),
      down: maybe(0.1),
      backfill: maybe(0.1),
    });
    return {
      kind: 'table',
      name,
      columns: columns.map(column),
      comment: maybe(0.2),
      renamedFrom: maybe(0.1),
      ...(r.chance(0.6)
        ? {
            primaryKey: {
              kind: 'primary_key',
              name: r.chance(0.7) ? `${name}_pkey` : t(),
              columns: r.times(2, anyColumn),
            },
          }
        : {}),
      unique: names(r, r.int(2), t).map((n) => ({
        kind: 'unique',
        name: n,
        columns: r.times(2, anyColumn),
        ...(r.chance(0.2) ? { deferrable: true, nullsNotDistinct: true } : {}),
      })),
      indexes: names(r, r.int(3), t).map(index),
      foreignKeys: names(r, r.int(2), t).map(foreignKey),
      checks: names(r, r.int(2), t).map((n) => ({
        kind: 'check',
        name: n,
        expression: t(),
        noInherit: r.chance(0.2) ? true : undefined,
      })),
      triggers: names(r, r.int(2), t).map(trigger),
    };
  };
  const number = (): string =>
    r.pick([
      '1',
      '-1',
      '0',
      '-0',
      '5',
      '+5',
      '007',
      '1000',
      '32767',
      '2147483647',
      '9007199254740991',
      '9007199254740993',
      '-9223372036854775808',
      '9223372036854775807',
    ]);
  const sequence = (n: string): Sequence => ({
    kind: 'sequence',
    name: n,
    type: r.pick(['smallint', 'integer', 'bigint'] as const),
    start: number(),
    increment: r.chance(0.5) ? '1' : number(),
    min: number(),
    max: number(),
    cache: r.chance(0.5) ? '1' : number(),
    cycle: r.chance(0.3),
    ...(r.chance(0.3) ? { ownedBy: { table: t(), column: t() } } : {}),
  });
  const fn = (): Function => ({
    kind: 'function',
    name: t(),
    args: r.chance(0.5) ? '' : t(),
    definition: r.chance(0.5) ? FUNCTION : t(),
  });
  return {
    schemas: schemaNames.map(
      (name): Schema => ({
        kind: 'schema',
        name,
        comment: maybe(0.2),
        enums: names(r, r.int(3), t).map((n) => ({
          kind: 'enum',
          name: n,
          values: r.times(4, t),
          comment: maybe(0.3),
        })),
        sequences: names(r, r.int(2), t).map(sequence),
        tables: names(r, r.int(3), t).map(table),
        functions: r.times(2, fn),
      }),
    ),
    ...(r.chance(0.2) ? { tenants: { registry: t(), template: t() } } : {}),
  };
}

const TYPES = [
  'bigint',
  'integer',
  'smallint',
  'text',
  'boolean',
  'numeric(12,2)',
  'character varying(20)',
  'timestamp with time zone',
  'text[]',
  'jsonb',
  'uuid',
  'date',
];
const INTEGER_TYPES = new Set(['bigint', 'integer', 'smallint']);
const COLLATIONS = ['"C"', '"POSIX"', 'app."Region Coll"', '"de-DE-x-icu"'];
const RANGE = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
} as const;
const EVENTS = ['insert', 'update', 'delete', 'truncate'] as const;
/** Multi-line strings of spaces (and tabs) and line breaks only, which the library's YAML does not keep. */
const LOSSY_WHITESPACE = /^(?=[\s\S]*\n)(?=[\s\S]* )[ \t\n]*$/;

/**
 * Models that are valid declared schemas, with hostile strings wherever the format takes any text: names,
 * comments, labels, raw SQL (trimmed, as the parser trims it) and function definitions.
 */
export class ValidModels {
  constructor(private readonly r: Random) {}

  /**
   * Any text but one the library's YAML loses (a multi-line string of nothing but spaces and line breaks is
   * written as a `|+` literal of blank lines, which reads back without its spaces; see the test below), or
   * one validation refuses anywhere: a NUL or an unpaired surrogate (src/schema/declared/hygiene.ts).
   */
  private text(): string {
    const s = anyText(this.r).replace(/\0|\p{Cs}/gu, '');
    return LOSSY_WHITESPACE.test(s) ? `${s}.` : s;
  }

  /** Text for a name, an enum label or a comment: without the control characters validation refuses there. */
  private catalogText(): string {
    const s = this.text().replace(/[\x01-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/g, '');
    return LOSSY_WHITESPACE.test(s) ? `${s}.` : s;
  }

  /** One expression (declared SQL is parsed): the hostile text inside a string literal. */
  private sql(): string {
    const text = this.text().replace(/\0/g, '');
    // An escape string: a backslash in a plain literal is refused (it reads differently with standard_conforming_strings off).
    return text.trim() === '' ? 'true' : `E${literal(text.replace(/\\/g, '\\\\'))} IS NOT NULL`;
  }

  /** One CREATE FUNCTION of exactly `schema.name`, with hostile text in its body. */
  private definition(schema: string, name: string): string {
    const body = `SELECT ${literal(this.text().replace(/\0/g, ''))}::text`;
    return `CREATE OR REPLACE FUNCTION ${qualified(schema, name)}() RETURNS text LANGUAGE sql AS ${literal(body)}`;
  }

  private comment(p: number): { comment?: string } {
    return this.r.chance(p) ? { comment: this.catalogText() } : {};
  }

  /** A name not in `taken` that PostgreSQL keeps as it is (1 to 63 bytes, no NUL). */
  private fresh(taken: Set<string>): string {
    const { r } = this;
    const ok = (n: string): boolean =>
      n !== '' && !n.includes('\0') && Buffer.byteLength(n) <= 63 && !taken.has(n) && !n.startsWith('pg_');
    let n = '';
    for (let i = 0; i < 10 && !ok(n); i++)
      n = r.chance(0.6) ? this.catalogText() : r.pick(['id', 'users', 'a b', 'Ünïcode', 'x_1']) + r.int(100);
    if (!ok(n)) n = `n${taken.size}_${r.int(1e9)}`;
    taken.add(n);
    return n;
  }

  /** 1 to `max` distinct items. */
  private some(from: readonly string[], max: number): string[] {
    return [...new Set(Array.from({ length: 1 + this.r.int(max) }, () => this.r.pick(from)))];
  }

  model(): DatabaseSchema {
    const schemaNames = new Set<string>();
    const schemas: Schema[] = [];
    for (let i = 0, n = 1 + this.r.int(3); i < n; i++) schemas.push(this.schema(this.fresh(schemaNames), schemas));
    return {
      schemas,
      ...(this.r.chance(0.2)
        ? { tenants: { registry: `SELECT ${this.sql()}`, template: this.r.pick([...schemaNames]) } }
        : {}),
    };
  }

  private schema(name: string, earlier: readonly Schema[]): Schema {
    const { r } = this;
    const names = new Set<string>(); // one namespace for everything in the schema: stricter than PostgreSQL, and simple
    const tables: Table[] = [];
    const targets = (): Array<readonly [string, Table]> => [
      ...earlier.flatMap((s) => s.tables.map((t) => [s.name, t] as const)),
      ...tables.map((t) => [name, t] as const),
    ];
    for (let i = 0, n = r.int(4); i < n; i++) tables.push(this.table(name, names, targets()));
    const owners = tables.filter((t) => t.columns.length > 0);
    const sequences = r.times(2, (): Sequence => {
      const type = r.pick(['smallint', 'integer', 'bigint'] as const);
      const ascending = r.chance(0.7);
      const min = ascending ? r.pick(['1', '10']) : r.pick([RANGE[type][0], '-1000']);
      const max = ascending ? r.pick([RANGE[type][1], '30000']) : '-1';
      const owner = owners.length > 0 && r.chance(0.3) ? r.pick(owners) : undefined;
      return {
        kind: 'sequence',
        name: this.fresh(names),
        type,
        increment: ascending ? r.pick(['1', '2', '10']) : '-1',
        min,
        max,
        start: ascending ? r.pick([min, '500']) : max,
        cache: r.pick(['1', '20']),
        cycle: r.chance(0.3),
        ...(owner ? { ownedBy: { table: owner.name, column: r.pick(owner.columns).name } } : {}),
      };
    });
    const labels = (): string[] => [
      ...new Set(r.times(4, () => this.catalogText()).filter((v) => Buffer.byteLength(v) <= 63)),
    ];
    return {
      kind: 'schema',
      name,
      tables,
      sequences,
      ...this.comment(0.3),
      enums: r.times(2, () => ({ kind: 'enum', name: this.fresh(names), values: labels(), ...this.comment(0.3) })),
      functions: r.times(2, (i): Function => {
        const fn = this.fresh(names);
        return { kind: 'function', name: fn, args: i === 0 ? '' : this.text(), definition: this.definition(name, fn) };
      }),
    };
  }

  private table(schemaName: string, names: Set<string>, targets: ReadonlyArray<readonly [string, Table]>): Table {
    const { r } = this;
    const name = this.fresh(names);
    const columnNames = new Set<string>();
    const columns = r.times(5, () => this.fresh(columnNames));
    const pkColumns = columns.length > 0 && r.chance(0.6) ? this.some(columns, 2) : [];
    const keyed = columns.length > 0;
    const table: Table = {
      kind: 'table',
      name,
      ...this.comment(0.2),
      ...(r.chance(0.1) ? { renamedFrom: this.fresh(names) } : {}),
      columns: columns.map((c) => this.column(c, pkColumns.includes(c), columnNames)),
      ...(pkColumns.length > 0
        ? { primaryKey: { kind: 'primary_key', name: this.pkName(name, names), columns: pkColumns } }
        : {}),
      unique: keyed
        ? r.times(2, () => ({
            kind: 'unique',
            name: this.fresh(names),
            columns: this.some(columns, 2),
            ...(r.chance(0.3) ? { nullsNotDistinct: true, deferrable: true, initiallyDeferred: true } : {}),
          }))
        : [],
      indexes: keyed ? r.times(3, () => this.index(this.fresh(names), columns)) : [],
      foreignKeys: [],
      checks: r.times(2, () => ({
        kind: 'check',
        name: this.fresh(names),
        expression: this.sql(),
        ...(r.chance(0.2) ? { noInherit: true, notValid: true } : {}),
      })),
      triggers: r.times(2, () => this.trigger(this.fresh(names), schemaName)),
    };
    const candidates = [...targets, [schemaName, table] as const].filter(([, t]) => t.primaryKey);
    const foreignKeys =
      keyed && candidates.length > 0
        ? r
            .times(2, (): ForeignKey => {
              const [s, target] = r.pick(candidates);
              const refColumns = target.primaryKey?.columns ?? [];
              return {
                kind: 'foreign_key',
                name: this.fresh(names),
                columns: refColumns.map(() => r.pick(columns)),
                references: { schema: s, table: target.name, columns: refColumns },
                onDelete: r.pick(['no action', 'restrict', 'cascade', 'set null', 'set default'] as const),
                onUpdate: r.pick(['no action', 'cascade'] as const),
                match: r.pick(['simple', 'full'] as const),
                deferrable: true,
                initiallyDeferred: r.chance(0.5),
                ...(r.chance(0.2) ? { notValid: true } : {}),
              };
            })
            .filter((f) => new Set(f.columns).size === f.columns.length)
        : [];
    return { ...table, foreignKeys };
  }

  /** The default `<table>_pkey` (which the YAML leaves out) or another name. */
  private pkName(table: string, names: Set<string>): string {
    const dflt = defaultConstraintName(table, [], 'pkey');
    return this.r.chance(0.5) && !names.has(dflt) ? (names.add(dflt), dflt) : this.fresh(names);
  }

  private column(name: string, inPk: boolean, taken: Set<string>): Column {
    const { r } = this;
    const type = r.pick(TYPES);
    const identity = INTEGER_TYPES.has(type) && r.chance(0.2) ? r.pick(['always', 'by default'] as const) : undefined;
    const generated = !identity && r.chance(0.1) ? this.sql() : undefined;
    const nullable = inPk || identity ? false : r.chance(0.6);
    return {
      kind: 'column',
      name,
      type,
      nullable,
      ...this.comment(0.2),
      ...(identity ? { identity } : generated ? { generated } : r.chance(0.3) ? { default: this.sql() } : {}),
      ...(r.chance(0.1) ? { collation: r.pick(COLLATIONS) } : {}),
      ...(r.chance(0.1) ? { renamedFrom: this.fresh(taken) } : {}),
      ...(!generated && r.chance(0.1) ? { up: this.sql(), down: this.sql() } : {}),
      ...(!generated && !nullable && r.chance(0.2) ? { backfill: this.sql() } : {}),
    };
  }

  private index(name: string, columns: readonly string[]): Index {
    const { r } = this;
    const style = r.int(3);
    const keys: IndexKey[] =
      style === 0
        ? this.some(columns, 3).map((column) => ({ column }))
        : style === 1
          ? r.times(2, () => ({ expression: this.sql() })).concat({ expression: this.sql() })
          : this.some(columns, 2)
              .map((column): IndexKey => {
                const desc = r.chance(0.5);
                return {
                  column,
                  ...(desc ? { order: 'desc' } : {}),
                  ...(r.chance(0.3) ? { nulls: desc ? 'last' : 'first' } : {}),
                  ...(r.chance(0.3) ? { opclass: 'text_pattern_ops' } : {}),
                  ...(r.chance(0.3) ? { collation: r.pick(COLLATIONS) } : {}),
                };
              })
              .concat(r.chance(0.5) ? [{ expression: this.sql() }] : []);
    const unique = r.chance(0.3);
    return {
      kind: 'index',
      name,
      unique,
      method: 'btree',
      keys,
      ...this.comment(0.2),
      ...(r.chance(0.2) ? { where: this.sql() } : {}),
      ...(unique && r.chance(0.3) ? { nullsNotDistinct: true } : {}),
      ...(r.chance(0.05) ? { invalid: true } : {}),
    };
  }

  private trigger(name: string, schemaName: string): Trigger {
    const { r } = this;
    const events = EVENTS.filter(() => r.chance(0.5));
    const forEach = events.includes('truncate') || r.chance(0.3) ? 'statement' : 'row';
    return {
      kind: 'trigger',
      name,
      timing: r.pick(['before', 'after'] as const),
      events: events.length > 0 ? events : ['insert'],
      forEach,
      function: { schema: r.chance(0.7) ? schemaName : this.fresh(new Set()), name: this.fresh(new Set()) },
      ...(forEach === 'row' && r.chance(0.3) ? { when: this.sql() } : {}),
      enabled: r.pick(['origin', 'always', 'replica', 'disabled'] as const),
    };
  }
}
