import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { BackfillError, runBackfill, type BackfillProgress } from '../../../src/executor/backfill.js';
import type { BackfillSpec } from '../../../src/planner/types.js';
import { freshDatabase } from '../../support/db.js';

// `touched` counts the updates each row received, so "exactly once" is checked, not assumed.
async function itemsTable(client: pg.Client, rows: number): Promise<void> {
  await client.query(`
    CREATE TABLE public.items (id bigint PRIMARY KEY, price int NOT NULL, price_cents bigint, touched int NOT NULL DEFAULT 0);
    INSERT INTO public.items (id, price) SELECT g, g % 1000 FROM generate_series(1, ${rows}) AS g;
    ANALYZE public.items;`);
}

const fill = (where = 'price_cents IS NULL'): BackfillSpec => ({
  schema: 'public',
  table: 'items',
  key: ['id'],
  set: [
    { column: 'price_cents', expression: 'price * 100' },
    { column: 'touched', expression: 'touched + 1' },
  ],
  where,
});

async function counts(
  client: pg.Client,
): Promise<{ filled: number; wrong: number; touchedOnce: number; total: number }> {
  const { rows } = await client.query(`
    SELECT count(price_cents)::int AS filled, count(*) FILTER (WHERE price_cents IS DISTINCT FROM price * 100)::int AS wrong,
           count(*) FILTER (WHERE touched = 1)::int AS "touchedOnce", count(*)::int AS total FROM public.items`);
  return rows[0];
}

