// Both sides as two databases of one server. Subscribing within one cluster hangs unless the slot is made
// first; pair init always makes it apart (create_slot = false), so this works too. Names that need quoting
// travel through every statement.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { pairTeardown } from '../../../src/pair/teardown.js';
import { freshDatabase } from '../../support/db.js';
import { eventually, replicationObjects } from '../../support/pair.js';

describe('a pair within one cluster', () => {
  it('initializes, streams, reports and tears down, with quoted names', async () => {
    const [blue, green] = [await freshDatabase(), await freshDatabase()];
    await blue.client.query(
      `CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Order Lines" (id int PRIMARY KEY, "Qty" int NOT NULL, double int GENERATED ALWAYS AS ("Qty" * 2) STORED); INSERT INTO "Sales"."Order Lines" SELECT g, g FROM generate_series(1, 1000) g`,
    );
    // Identity ALWAYS and generated columns: the copy and the apply worker write them as they are on live.
    await blue.client.query(
      `CREATE TABLE "Sales".audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now()); INSERT INTO "Sales".audit (at) SELECT now() FROM generate_series(1, 10)`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'sy-pair-same-')), 'switchyard.yaml');
    writeFileSync(file, `pair:\n  blue: ${blue.url}\n  green: ${green.url}\n`);
    const config = await loadConfig(file);
    try {
      const r = await pairInit(config, { timeoutMs: 60_000 });
      expect(r.tables).toBe(3);
      const pub = await blue.client.query<{ t: string }>(
        `SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = 'switchyard_from_blue' ORDER BY 1`,
      );
      expect(pub.rows.map((x) => x.t)).toEqual(['Sales.Order Lines', 'Sales.audit', 'switchyard.heartbeat']);
      expect(
        (await green.client.query(`SELECT sum("Qty")::int AS s, sum(double)::int AS d FROM "Sales"."Order Lines"`))
          .rows[0],
      ).toEqual({ s: 500500, d: 1001000 });
      expect((await green.client.query(`SELECT max(id)::int AS m FROM "Sales".audit`)).rows[0].m).toBe(10);
      await blue.client.query(`INSERT INTO "Sales".audit DEFAULT VALUES`);
      await eventually(
        'the audit row on green',
        async () => (await green.client.query(`SELECT 1 FROM "Sales".audit WHERE id = 11`)).rows.length === 1,
      );
      await blue.client.query(`INSERT INTO "Sales"."Order Lines" VALUES (1001, 1)`);
      await eventually(
        'the new row on green',
        async () => (await green.client.query(`SELECT 1 FROM "Sales"."Order Lines" WHERE id = 1001`)).rows.length === 1,
      );
      const s = await pairStatus(config);
      expect(s.ok, s.problems.join('\n')).toBe(true);
      expect(s.tables.map((t) => t.table)).toEqual(['"Sales"."Order Lines"', '"Sales".audit', 'switchyard.heartbeat']);
    } finally {
      const t = await pairTeardown(config);
      expect(t.remainingSlots).toEqual([]);
    }
    expect(await replicationObjects(blue.client)).toEqual({ slots: [], publications: [], subscriptions: [] });
    expect(await replicationObjects(green.client)).toEqual({ slots: [], publications: [], subscriptions: [] });
  });
});
