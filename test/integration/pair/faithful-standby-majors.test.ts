// The catalog copy across majors (issue #15 point 2): live on PostgreSQL 15, the standby on 17 (an upgrade by
// cutover). pair init builds the standby from live's catalog, and the full catalog comparison, normalized as
// README says (extension versions, white space, schema public's owner and privileges), finds both sides equal;
// the cutover gate's catalog check passes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { pairStatus } from '../../../src/pair/status.js';
import { pairTeardown } from '../../../src/pair/teardown.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';

const servers: EmbeddedServer[] = [];
const clients: pg.Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  for (const s of servers) await s.stop().catch(() => undefined);
});

describe('a faithful standby across majors', () => {
  it('live on PostgreSQL 15, standby on 17: the catalog copy reads back equal and the gate passes', async () => {
    const [live, standby] = await Promise.all([startEmbedded({ major: 15 }), startEmbedded({ major: 17 })]);
    servers.push(live, standby);
    for (const s of [live, standby]) {
      const a = new pg.Client({ connectionString: s.url('postgres') });
      await a.connect();
      await a.query('CREATE DATABASE app');
      await a.query(
        `DO $$ BEGIN CREATE ROLE app_writer LOGIN PASSWORD 'x'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      await a.end();
    }
    const blue = new pg.Client({ connectionString: live.url('app') });
    await blue.connect();
    clients.push(blue);
    await blue.query(`
      CREATE EXTENSION citext;
      CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email citext NOT NULL UNIQUE,
        owner_name text NOT NULL DEFAULT current_user);
      ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own_rows ON accounts FOR SELECT TO app_writer USING (owner_name = current_user);
      CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, kind text NOT NULL, PRIMARY KEY (id, at))
        PARTITION BY RANGE (at);
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE audit_log (at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, message text);
      ALTER TABLE audit_log REPLICA IDENTITY FULL;
      CREATE VIEW recent_events AS SELECT e.id, e.at, e.kind, (SELECT count(*) FROM accounts a WHERE a.email = e.kind) AS n
        FROM events e WHERE e.at >= '2025-06-01' AND e.kind IN ('a', 'b');
      CREATE MATERIALIZED VIEW event_counts AS SELECT kind, count(*) AS n FROM events GROUP BY kind;
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER audit_touch BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION touch();
      COMMENT ON TABLE accounts IS 'accounts';
      GRANT USAGE ON SCHEMA public TO app_writer;
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_writer;
      INSERT INTO events VALUES (1, '2025-07-01', 'a');
      REFRESH MATERIALIZED VIEW event_counts;`);
    const dir = mkdtempSync(join(tmpdir(), 'sy-majors-'));
    const file = join(dir, 'switchyard.yaml');
    writeFileSync(file, `pair:\n  blue: ${live.url('app')}\n  green: ${standby.url('app')}\n`);
    const config = await loadConfig(file);
    try {
      const r = await pairInit(config, { timeoutMs: 120_000 });
      expect(r.schema.action).toBe('built');
      const status = await pairStatus(config);
      expect(status.catalog?.differences).toEqual([]);
      const dry = await runSwitch('cutover', config, { dryRun: true });
      expect(dry.gate.find((g) => g.check === 'catalog')).toMatchObject({ ok: true });
    } finally {
      await pairTeardown(config).catch(() => undefined);
    }
  }, 300_000);
});
