// The inventory: one object of every class the model does not hold, each named exactly once, in one query
// whatever the number of objects; and nothing for what the model holds.
import { describe, expect, it } from 'vitest';
import { describeNotModeled, inventory, QUERIES_PER_INVENTORY } from '../../../src/introspect/index.js';
import { freshDatabase } from '../../support/db.js';
import { counting } from './fixtures.js';

/** What the model holds: none of it is listed. */
const MODELED = `
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'held';
CREATE TYPE app.status AS ENUM ('a', 'b');
COMMENT ON TYPE app.status IS 'held';
CREATE TABLE app.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int CHECK (n > 0), s app.status,
  u text UNIQUE, g int GENERATED ALWAYS AS (n * 2) STORED);
COMMENT ON TABLE app.t IS 'held';
COMMENT ON COLUMN app.t.n IS 'held';
CREATE INDEX t_n_idx ON app.t (n);
COMMENT ON INDEX app.t_n_idx IS 'held';
CREATE SEQUENCE app.seq;
CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER t_plain BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TABLE app.child_fk (id int PRIMARY KEY, t_id bigint REFERENCES app.t (id));
CREATE VIEW app.v WITH (security_barrier, check_option = local) AS SELECT id, n FROM app.t;
COMMENT ON VIEW app.v IS 'held';
COMMENT ON COLUMN app.v.n IS 'held';
CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.t;
CREATE UNIQUE INDEX mv_id ON app.mv (id);
COMMENT ON MATERIALIZED VIEW app.mv IS 'held';
COMMENT ON INDEX app.mv_id IS 'held';
COMMENT ON CONSTRAINT t_n_check ON app.t IS 'held';
COMMENT ON CONSTRAINT t_pkey ON app.t IS 'held';
COMMENT ON CONSTRAINT t_u_key ON app.t IS 'held';
COMMENT ON CONSTRAINT child_fk_t_id_fkey ON app.child_fk IS 'held';
COMMENT ON FUNCTION app.f() IS 'held';
COMMENT ON SEQUENCE app.seq IS 'held';
COMMENT ON TRIGGER t_plain ON app.t IS 'held';
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.t FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON app.t USING (n > 0);
CREATE POLICY readers ON app.t AS RESTRICTIVE FOR SELECT TO PUBLIC USING (true);
COMMENT ON POLICY own_rows ON app.t IS 'held';
ALTER TABLE app.child_fk REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE app.scratch (id int);
`;

/** One object of every class outside the model. */
const OUTSIDE = `
CREATE MATERIALIZED VIEW app.mv_fill WITH (fillfactor = 70) AS SELECT 1 AS x;
CREATE TABLE app.p (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE app.p_2026 PARTITION OF app.p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.heir (extra int) INHERITS (app.child_fk);
CREATE FOREIGN DATA WRAPPER inv_fdw;
CREATE SERVER inv_server FOREIGN DATA WRAPPER inv_fdw;
CREATE FOREIGN TABLE app.ft (id int) SERVER inv_server;
CREATE TYPE app.pair AS (a int, b text);
CREATE DOMAIN app.positive AS int CHECK (VALUE > 0);
CREATE TYPE app.span AS RANGE (subtype = int4);
CREATE TYPE app.shell;
CREATE PROCEDURE app.proc(int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int);
CREATE FUNCTION app.win(int) RETURNS int LANGUAGE internal WINDOW AS 'window_row_number';
CREATE RULE no_delete AS ON DELETE TO app.child_fk DO INSTEAD NOTHING;
CREATE CONSTRAINT TRIGGER t_constraint AFTER INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TRIGGER t_args BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f('x');
CREATE TRIGGER t_update_of BEFORE UPDATE OF n ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE TRIGGER t_transition AFTER INSERT ON app.t REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION app.f();
CREATE TABLE app.booking (r int4range, EXCLUDE USING gist (r WITH &&));
CREATE COLLATION app.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE STATISTICS app.t_stats ON n, u FROM app.t;
CREATE PUBLICATION inv_pub FOR TABLE app.t;
ALTER TABLE app.child_fk SET (fillfactor = 70, toast.autovacuum_enabled = false);
ALTER TABLE app.child_fk ALTER COLUMN id SET STATISTICS 500;
ALTER TABLE app.t ALTER COLUMN u SET STORAGE EXTERNAL;
ALTER TABLE app.t ALTER COLUMN u SET COMPRESSION pglz;
CLUSTER app.t USING t_n_idx;
COMMENT ON CONSTRAINT booking_r_excl ON app.booking IS 'not held';
COMMENT ON CONSTRAINT positive_check ON DOMAIN app.positive IS 'not held';
COMMENT ON PROCEDURE app.proc(int) IS 'not held';
COMMENT ON SEQUENCE app.t_id_seq IS 'not held';
CREATE ROLE inv_reader_%s;
GRANT SELECT ON app.t TO inv_reader_%s;
GRANT USAGE ON SCHEMA app TO inv_reader_%s;
REVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;
GRANT USAGE ON TYPE app.status TO inv_reader_%s;
GRANT SELECT (t_id) ON app.child_fk TO inv_reader_%s;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO inv_reader_%s;
CREATE OPERATOR app.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
CREATE FUNCTION app.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER inv_ddl ON ddl_command_end EXECUTE FUNCTION app.on_ddl();
CREATE EXTENSION pg_trgm SCHEMA app;
CREATE OPERATOR FAMILY app.fam USING btree;
CREATE TEXT SEARCH CONFIGURATION app.cfg (COPY = pg_catalog.simple);
CREATE TEXT SEARCH DICTIONARY app.dict (TEMPLATE = pg_catalog.simple);
`;

