// Sample rows for columns of a domain: values of its base type, cast to it, that its checks and NOT NULL accept
// (pagila's `year` domain, 1901 to 2155, refused the integer shapes starting at 1000), through a domain over a
// domain too; a domain no shape satisfies leaves its table short, named, instead of aborting the rehearsal.
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { insertSampleRows } from '../../../src/rehearsal/sample.js';
import { freshDatabase } from '../../support/db.js';

describe('sample rows for domain columns', () => {
  it('casts base type values the domain accepts', async () => {
    const { client } = await freshDatabase();
    await client.query(`
      CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
      CREATE DOMAIN recent AS year CHECK (VALUE > 1950);
      CREATE DOMAIN label AS text NOT NULL;
      CREATE TABLE films (id bigint PRIMARY KEY, released year NOT NULL, remade recent, title label);`);
    const schema = await introspect(client);
    expect(await insertSampleRows(client, schema, 5, schema)).toEqual({ rows: { 'public.films': 5 }, short: [] });
    const { rows } = await client.query<{ n: number; ok: boolean }>(
      'SELECT count(*)::int AS n, bool_and(released BETWEEN 1901 AND 2155 AND remade > 1950) AS ok FROM films',
    );
    expect(rows[0]).toEqual({ n: 5, ok: true });
  });

  it('names a table whose domain column no sample value satisfies', async () => {
    const { client } = await freshDatabase();
    await client.query(`CREATE DOMAIN never AS integer CHECK (VALUE < -1000000000);
      CREATE TABLE t (id bigint PRIMARY KEY, v never NOT NULL);`);
    const schema = await introspect(client);
    const result = await insertSampleRows(client, schema, 3, schema);
    expect(result.short).toEqual([{ table: 'public.t', reason: 'no sample value for column v of type public.never' }]);
  });
});
