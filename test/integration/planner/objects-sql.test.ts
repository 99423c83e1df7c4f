// The object handlers' SQL on a real PostgreSQL: for each change kind, a source and a target database are built
// and introspected, the changes are planned, and on the source every phase runs forward, rolls back to exactly
// the schema it started from (same fingerprint, same rows), and runs forward again; the end is the target.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { diff, type Change } from '../../../src/diff/index.js';
import { introspect } from '../../../src/introspect/index.js';
import { orderSteps } from '../../../src/planner/graph.js';
import { buildPlan } from '../../../src/planner/plan.js';
import { objectHandlers } from '../../support/families.js';
import {
  PHASES,
  type Handler,
  type PlanContext,
  type PlanProblem,
  type StepDraft,
} from '../../../src/planner/types.js';
import { fingerprint } from '../../../src/schema/model/fingerprint.js';
import type { DatabaseSchema } from '../../../src/schema/model/model.js';
import { freshDatabase } from '../../support/db.js';

const handler = (c: Change): Handler => {
  const h = (objectHandlers as Record<string, Handler>)[c.kind];
  if (!h) throw new Error(`${c.kind} is not an object change: the scenario must only produce object changes`);
  return h;
};

interface Planned {
  readonly client: pg.Client;
  readonly source: DatabaseSchema;
  readonly targetSchema: DatabaseSchema;
  readonly changes: readonly Change[];
  readonly problems: readonly PlanProblem[];
  readonly drafts: readonly StepDraft[];
  readonly target: string;
}

async function plan(sourceSql: string, targetSql: string, data = '', objectsOnly = true): Promise<Planned> {
  const src = await freshDatabase();
  const tgt = await freshDatabase();
  await src.client.query(sourceSql);
  if (data) await src.client.query(data);
  await tgt.client.query(targetSql);
  const source = await introspect(src.client);
  const target = await introspect(tgt.client);
  const { rows } = await src.client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
  const ctx: PlanContext = { source, target, serverVersionNum: rows[0]!.v, newTables: new Set() };
  const changes = diff(source, target);
  if (!objectsOnly)
    return {
      client: src.client,
      source,
      targetSchema: target,
      changes,
      problems: [],
      drafts: [],
      target: fingerprint(target),
    };
  const problems = changes.flatMap((c) => handler(c).validate(c, ctx));
  const drafts = changes.flatMap((c) => {
    const h = handler(c);
    return [...h.expand(c, ctx), ...h.backfill(c, ctx), ...h.contract(c, ctx)];
  });
  return { client: src.client, source, targetSchema: target, changes, problems, drafts, target: fingerprint(target) };
}

const shape = async (client: pg.Client): Promise<string> => fingerprint(await introspect(client));

async function inTransaction(client: pg.Client, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  let current = '';
  try {
    for (const s of statements) await client.query((current = s));
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    if (e instanceof Error) e.message += `\n  in: ${current}`;
    throw e;
  }
}

type Runnable = Pick<StepDraft, 'sql' | 'rollback' | 'transactional'>;

async function forward(client: pg.Client, steps: readonly Runnable[]): Promise<void> {
  for (const s of steps) {
    if (s.transactional) await inTransaction(client, [s.sql]);
    else await client.query(s.sql);
  }
}

async function rollback(client: pg.Client, steps: readonly Runnable[]): Promise<void> {
  for (const s of [...steps].reverse()) await inTransaction(client, s.rollback);
}

/** Phases in plan order, each ordered by the dependency graph. */
function phases(drafts: readonly StepDraft[]): StepDraft[][] {
  const releases = Math.max(0, ...drafts.map((d) => d.releaseOffset + 1));
  const out: StepDraft[][] = [];
  for (let r = 0; r < releases; r++) {
    for (const p of PHASES) {
      const group = orderSteps(drafts.filter((d) => d.releaseOffset === r && d.phase === p));
      if (group.length) out.push(group);
    }
  }
  return out;
}

/** Every phase forward, back (schema and rows exactly as before), forward again; then the target is reached. */
async function roundTrip(
  p: Planned,
  rowsQuery?: string,
  groups: readonly (readonly Runnable[])[] = phases(p.drafts),
): Promise<void> {
  expect(p.problems).toEqual([]);
  const rows = async () => (rowsQuery ? (await p.client.query(rowsQuery)).rows : []);
  for (const group of groups) {
    const [before, data] = [await shape(p.client), await rows()];
    await forward(p.client, group);
    const after = await shape(p.client);
    await rollback(p.client, group);
    expect(await shape(p.client)).toBe(before);
    expect(await rows()).toEqual(data);
    await forward(p.client, group);
    expect(await shape(p.client)).toBe(after);
  }
  expect(await shape(p.client)).toBe(p.target);
}

