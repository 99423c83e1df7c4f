import { describe, expect, it } from 'vitest';
import { ident } from '../../src/db/quote.js';
import { freshDatabase } from '../support/db.js';

describe('ident() agrees with PostgreSQL quote_ident()', () => {
  it('for every keyword the server knows and for awkward names', async () => {
    const db = await freshDatabase();
    const { rows } = await db.client.query<{ word: string; quoted: string }>(
      `SELECT word, quote_ident(word) AS quoted FROM pg_get_keywords()
       UNION ALL SELECT n, quote_ident(n) FROM unnest($1::text[]) AS n`,
      [['users', 'Users', 'with space', 'semi;colon', 'qu"ote', 'ñandú', '1abc', 'a$b', '_x', 'tenant_empresa_1']],
    );
    const mismatches = rows.filter((r) => ident(r.word) !== r.quoted);
    expect(mismatches).toEqual([]);
    expect(rows.length).toBeGreaterThan(400);
  });
});
