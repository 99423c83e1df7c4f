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

/** sha256 of canonicalJson(value), fed to the hash in pieces: no multi-megabyte string is ever built. */
export function canonicalSha256(value: unknown): string {
  const hash = createHash('sha256');
  let parts: string[] = [];
  const emit = (text: string) => {
    parts.push(text);
    if (parts.length >= 8192) {
      hash.update(parts.join(''));
      parts = [];
    }
  };
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      emit(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      emit('[');
      for (let i = 0; i < v.length; i++) {
        if (i) emit(',');
        const x: unknown = v[i];
        if (x === undefined || typeof x === 'function') emit('null');
        else walk(x);
      }
      emit(']');
      return;
    }
    const obj = v as Record<string, unknown>;
    emit('{');
    let first = true;
    for (const key of Object.keys(obj).sort()) {
      const x = obj[key];
      if (x === undefined || typeof x === 'function') continue;
      emit(`${(first ? '' : ',') + JSON.stringify(key)}:`);
      walk(x);
      first = false;
    }
    emit('}');
  };
  walk(value);
  hash.update(parts.join(''));
  return hash.digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `sha256:<hex>` of the normalized structure. Columns are compared as a set: their physical order cannot be
 * changed without rewriting the table (a rolled-back DROP COLUMN comes back last), and the diff ignores it too.
 */
export function fingerprint(db: DatabaseSchema): string {
  const known = memo.get(db);
  if (known) return known;
  const s = normalizeDatabase(declarable(structureOnly(db)));
  const unordered = {
    ...s,
    schemas: s.schemas.map((sc) => ({
      ...sc,
      tables: sc.tables.map((t) => ({ ...t, columns: sortByName(t.columns) })),
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
