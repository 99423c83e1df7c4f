// Raw SQL steps (`sql:` of the declared file) on real PostgreSQL, through the command line: a rule with its
// comment and an extended statistics object, which the model cannot express, planned among generated
// steps, refused without USER_SQL allowed, rehearsed, applied, rolled back to an identical catalog, applied
// again, and never planned twice.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { readPlan } from '../../../src/planner/file.js';
import { allSteps } from '../../../src/planner/plan.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';

const SOURCE = `
CREATE TABLE public.notes (id bigint PRIMARY KEY, owner text NOT NULL, body text);
INSERT INTO public.notes SELECT g, 'user' || (g % 7), 'note ' || g FROM generate_series(1, 50) g;`;

const TABLE = [
  'schemas:',
  '  public:',
  '    tables:',
  '      notes:',
  '        columns:',
  '          id: { type: bigint, nullable: false }',
  '          owner: { type: text, nullable: false }',
  '          body: { type: text }',
  '          tag: { type: text }',
  '        primaryKey: { columns: [id] }',
];

const RULE = [
  '  notes_rule:',
  '    phase: expand',
  '    sql: |',
  "      CREATE RULE notes_keep AS ON DELETE TO public.notes WHERE old.owner = 'root' DO INSTEAD NOTHING;",
  "      COMMENT ON RULE notes_keep ON public.notes IS 'root notes stay';",
  '    rollbackSql:',
  '      - DROP RULE notes_keep ON public.notes',
  '      - COMMENT ON RULE notes_keep ON public.notes IS NULL',
  '    requires: [{ table: public.notes }]',
];

const stats = (rollback: string) => [
  '  notes_stats:',
  '    phase: expand',
  '    sql: CREATE STATISTICS public.notes_owner_tag (dependencies) ON owner, tag FROM public.notes',
  `    rollbackSql: ${rollback}`,
  '    requires: [{ column: public.notes.tag }]',
];

