// A transactional step whose SQL says CONCURRENTLY only inside a string (a materialized view swap that gives
// its unique index the comment 'for REFRESH CONCURRENTLY') runs in its transaction with its ledger row: applied,
// it is recorded done, and its rollback really runs. It used to run alone, stay `running` in the ledger, and
// have its rollback skipped (the crash test's all-kinds plan found it through `switchyard rehearse`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readPlan } from '../../../src/planner/file.js';
import { allSteps } from '../../../src/planner/plan.js';
import { HAZARDS } from '../../../src/planner/types.js';
import { cli } from '../../support/cli.js';
import { freshDatabase } from '../../support/db.js';
import { VIEW_SCENARIOS } from '../planner/views-scenarios.js';

describe('CONCURRENTLY in a comment text', () => {
  it('does not make a materialized view swap run outside its transaction: rehearsed, applied and rolled back', async () => {
    const s = VIEW_SCENARIOS.find((x) => x.name.startsWith('a materialized view whose query changes'))!;
    const db = await freshDatabase();
    await db.client.query(s.source);
    const dir = mkdtempSync(join(tmpdir(), 'sy-mvswap-'));
    const config = join(dir, 'switchyard.yaml');
    writeFileSync(config, stringify({ database: db.url, schema: 'schema.yaml', allowHazards: [...HAZARDS] }));
    writeFileSync(join(dir, 'schema.yaml'), s.target as string);
    const run = (...argv: string[]) => cli('--config', config, ...argv);
    const planned = await run('plan', '--name', 'mv');
    expect(planned.code, planned.stderr).toBe(0);
    const planFile = join(dir, 'plans', '0001_mv.plan.yaml');
    const swap = allSteps(await readPlan(planFile)).find((x) => x.action === 'swap_materialized_view')!;
    expect(swap.sql).toContain("IS 'for REFRESH CONCURRENTLY'");
    expect(swap.transactional).toBe(true);

    const rehearsed = await run('rehearse', planFile);
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);

    const def = async () =>
      (await db.client.query<{ d: string }>("SELECT pg_get_viewdef('public.per_customer'::regclass) AS d")).rows[0]!.d;
    for (const phase of ['expand', 'backfill', 'contract']) {
      const r = await run('apply', planFile, '--release', '1', '--phase', phase);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    expect(await def()).toContain('spent');
    const status = async () =>
      (await db.client.query<{ status: string }>('SELECT status FROM switchyard.steps WHERE step_id = $1', [swap.id]))
        .rows[0]?.status;
    expect(await status()).toBe('done');
    const back = await run('rollback', planFile, '--release', '1', '--phase', 'contract');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(await status()).toBe('rolled_back');
    expect(await def()).not.toContain('spent');
  });
});
