// Sample rows for a rehearsal: a backfill over an empty table proves nothing, and a NOT NULL or a foreign key
// validated on no rows cannot fail. Rows are generated from the column types, parents before children, each
// foreign key pointing at an existing parent row; a row the table's own checks refuse is skipped. A column some
// check names gets the first of several value shapes (a label, an email, a small number, a negative one...)
// that every such check accepts, whatever the column's type.
//
// Rows stand for data the application wrote, so they already obey the target where the plan asks them to: a
// foreign key the plan adds and validates gets parent rows too, and an enum column only the values the target
// keeps (recreate_enum's conversion fails on a removed one, as it would on a database still holding it).
import type pg from 'pg';
import type { DatabaseSchema, ForeignKey, Table } from '../schema/model/model.js';
import { ident, literal, qualified } from '../db/quote.js';
import { sendOne } from '../db/send.js';

type Queryable = Pick<pg.Client, 'query'>;

export interface SampleResult {
  /** Rows inserted per table (`schema.table`). */
  readonly rows: Readonly<Record<string, number>>;
  /** Tables that got fewer rows than asked, with the first reason. */
  readonly short: readonly { readonly table: string; readonly reason: string }[];
}

/** A value expression of `type` for the g-th row (g is an integer SQL expression), or undefined. */
export function sampleValue(
  type: string,
  g: string,
  enums: ReadonlyMap<string, readonly string[]>,
  column: string,
): string | undefined {
  return sampleShapes(type, g, enums, column)[0];
}

/** Numbers a check may ask for, as untyped expressions: small, within a unit, zero or one, negative. */
const numberShapes = (g: string): string[] => [`(${g}) % 5 + 1`, `(${g}) % 4 * 0.25`, `(${g}) % 2`, `-1 - (${g}) % 5`];

/** Value expressions of `type` for the g-th row, the usual one first; empty when there is none. */
function sampleShapes(
  type: string,
  g: string,
  enums: ReadonlyMap<string, readonly string[]>,
  column: string,
): string[] {
  const t = type.toLowerCase();
  if (t.endsWith('[]')) return [`'{}'::${type}`];
  const labels = enums.get(type);
  if (labels)
    return labels.length
      ? [`(ARRAY[${labels.map(literal).join(', ')}]::${type}[])[1 + (${g}) % ${labels.length}]`]
      : [];
  const numbers = (first: string) => [first, ...numberShapes(g)].map((n) => `(${n})::${type}`);
  if (/^(smallint|integer|bigint|int2|int4|int8)$/.test(t)) return numbers(`(${g}) + 1000`);
  if (/^(numeric|decimal)/.test(t)) return numbers(`(${g}) + 0.25`);
  if (/^(real|double precision|float)/.test(t)) return numbers(`(${g}) + 0.5`);
  if (isText(t)) return textShapes(g, column).map((shape) => textValue(type, shape));
  if (t === 'boolean') return [`((${g}) % 2 = 0)`, 'true', 'false'];
  if (t === 'uuid') return [`md5((${g})::text || ${literal(column)})::uuid`];
  if (t === 'date') return [`(date '2024-01-01' + (${g}))`];
  if (t.startsWith('timestamp'))
    return [`(timestamptz '2024-01-01 00:00:00+00' + make_interval(hours => (${g})))::${type}`];
  if (t.startsWith('time')) return [`(time '00:00' + make_interval(mins => (${g})))::${type}`];
  if (t.startsWith('interval')) return [`make_interval(mins => (${g}))`];
  if (t === 'json' || t === 'jsonb') return [`jsonb_build_object('n', (${g}))::${type}`];
  if (t === 'bytea') return [`decode(md5((${g})::text), 'hex')`];
  if (t === 'inet' || t === 'cidr') return [`('10.0.' || ((${g}) / 250) || '.' || ((${g}) % 250 + 1))::${type}`];
  if (t === 'money') return [`((${g}) + 0.5)::numeric::money`];
  return [];
}

function isText(t: string): boolean {
  return /^(text|character varying|varchar|character|char|bpchar|citext|name)\b/.test(t.toLowerCase());
}