const kinds = (p: Planned) => [...new Set(p.changes.map((c) => c.kind))].sort();

describe('enums', () => {
  it('create_enum and drop_enum, with comments and hostile names', async () => {
    const base = `CREATE SCHEMA "My Schema";`;
    const made = `${base} CREATE TYPE "My Schema"."Stätus ""x""" AS ENUM ('new', 'it''s'); COMMENT ON TYPE "My Schema"."Stätus ""x""" IS 'state''s';`;
    const created = await plan(base, made);
    expect(kinds(created)).toEqual(['create_enum']);
    await roundTrip(created);
    const dropped = await plan(made, base);
    expect(kinds(dropped)).toEqual(['drop_enum']);
    await roundTrip(dropped);
  });

  const USERS = (values: string) => `
    CREATE SCHEMA "My Schema";
    CREATE TYPE "My Schema"."Stätus" AS ENUM (${values});
    COMMENT ON TYPE "My Schema"."Stätus" IS 'state''s';
    CREATE TABLE "My Schema".parent (code "My Schema"."Stätus" PRIMARY KEY);
    CREATE TABLE "My Schema"."Order" (
      id int PRIMARY KEY,
      "State" "My Schema"."Stätus" NOT NULL DEFAULT 'new',
      history "My Schema"."Stätus"[] DEFAULT '{new}',
      label text DEFAULT ('done'::"My Schema"."Stätus")::text,
      CONSTRAINT "not done" CHECK ("State" <> 'done'),
      CONSTRAINT parent_fk FOREIGN KEY ("State") REFERENCES "My Schema".parent (code)
    );
    ALTER TABLE "My Schema"."Order" ADD CONSTRAINT soft CHECK ("State" <> 'it''s') NOT VALID;
    CREATE INDEX "open orders" ON "My Schema"."Order" (id) WHERE "State" = 'new';
    COMMENT ON INDEX "My Schema"."open orders" IS 'new ones';
    CREATE INDEX by_state ON "My Schema"."Order" ("State");
    CREATE TABLE public.other (s "My Schema"."Stätus");
    CREATE FUNCTION "My Schema".label_of(s "My Schema"."Stätus") RETURNS text LANGUAGE sql AS $$ SELECT s::text $$;`;
  const ROWS = `
    INSERT INTO "My Schema".parent VALUES ('new'), ('it''s'), ('done');
    ALTER TABLE "My Schema"."Order" DROP CONSTRAINT soft;
    INSERT INTO "My Schema"."Order" VALUES (1, 'new', '{new,it''s}', 'x'), (2, 'it''s', NULL, DEFAULT);
    ALTER TABLE "My Schema"."Order" ADD CONSTRAINT soft CHECK ("State" <> 'it''s') NOT VALID; -- row 2 breaks it
    INSERT INTO public.other VALUES ('done'), (NULL);`;
  const READ = `SELECT o.*, (SELECT array_agg(s::text ORDER BY s) FROM public.other) AS other FROM "My Schema"."Order" o ORDER BY id`;

  it('add_enum_value: three values; every rollback recreates the type exactly, users and rows included', async () => {
    const p = await plan(
      USERS(`'new', 'it''s', 'done'`),
      USERS(`'draft', 'new', 'it''s', 'paid', 'done', 'void'`),
      ROWS,
    );
    expect(p.changes.map((c) => c.kind)).toEqual(['add_enum_value', 'add_enum_value', 'add_enum_value']);
    await roundTrip(p, READ);
  });

  it('add_enum_value: the rollback fails, changing nothing, once a row holds the new value', async () => {
    const p = await plan(USERS(`'new', 'it''s', 'done'`), USERS(`'new', 'it''s', 'done', 'void'`), ROWS);
    const [expand] = phases(p.drafts);
    await forward(p.client, expand!);
    await p.client.query(`INSERT INTO public.other VALUES ('void')`);
    const before = await shape(p.client);
    await expect(rollback(p.client, expand!)).rejects.toThrow(
      /invalid input value for enum "My Schema"\."Stätus": "void"/,
    );
    expect(await shape(p.client)).toBe(before);
  });

  const MOODS = (values: string) => `
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM (${values});
    COMMENT ON TYPE app.mood IS 'how it went';
    CREATE TABLE app.visit (
      id int PRIMARY KEY,
      mood app.mood NOT NULL DEFAULT 'ok',
      moods app.mood[] DEFAULT ARRAY['ok'::app.mood],
      note text DEFAULT ('ok'::app.mood)::text,
      CONSTRAINT not_sad CHECK (mood <> 'sad')
    );
    ALTER TABLE app.visit ADD CONSTRAINT loose CHECK (mood <> 'happy') NOT VALID;
    CREATE INDEX visit_mood ON app.visit (mood);
    CREATE TABLE public.log (m app.mood);`;
  const VISITS = `ALTER TABLE app.visit DROP CONSTRAINT loose;
    INSERT INTO app.visit VALUES (1, 'ok', '{ok,happy}', 'n'), (2, 'happy', NULL, DEFAULT); INSERT INTO public.log VALUES ('happy');
    ALTER TABLE app.visit ADD CONSTRAINT loose CHECK (mood <> 'happy') NOT VALID; -- row 2 breaks it
`;

  it('recreate_enum: a value removed and the rest reordered, in the next release, with an exact rollback', async () => {
    const p = await plan(MOODS(`'sad', 'ok', 'happy', 'meh'`), MOODS(`'happy', 'ok', 'sad'`), VISITS);
    expect(kinds(p)).toEqual(['recreate_enum']);
    expect(new Set(p.drafts.map((d) => `${d.phase}+${d.releaseOffset}`))).toEqual(new Set(['contract+1']));
    await roundTrip(p, `SELECT v.*, (SELECT array_agg(m::text) FROM public.log) AS log FROM app.visit v ORDER BY id`);
    const { rows } = await p.client.query(`SELECT enum_range(NULL::app.mood)::text AS r`);
    expect(rows[0].r).toBe('{happy,ok,sad}');
  });

  it('recreate_enum: a row holding a removed value stops the conversion', async () => {
    const p = await plan(
      MOODS(`'sad', 'ok', 'happy', 'meh'`),
      MOODS(`'happy', 'ok', 'sad'`),
      `${VISITS} INSERT INTO public.log VALUES ('meh');`,
    );
    const [contract] = phases(p.drafts);
    await expect(forward(p.client, contract!)).rejects.toThrow(/invalid input value for enum app.mood__sy_new: "meh"/);
  });
});

