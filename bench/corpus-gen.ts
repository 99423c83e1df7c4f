// danbooru's structure.sql (../shared/corpus, a production Rails schema: 65 tables, 391 indexes, 93 foreign
// keys, 2 views, 5 extensions) loaded once, its extensions in `public`, and its objects copied into `schemas`
// schemas d01, d02... (31 of them make about 2,000 tables): a database shaped like a real one, for benches.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export const DANBOORU = join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'danbooru-structure.sql');

/** The statements that define danbooru's objects (not its extensions nor its schema_migrations rows). */
function parts(): { extensions: string; objects: string } {
  const text = readFileSync(DANBOORU, 'utf8');
  const end = text.indexOf('SET search_path TO "$user", public;');
  const body = text.slice(0, end < 0 ? undefined : end);
  const lines = body.split('\n');
  const extensions = lines.filter((l) => /^(CREATE EXTENSION|COMMENT ON EXTENSION)/.test(l)).join('\n');
  const objects = lines.filter((l) => !/^(CREATE EXTENSION|COMMENT ON EXTENSION)/.test(l)).join('\n');
  return { extensions, objects };
}

/**
 * The objects, moved from `public` to `schema`. References to what the extensions define stay in `public`
 * (danbooru's only one is the trigram operator class).
 */
export function danbooruIn(schema: string, objects = parts().objects): string {
  return objects
    .replace(/\bpublic\.(?!gin_trgm_ops\b|gist_trgm_ops\b)/g, `${schema}.`)
    .replace(/^SELECT pg_catalog\.set_config\('search_path', '', false\);$/m, `SET search_path = ${schema}, public;`);
}

/** Loads the extensions and `schemas` copies of danbooru into the database `url` names; returns milliseconds. */
export async function buildDanbooru(url: string, schemas: number): Promise<{ ms: number; names: string[] }> {
  const { extensions, objects } = parts();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = Date.now();
  const names = Array.from({ length: schemas }, (_, i) => `d${String(i + 1).padStart(2, '0')}`);
  try {
    await c.query(extensions);
    for (const s of names) await c.query(`CREATE SCHEMA ${s};\n${danbooruIn(s, objects)}`);
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  return { ms: Date.now() - t0, names };
}
