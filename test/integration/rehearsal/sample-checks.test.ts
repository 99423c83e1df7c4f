// Sample rows obey the checks of the target for every column type, not only text (issue #14: a
// `double precision` column with `-5 < x < 5` got 1.5 to 20.5, so the rehearsal's rows were refused).
import { describe, expect, it } from 'vitest';
import { introspect } from '../../../src/introspect/index.js';
import { insertSampleRows } from '../../../src/rehearsal/sample.js';
import { freshDatabase } from '../../support/db.js';

const TABLE = `
CREATE TABLE readings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delta double precision NOT NULL CHECK (delta > -5 AND delta < 5),
  level integer NOT NULL CHECK (level BETWEEN 1 AND 5),
  ratio numeric(4,2) NOT NULL CHECK (ratio >= 0 AND ratio < 1),
  loss real NOT NULL CHECK (loss < 0),
  active boolean NOT NULL CHECK (active)
);`;

describe('sample rows under checks on non-text columns', () => {
  it('every row is inserted, and every value satisfies its check', async () => {
    const { client } = await freshDatabase();
    await client.query(TABLE);
    const schema = await introspect(client);
    const result = await insertSampleRows(client, schema, 20, schema);
    expect(result).toEqual({ rows: { 'public.readings': 20 }, short: [] });
    const { rows } = await client.query<{ n: number; deltas: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT delta)::int AS deltas FROM readings',
    );
    expect(rows[0]).toEqual({ n: 20, deltas: 4 }); // 0, 0.25, 0.5, 0.75: 1 + g % 5 reaches 5
  });

  it('a column without a check keeps its usual values', async () => {
    const { client } = await freshDatabase();
    await client.query('CREATE TABLE plain (id bigint PRIMARY KEY, delta double precision)');
    const schema = await introspect(client);
    await insertSampleRows(client, schema, 3, schema);
    const { rows } = await client.query<{ id: string; delta: number }>('SELECT id, delta FROM plain ORDER BY id');
    expect(rows).toEqual([
      { id: '1001', delta: 1.5 },
      { id: '1002', delta: 2.5 },
      { id: '1003', delta: 3.5 },
    ]);
  });
});
