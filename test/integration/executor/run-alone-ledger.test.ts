// A statement that must run alone (CONCURRENTLY, VACUUM) in a step marked transactional still runs what was
// meant to commit with it (the ledger row saying the step is done): before, the callback was dropped, the step
// stayed `running` in the ledger and a rollback of its phase skipped it.
import { describe, expect, it } from 'vitest';
import { runStatement } from '../../../src/executor/statement.js';
import { freshDatabase } from '../../support/db.js';

const TIMEOUTS = { lockTimeoutMs: 2000, statementTimeoutMs: 30_000 };

describe('runStatement', () => {
  it('runs the ledger callback after a statement that had to run alone, and not when the statement fails', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE t (id int)');
    const calls: string[] = [];
    const ledger = async () => {
      await db.client.query('SELECT 1');
      calls.push('ledger');
    };
    await runStatement(
      db.client,
      'CREATE INDEX CONCURRENTLY t_id ON t (id)',
      { ...TIMEOUTS, transactional: true },
      ledger,
    );
    expect(calls).toHaveLength(1);
    const ix = await db.client.query("SELECT 1 FROM pg_index WHERE indexrelid = 't_id'::regclass AND indisvalid");
    expect(ix.rowCount).toBe(1);
    await expect(
      runStatement(db.client, 'CREATE INDEX CONCURRENTLY t_id ON t (id)', { ...TIMEOUTS, transactional: true }, ledger),
    ).rejects.toThrow(/already exists/);
    expect(calls).toHaveLength(1);
    // In a transaction, as before: the callback commits with the statement.
    await runStatement(db.client, 'CREATE INDEX t_plain ON t (id)', { ...TIMEOUTS, transactional: true }, ledger);
    expect(calls).toHaveLength(2);
  });
});
