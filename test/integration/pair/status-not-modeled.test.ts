// pair status names what the model does not hold on each side (not the pair's own publications), and with
// strict: true makes it a problem (exit 1).
import { describe, expect, it } from 'vitest';
import { pairInit } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { APP_SQL, freshPair } from '../../support/pair.js';

describe('pair status and objects outside the model', () => {
  it('lists them per side, leaves out the pair publication, and fails with strict', async () => {
    const pair = await freshPair();
    await pair.blue.client.query(APP_SQL);
    // Extended statistics: outside the model, and an object the catalog copy writes on the standby.
    await pair.blue.client.query(
      'CREATE STATISTICS public.big_orders (dependencies) ON customer_id, total FROM public.orders',
    );
    await pairInit(pair.config, { timeoutMs: 60_000 });

    const s = await pairStatus(pair.config);
    expect(s.ok).toBe(true);
    // The standby is a catalog copy (issue #15): the statistics object is on both sides, and named on both.
    const stats = { kind: 'statistics', schema: 'public', table: 'orders', name: 'big_orders' };
    expect(s.notModeled).toEqual({ live: [stats], standby: [stats] });
    expect(s.catalog?.equal).toBe(true);

    const strict = await pairStatus({ ...pair.config, strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.problems.join('\n')).toContain(
      '2 object(s) not modeled (strict): statistics "big_orders" on "public"."orders"; statistics "big_orders" on "public"."orders"',
    );
  });
});
