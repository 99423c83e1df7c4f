// Loading the SQL fixtures of test/fixtures/sql into a fresh database, and counting the queries a
// Queryable receives.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../../../src/introspect/index.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'sql');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

export function fixtureSql(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), 'utf8');
}

/** Wraps a Queryable and records every query text it runs. */
export function counting(db: Queryable): Queryable & { readonly texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    query: <R>(text: string, values?: unknown[]) => {
      texts.push(text);
      return db.query<R>(text, values);
    },
  };
}