describe('runBackfill', () => {
  it('fills 50,000 rows in batches that each commit before onBatch', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 50_000);
    const observer = await db.connect();
    const seen: { position: number; committed: number; progress: BackfillProgress }[] = [];
    const result = await runBackfill(db.client, fill(), {
      maxBatchSize: 2000,
      onBatch: async (progress) => {
        const { rows } = await observer.query('SELECT count(price_cents)::int AS n FROM public.items');
        seen.push({ position: Number(progress.position[0]), committed: rows[0].n, progress });
      },
    });
    expect(result).toMatchObject({ done: true, rows: 50_000, updatedRows: 50_000, position: ['50000'] });
    expect(await counts(db.client)).toEqual({ filled: 50_000, wrong: 0, touchedOnce: 50_000, total: 50_000 });
    expect(seen.length).toBeGreaterThanOrEqual(25);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
    // Another session sees each batch when onBatch runs: the ledger can never get ahead of the data.
    for (const s of seen) expect(s.committed).toBe(s.progress.rows);
    const last = seen.at(-1)!.progress;
    expect(last.totalRows).toBe(50_000);
    expect(last.etaSeconds).toBe(0);
    expect(seen[0]!.progress.totalRows).toBeGreaterThan(40_000);
    expect(seen[0]!.progress.rowsPerSecond).toBeGreaterThan(0);
  });

  it('stops after the current batch on abort and resumes from the position, updating every row exactly once', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 10_000);
    const abort = new AbortController();
    let batches = 0;
    const sizes = { initialBatchSize: 700, minBatchSize: 700, maxBatchSize: 700 };
    // where = true: a row updated twice would show touched = 2.
    const first = await runBackfill(db.client, fill('true'), {
      ...sizes,
      signal: abort.signal,
      onBatch: () => {
        if (++batches === 3) abort.abort();
      },
    });
    expect(first).toMatchObject({ done: false, position: ['2100'], rows: 2100, batches: 3 });
    expect((await counts(db.client)).filled).toBe(2100);
    const progress: BackfillProgress[] = [];
    const second = await runBackfill(db.client, fill('true'), {
      ...sizes,
      startAfter: first.position,
      onBatch: (p) => void progress.push(p),
    });
    expect(second).toMatchObject({ done: true, rows: 7900, position: ['10000'] });
    // The resumed run's progress counts the rows left (the planner's estimate of ids after 2100), not the table.
    expect(progress[0]!.rows).toBe(700);
    expect(progress[0]!.totalRows).toBeGreaterThan(7000);
    expect(progress[0]!.totalRows).toBeLessThan(8800);
    expect(progress.at(-1)).toMatchObject({ rows: 7900, totalRows: 7900, etaSeconds: 0 });
    expect(await counts(db.client)).toEqual({ filled: 10_000, wrong: 0, touchedOnce: 10_000, total: 10_000 });
  });

  it('walks a composite key with names that need quoting', async () => {
    const db = await freshDatabase();
    await db.client.query(`
      CREATE TABLE public."Order Lines" ("tenant id" int, "order" int, qty int NOT NULL, "Total" int, touched int NOT NULL DEFAULT 0,
        PRIMARY KEY ("tenant id", "order"));
      INSERT INTO public."Order Lines" ("tenant id", "order", qty)
        SELECT t, o, o % 7 FROM generate_series(1, 5) AS t, generate_series(1, 1000) AS o ORDER BY random();`);
    const positions: string[][] = [];
    const result = await runBackfill(
      db.client,
      {
        schema: 'public',
        table: 'Order Lines',
        key: ['tenant id', 'order'],
        set: [
          { column: 'Total', expression: 'qty * "tenant id"' },
          { column: 'touched', expression: 'touched + 1' },
        ],
        where: '"Total" IS NULL',
      },
      {
        initialBatchSize: 333,
        minBatchSize: 333,
        maxBatchSize: 333,
        onBatch: (p) => void positions.push([...p.position]),
      },
    );
    expect(result).toMatchObject({ done: true, rows: 5000, updatedRows: 5000, position: ['5', '1000'] });
    expect(positions[0]).toEqual(['1', '333']);
    expect(positions[3]).toEqual(['2', '332']); // a batch straddling two tenants
    const { rows } = await db.client.query(`
      SELECT count(*) FILTER (WHERE "Total" = qty * "tenant id" AND touched = 1)::int AS ok FROM public."Order Lines"`);
    expect(rows[0].ok).toBe(5000);
  });

  it('skips rows that do not match where but keeps walking past them', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 10_000);
    // The first half needs nothing: ten whole batches update no row, and the walk must not stop there.
    await db.client.query('UPDATE public.items SET price_cents = -1 WHERE id <= 5000');
    const updatedPerBatch: number[] = [];
    let before = 0;
    const result = await runBackfill(db.client, fill('price_cents IS NULL AND id % 7 <> 0'), {
      initialBatchSize: 500,
      minBatchSize: 500,
      maxBatchSize: 500,
      onBatch: (p) => {
        updatedPerBatch.push(p.updatedRows - before);
        before = p.updatedRows;
      },
    });
    const expected = 5000 - Math.floor(10_000 / 7) + Math.floor(5000 / 7);
    expect(result).toMatchObject({ done: true, rows: 10_000, updatedRows: expected, batches: 20 });
    expect(updatedPerBatch.slice(0, 10)).toEqual(Array(10).fill(0));
    const { rows } = await db.client.query(`
      SELECT count(*) FILTER (WHERE price_cents = -1)::int AS untouched, count(*) FILTER (WHERE price_cents IS NULL)::int AS skipped,
             count(*) FILTER (WHERE price_cents = price * 100 AND touched = 1)::int AS filled FROM public.items`);
    expect(rows[0]).toEqual({ untouched: 5000, skipped: 5000 - expected, filled: expected });
  });

  it('updates by key range: each batch reaches exactly up to its last key, over gaps, negative keys and skipped rows', async () => {
    const db = await freshDatabase();
    // Keys start below zero and leave gaps; every fifth row is skipped by where, inside every batch's range.
    await db.client.query(`
      CREATE TABLE public.sparse (id bigint PRIMARY KEY, kind text NOT NULL, v int NOT NULL, w int);
      INSERT INTO public.sparse (id, kind, v) SELECT g, CASE WHEN g % 5 = 0 THEN 'skip' ELSE 'fill' END, g % 100
        FROM generate_series(-3000, 30000, 3) AS g ORDER BY random();
      ANALYZE public.sparse;`);
    const observer = await db.connect();
    const positions: number[] = [];
    const result = await runBackfill(
      db.client,
      {
        schema: 'public',
        table: 'sparse',
        key: ['id'],
        set: [{ column: 'w', expression: 'v * 2' }],
        where: "w IS NULL AND kind <> 'skip'",
      },
      {
        initialBatchSize: 1000,
        minBatchSize: 1000,
        maxBatchSize: 1000,
        onBatch: async (p) => {
          positions.push(Number(p.position[0]));
          const { rows } = await observer.query(
            `SELECT count(*) FILTER (WHERE w IS NOT NULL AND id > $1)::int AS ahead,
                    count(*) FILTER (WHERE w IS NULL AND kind = 'fill' AND id <= $1)::int AS behind,
                    count(*) FILTER (WHERE w IS NOT NULL AND kind = 'skip')::int AS skipped FROM public.sparse`,
            [p.position[0]],
          );
          expect(rows[0]).toEqual({ ahead: 0, behind: 0, skipped: 0 });
        },
      },
    );
    const fill = (await db.client.query(`SELECT count(*)::int AS n FROM public.sparse WHERE kind = 'fill'`)).rows[0]
      .n as number;
    expect(result).toMatchObject({ done: true, rows: 11_001, updatedRows: fill, batches: 12, position: ['30000'] });
    expect(positions[0]).toBe(-3000 + 999 * 3); // the first batch: the first 1000 keys, from the smallest
    const { rows } = await db.client.query(
      `SELECT count(*) FILTER (WHERE w = v * 2)::int AS ok, count(w)::int AS filled FROM public.sparse`,
    );
    expect(rows[0]).toEqual({ ok: fill, filled: fill });
  });

  it('updates by key range on a composite key with a text leading column, resuming mid-range', async () => {
    const db = await freshDatabase();
    await db.client.query(`
      CREATE TABLE public.stock (region text COLLATE "C", n int, qty int NOT NULL, total int, PRIMARY KEY (region, n));
      INSERT INTO public.stock (region, n, qty) SELECT r, n, n % 9 FROM unnest(ARRAY['eu', 'us', 'apac']) AS r, generate_series(1, 700) AS n
        ORDER BY random();
      ANALYZE public.stock;`);
    const spec: BackfillSpec = {
      schema: 'public',
      table: 'stock',
      key: ['region', 'n'],
      set: [{ column: 'total', expression: 'qty * 10' }],
      where: 'total IS NULL AND qty > 0',
    };
    const sizes = { initialBatchSize: 500, minBatchSize: 500, maxBatchSize: 500 };
    const abort = new AbortController();
    const first = await runBackfill(db.client, spec, { ...sizes, signal: abort.signal, onBatch: () => abort.abort() });
    expect(first).toMatchObject({ done: false, position: ['apac', '500'], rows: 500 });
    const second = await runBackfill(db.client, spec, { ...sizes, startAfter: first.position });
    // apac 501..700, eu 1..300 in one batch: a range straddling two regions.
    expect(second).toMatchObject({ done: true, rows: 1600, batches: 4, position: ['us', '700'] });
    const { rows } = await db.client.query(`
      SELECT count(*) FILTER (WHERE total = qty * 10 AND qty > 0)::int AS filled, count(*) FILTER (WHERE total IS NULL AND qty = 0)::int AS skipped,
             count(*)::int AS total FROM public.stock`);
    expect(rows[0]).toEqual({ filled: 2100 - 3 * 77, skipped: 3 * 77, total: 2100 });
    expect(first.updatedRows + second.updatedRows).toBe(2100 - 3 * 77);
  });

  it('loses no concurrent write from a second session that locks rows against the walk', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 30_000);
    // What the expand phase installs: new writes keep the new column in sync while the backfill walks.
    await db.client.query(`
      CREATE FUNCTION public.sync_cents() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN NEW.price_cents := NEW.price * 100; RETURN NEW; END $$;
      CREATE TRIGGER sync_cents BEFORE INSERT OR UPDATE OF price ON public.items FOR EACH ROW EXECUTE FUNCTION public.sync_cents();`);
    const writer = await db.connect();
    const increments = new Map<number, number>();
    let running = true;
    let writes = 0;
    const write = (async () => {
      while (running) {
        // Rows locked in descending order, against the backfill's ascending walk: deadlocks are possible.
        const ids = [29_000, 20_000, 15_000, 9000, 3000].map((b) => b + Math.floor(Math.random() * 1000));
        try {
          await writer.query('BEGIN');
          for (const id of ids) await writer.query('UPDATE public.items SET price = price + 1 WHERE id = $1', [id]);
          await writer.query(`INSERT INTO public.items (id, price) VALUES ($1, 5)`, [100_000 + writes]);
          await writer.query('COMMIT');
          for (const id of ids) increments.set(id, (increments.get(id) ?? 0) + 1);
          writes++;
        } catch (e) {
          await writer.query('ROLLBACK');
          if ((e as { code?: string }).code !== '40P01') throw e;
        }
      }
    })();
    const result = await runBackfill(db.client, fill(), {
      initialBatchSize: 500,
      maxBatchSize: 1000,
      retryBaseMs: 10,
      maxAttempts: 20,
    });
    running = false;
    await write;
    expect(result.done).toBe(true);
    expect(writes).toBeGreaterThan(0);
    expect((await counts(db.client)).wrong).toBe(0);
    const { rows } = await db.client.query<{ id: string; price: number }>(
      'SELECT id, price FROM public.items WHERE id = ANY($1)',
      [[...increments.keys()]],
    );
    for (const r of rows) expect(r.price).toBe(((Number(r.id) % 1000) + increments.get(Number(r.id))!) | 0);
    const inserted = await db.client.query('SELECT count(*)::int AS n FROM public.items WHERE id >= 100000');
    expect(inserted.rows[0].n).toBe(writes);
  });

  it('retries a batch that hits lock_timeout and succeeds once the lock is released', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 5000);
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM public.items WHERE id BETWEEN 1500 AND 1600 FOR UPDATE');
    const release = setTimeout(() => void holder.query('COMMIT'), 800);
    const sizes = { initialBatchSize: 1000, minBatchSize: 1000, maxBatchSize: 1000 };
    const result = await runBackfill(db.client, fill(), {
      ...sizes,
      lockTimeoutMs: 50,
      retryBaseMs: 100,
      maxAttempts: 10,
    });
    clearTimeout(release);
    expect(result.done).toBe(true);
    expect(result.retries).toBeGreaterThanOrEqual(1);
    expect(await counts(db.client)).toEqual({ filled: 5000, wrong: 0, touchedOnce: 5000, total: 5000 });
  });

  it('retries a batch chosen as the deadlock victim (40P01)', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 3000);
    const holder = await db.connect();
    const watcher = await db.connect();
    await holder.query('BEGIN');
    await holder.query('UPDATE public.items SET price = price WHERE id = 1500');
    const sizes = { initialBatchSize: 1000, minBatchSize: 1000, maxBatchSize: 1000 };
    const run = runBackfill(db.client, fill(), { ...sizes, lockTimeoutMs: 10_000, retryBaseMs: 10 });
    // Once the second batch waits on row 1500 it holds 1001..1499; the holder now waits on it: a cycle. The
    // backfill started waiting first, so its deadlock check fires first and it is the victim.
    const backend = (await db.client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const waitedOn = run.catch(() => undefined);
    for (let waiting = false, tries = 0; !waiting; tries++) {
      if (tries > 500) throw new Error('the backfill never waited on the held row');
      const { rows } = await watcher.query(
        `SELECT wait_event_type = 'Lock' AS w FROM pg_stat_activity WHERE pid = $1`,
        [backend],
      );
      waiting = rows[0]?.w === true;
      if (!waiting) await Promise.race([new Promise((r) => setTimeout(r, 10)), waitedOn]);
    }
    await holder.query('UPDATE public.items SET price = price WHERE id = 1200');
    await holder.query('COMMIT');
    const result = await run;
    expect(result).toMatchObject({ done: true, retries: 1, rows: 3000 });
    expect(await counts(db.client)).toEqual({ filled: 3000, wrong: 0, touchedOnce: 3000, total: 3000 });
  });

  it('gives up with a typed error naming the table and position when the lock is never released', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 5000);
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM public.items WHERE id = 1500 FOR UPDATE');
    const sizes = { initialBatchSize: 1000, minBatchSize: 1000, maxBatchSize: 1000 };
    const error = await runBackfill(db.client, fill(), {
      ...sizes,
      lockTimeoutMs: 50,
      retryBaseMs: 10,
      maxAttempts: 3,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackfillError);
    expect(error).toMatchObject({
      code: 'BACKFILL_RETRIES_EXHAUSTED',
      exitCode: 3,
      schema: 'public',
      table: 'items',
      position: ['1000'],
      attempts: 3,
      sqlstate: '55P03',
    });
    expect((error as Error).message).toContain('public.items');
    expect((error as Error).message).toContain('after key (1000)');
    await holder.query('ROLLBACK');
    // The failed batch was rolled back; the first one stays committed.
    expect((await counts(db.client)).filled).toBe(1000);
  });

  it('waits while shouldPause asks, then goes on', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 3000);
    const answers = [30, 30, 0];
    let asked = 0;
    const result = await runBackfill(db.client, fill(), {
      initialBatchSize: 1000,
      minBatchSize: 1000,
      maxBatchSize: 1000,
      shouldPause: async () => answers[asked++] ?? 0,
    });
    expect(result).toMatchObject({ done: true, rows: 3000 });
    expect(asked).toBeGreaterThanOrEqual(3 + 2);
  });

  it('shrinks batches toward a small target and grows them toward a large one', async () => {
    const db = await freshDatabase();
    await itemsTable(db.client, 40_000);
    const sizesFor = async (targetBatchMs: number, initialBatchSize: number): Promise<number[]> => {
      const sizes: number[] = [];
      const abort = new AbortController();
      await db.client.query('UPDATE public.items SET price_cents = NULL');
      await runBackfill(db.client, fill('true'), {
        targetBatchMs,
        initialBatchSize,
        minBatchSize: 10,
        maxBatchSize: 100_000,
        signal: abort.signal,
        onBatch: (p) => {
          if (sizes.push(p.batchSize) === 6) abort.abort();
        },
      });
      return sizes;
    };
    const shrinking = await sizesFor(0.01, 4000);
    expect(shrinking[0]).toBe(4000);
    expect(shrinking.at(-1)!).toBeLessThanOrEqual(4000 / 8);
    for (let i = 1; i < shrinking.length; i++) expect(shrinking[i]!).toBeGreaterThanOrEqual(shrinking[i - 1]! / 2); // smoothed: at most halves
    const growing = await sizesFor(60_000, 100);
    expect(growing).toEqual([100, 150, 225, 338, 507, 761]); // at most 1.5x per batch
  });
});
