// Two connections reading one exported snapshot (what `introspect` does to read the model and the inventory
// side by side): both see the catalog as it was when the snapshot was taken, neither can write, and a second
// connection that cannot import it falls back to reading on its own.
import { describe, expect, it } from 'vitest';
import { shareSnapshot } from '../../../src/db/snapshot.js';
import { freshDatabase } from '../../support/db.js';

const tables = async (c: { query: (sql: string) => Promise<{ rows: { n: number }[] }> }) =>
  (await c.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'snap\\_%'")).rows[0]!.n;

describe('shareSnapshot', () => {
  it('gives both connections the same snapshot, which a later CREATE TABLE does not change', async () => {
    const db = await freshDatabase();
    await db.client.query('CREATE TABLE snap_a (id int)');
    const a = await db.connect();
    const b = await db.connect();
    const snapshot = await shareSnapshot(a, b);
    expect(snapshot.shared).toBe(true);
    await db.client.query('CREATE TABLE snap_b (id int)');
    expect(await tables(a)).toBe(1);
    expect(await tables(b)).toBe(1);
    // Both transactions are read-only: a read-only command cannot write through either.
    await expect(a.query('CREATE TABLE snap_c (id int)')).rejects.toThrow(/read-only transaction/);
    await expect(b.query('CREATE TABLE snap_c (id int)')).rejects.toThrow(/read-only transaction/);
    await snapshot.end();
    // Ended: both read the catalog as it is now, outside any transaction.
    expect((await a.query<{ s: string }>('SELECT pg_current_xact_id_if_assigned()::text AS s')).rows[0]!.s).toBeNull();
    expect(await tables(a)).toBe(2);
    expect(await tables(b)).toBe(2);
  });

  it('falls back to separate reads, with no transaction left open, when the other side cannot import it', async () => {
    const one = await freshDatabase();
    const other = await freshDatabase();
    const a = await one.connect();
    // A snapshot cannot be imported into another database: the import fails, and the fallback ends both.
    const b = await other.connect();
    const snapshot = await shareSnapshot(a, b);
    expect(snapshot.shared).toBe(false);
    await snapshot.end();
    for (const c of [a, b]) {
      const status = (await c.query<{ s: string }>("SELECT current_setting('transaction_isolation') AS s")).rows[0]!.s;
      expect(status).toBe('read committed');
      await c.query('CREATE TABLE snap_after (id int)'); // not inside a read-only transaction any more
    }
  });
});
