// pair init builds live's extensions on the standby before live's schema (issue #14): a trigram index and a
// citext column in a schema of its own were refused on an empty standby ("operator class ... does not exist").
import { describe, expect, it } from 'vitest';
import { pairInit } from '../../../src/pair/init.js';
import { introspect } from '../../../src/introspect/index.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { eventually, freshPair } from '../../support/pair.js';

const EXTENSIONS = `SELECT extname::text AS name, extnamespace::regnamespace::text AS schema FROM pg_extension
  WHERE extname <> 'plpgsql' ORDER BY 1`;

describe('pair init with extensions', () => {
  it("creates live's extensions on the standby, each in its schema, then builds the schema and streams", async () => {
    const pair = await freshPair();
    await pair.blue.client.query(`
      CREATE EXTENSION pg_trgm;
      CREATE SCHEMA extensions;
      CREATE EXTENSION citext WITH SCHEMA extensions;
      CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL, tag extensions.citext);
      CREATE INDEX posts_title_trgm ON posts USING gin (title gin_trgm_ops);
      INSERT INTO posts SELECT g, 'post ' || g, 'Tag' || g % 3 FROM generate_series(1, 50) g;`);
    const r = await pairInit(pair.config, { timeoutMs: 60_000 });
    expect(r.schema.action).toBe('built');
    expect((await pair.green.client.query(EXTENSIONS)).rows).toEqual([
      { name: 'citext', schema: 'extensions' },
      { name: 'pg_trgm', schema: 'public' },
    ]);
    expect(fingerprint(await introspect(pair.green.client, { includeSchemas: ['public'] }))).toBe(
      fingerprint(await introspect(pair.blue.client, { includeSchemas: ['public'] })),
    );
    await eventually('the rows reach the standby', async () => {
      const { rows } = await pair.green.client.query<{ n: number }>(
        // citext's = is in schema extensions, off the search path: named, it compares without case.
        `SELECT count(*)::int AS n FROM posts WHERE tag OPERATOR(extensions.=) 'tag1'`,
      );
      return rows[0]!.n === 17;
    });
  }, 120_000);
});
