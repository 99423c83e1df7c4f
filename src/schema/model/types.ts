// Column types: builtin aliases folded to the spelling format_type() prints, so that a declared `int4` and
// an introspected `integer` compare equal. User types (enums, extension types) keep their SQL spelling;
// whether a qualified enum prints qualified is settled later, by canonicalizing through a real server.
import { ident } from '../../db/quote.js';
import { identifierParts } from './names.js';

/** Builtin names that take no modifier, alias -> format_type() spelling. */
const PLAIN: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  int2: 'smallint',
  smallint: 'smallint',
  float8: 'double precision',
  'double precision': 'double precision',
  float4: 'real',
  real: 'real',
  bool: 'boolean',
  boolean: 'boolean',
  ...Object.fromEntries(
    (
      'text bytea uuid json jsonb jsonpath date inet cidr macaddr macaddr8 money xml tsvector tsquery point line ' +
      'lseg box path polygon circle int4range int8range numrange tsrange tstzrange daterange int4multirange ' +
      'int8multirange nummultirange tsmultirange tstzmultirange datemultirange pg_lsn pg_snapshot txid_snapshot ' +
      'oid regclass regtype regproc regprocedure regnamespace regrole regconfig name'
    )
      .split(' ')
      .map((t) => [t, t]),
  ),
};

/** Types that extensions commonly install; accepted as written (lower-cased name) without a declared enum. */
const EXTENSION = new Set([
  'citext',
  'hstore',
  'ltree',
  'lquery',
  'cube',
  'vector',
  'halfvec',
  'sparsevec',
  'geometry',
  'geography',
]);

const SERIAL: Readonly<Record<string, string>> = {
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

const INTERVAL_FIELDS = new Set([
  'year',
  'month',
  'day',
  'hour',
  'minute',
  'second',
  'year to month',
  'day to hour',
  'day to minute',
  'day to second',
  'hour to minute',
  'hour to second',
  'minute to second',
]);

export type TypeInfo =
  /** `base` is the element type without `[]`. */
  | { readonly kind: 'builtin'; readonly canonical: string; readonly base: string; readonly array: boolean }
  | { readonly kind: 'extension'; readonly canonical: string; readonly array: boolean }
  /** A user type (an enum, to be found among the declared ones): name parts as PostgreSQL resolves them. */
  | {
      readonly kind: 'user';
      readonly canonical: string;
      readonly schema?: string;
      readonly name: string;
      readonly array: boolean;
    }
  | { readonly kind: 'serial'; readonly canonical: string; readonly integer: string }
  /** A type PostgreSQL's parser reads but this module cannot classify (`public.geometry(Point,4326)`). */
  | { readonly kind: 'other'; readonly canonical: string }
  | { readonly kind: 'invalid'; readonly canonical: string; readonly reason: string };

/** Every builtin spelling (aliases included), for "did you mean" suggestions. */
export const BUILTIN_TYPE_NAMES: readonly string[] = [
  ...Object.keys(PLAIN),
  'numeric',
  'decimal',
  'varchar',
  'character varying',
  'character',
  'char',
  'bpchar',
  'float',
  'bit',
  'varbit',
  'bit varying',
  'timestamp',
  'timestamptz',
  'time',
  'timetz',
  'interval',
  ...EXTENSION,
];

/** Whitespace folded to single spaces and removed around punctuation: `numeric ( 12, 2 )` -> `numeric(12,2)`. */
function fold(t: string): string {
  return t
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/ ?([([,]) ?/g, '$1')
    .replace(/ ([)\]])/g, '$1');
}

function builtin(base: string, array: boolean): TypeInfo {
  return { kind: 'builtin', canonical: base + (array ? '[]' : ''), base, array };
}

function invalid(t: string, reason: string): TypeInfo {
  return { kind: 'invalid', canonical: t, reason };
}

/** Classifies and normalizes a declared column type. */
export function classifyType(declared: string): TypeInfo {
  const folded = fold(declared);
  const arrayMatch = /^(.*?)((?:\[\d*\])+| array(?:\[\d*\])?)$/i.exec(folded);
  const array = arrayMatch !== null;
  const raw = arrayMatch?.[1] ?? folded;
  if (raw === '') return invalid(folded, 'the type is empty');
  const lower = raw.toLowerCase().replace(/^pg_catalog\./, '');
  const m = /^([a-z][a-z0-9_ ]*?)(?:\(([^()]*)\))?(?: (with|without) time zone)?$/.exec(lower);
  if (m) {
    const [, name = '', mod, tz] = m;
    const modifier = parseModifier(name, mod, tz);
    if (modifier !== undefined) {
      if (typeof modifier === 'string') return builtin(modifier, array);
      return invalid(folded, modifier.reason);
    }
    const serial = SERIAL[name];
    if (serial && mod === undefined && !tz) return { kind: 'serial', canonical: folded, integer: serial };
    if (EXTENSION.has(name) && !tz)
      return {
        kind: 'extension',
        canonical:
          name +
          (mod === undefined ? '' : `(${raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'))})`) +
          (array ? '[]' : ''),
        array,
      };
  }
  if (raw === '"char"') return builtin('"char"', array);
  // format_type() qualifies an extension type whose schema is not on the search_path.
  const qualifiedExt = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\.([a-z]+(?:\(.*\))?)$/i.exec(raw);
  const inner = qualifiedExt && classifyType(qualifiedExt[2] ?? '');
  if (qualifiedExt && inner?.kind === 'extension') {
    const schema = identifierParts(qualifiedExt[1] ?? '')?.[0] ?? '';
    return { kind: 'extension', canonical: `${ident(schema)}.${inner.canonical}${array ? '[]' : ''}`, array };
  }
  const parts = identifierParts(raw);
  if (!parts) return invalid(folded, 'this is not a type name');
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length === 2 ? parts[0] : undefined;
  const canonical = parts.map(ident).join('.') + (array ? '[]' : '');
  return schema === undefined
    ? { kind: 'user', canonical, name, array }
    : { kind: 'user', canonical, schema, name, array };
}

