// The reference for src/schema/emit/yaml.ts: the original emitter, built on the yaml library's Document nodes. It is
// too slow for large schemas (seconds for 2,000 tables) but its output is by definition right; the fast emitter
// must reproduce it byte for byte (test/unit/declared/emit-identity.test.ts). Used only by tests and bench/.
//
// The model as declared YAML, in the short forms a person would write: defaults omitted (nullable: true,
// method: btree, onDelete: no action, the `<table>_pkey` name, the referenced primary key), `columns:` for
// plain index keys, short objects on one line. Deterministic: the model is normalized first, and keys are
// written in a fixed order.
import { Document, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import type {
  Column,
  DatabaseSchema,
  ForeignKey,
  Index,
  Schema,
  Sequence,
  Table,
  Trigger,
} from '../../src/schema/model/model.js';
import { defaultConstraintName, yamlName } from '../../src/schema/model/names.js';
import { normalizeDatabase } from '../../src/schema/model/normalize.js';
import { sequenceBounds } from '../../src/schema/model/sequence.js';

type Fields = ReadonlyArray<readonly [string, unknown]>;
/** Objects shorter than this (as JSON) go on one line, as in `id: { type: bigint, nullable: false }`. */
const FLOW_LIMIT = 90;

/** Fields with their values, leaving out the undefined ones (defaults are passed as undefined). */
const fields = (pairs: Fields): Array<[string, unknown]> =>
  pairs.filter((p): p is [string, unknown] => p[1] !== undefined);

class Writer {
  readonly doc = new Document();

  /** A mapping node; `flow` when every value is one line and the whole is short. */
  map(pairs: Fields, style: 'block' | 'auto' | 'flow' = 'block'): YAMLMap {
    const m = new YAMLMap();
    for (const [k, v] of fields(pairs)) m.add(this.doc.createPair(k, this.node(v)));
    if (style === 'flow' || (style === 'auto' && this.short(pairs))) m.flow = true;
    return m;
  }

  private short(pairs: Fields): boolean {
    // YAML nodes serialize through their toJSON().
    const json = JSON.stringify(Object.fromEntries(fields(pairs)));
    return json.length <= FLOW_LIMIT && !json.includes('\\n');
  }

  node(v: unknown): Node {
    if (v instanceof YAMLMap) return v;
    const n = this.doc.createNode(v);
    // Lists of names and labels read best on one line.
    if (n instanceof YAMLSeq && Array.isArray(v) && v.every((x) => typeof x === 'string' && !x.includes('\n')))
      n.flow = true;
    return n;
  }

  /** name -> object mappings, blank lines between entries when `spaced`. */
  named<T extends { readonly name: string }>(
    items: readonly T[],
    make: (item: T) => unknown,
    spaced = false,
  ): YAMLMap | undefined {
    if (items.length === 0) return undefined;
    const m = new YAMLMap();
    items.forEach((item, i) => {
      const key = new Scalar(item.name);
      if (spaced && i > 0) key.spaceBefore = true;
      m.add(this.doc.createPair(key, this.node(make(item))));
    });
    return m;
  }
}

const trueOnly = (b: boolean | undefined): true | undefined => (b ? true : undefined);
/** Sequence numbers as YAML integers when they survive a JS number, else quoted. */
const num = (s: string): number | string => (Number.isSafeInteger(Number(s)) ? Number(s) : s);

function column(w: Writer, c: Column, inPk: boolean): YAMLMap {
  const impliedNullable = !(inPk || c.identity !== undefined);
  return w.map(
    [
      ['type', c.type],
      ['nullable', c.nullable === impliedNullable ? undefined : c.nullable],
      ['default', c.default],
      ['identity', c.identity],
      ['generated', c.generated],
      ['collation', c.collation && yamlName(c.collation)],
      ['renamedFrom', c.renamedFrom],
      ['up', c.up],
      ['down', c.down],
      ['backfill', c.backfill],
      ['comment', c.comment],
    ],
    'auto',
  );
}

function index(w: Writer, i: Index): YAMLMap {
  const plain = (k: object, only: string): boolean => Object.keys(k).every((key) => key === only);
  const form: [string, unknown] = i.keys.every((k) => plain(k, 'column') && k.column !== undefined)
    ? ['columns', i.keys.map((k) => k.column)]
    : i.keys.every((k) => plain(k, 'expression') && k.expression !== undefined)
      ? ['expressions', i.keys.map((k) => k.expression)]
      : [
          'keys',
          i.keys.map((k) =>
            w.map(
              [
                ['column', k.column],
                ['expression', k.expression],
                ['order', k.order],
                ['nulls', k.nulls],
                ['opclass', k.opclass && yamlName(k.opclass)],
                ['collation', k.collation && yamlName(k.collation)],
              ],
              'flow',
            ),
          ),
        ];
  return w.map(
    [
      form,
      ['method', i.method === 'btree' ? undefined : i.method],
      ['unique', trueOnly(i.unique)],
      ['include', i.include],
      ['where', i.where],
      ['nullsNotDistinct', i.nullsNotDistinct],
      ['invalid', i.invalid],
      ['comment', i.comment],
    ],
    'auto',
  );
}

function foreignKey(w: Writer, db: DatabaseSchema, schema: string, f: ForeignKey): YAMLMap {
  const r = f.references;
  const target = db.schemas.find((s) => s.name === r.schema)?.tables.find((t) => t.name === r.table);
  const pk = target?.primaryKey?.columns;
  const samePk = pk !== undefined && pk.length === r.columns.length && pk.every((c, i) => c === r.columns[i]);
  const references = w.map(
    [
      ['schema', r.schema === schema ? undefined : r.schema],
      ['table', r.table],
      ['columns', samePk ? undefined : r.columns],
    ],
    'flow',
  );
  const action = (a: string): string | undefined => (a === 'no action' ? undefined : a);
  return w.map(
    [
      ['columns', f.columns],
      ['references', references],
      ['onDelete', action(f.onDelete)],
      ['onUpdate', action(f.onUpdate)],
      ['match', f.match === 'simple' ? undefined : f.match],
      ['deferrable', trueOnly(f.deferrable)],
      ['initiallyDeferred', trueOnly(f.initiallyDeferred)],
      ['notValid', f.notValid],
    ],
    'auto',
  );
}

function trigger(w: Writer, schema: string, t: Trigger): YAMLMap {
  return w.map(
    [
      ['timing', t.timing],
      ['events', t.events],
      ['forEach', t.forEach === 'statement' ? undefined : t.forEach],
      [
        'function',
        w.map(
          [
            ['schema', t.function.schema === schema ? undefined : t.function.schema],
            ['name', t.function.name],
          ],
          'flow',
        ),
      ],
      ['when', t.when],
      ['enabled', t.enabled === 'origin' ? undefined : t.enabled],
    ],
    'auto',
  );
}

function table(w: Writer, db: DatabaseSchema, schema: string, t: Table): YAMLMap {
  const pk = t.primaryKey;
  const pkColumns = new Set(pk?.columns ?? []);
  const columns = new YAMLMap();
  for (const c of t.columns) columns.add(w.doc.createPair(c.name, column(w, c, pkColumns.has(c.name))));
  return w.map([
    ['renamedFrom', t.renamedFrom],
    ['columns', columns],
    [
      'primaryKey',
      pk &&
        w.map(
          [
            ['name', pk.name === defaultConstraintName(t.name, [], 'pkey') ? undefined : pk.name],
            ['columns', pk.columns],
          ],
          'auto',
        ),
    ],
    [
      'unique',
      w.named(t.unique, (u) =>
        w.map(
          [
            ['columns', u.columns],
            ['nullsNotDistinct', u.nullsNotDistinct],
            ['deferrable', u.deferrable],
            ['initiallyDeferred', u.initiallyDeferred],
          ],
          'auto',
        ),
      ),
    ],
    ['indexes', w.named(t.indexes, (i) => index(w, i))],
    ['foreignKeys', w.named(t.foreignKeys, (f) => foreignKey(w, db, schema, f))],
    [
      'checks',
      w.named(t.checks, (c) =>
        w.map(
          [
            ['expression', c.expression],
            ['noInherit', c.noInherit],
            ['notValid', c.notValid],
          ],
          'auto',
        ),
      ),
    ],
    ['triggers', w.named(t.triggers, (g) => trigger(w, schema, g))],
    ['comment', t.comment],
  ]);
}

function sequence(w: Writer, s: Sequence): YAMLMap {
  const bare = sequenceBounds(s.type, { increment: s.increment });
  const start = sequenceBounds(s.type, { increment: s.increment, min: s.min, max: s.max }).start;
  const unless = (value: string, dflt: bigint): number | string | undefined =>
    BigInt(value) === dflt ? undefined : num(value);
  return w.map(
    [
      ['type', s.type === 'bigint' ? undefined : s.type],
      ['start', unless(s.start, start)],
      ['increment', unless(s.increment, 1n)],
      ['min', unless(s.min, bare.min)],
      ['max', unless(s.max, bare.max)],
      ['cache', unless(s.cache, 1n)],
      ['cycle', trueOnly(s.cycle)],
      [
        'ownedBy',
        s.ownedBy &&
          w.map(
            [
              ['table', s.ownedBy.table],
              ['column', s.ownedBy.column],
            ],
            'flow',
          ),
      ],
    ],
    'auto',
  );
}

function schemaNode(w: Writer, db: DatabaseSchema, s: Schema): YAMLMap {
  return w.map([
    ['comment', s.comment],
    [
      'enums',
      w.named(s.enums, (e) =>
        e.comment === undefined
          ? e.values
          : w.map([
              ['values', e.values],
              ['comment', e.comment],
            ]),
      ),
    ],
    ['sequences', w.named(s.sequences, (q) => sequence(w, q))],
    ['tables', w.named(s.tables, (t) => table(w, db, s.name, t), true)],
    [
      'functions',
      s.functions.length
        ? s.functions.map((f) =>
            w.map([
              ['name', f.name],
              ['args', f.args === '' ? undefined : f.args],
              ['definition', f.definition],
            ]),
          )
        : undefined,
    ],
  ]);
}

/** The declared YAML for a model. parseDeclared(toYaml(m)) equals normalizeDatabase(m). */
export function referenceToYaml(model: DatabaseSchema): string {
  const db = normalizeDatabase(model);
  const w = new Writer();
  const schemas = w.named(db.schemas, (s) => schemaNode(w, db, s), true) ?? new YAMLMap();
  w.doc.contents = w.map([
    ['schemas', schemas],
    [
      'tenants',
      db.tenants &&
        w.map([
          ['registry', db.tenants.registry],
          ['template', db.tenants.template],
        ]),
    ],
  ]);
  return w.doc.toString({ lineWidth: 0, indent: 2 });
}
