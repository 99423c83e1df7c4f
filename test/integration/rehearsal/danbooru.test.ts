// danbooru can be planned (issue #14): its structure.sql (pg_trgm, pgcrypto, btree_gin, fuzzystrmatch and
// pgstattuple, trigram indexes) loaded into a PostgreSQL 15 server started here, introspected, and planned with
// the introspected file as the declared schema, on the throwaway shadow default (SWITCHYARD_SHADOW_DB cleared).
// Without the fingerprint comment the declared file is built on the shadow, which needs danbooru's extensions.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import { readPlan } from '../../../src/planner/file.js';
import { startEmbedded, type EmbeddedServer } from '../../../src/rehearsal/embedded.js';
import { cli } from '../../support/cli.js';
import { underPgbench } from '../../support/pgbench.js';

const CORPUS = resolve('../shared/corpus/danbooru-structure.sql');

/** Inserts row id 1 into public.<table>, every NOT NULL column without a default given a plain value. */
async function seedRow(url: string, table: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const cols = await db.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL
        ORDER BY ordinal_position`,
      [table],
    );
    const value = (type: string): string => {
      if (/^(integer|bigint|smallint|numeric|real|double precision)$/.test(type)) return '1';
      if (type === 'boolean') return 'false';
      if (type.startsWith('timestamp') || type === 'date') return 'now()';
      if (/^(text|character varying|character)$/.test(type)) return "'x'";
      if (type === 'ARRAY') return "'{}'";
      if (type === 'jsonb' || type === 'json') return "'{}'";
      throw new Error(`seedRow: no value for a ${type} column of ${table}`);
    };
    const names = cols.rows.map((c) => ident(c.name)).join(', ');
    const values = cols.rows.map((c) => (c.name === 'id' ? '1' : value(c.type))).join(', ');
    await db.query(`INSERT INTO public.${ident(table)} (${names}) VALUES (${values})`);
  } finally {
    await db.end();
  }
}

describe.skipIf(!existsSync(CORPUS) || !existsSync('/usr/lib/postgresql/15/bin/postgres'))(
  'danbooru on PostgreSQL 15',
  () => {
    const shadowEnv = process.env.SWITCHYARD_SHADOW_DB;
    let server: EmbeddedServer;
    let dir: string;
    let cfg: string;

    beforeAll(async () => {
      delete process.env.SWITCHYARD_SHADOW_DB;
      server = await startEmbedded({ major: 15 });
      const admin = new pg.Client({ connectionString: server.url('postgres') });
      await admin.connect();
      await admin.query('CREATE DATABASE danbooru');
      await admin.end();
      const db = new pg.Client({ connectionString: server.url('danbooru') });
      await db.connect();
      await db.query(readFileSync(CORPUS, 'utf8'));
      await db.end();
      dir = mkdtempSync(join(tmpdir(), 'sy-danbooru-'));
      cfg = join(dir, 'switchyard.yaml');
      writeFileSync(cfg, `database: ${server.url('danbooru')}\nschema: schema.yaml\n`);
      const introspected = await cli('--config', cfg, 'introspect', '-o', join(dir, 'live.yaml'));
      expect(introspected.code, introspected.stderr).toBe(0);
    }, 180_000);

    afterAll(async () => {
      if (shadowEnv !== undefined) process.env.SWITCHYARD_SHADOW_DB = shadowEnv;
      await server?.stop();
    });

    const live = () => readFileSync(join(dir, 'live.yaml'), 'utf8');
    /** The plan renaming post_replacements.created_at, written by the rename test and applied by the next. */
    let renamePlan = '';

    it('plans nothing with the introspected file as the declared schema', async () => {
      writeFileSync(join(dir, 'schema.yaml'), live());
      const r = await cli('--config', cfg, 'plan', '--name', 'same', '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/no changes|nothing to do|0 steps/i);
    });

    it('builds the declared file on the throwaway shadow with its extensions, and plans nothing', async () => {
      writeFileSync(join(dir, 'schema.yaml'), live().replace(/^# fingerprint .*\n/m, ''));
      const diffed = await cli('--config', cfg, 'diff');
      expect(diffed.code, diffed.stderr).toBe(0);
      const r = await cli('--config', cfg, 'plan', '--name', 'same', '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toMatch(/no changes|nothing to do|0 steps/i);
    }, 180_000);

    it('plans a new column of posts, records the extensions, and rehearses the plan from its file', async () => {
      const declared = live()
        .replace(/^# fingerprint .*\n/m, '')
        .replace(/^( {6}posts:\n {8}columns:\n)/m, '$1          reviewed_at: { type: timestamp with time zone }\n');
      expect(declared).toContain('reviewed_at');
      writeFileSync(join(dir, 'schema.yaml'), declared);
      const planned = await cli('--config', cfg, 'plan', '--name', 'reviewed_at');
      expect(planned.code, planned.stderr).toBe(0);
      const planFile = join(dir, 'plans', '0001_reviewed_at.plan.yaml');
      const plan = await readPlan(planFile);
      expect(plan.releases.flatMap((r) => r.expand.map((s) => s.description))).toEqual([
        expect.stringMatching(/reviewed_at/),
      ]);
      expect(plan.extensions?.map((e) => e.name).sort()).toEqual([
        'btree_gin',
        'fuzzystrmatch',
        'pg_trgm',
        'pgcrypto',
        'pgstattuple',
      ]);
      const rehearsed = await cli('--config', cfg, 'rehearse', planFile);
      expect(rehearsed.code, rehearsed.stderr + rehearsed.stdout).toBe(0);
    }, 300_000);

    it('renames a column both views read: the views are rebuilt in the step retiring it, and the plan rehearses', async () => {
      const text = live().replace(/^# fingerprint .*\n/m, '');
      const start = text.indexOf('\n      post_replacements:\n');
      const end = text.indexOf('\n      post_versions:\n');
      const table = text
        .slice(start, end)
        .replace(
          'created_at: { type: timestamp without time zone, nullable: false }',
          'replaced_at: { type: timestamp without time zone, nullable: false, renamedFrom: created_at }',
        )
        .replaceAll('created_at ]', 'replaced_at ]');
      const declared = (text.slice(0, start) + table + text.slice(end)).replaceAll(
        'post_replacements.created_at AS event_at',
        'post_replacements.replaced_at AS event_at',
      );
      expect(declared.match(/post_replacements\.replaced_at AS event_at/g)).toHaveLength(2);
      writeFileSync(join(dir, 'schema.yaml'), declared);
      const planned = await cli('--config', cfg, 'plan', '--name', 'replaced_at');
      expect(planned.code, planned.stderr).toBe(0);
      // Numbered after the plans the other tests of this file wrote.
      const name = readdirSync(join(dir, 'plans')).find((f) => f.endsWith('_replaced_at.plan.yaml'));
      renamePlan = join(dir, 'plans', name ?? 'missing');
      const planFile = renamePlan;
      const plan = await readPlan(planFile);
      const steps = plan.releases.flatMap((r) => [...r.expand, ...r.backfill, ...r.contract]);
      expect(steps.filter((x) => x.change === 'replace_view' || x.change === 'drop_view')).toEqual([]);
      const retire = steps.find((x) => x.action === 'retire_old_column');
      expect(retire?.sql).toMatch(
        /DROP VIEW public\.(post_events|user_actions);\n {2}DROP VIEW public\.(post_events|user_actions);/,
      );
      expect(retire?.sql).toContain('post_replacements.replaced_at AS event_at');
      const rehearsed = await cli('--config', cfg, 'rehearse', planFile);
      expect(rehearsed.code, rehearsed.stderr + rehearsed.stdout).toBe(0);
    }, 300_000);

    // The application, as pgbench: it writes the table being changed and reads a view over it. Until the step
    // retiring created_at, the running version writes created_at; from that phase on, the next version, which
    // writes replaced_at (the release notes' deploy). Every phase runs under the load: not one failed transaction.
    // Its foreign keys need user 1 and post 1 (seeded by the test with every NOT NULL column filled).
    const app = (
      column: string,
    ) => `INSERT INTO public.post_replacements (post_id, creator_id, original_url, replacement_url, ${column}, updated_at) VALUES (1, 1, 'https://a.example/o', 'https://a.example/r', now(), now());
SELECT count(*) FROM public.post_events WHERE model_type = 'PostReplacement' AND post_id = 1;
SELECT max(event_at) FROM public.user_actions WHERE user_id = 1 AND model_type = 'PostReplacement';
`;

    it('applies the rename phase by phase under pgbench reading the views, with 0 failed transactions, and re-plans nothing', async () => {
      expect(renamePlan).not.toBe('');
      const plan = await readPlan(renamePlan);
      const retireAt = plan.releases.flatMap((r) =>
        (['expand', 'backfill', 'contract'] as const).flatMap((phase) =>
          r[phase].some((s) => s.action === 'retire_old_column') ? [`${r.number}/${phase}`] : [],
        ),
      );
      expect(retireAt).toHaveLength(1);
      await seedRow(server.url('danbooru'), 'users');
      await seedRow(server.url('danbooru'), 'posts');
      let newApp = false;
      let transactions = 0;
      for (const r of plan.releases)
        for (const phase of ['expand', 'backfill', 'contract'] as const) {
          if (r[phase].length === 0) continue;
          if (`${r.number}/${phase}` === retireAt[0]) newApp = true;
          const { result, load } = await underPgbench(
            {
              url: server.url('danbooru'),
              dir,
              name: `r${r.number}-${phase}`,
              script: app(newApp ? 'replaced_at' : 'created_at'),
            },
            () =>
              cli(
                '--config',
                cfg,
                'apply',
                renamePlan,
                '--release',
                String(r.number),
                '--phase',
                phase,
                '--allow-hazard',
                'BREAKS_OLD_APP',
                '--allow-hazard',
                'DELETES_DATA',
                '--allow-hazard',
                'ACCESS_EXCLUSIVE_LOCK',
              ),
          );
          expect(result.code, `release ${r.number} ${phase}: ${result.stderr}${result.stdout}`).toBe(0);
          expect(load.failed, `release ${r.number} ${phase} under pgbench:\n${load.errors}`).toBe(0);
          expect(load.transactions).toBeGreaterThan(0);
          transactions += load.transactions;
          console.info(
            `danbooru rename, release ${r.number} ${phase}: ${load.transactions} pgbench transactions, 0 failed`,
          );
        }
      expect(newApp).toBe(true);
      expect(transactions).toBeGreaterThan(0);
      // Both views read the new column, and the rows every phase wrote are there through them.
      const db = new pg.Client({ connectionString: server.url('danbooru') });
      await db.connect();
      try {
        const defs = await db.query<{ def: string }>(
          "SELECT pg_get_viewdef(c.oid) AS def FROM pg_class c WHERE c.oid IN ('public.post_events'::regclass, 'public.user_actions'::regclass)",
        );
        for (const d of defs.rows) expect(d.def).toContain('post_replacements.replaced_at AS event_at');
        const rows = await db.query<{ n: string }>(
          "SELECT count(*) AS n FROM public.post_events WHERE model_type = 'PostReplacement'",
        );
        expect(Number(rows.rows[0]!.n)).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
      const again = await cli('--config', cfg, 'plan', '--name', 'again', '--dry-run');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toMatch(/no changes|nothing to do|0 steps/i);
    }, 600_000);
  },
);