const EXPECTED = `operator "app"."===(integer, integer)"
text search configuration "app"."cfg"
column statistics target "id" on "app"."child_fk" (500)
rule "no_delete" on "app"."child_fk"
collation "app"."ci"
text search dictionary "app"."dict"
grants on routine "app"."f()" ({postgres=X/postgres})
operator family "app"."fam" (USING btree)
foreign table "app"."ft"
column statistics target "id" on "app"."heir" (500)
inheritance child "app"."heir" (inherits app.child_fk)
event trigger "app"."inv_ddl" (ddl_command_end)
foreign server "app"."inv_server" (wrapper inv_fdw, 0 user mapping(s))
storage parameters "app"."mv_fill" (fillfactor=70)
partitioned table "app"."p" (RANGE (at))
partition "app"."p_2026" (of app.p FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'))
comment on domain constraint "positive_check" on "app"."positive"
procedure "app"."proc(IN integer)"
comment on procedure "app"."proc(integer)"
shell type "app"."shell"
clustered index "t_n_idx" on "app"."t"
column compression "u" on "app"."t" (pglz)
column storage "u" on "app"."t" (external)
publication "inv_pub" on "app"."t"
statistics "t_stats" on "app"."t"
comment on sequence "app"."t_id_seq"
aggregate "app"."total(integer)"
window function "app"."win(integer)"`.split('\n');

describe('inventory', () => {
  it('lists nothing for what the model holds', async () => {
    const db = await freshDatabase();
    await db.client.query(MODELED);
    expect(await inventory(db.client, { includeSchemas: ['app'] })).toEqual([]);
  });

  it('names one object of every class outside the model', async () => {
    const db = await freshDatabase();
    const role = db.name;
    await db.client.query(MODELED);
    await db.client.query(OUTSIDE.replaceAll('%s', role));
    try {
      const items = await inventory(db.client, { includeSchemas: ['app'] });
      const reader = `inv_reader_${role}`;
      expect(items.map((n) => describeNotModeled(n).replaceAll(reader, 'reader'))).toEqual(EXPECTED);
      // The structured rows behind two of the lines.
      expect(items).toContainEqual({ kind: 'rule', schema: 'app', table: 'child_fk', name: 'no_delete' });
      // Grants beyond the defaults are modeled; a default revoked (EXECUTE from PUBLIC) is not.
      expect(items).toContainEqual({
        kind: 'grants on routine',
        schema: 'app',
        name: 'f()',
        detail: '{postgres=X/postgres}',
      });
      // Another schema's objects are not this one's.
      expect(await inventory(db.client, { includeSchemas: ['public'] })).toEqual([]);
    } finally {
      await db.client.query(`DROP OWNED BY inv_reader_${role}; DROP ROLE inv_reader_${role}`);
    }
  });

  it('issues one query for 5 objects as for 300', async () => {
    const countFor = async (n: number) => {
      const db = await freshDatabase();
      const sql = ['CREATE SCHEMA app; CREATE TABLE app.t (id int);'];
      for (let i = 0; i < n; i++)
        sql.push(`CREATE TYPE app.c${i}; CREATE RULE r${i} AS ON DELETE TO app.t DO ALSO NOTHING;`);
      await db.client.query(sql.join('\n'));
      const q = counting(db.client);
      expect(await inventory(q, { includeSchemas: ['app'] })).toHaveLength(2 * n);
      return q.texts.length;
    };
    expect(await countFor(5)).toBe(QUERIES_PER_INVENTORY);
    expect(await countFor(300)).toBe(QUERIES_PER_INVENTORY);
  });
});
