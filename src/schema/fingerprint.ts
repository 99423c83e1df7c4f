// A fingerprint identifies a schema structure: equal structures give equal fingerprints, whatever the
// order they were declared or introspected in, and whatever change hints they carry.
import { createHash } from 'node:crypto';
import type { DatabaseSchema } from './model.js';
import { normalizeDatabase, sortByName, structureOnly } from './normalize.js';

/** JSON with object keys sorted at every level, so that key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `sha256:<hex>` of the normalized structure. Columns are compared as a set: their physical order cannot be
 * changed without rewriting the table (a rolled-back DROP COLUMN comes back last), and the diff ignores it too.
 */
export function fingerprint(db: DatabaseSchema): string {
  const s = normalizeDatabase(structureOnly(db));
  const unordered = {
    ...s,
    schemas: s.schemas.map((sc) => ({ ...sc, tables: sc.tables.map((t) => ({ ...t, columns: sortByName(t.columns) })) })),
  };
  return 'sha256:' + sha256(canonicalJson(unordered));
}