describe('with the other families, through buildPlan', () => {
  const MOODS = (values: string, columns: string) => `
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM (${values});
    CREATE TABLE app.visit (id int PRIMARY KEY, mood app.mood NOT NULL DEFAULT 'ok'${columns});`;
  const whole = async (p: Planned) => {
    const { rows } = await p.client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
    const made = buildPlan(p.source, p.targetSchema, {
      name: 'objects',
      number: 1,
      server: { version: String(rows[0]!.v), versionNum: rows[0]!.v },
    });
    return { made, groups: made.releases.flatMap((r) => PHASES.map((ph) => r[ph]).filter((g) => g.length > 0)) };
  };

  it('a value removed together with the column holding it: the column is dropped, not converted, before DROP TYPE', async () => {
    const p = await plan(
      MOODS(`'sad', 'ok', 'meh'`, `, legacy app.mood`),
      MOODS(`'ok', 'sad'`, ''),
      `INSERT INTO app.visit VALUES (1, 'ok', 'meh'), (2, 'sad', NULL);`,
      false,
    );
    expect(kinds(p)).toEqual(['drop_column', 'recreate_enum']);
    const { made, groups } = await whole(p);
    const contract = made.releases[1]!.contract.map((s) => s.action);
    expect(contract.indexOf('drop_column')).toBeLessThan(contract.indexOf('drop_old_enum'));
    expect(
      made.releases[1]!.contract.filter((s) => s.sql.includes('legacy') && s.action === 'convert_enum_users'),
    ).toEqual([]);
    await roundTrip(p, 'SELECT id, mood FROM app.visit ORDER BY id', groups);
  });

  it('a value added and a column whose default uses it: the column comes after the value, in its own transaction', async () => {
    const p = await plan(
      MOODS(`'ok'`, ''),
      MOODS(`'ok', 'great'`, `, next app.mood DEFAULT 'great'`),
      `INSERT INTO app.visit VALUES (1, 'ok');`,
      false,
    );
    expect(kinds(p)).toEqual(['add_column', 'add_enum_value']);
    const { made, groups } = await whole(p);
    expect(made.releases[0]!.expand.map((s) => s.action)).toEqual(['add_enum_value', 'add_column']);
    await roundTrip(p, 'SELECT id, mood FROM app.visit ORDER BY id', groups);
  });
});