type Modifier = string | { reason: string } | undefined;

const LENGTH_TYPES: Readonly<Record<string, readonly [bare: string, sized: string, max: number]>> = {
  varchar: ['character varying', 'character varying', 10485760],
  'character varying': ['character varying', 'character varying', 10485760],
  char: ['character(1)', 'character', 10485760],
  character: ['character(1)', 'character', 10485760],
  bpchar: ['bpchar', 'character', 10485760],
  bit: ['bit(1)', 'bit', 83886080],
  varbit: ['bit varying', 'bit varying', 83886080],
  'bit varying': ['bit varying', 'bit varying', 83886080],
};

/** The canonical base type for a builtin `name(mod) [with|without time zone]`; undefined when not builtin. */
function parseModifier(name: string, mod: string | undefined, tz: string | undefined): Modifier {
  const known =
    PLAIN[name] !== undefined || LENGTH_TYPES[name] !== undefined || MODIFIED.has(name) || name.startsWith('interval ');
  const n = mod === undefined ? [] : mod.split(',').map((a) => (/^\d+$/.test(a) ? Number(a) : NaN));
  if (n.some(Number.isNaN)) return known ? { reason: `the modifier of ${name} must be whole numbers` } : undefined;
  const [first = 0, second] = n;
  const within = (min: number, max: number): boolean => n.length === 1 && first >= min && first <= max;
  const need = (what: string): { reason: string } => ({ reason: `${name} takes ${what}` });
  if (name === 'timestamp' || name === 'time' || name === 'timestamptz' || name === 'timetz') {
    if (name.endsWith('tz') && tz) return { reason: `${name} already includes the time zone` };
    const zone = name.endsWith('tz') ? 'with' : (tz ?? 'without');
    if (mod !== undefined && !within(0, 6)) return need('a precision from 0 to 6');
    return `${name.replace(/tz$/, '')}${mod === undefined ? '' : `(${first})`} ${zone} time zone`;
  }
  if (tz) return undefined;
  const length = LENGTH_TYPES[name];
  if (length) {
    if (mod === undefined) return length[0];
    return within(1, length[2]) ? `${length[1]}(${first})` : need(`a length from 1 to ${length[2]}`);
  }
  if (name === 'numeric' || name === 'decimal') {
    if (mod === undefined) return 'numeric';
    if (n.length > 2 || first < 1 || first > 1000) return need('a precision from 1 to 1000 and an optional scale');
    return `numeric(${first},${second ?? 0})`;
  }
  if (name === 'float') {
    if (mod === undefined) return 'double precision';
    return within(1, 24) ? 'real' : within(25, 53) ? 'double precision' : need('a precision from 1 to 53');
  }
  if (name === 'interval' || name.startsWith('interval ')) {
    const fields = name.slice('interval'.length).trim();
    if (fields && !INTERVAL_FIELDS.has(fields))
      return { reason: `interval fields must be one of ${[...INTERVAL_FIELDS].join(', ')}` };
    if (mod !== undefined && !within(0, 6)) return need('a precision from 0 to 6');
    return `interval${fields ? ` ${fields}` : ''}${mod === undefined ? '' : `(${first})`}`;
  }
  const plain = PLAIN[name];
  if (plain && mod !== undefined) return { reason: `${plain} takes no modifier` };
  return plain;
}

const MODIFIED = new Set(['numeric', 'decimal', 'float', 'timestamp', 'time', 'timestamptz', 'timetz', 'interval']);

/** The spelling format_type() prints for a builtin type; other types keep their SQL spelling. */
export function normalizeType(t: string): string {
  return classifyType(t).canonical;
}

/** The integer types an identity column or a sequence may have. */
export function isIntegerType(canonical: string): canonical is 'smallint' | 'integer' | 'bigint' {
  return canonical === 'smallint' || canonical === 'integer' || canonical === 'bigint';
}

/** The multirange name PostgreSQL derives from a range type's: its first `range` becomes `multirange`. */
export function multirangeName(range: string): string {
  const i = range.indexOf('range');
  return i < 0 ? `${range}_multirange` : `${range.slice(0, i)}multi${range.slice(i)}`;
}
