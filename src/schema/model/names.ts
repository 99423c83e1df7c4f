// Names as PostgreSQL chooses and limits them, and the wording used to name objects in problems.
import { ident, MAX_IDENTIFIER_BYTES } from '../../db/quote.js';

/** A name in a message: always double-quoted (as PostgreSQL's own messages do), inner quotes doubled. */
export function q(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"` for messages. */
export function qq(schema: string, name: string): string {
  return `${q(schema)}.${q(name)}`;
}

/** Length in bytes of the longest prefix of `bytes[0..limit)` that ends on a UTF-8 character boundary. */
function clipLength(bytes: Buffer, limit: number): number {
  let n = Math.min(limit, bytes.length);
  // A continuation byte (10xxxxxx) at the cut means the cut splits a character: back off to its start.
  while (n > 0 && n < bytes.length && ((bytes[n] ?? 0) & 0xc0) === 0x80) n--;
  return n;
}

/**
 * PostgreSQL's makeObjectName(): `name1[_name2]_label`, truncated to 63 bytes by shortening the longer of
 * name1 and name2 first, never splitting a multibyte character.
 */
export function makeObjectName(name1: string, name2: string | undefined, label: string): string {
  const b1 = Buffer.from(name1, 'utf8');
  const b2 = name2 === undefined ? undefined : Buffer.from(name2, 'utf8');
  const overhead = (b2 ? 1 : 0) + Buffer.byteLength(label, 'utf8') + 1;
  const available = MAX_IDENTIFIER_BYTES - overhead;
  let n1 = b1.length;
  let n2 = b2 ? b2.length : 0;
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  const parts = [b1.subarray(0, clipLength(b1, n1)).toString('utf8')];
  if (b2) parts.push(b2.subarray(0, clipLength(b2, n2)).toString('utf8'));
  parts.push(label);
  return parts.join('_');
}

/** ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: column names joined by `_`, cut once past 63 bytes. */
function nameAddition(columns: readonly string[]): string {
  let out = '';
  for (const c of columns) {
    if (out.length > 0) out += '_';
    out += c;
    if (Buffer.byteLength(out, 'utf8') >= MAX_IDENTIFIER_BYTES + 1) break;
  }
  return out;
}

/**
 * The name PostgreSQL gives a constraint or index declared without one (ChooseRelationName /
 * ChooseConstraintName): `<table>_<col1>_<col2>_<suffix>`, e.g. suffix `pkey` (no columns), `key`, `fkey`,
 * `check`, `idx`, `excl`. When the name is in `taken`, PostgreSQL appends 1, 2... to the suffix.
 */
export function defaultConstraintName(
  table: string,
  columns: readonly string[],
  suffix: string,
  taken: ReadonlySet<string> = new Set(),
): string {
  const addition = columns.length > 0 ? nameAddition(columns) : undefined;
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(table, addition, pass === 0 ? suffix : `${suffix}${pass}`);
    if (!taken.has(name)) return name;
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The candidate closest to `word` when it is close enough to be a likely typo; ties go to the first. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(w.length / 3));
  return best !== undefined && bestDistance <= tolerance ? best : undefined;
}

const IDENT_PART = /^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/;

/** `a.b` or `"A"."b c"` split into at most two parts as PostgreSQL resolves them (unquoted parts fold to lower case). */
export function identifierParts(s: string): string[] | undefined {
  const parts = s.match(/"(?:[^"]|"")+"|[^.]+/g);
  if (!parts || parts.join('.') !== s || parts.length > 2 || !parts.every((p) => IDENT_PART.test(p))) return undefined;
  return parts.map((p) => (p.startsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.toLowerCase()));
}

/**
 * A collation or operator class as the model spells it (SQL, as introspection prints it): the YAML holds a
 * plain name (`C`, `en_US.utf8`), or SQL with double quotes for a qualified one (`"myschema"."coll"`).
 */
export function sqlName(yamlValue: string): string {
  if (!yamlValue.includes('"')) return ident(yamlValue);
  const parts = identifierParts(yamlValue);
  return parts ? parts.map(ident).join('.') : yamlValue;
}

/** The inverse of sqlName, for writing YAML. */
export function yamlName(sql: string): string {
  const parts = identifierParts(sql);
  if (!parts) return sql;
  const [only] = parts;
  return parts.length === 1 && only !== undefined && !only.includes('"') ? only : parts.map(q).join('.');
}
