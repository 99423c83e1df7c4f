// Scenario data for kinds.test.ts: a table's storage parameters (fillfactor, autovacuum_*, toast.*), changed in
// place with SET/RESET, said by CREATE TABLE for a new table, and put back by a dropped table's rollback.
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { allSteps } from '../../../src/planner/plan.js';
import type { KindScenario } from './kinds-scenarios.js';

const EVENTS = (options: string) => `
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL)${options};
INSERT INTO events (payload) VALUES ('a'), ('b');`;

const events = (storage?: Record<string, unknown>) => ({
  columns: {
    id: { type: 'bigint', nullable: false, identity: 'always' },
    payload: { type: 'text', nullable: false },
  },
  primaryKey: { columns: ['id'] },
  ...(storage ? { storage } : {}),
});

export const STORAGE_SCENARIOS: readonly KindScenario[] = [
  {
    name: 'a changed fillfactor, a removed autovacuum setting and a new TOAST one, in one ALTER TABLE, order restored',
    kind: 'set_storage',
    source: EVENTS(' WITH (fillfactor = 90, autovacuum_enabled = false)'),
    target: stringify({
      schemas: { public: { tables: { events: events({ fillfactor: 70, 'toast.autovacuum_enabled': false }) } } },
    }),
    plan: (p) => {
      const [s, ...rest] = allSteps(p);
      expect(rest).toEqual([]);
      expect(s).toMatchObject({
        action: 'set_storage',
        // Reset whole and set whole, in order: the catalog then holds exactly the list, in its order (pg_dump).
        sql: "ALTER TABLE public.events RESET (fillfactor, autovacuum_enabled), SET (fillfactor = '70', toast.autovacuum_enabled = 'false')",
        rollback: [
          "ALTER TABLE public.events RESET (fillfactor, toast.autovacuum_enabled), SET (fillfactor = '90', autovacuum_enabled = 'false')",
        ],
        lock: 'SHARE UPDATE EXCLUSIVE',
      });
    },
  },
  {
    name: 'every storage parameter removed',
    kind: 'set_storage',
    source: EVENTS(' WITH (fillfactor = 90)'),
    target: stringify({ schemas: { public: { tables: { events: events() } } } }),
    plan: (p) => expect(allSteps(p).map((s) => s.sql)).toEqual(['ALTER TABLE public.events RESET (fillfactor)']),
  },
  {
    name: 'a new table with storage parameters: CREATE TABLE ... WITH',
    kind: 'add_table',
    source: 'SELECT 1',
    target: stringify({
      schemas: { public: { tables: { events: events({ fillfactor: 50, autovacuum_vacuum_scale_factor: 0.01 }) } } },
    }),
    plan: (p) =>
      expect(allSteps(p)[0]!.sql).toMatch(/\n\) WITH \(fillfactor = '50', autovacuum_vacuum_scale_factor = '0\.01'\)$/),
  },
  {
    name: 'a dropped table with storage parameters, recreated with them by its rollback',
    kind: 'drop_table',
    source: `${EVENTS(' WITH (fillfactor = 60)')} ALTER TABLE events SET (toast.autovacuum_enabled = false);`,
    target: stringify({ schemas: { public: {} } }),
    plan: (p) =>
      expect(allSteps(p).find((s) => s.action === 'drop_table')!.rollback[0]).toMatch(
        /\) WITH \(fillfactor = '60', toast\.autovacuum_enabled = 'false'\)$/,
      ),
  },
];
