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
    await pair.blue.client.query('CREATE TYPE public.big_orders');
    await pairInit(pair.config, { timeoutMs: 60_000 });

    const s = await pairStatus(pair.config);
    expect(s.ok).toBe(true);
    // The standby is a catalog copy (issue #15): the shell type is on both sides, and named on both.
    expect(s.notModeled).toEqual({
      live: [{ kind: 'shell type', schema: 'public', name: 'big_orders' }],
      standby: [{ kind: 'shell type', schema: 'public', name: 'big_orders' }],
    });
    expect(s.catalog?.equal).toBe(true);

    const strict = await pairStatus({ ...pair.config, strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.problems.join('\n')).toContain(
      '2 object(s) not modeled (strict): shell type "public"."big_orders"; shell type "public"."big_orders"',
    );
  });
});