/** Shapes of text a column may need to satisfy a check: a label, a number, a code with a check digit, an email. */
function textShapes(g: string, column: string): string[] {
  return [
    `${literal(`${column.slice(0, 8)}-`)} || (${g})::text`,
    `((${g}) + 1000)::text`,
    `((${g}) + 1000)::text || '-' || ((${g}) % 10)::text`,
    `'user' || (${g})::text || '@example.com'`,
    `chr(65 + (${g}) % 26) || chr(65 + (${g}) / 26 % 26)`,
  ];
}

function textValue(type: string, text: string): string {
  const n = /\((\d+)\)/.exec(type)?.[1];
  return n ? `right(${text}, ${n})::${type}` : `(${text})::${type}`;
}

/**
 * The first shape that every check of the target naming this column accepts over the rows to insert (a check
 * that needs other columns is skipped): sample rows should survive the plan's own VALIDATE CONSTRAINT steps.
 */
async function valueFor(
  client: Queryable,
  shapes: readonly string[],
  column: string,
  checks: readonly string[],
  n: number,
  /** A domain's values: a shape whose cast to the domain fails (its checks, NOT NULL) is skipped, none is undefined. */
  cast = false,
): Promise<string | undefined> {
  if (cast) {
    const casting: string[] = [];
    for (const shape of shapes) {
      await client.query('SAVEPOINT _switchyard_shape');
      try {
        await sendOne(client, `SELECT count(${shape}) FROM generate_series(1, $1::int) AS g`, [n]);
        await client.query('RELEASE SAVEPOINT _switchyard_shape');
        casting.push(shape);
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT _switchyard_shape');
      }
    }
    if (!casting.length) return undefined;
    shapes = casting;
  }
  const mentioning = checks.filter((c) =>
    new RegExp(`(^|[^\\w"])("?)${column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\2($|[^\\w"])`).test(c),
  );
  if (!mentioning.length) return shapes[0];
  for (const shape of shapes) {
    let ok = true;
    for (const check of mentioning) {
      await client.query('SAVEPOINT _switchyard_shape');
      try {
        const { rows } = await sendOne<{ ok: boolean }>(
          client,
          `SELECT bool_and(${check}) AS ok FROM (SELECT ${shape} AS ${ident(column)} FROM generate_series(1, $1::int) AS g) AS _switchyard_t`,
          [n],
        );
        await client.query('RELEASE SAVEPOINT _switchyard_shape');
        if (rows[0]?.ok === false) ok = false;
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT _switchyard_shape');
      }
      if (!ok) break;
    }
    if (ok) return shape;
  }
  return shapes[0];
}

type Located = { readonly schema: string; readonly table: Table };

const tableOf = (db: DatabaseSchema, schema: string, table: string): Table | undefined =>
  db.schemas.find((x) => x.name === schema)?.tables.find((x) => x.name === table);

/**
 * Foreign keys the rows of `table` must satisfy: the source's, then those the target adds (or redefines under
 * the same name) on columns the source has and no source foreign key covers (the plan validates them against
 * these rows).
 */
function foreignKeys(table: Table, future: Table | undefined): readonly ForeignKey[] {
  const have = new Set(table.columns.map((c) => c.name));
  const covered = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
  const definition = (fk: ForeignKey) => JSON.stringify({ ...fk, notValid: undefined, comment: undefined });
  const added = (future?.foreignKeys ?? []).filter(
    (fk) =>
      !table.foreignKeys.some((f) => f.name === fk.name && definition(f) === definition(fk)) &&
      fk.columns.every((c) => have.has(c) && !covered.has(c)),
  );
  return [...table.foreignKeys, ...added];
}

