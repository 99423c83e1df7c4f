// Defence in depth (issue #13, point 2): statements built from declared text or a plan go one per call over the
// extended protocol, so the server itself refuses a second statement chained after the first, whatever the
// parser check let through.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { sendOne } from '../../../src/db/send.js';
import { prepareSession } from '../../../src/rehearsal/shadow.js';
import { runRollbackInTransaction, runStatement } from '../../../src/executor/statement.js';
import { freshDatabase } from '../../support/db.js';

const CHAINED = 'CREATE TABLE a (x int); CREATE TABLE chained (y int)';
const timeouts = { lockTimeoutMs: 2000, statementTimeoutMs: 10_000 };

describe('one statement per call', () => {
  it('the server refuses a second statement sent through sendOne, a plan step or a rollback, and nothing of it runs', async () => {
    const db = await freshDatabase();
    await expect(sendOne(db.client, CHAINED)).rejects.toThrow(
      /cannot insert multiple commands into a prepared statement/,
    );
    await expect(runStatement(db.client, CHAINED, { transactional: true, ...timeouts })).rejects.toThrow(
      /multiple commands/,
    );
    await expect(runStatement(db.client, CHAINED, { transactional: false, ...timeouts })).rejects.toThrow(
      /multiple commands/,
    );
    await expect(runRollbackInTransaction(db.client, [CHAINED], timeouts, async () => undefined)).rejects.toThrow(
      /multiple commands/,
    );
    const { rows } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('a', 'chained')",
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('one statement with values, or without, runs', async () => {
    const db = await freshDatabase();
    expect((await sendOne<{ v: string }>(db.client, "SELECT 'a;b' AS v")).rows[0]!.v).toBe('a;b');
    expect((await sendOne<{ v: number }>(db.client, 'SELECT $1::int + 1 AS v', [41])).rows[0]!.v).toBe(42);
  });

  it('every switchyard session reads string literals as the parser did: standard_conforming_strings on, whatever the database says', async () => {
    const db = await freshDatabase();
    await db.client.query(`ALTER DATABASE ${db.name} SET standard_conforming_strings = off`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await prepareSession(c);
      // libpg-query reads '\' || ')' as two strings; with the setting off the first would swallow the second.
      const { rows } = await sendOne<{ v: string }>(c, "SELECT '\\' || ')' AS v");
      expect(rows[0]!.v).toBe('\\)');
    } finally {
      await c.end();
    }
  });
});