describe('sequences', () => {
  const SEQS = (body: string) => `CREATE SCHEMA "Seq Ü"; CREATE TABLE "Seq Ü".t (id bigint, code int); ${body}`;
  it('create_sequence, drop_sequence and alter_sequence, with owners', async () => {
    const p = await plan(
      SEQS(`CREATE SEQUENCE "Seq Ü"."old ""one""" OWNED BY "Seq Ü".t.id;
            CREATE SEQUENCE "Seq Ü".alter_me AS smallint INCREMENT 2 MAXVALUE 1000 OWNED BY "Seq Ü".t.code;
            CREATE SEQUENCE "Seq Ü".widen AS integer;`),
      SEQS(`CREATE SEQUENCE "Seq Ü"."new one" START 10 MINVALUE 5 OWNED BY "Seq Ü".t.code;
            CREATE SEQUENCE "Seq Ü".alter_me AS bigint INCREMENT 5 MAXVALUE 1000 CACHE 10 CYCLE OWNED BY "Seq Ü".t.id;
            CREATE SEQUENCE "Seq Ü".widen AS bigint;`),
      `SELECT nextval('"Seq Ü"."old ""one"""'), nextval('"Seq Ü".alter_me')`,
    );
    expect(kinds(p)).toEqual(['alter_sequence', 'create_sequence', 'drop_sequence']);
    await roundTrip(p);
  });
});

describe('functions', () => {
  const FNS = (body: string) =>
    `CREATE SCHEMA fx; CREATE TABLE fx.items (id int); CREATE TYPE fx.kind AS ENUM ('a'); ${body}`;
  it('create_function, drop_function and replace_function', async () => {
    const p = await plan(
      FNS(`CREATE FUNCTION fx."Count Items"() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM fx.items $$;
           CREATE FUNCTION fx.gone(a int DEFAULT 1) RETURNS int LANGUAGE sql AS 'SELECT a';`),
      FNS(`CREATE FUNCTION fx."Count Items"() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) + 0 FROM fx.items $$;
           CREATE FUNCTION fx.first_kind(k fx.kind DEFAULT 'a') RETURNS SETOF fx.items LANGUAGE sql AS 'SELECT * FROM fx.items';`),
    );
    expect(kinds(p)).toEqual(['create_function', 'drop_function', 'replace_function']);
    await roundTrip(p);
  });
});

describe('triggers', () => {
  const TRIGGERS = (body: string) => `
    CREATE SCHEMA "Tr";
    CREATE TABLE "Tr"."T t" (id int, v text);
    CREATE FUNCTION "Tr".touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    ${body}`;
  it('create_trigger, drop_trigger and enable_trigger, with modes', async () => {
    const p = await plan(
      TRIGGERS(`CREATE TRIGGER "keep me" BEFORE INSERT ON "Tr"."T t" FOR EACH ROW EXECUTE FUNCTION "Tr".touch();
                CREATE TRIGGER "old sync" BEFORE UPDATE ON "Tr"."T t" FOR EACH ROW EXECUTE FUNCTION "Tr".touch();
                ALTER TABLE "Tr"."T t" ENABLE REPLICA TRIGGER "old sync";`),
      TRIGGERS(`CREATE TRIGGER "keep me" BEFORE INSERT ON "Tr"."T t" FOR EACH ROW EXECUTE FUNCTION "Tr".touch();
                ALTER TABLE "Tr"."T t" DISABLE TRIGGER "keep me";
                CREATE TRIGGER "new sync" AFTER UPDATE ON "Tr"."T t" FOR EACH ROW WHEN (NEW.v IS DISTINCT FROM OLD.v) EXECUTE FUNCTION "Tr".touch();
                ALTER TABLE "Tr"."T t" ENABLE ALWAYS TRIGGER "new sync";`),
    );
    expect(kinds(p)).toEqual(['create_trigger', 'drop_trigger', 'enable_trigger']);
    await roundTrip(p);
  });
});

describe('comments', () => {
  const COMMENTED = (comments: string) => `
    CREATE SCHEMA "C s"; CREATE TYPE "C s".e AS ENUM ('a'); CREATE TABLE "C s".t (id int, "Note" text); CREATE INDEX "T idx" ON "C s".t (id);
    ${comments}`;
  it('set_comment on a schema, table, column, index and enum: set, changed and removed', async () => {
    const p = await plan(
      COMMENTED(
        `COMMENT ON SCHEMA "C s" IS 'a'; COMMENT ON TABLE "C s".t IS 'it''s'; COMMENT ON INDEX "C s"."T idx" IS 'x'; COMMENT ON TYPE "C s".e IS 'old';`,
      ),
      COMMENTED(
        `COMMENT ON SCHEMA "C s" IS 'b'; COMMENT ON COLUMN "C s".t."Note" IS 'ünïcode'; COMMENT ON INDEX "C s"."T idx" IS 'y'; COMMENT ON TYPE "C s".e IS 'new';`,
      ),
    );
    expect(kinds(p)).toEqual(['set_comment']);
    expect(p.changes).toHaveLength(5);
    await roundTrip(p);
  });
});