/** Tables ordered so that every referenced table comes first (self references and cycles aside). */
function ordered(db: DatabaseSchema, fks: (x: Located) => readonly ForeignKey[]): Located[] {
  const all = db.schemas.flatMap((s) => s.tables.map((t) => ({ schema: s.name, table: t })));
  const key = (s: string, t: string) => `${s}.${t}`;
  const byKey = new Map(all.map((x) => [key(x.schema, x.table.name), x]));
  const out: Located[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (k: string) => {
    if (state.get(k)) return;
    state.set(k, 'visiting');
    const x = byKey.get(k)!;
    for (const fk of fks(x)) {
      const ref = key(fk.references.schema, fk.references.table);
      if (ref !== k && byKey.has(ref)) visit(ref);
    }
    state.set(k, 'done');
    out.push(x);
  };
  for (const k of byKey.keys()) visit(k);
  return out;
}

/**
 * The value of a foreign key's column: from a parent row chosen by position (all columns of one key from the
 * same row), NULL for a self reference, or, when the source has no such parent table, NULL if the column
 * allows it (undefined otherwise: an ordinary sample value).
 */
function parentValue(
  db: DatabaseSchema,
  at: Located,
  fk: ForeignKey,
  ref: string,
  nullable: boolean,
): string | undefined {
  const r = fk.references;
  if (r.schema === at.schema && r.table === at.table.name) return 'NULL';
  const parent = tableOf(db, r.schema, r.table);
  if (!parent || !r.columns.every((c) => parent.columns.some((x) => x.name === c)))
    return nullable ? 'NULL' : undefined;
  const name = qualified(r.schema, r.table);
  return `(SELECT p.${ident(ref)} FROM ${name} p ORDER BY ${r.columns.map((c) => `p.${ident(c)}`).join(', ')} OFFSET (g - 1) % greatest((SELECT count(*) FROM ${name}), 1) LIMIT 1)`;
}

/**
 * The base type of every domain, by the names format_type prints (qualified, and bare for public's), followed
 * through domains over domains.
 */
function domainBases(db: DatabaseSchema): Map<string, DomainBase> {
  const own = new Map<string, DomainBase>();
  for (const s of db.schemas)
    for (const d of s.domains ?? []) {
      const info = { base: d.type, checks: d.checks.map((c) => c.expression) };
      own.set(qualified(s.name, d.name), info);
      if (!own.has(ident(d.name))) own.set(ident(d.name), info);
    }
  const out = new Map<string, DomainBase>();
  for (const [name, info] of own) {
    let { base } = info;
    const checks = [...info.checks];
    for (let i = 0; i < 10 && own.has(base); i++) {
      const next = own.get(base) as DomainBase;
      checks.push(...next.checks);
      base = next.base;
    }
    out.set(name, { base, checks });
  }
  return out;
}

/** A domain's base type (through domains over domains) and every check on the way. */
interface DomainBase {
  readonly base: string;
  readonly checks: readonly string[];
}

/** A value of `type`; for a domain, one of its base type's shapes cast to it that the domain accepts. */
function domainOrPlainValue(
  client: Queryable,
  type: string,
  domain: DomainBase | undefined,
  enums: ReadonlyMap<string, readonly string[]>,
  column: string,
  checks: readonly string[],
  n: number,
): Promise<string | undefined> {
  if (domain === undefined) return valueFor(client, sampleShapes(type, 'g', enums, column), column, checks, n);
  const base = sampleShapes(domain.base, 'g', enums, column);
  // Numbers the domain's checks compare VALUE with (pagila's year: 1901 to 2155), and just above them.
  const bounds = /^(smallint|integer|bigint|numeric|real|double precision)/.test(domain.base)
    ? [
        ...new Set(
          domain.checks.flatMap((c) => [...c.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g)].map((m) => m[0])),
        ),
      ].flatMap((k) => [`${k} + (g) % 7`, `${k} + 1`, k])
    : [];
  const shapes = [...base, ...bounds].map((s) => `(${s})::${type}`);
  return valueFor(client, shapes, column, checks, n, true);
}