async function project(sql: readonly string[]) {
  const db = await freshDatabase();
  await db.client.query(SOURCE);
  const dir = mkdtempSync(join(tmpdir(), 'sy-rawsql-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(config, `database: ${db.url}\nschema: schema.yaml\n`);
  writeFileSync(join(dir, 'schema.yaml'), `${[...TABLE, 'sql:', ...sql].join('\n')}\n`);
  const run = (...argv: string[]) => cli('--config', config, ...argv);
  return { db, dir, run, plan: join(dir, 'plans', '0001_notes.plan.yaml') };
}

/** What the model does not see, read from the catalog: rules and their comments, extended statistics, columns. */
async function catalog(c: pg.Client) {
  const { rows } = await c.query(`
    SELECT (SELECT coalesce(json_agg(json_build_object('name', rulename, 'event', ev_type::text,
                'comment', obj_description(oid, 'pg_rewrite')) ORDER BY rulename), '[]')
              FROM pg_rewrite WHERE ev_class = 'public.notes'::regclass AND rulename <> '_RETURN') AS rules,
           (SELECT coalesce(json_agg(json_build_object('name', stxname, 'kind', stxkind, 'keys', (SELECT json_agg(attname ORDER BY attnum) FROM pg_attribute WHERE attrelid = stxrelid AND attnum = ANY (stxkeys))) ORDER BY stxname), '[]')
              FROM pg_statistic_ext WHERE stxrelid = 'public.notes'::regclass) AS stats,
           (SELECT json_agg(attname ORDER BY attnum) FROM pg_attribute
             WHERE attrelid = 'public.notes'::regclass AND attnum > 0 AND NOT attisdropped) AS columns`);
  return rows[0] as { rules: unknown[]; stats: unknown[]; columns: string[] };
}

describe('raw SQL steps', () => {
  it('are planned after the steps they require, refused without USER_SQL, applied, rolled back exactly, applied again and not planned twice', async () => {
    const p = await project([...RULE, ...stats('DROP STATISTICS public.notes_owner_tag')]);
    const planned = await p.run('plan', '--name', 'notes');
    expect(planned.code, planned.stderr).toBe(0);
    const plan = await readPlan(p.plan);
    const steps = allSteps(plan);
    expect(steps.map((s) => `${s.id} ${s.action}${s.sqlStep ? ` ${s.sqlStep}` : ''}`)).toEqual([
      'r1-expand-001 add_column',
      'r1-expand-002 run_sql notes_rule',
      'r1-expand-003 run_sql notes_rule',
      'r1-expand-004 run_sql notes_stats',
    ]);
    expect(steps.filter((s) => s.action === 'run_sql').every((s) => s.hazards.includes('USER_SQL'))).toBe(true);

    const pending = await p.run('diff');
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toContain(
      '  run sql step notes_rule (2 statements, expand)\n  run sql step notes_stats (1 statement, expand)\n',
    );

    const lint = await p.run('lint', p.plan);
    expect(lint.code).toBe(1);
    expect(lint.stdout + lint.stderr).toContain('USER_SQL (a raw SQL step, never allowed by default)');
    expect((await p.run('lint', p.plan, '--allow-hazard', 'USER_SQL')).code).toBe(0);

    const rehearsed = await p.run('rehearse', p.plan);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);

    const before = await catalog(p.db.client);
    expect(before).toEqual({ rules: [], stats: [], columns: ['id', 'owner', 'body'] });
    const refused = await p.run('apply', p.plan, '--all');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('USER_SQL');
    expect(refused.stderr).toContain('sql step notes_rule (statement 1 of 2)');
    expect(await catalog(p.db.client)).toEqual(before);

    const applied = await p.run('apply', p.plan, '--all', '--allow-hazard', 'USER_SQL');
    expect(applied.code, applied.stderr).toBe(0);
    const after = await catalog(p.db.client);
    expect(after).toEqual({
      rules: [{ name: 'notes_keep', event: '4', comment: 'root notes stay' }],
      stats: [{ name: 'notes_owner_tag', kind: ['f'], keys: ['owner', 'tag'] }],
      columns: ['id', 'owner', 'body', 'tag'],
    });
    const { rows: ledger } = await p.db.client.query(
      `SELECT step_id, sql_step, status FROM switchyard.steps WHERE plan = 'notes' ORDER BY step_id`,
    );
    expect(ledger).toEqual([
      { step_id: 'r1-expand-001', sql_step: null, status: 'done' },
      { step_id: 'r1-expand-002', sql_step: 'notes_rule', status: 'done' },
      { step_id: 'r1-expand-003', sql_step: 'notes_rule', status: 'done' },
      { step_id: 'r1-expand-004', sql_step: 'notes_stats', status: 'done' },
    ]);

    // Planning again: the raw SQL steps ran (the ledger says so), the rest is in place: nothing to do.
    const again = await p.run('--json', 'plan', '--name', 'again', '--dry-run');
    expect(again.code, again.stderr).toBe(0);
    const json = JSON.parse(again.stdout) as { plan: { releases: unknown[] }; sqlStepsTaken: unknown[] };
    expect(json.plan.releases).toEqual([]);
    expect(json.sqlStepsTaken).toEqual([
      { name: 'notes_rule', plan: 'notes', state: 'done' },
      { name: 'notes_stats', plan: 'notes', state: 'done' },
    ]);
    expect(again.stderr).toContain(
      'sql step notes_rule ran in plan notes (ledger): it runs once and is not planned again',
    );

    // diff agrees: the raw SQL steps ran, nothing differs (the rule and the statistics are listed as not modeled).
    const diffed = await p.run('diff');
    expect(diffed.stdout).toContain('no changes');
    expect(diffed.stderr).toContain('rule "notes_keep" on "public"."notes"');

    const back = await p.run('rollback', p.plan, '--release', '1', '--phase', 'expand');
    expect(back.code, back.stderr).toBe(0);
    expect(await catalog(p.db.client)).toEqual(before);

    // Rolled back, the steps are no longer taken: planning again plans them again.
    const replan = await p.run('--json', 'plan', '--name', 'again', '--dry-run');
    const rj = JSON.parse(replan.stdout) as {
      sqlStepsTaken: unknown[];
      plan: { releases: { expand: { sqlStep?: string }[] }[] };
    };
    expect(rj.sqlStepsTaken).toEqual([]);
    expect(rj.plan.releases[0]!.expand.map((s) => s.sqlStep ?? '')).toEqual([
      '',
      'notes_rule',
      'notes_rule',
      'notes_stats',
    ]);

    const reapplied = await p.run('apply', p.plan, '--all', '--allow-hazard', 'USER_SQL');
    expect(reapplied.code, reapplied.stderr).toBe(0);
    expect(await catalog(p.db.client)).toEqual(after);
  });

  it('a rollbackSql that fails is caught by the rehearsal, before any apply', async () => {
    const p = await project(stats('DROP STATISTICS public.no_such_statistics'));
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const r = await p.run('rehearse', p.plan);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(
      'the rollback of step r1-expand-002 (sql step notes_stats: CREATE STATISTICS public.notes_owner_tag (dependencies) O...) failed',
    );
    expect(r.stdout + r.stderr).toContain('statistics object "public.no_such_statistics" does not exist');
  });

  it('a rollbackSql that runs but does not undo is caught by the rehearsal, naming what is left', async () => {
    const p = await project([
      '  notes_nothing:',
      '    phase: expand',
      '    sql: CREATE RULE notes_all AS ON DELETE TO public.notes DO INSTEAD NOTHING',
      '    rollbackSql: SELECT 1',
      '    requires: [{ table: public.notes }]',
    ]);
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const r = await p.run('--json', 'rehearse', p.plan);
    expect(r.code).toBe(1);
    const failure = (JSON.parse(r.stdout) as { failure: { message: string; differences: string[] } }).failure;
    expect(failure.message).toBe(
      'the rollback of step r1-expand-002 (sql step notes_nothing: CREATE RULE notes_all AS ON DELETE TO public.notes DO INS...) does not restore the objects the model does not hold as they were before the step',
    );
    expect(failure.differences).toEqual(['still there: rule "notes_all" on "public"."notes"']);
  });

  it('an irreversible step is rehearsed (it must bear running twice) and needs IRREVERSIBLE allowed too', async () => {
    const p = await project([
      '  fill_body:',
      '    phase: backfill',
      "    sql: UPDATE public.notes SET body = 'empty' WHERE body IS NULL",
      '    irreversible: true',
      '    requires: [{ column: public.notes.body }]',
    ]);
    await p.db.client.query('UPDATE public.notes SET body = NULL WHERE id <= 5');
    expect((await p.run('plan', '--name', 'notes')).code).toBe(0);
    const rehearsed = await p.run('rehearse', p.plan);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);
    const refused = await p.run('apply', p.plan, '--all', '--allow-hazard', 'USER_SQL');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "IRREVERSIBLE: sql step fill_body: UPDATE public.notes SET body = 'empty' WHERE body IS NULL",
    );
    const applied = await p.run('apply', p.plan, '--all', '--allow-hazard', 'USER_SQL,IRREVERSIBLE');
    expect(applied.code, applied.stderr).toBe(0);
    const { rows } = await p.db.client.query(`SELECT count(*)::int AS n FROM public.notes WHERE body = 'empty'`);
    expect(rows[0].n).toBe(5);
    // Rolled back, the data fix stays: there was nothing to undo.
    expect((await p.run('rollback', p.plan, '--release', '1', '--phase', 'backfill')).code).toBe(0);
    const { rows: still } = await p.db.client.query(`SELECT count(*)::int AS n FROM public.notes WHERE body = 'empty'`);
    expect(still[0].n).toBe(5);
  });
});
