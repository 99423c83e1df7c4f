// The watcher on a blue/green pair (issue #20): both sides sampled, subscription lag above `lagBytes` fires and
// recovers once the standby catches up; the split-brain count is peeked, never consumed.
import { describe, expect, it } from 'vitest';
import { startWatch } from '../../../src/commands/watch.js';
import { pairInit } from '../../../src/pair/init.js';
import { readTopology } from '../../../src/pair/topology.js';
import { armWatch, peekWatch } from '../../../src/pair/watch.js';
import { connect } from '../../../src/db/connect.js';
import { APP_SQL, freshPair } from '../../support/pair.js';
import { receiver, until } from '../../support/receiver.js';

describe('watch on a pair', () => {
  it('lag above lagBytes fires replication_lag naming the slot, and recovers when the standby catches up; split brain is peeked, not consumed', async () => {
    const hook = await receiver();
    const pair = await freshPair(`alerts:\n  lagBytes: 200000\n  stderr: false\n  webhook: ${hook.url}\n`);
    await pair.blue.client.query(APP_SQL);
    await pairInit(pair.config);
    const w = await startWatch(pair.config, {});
    try {
      const first = await w.watcher.tick();
      expect(first.targets.map((t) => t.side)).toEqual(['blue', 'green']);
      expect(first.queries).toBe(2); // one statement per side
      expect(first.firing).toEqual([]);
      const { rows } = await pair.green.client.query<{ name: string }>(
        `SELECT subname AS name FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      const sub = rows[0]!.name;
      // The standby stops applying; blue writes about 1 MB.
      await pair.green.client.query(`ALTER SUBSCRIPTION ${sub} DISABLE`);
      await pair.blue.client.query(
        `INSERT INTO billing.events (id, payload) SELECT g, jsonb_build_object('pad', repeat('x', 200)) FROM generate_series(1, 4000) g`,
      );
      const lagging = await w.watcher.tick();
      const slot = lagging.targets.find((t) => t.side === 'blue')!.slots.find((s) => s.slot === sub)!;
      expect(slot.lagBytes).toBeGreaterThan(200_000);
      expect(lagging.firing).toContain(`replication_lag:${sub}`);
      const fired = await until('the lag alert', () =>
        hook.bodies.find((b) => b.alert === 'replication_lag' && b.state === 'firing'),
      );
      expect(fired).toMatchObject({ threshold: 200_000, database: expect.stringContaining(pair.blue.name) });
      expect(String(fired.text)).toContain(sub);

      await pair.green.client.query(`ALTER SUBSCRIPTION ${sub} ENABLE`);
      await until('the recovery', async () => {
        await w.watcher.tick();
        return hook.bodies.find((b) => b.alert === 'replication_lag' && b.state === 'resolved');
      });

      // The split-brain watch armed on the standby, and a write there that did not come from replication: the
      // watcher counts it on each tick and leaves it in the slot for `pair watch`.
      const green = await connect({ url: pair.green.url });
      try {
        const t = await readTopology(green, pair.config.ledgerSchema);
        await armWatch(green, pair.config.ledgerSchema, 'green', t!.generation);
        await pair.green.client.query(`INSERT INTO billing.events (id) VALUES (-1)`);
        await until('the split-brain count', async () =>
          (await w.watcher.tick()).targets.find((x) => x.side === 'green')!.splitBrain === 1 ? true : undefined,
        );
        const again = await w.watcher.tick();
        expect(again.targets.find((x) => x.side === 'green')!.splitBrain).toBe(1);
        expect(again.firing).toContain('split_brain:green');
        expect(again.queries).toBe(3); // one statement per side, one peek at the armed watch slot
        const peek = await peekWatch(green, 'green');
        expect(peek.pending).toBe(1);
      } finally {
        await green.end();
      }
    } finally {
      await w.stop();
    }
  });
});
