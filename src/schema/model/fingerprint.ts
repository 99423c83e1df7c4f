// A fingerprint identifies a schema structure: equal structures give equal fingerprints, whatever the
// order they were declared or introspected in, and whatever change hints they carry.
import { createHash } from 'node:crypto';
import type { DatabaseSchema } from './model.js';
import { declarable, normalizeDatabase, sortByName, structureOnly } from './normalize.js';

/**
 * JSON with object keys sorted at every level, so that key order never changes a hash. Written directly
 * (the output equals JSON.stringify with sorted keys): fingerprints of large schemas are on the hot path.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? ',' : '') + (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v));
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function') continue;
    out += `${(first ? '' : ',') + JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * sha256 of canonicalJson(value), fed to the hash in pieces of about 64 KiB: no multi-megabyte string is ever
 * built. Objects of one shape (the same keys in the same order: every column, every index...) share their
 * sorted keys, already quoted.
 */
export function canonicalSha256(value: unknown): string {
  const hash = createHash('sha256');
  let out = '';
  const shapes = new Map<string, readonly (readonly [key: string, quoted: string])[]>();
  const sortedKeys = (obj: Record<string, unknown>) => {
    const keys = Object.keys(obj);
    const shape = keys.join('\u0000');
    let sorted = shapes.get(shape);
    if (!sorted) {
      sorted = keys.sort().map((k) => [k, `${JSON.stringify(k)}:`] as const);
      shapes.set(shape, sorted);
    }
    return sorted;
  };
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      out += JSON.stringify(v) ?? 'null';
      return;
    }
    if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length; i++) {
        if (i) out += ',';
        const x: unknown = v[i];
        if (x === undefined || typeof x === 'function') out += 'null';
        else walk(x);
      }
      out += ']';
      if (out.length >= 65536) {
        hash.update(out);
        out = '';
      }
      return;
    }
    const obj = v as Record<string, unknown>;
    out += '{';
    let first = true;
    for (const [key, quoted] of sortedKeys(obj)) {
      const x = obj[key];
      if (x === undefined || typeof x === 'function') continue;
      out += first ? quoted : `,${quoted}`;
      walk(x);
      first = false;
    }
    out += '}';
  };
  walk(value);
  hash.update(out);
  return hash.digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `sha256:<hex>` of the normalized structure. Columns are compared as a set: their physical order cannot be
 * changed without rewriting the table (a rolled-back DROP COLUMN comes back last), and the diff ignores it too.
 * So are storage parameters, whose order is only the order they were set in.
 */
export function fingerprint(db: DatabaseSchema): string {
  const known = memo.get(db);
  if (known) return known;
  const s = normalizeDatabase(declarable(structureOnly(db)));
  const unordered = {
    ...s,
    schemas: s.schemas.map((sc) => ({
      ...sc,
      tables: sc.tables.map((t) => ({
        ...t,
        columns: sortByName(t.columns),
        ...(t.storage ? { storage: sortByName(t.storage) } : {}),
      })),
    })),
  };
  const fp = `sha256:${canonicalSha256(unordered)}`;
  memo.set(db, fp);
  return fp;
}

/** Models are immutable, so a model's fingerprint is computed once. */
const memo = new WeakMap<DatabaseSchema, string>();

/** Records a fingerprint already proven for this exact model (a snapshot whose bytes were verified). */
export function rememberFingerprint(db: DatabaseSchema, fp: string): void {
  memo.set(db, fp);
}