/** Labels of every enum, by the names format_type prints; with a target, only those the target keeps. */
function enumLabels(db: DatabaseSchema, target: DatabaseSchema | undefined): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  const kept = (schema: string, name: string, values: readonly string[]) => {
    const future = target?.schemas.find((x) => x.name === schema)?.enums.find((x) => x.name === name);
    const left = future ? values.filter((v) => future.values.includes(v)) : values;
    return left.length ? left : values;
  };
  for (const s of db.schemas)
    for (const e of s.enums) out.set(qualified(s.name, e.name), kept(s.name, e.name, e.values));
  // format_type prints enums of the public schema qualified under the pinned search_path; unqualified too.
  for (const s of db.schemas)
    for (const e of s.enums) if (!out.has(ident(e.name))) out.set(ident(e.name), kept(s.name, e.name, e.values));
  return out;
}

/** Inserts up to `n` rows into every table of `db`, as described above. */
export async function insertSampleRows(
  client: Queryable,
  db: DatabaseSchema,
  n: number,
  target?: DatabaseSchema,
): Promise<SampleResult> {
  const enums = enumLabels(db, target);
  const rows: Record<string, number> = {};
  const short: { table: string; reason: string }[] = [];
  if (n <= 0) return { rows, short };
  await client.query('BEGIN');
  try {
    await insertAll(client, db, n, { enums, domains: domainBases(db) }, rows, short, target);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { rows, short };
}

async function insertAll(
  client: Queryable,
  db: DatabaseSchema,
  n: number,
  types: { enums: ReadonlyMap<string, readonly string[]>; domains: ReadonlyMap<string, DomainBase> },
  rows: Record<string, number>,
  short: { table: string; reason: string }[],
  target?: DatabaseSchema,
): Promise<void> {
  const { enums, domains } = types;
  const future = (x: Located) => (target ? tableOf(target, x.schema, x.table.name) : undefined);
  for (const at of ordered(db, (x) => foreignKeys(x.table, future(x)))) {
    const { schema, table } = at;
    const name = qualified(schema, table.name);
    const next = future(at);
    const checks = [...table.checks, ...(next?.checks ?? [])].map((c) => c.expression);
    const fkColumns = new Map<string, { fk: ForeignKey; ref: string }>();
    for (const fk of foreignKeys(table, next))
      fk.columns.forEach((c, j) => {
        fkColumns.set(c, { fk, ref: fk.references.columns[j]! });
      });
    const columns: string[] = [];
    const values: string[] = [];
    let reason: string | undefined;
    for (const col of table.columns) {
      if (col.generated || col.identity || (col.default !== undefined && !fkColumns.has(col.name))) continue;
      const link = fkColumns.get(col.name);
      let v = link ? parentValue(db, at, link.fk, link.ref, col.nullable) : undefined;
      if (v === undefined && col.default !== undefined) continue;
      if (v === undefined) {
        // A column the plan converts gets values of its new type, so the conversion has something to convert.
        const newType = next?.columns.find((x) => x.name === col.name)?.type;
        const converted = newType && newType !== col.type ? sampleValue(newType, 'g', enums, col.name) : undefined;
        v = converted
          ? `(${converted})::text::${col.type}`
          : await domainOrPlainValue(client, col.type, domains.get(col.type), enums, col.name, checks, n);
      }
      if (v === undefined) {
        if (col.nullable) continue;
        reason = `no sample value for column ${ident(col.name)} of type ${col.type}`;
        break;
      }
      columns.push(ident(col.name));
      values.push(v);
    }
    if (reason) {
      short.push({ table: name, reason });
      rows[name] = 0;
      continue;
    }
    const insert = columns.length
      ? `INSERT INTO ${name} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM (SELECT $1::int AS g) AS _switchyard_sample`
      : `INSERT INTO ${name} DEFAULT VALUES`;
    let inserted = 0;
    let firstError: string | undefined;
    for (let g = 1; g <= n; g++) {
      await client.query('SAVEPOINT _switchyard_sample');
      try {
        await sendOne(client, insert, columns.length ? [g] : []);
        await client.query('RELEASE SAVEPOINT _switchyard_sample');
        inserted++;
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT _switchyard_sample');
        firstError ??= (e as Error).message;
      }
    }
    rows[name] = inserted;
    if (inserted < n) short.push({ table: name, reason: firstError ?? 'unknown' });
  }
}
