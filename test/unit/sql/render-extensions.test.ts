import { describe, expect, it } from 'vitest';
import { createExtension, createSchemaIfMissing } from '../../../src/sql/render/index.js';

describe('extensions on a server a schema is built on', () => {
  it.each<[string, string, string]>([
    [
      'an extension in public',
      createExtension('pg_trgm', 'public'),
      'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public',
    ],
    [
      'names that need quoting',
      createExtension('uuid-ossp', 'Ext "schema"'),
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA "Ext ""schema"""',
    ],
    ['its schema first', createSchemaIfMissing('extensions'), 'CREATE SCHEMA IF NOT EXISTS extensions'],
    ['a keyword as a schema', createSchemaIfMissing('user'), 'CREATE SCHEMA IF NOT EXISTS "user"'],
  ])('%s', (_, sql, expected) => {
    expect(sql).toBe(expected);
  });
});
