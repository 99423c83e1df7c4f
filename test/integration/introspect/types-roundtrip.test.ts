// The introspect -> validate -> diff loop on a database holding every type and constraint issue #17 point 3 and
// point 5 model: domains (a check left NOT VALID, a domain over a domain), composite and range types, columns of
// them and of arrays of them, of information_schema's domains and of extension types (citext and hstore in their
// own schema), exclusion constraints, deferrable keys, constraint triggers and triggers with arguments, UPDATE
// OF, WHEN and transition tables. The YAML introspection writes must validate, build the same catalog on the
// shadow, plan nothing, and leave nothing of these in the "not modeled" list.
import { describe, expect, it } from 'vitest';
import { introspect, inventory, serverVersion } from '../../../src/introspect/index.js';
import { readExtensions } from '../../../src/introspect/extensions.js';
import { diff } from '../../../src/diff/index.js';
import { allSteps, buildPlan } from '../../../src/planner/plan.js';
import { canonicalize, prepareSession } from '../../../src/rehearsal/shadow.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import { parseDeclared, toYaml } from '../../../src/schema/declared/yaml.js';
import { freshDatabase } from '../../support/db.js';

const SQL = `
CREATE SCHEMA ext;
CREATE EXTENSION citext WITH SCHEMA ext;
CREATE EXTENSION hstore WITH SCHEMA ext;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('ok', 'meh');
CREATE DOMAIN app.descr_type AS text COLLATE "C" NOT NULL DEFAULT 'none' CONSTRAINT descr_short CHECK (length(VALUE) < 200);
ALTER DOMAIN app.descr_type ADD CONSTRAINT descr_not_blank CHECK (VALUE <> '') NOT VALID;
COMMENT ON DOMAIN app.descr_type IS 'A description';
CREATE DOMAIN app.year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN app.recent_year AS app.year CHECK (VALUE > 2000);
CREATE TYPE app.pair AS (a text COLLATE "C", b app.year, m app.mood[]);
COMMENT ON TYPE app.pair IS 'Two things';
CREATE TYPE app.span AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.period AS RANGE (subtype = timestamptz, multirange_type_name = app.periods);
CREATE TABLE app.films (
  id bigint PRIMARY KEY,
  title ext.citext NOT NULL CONSTRAINT films_title_key UNIQUE DEFERRABLE INITIALLY DEFERRED,
  descr app.descr_type,
  released app.recent_year,
  tags ext.hstore,
  moods app.mood[] NOT NULL DEFAULT '{}',
  pairs app.pair[],
  score app.span,
  shown app.periods,
  rank information_schema.cardinal_number,
  during tstzrange NOT NULL,
  CONSTRAINT films_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (id > 0) DEFERRABLE
);
COMMENT ON CONSTRAINT films_no_overlap ON app.films IS 'One at a time';
CREATE TABLE app.sequels (
  id bigint PRIMARY KEY,
  film_id bigint NOT NULL REFERENCES app.films DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE app.log (what text NOT NULL);
CREATE FUNCTION app.note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO app.log VALUES (TG_NAME || ' ' || coalesce(TG_ARGV[0], '-'));
  RETURN NULL;
END
$$;
CREATE TRIGGER films_title AFTER UPDATE OF title, descr ON app.films FOR EACH ROW
  WHEN (old.title IS DISTINCT FROM new.title) EXECUTE FUNCTION app.note('title', 'it''s', '');
CREATE TRIGGER films_batch AFTER DELETE ON app.films REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
  EXECUTE FUNCTION app.note();
CREATE CONSTRAINT TRIGGER films_check AFTER INSERT ON app.films DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  EXECUTE FUNCTION app.note('deferred');
`;

describe('types and constraints round trip', () => {
  it('introspect -> YAML -> validate -> shadow -> the same catalog, no change, nothing left unmodeled', async () => {
    const db = await freshDatabase();
    await db.client.query(SQL);
    await prepareSession(db.client);
    const source = await introspect(db.client, { includeSchemas: ['app'] });
    const yaml = toYaml(source);
    for (const fragment of [
      'domains:',
      'composites:',
      'ranges:',
      'exclusions:',
      'type: ext.citext',
      'type: ext.hstore',
      'type: information_schema.cardinal_number',
      'notValid: true',
      'constraint: true',
      'oldTable: gone',
      'multirange: periods',
    ])
      expect(yaml).toContain(fragment);
    // validate: no server, the real parser for types and definitions.
    const declared = parseDeclared(yaml, 'live.yaml');
    expect(fingerprint(declared)).toBe(fingerprint(source));
    // The shadow builds the YAML with the source's extensions and reads back the same catalog.
    const target = await canonicalize(declared, { url: db.url, extensions: await readExtensions(db.client) });
    expect(fingerprint(target)).toBe(fingerprint(source));
    expect(diff(source, target)).toEqual([]);
    const v = await serverVersion(db.client);
    const plan = buildPlan(source, target, {
      name: 'again',
      number: 1,
      server: { version: v.text, versionNum: v.num },
    });
    expect(allSteps(plan)).toEqual([]);
    // What is left unmodeled in app: nothing of the above.
    const left = (await inventory(db.client, { includeSchemas: ['app'] })).map((n) => `${n.kind} ${n.name}`);
    expect(left).toEqual([]);
  });
});
