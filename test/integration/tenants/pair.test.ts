// A tenant plan on a blue/green pair: expand and backfill run per tenant on the standby while live takes
// writes (the tenants' sync triggers fill the rows replication brings), cutover, and contract per tenant on
// the new live side. Every tenant, the hostile name among them, ends at the plan's target on the new live side.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { planPhases } from '../../../src/executor/state.js';
import { readPlan } from '../../../src/planner/file.js';
import { qualified } from '../../../src/db/quote.js';
import { cli } from '../../support/cli.js';
import { eventually, freshPair } from '../../support/pair.js';
import {
  HOSTILE,
  TENANT_SCHEMA_YAML,
  tenantFingerprint,
  tenantSql,
  templateFingerprint,
} from '../../support/tenants.js';

interface Outcome {
  tenant: string;
  state: string;
  error?: string;
}
const FIRST = ['tenant_001', 'tenant_002', 'tenant_003', HOSTILE];
// tenant_new is added right after pair init (tenant_half and tenant_orphan by finishing interrupted adds),
// tenant_mid in the middle of the rollout (after expand).
const TENANTS = [...FIRST, 'tenant_new', 'tenant_half', 'tenant_orphan', 'tenant_mid'].sort();

async function count(c: { query: (q: string) => Promise<{ rows: { n: number }[] }> }, sql: string): Promise<number> {
  return (await c.query(`SELECT (${sql})::int AS n`)).rows[0]!.n;
}

describe('tenants on a pair', () => {
  it('expand and backfill per tenant on the standby, cutover, contract per tenant on live', async () => {
    const pair = await freshPair('schema: schema.yaml\n');
    writeFileSync(join(dirname(pair.configFile), 'schema.yaml'), TENANT_SCHEMA_YAML);
    const run = (...argv: string[]) => cli('-c', pair.configFile, ...argv);
    await pair.blue.client.query(`CREATE SCHEMA central;
      CREATE TABLE central.plans (id integer PRIMARY KEY, name text NOT NULL);
      INSERT INTO central.plans VALUES (1, 'basic'), (2, 'pro');
      CREATE TABLE central.tenants (schema_name text PRIMARY KEY, active boolean NOT NULL DEFAULT true);`);
    for (const t of FIRST) await pair.blue.client.query(tenantSql(t, 5));
    await pair.blue.client.query('INSERT INTO central.tenants (schema_name) SELECT unnest($1::text[])', [FIRST]);
    const init = await run('pair', 'init', '--timeout', '60');
    expect(init.code, init.stdout + init.stderr).toBe(0);

    // A tenant added to the streaming pair: built on both sides, registered on live, its tables in the stream.
    const added = await run('--json', 'tenants', 'add', 'tenant_new');
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      tenant: 'tenant_new',
      pair: {
        live: 'blue',
        standby: { side: 'green' },
        streaming: true,
        publication: 'switchyard_from_blue',
        tables: 2,
      },
    });
    expect(await tenantFingerprint(pair.green.client, 'tenant_new')).toBe(
      await tenantFingerprint(pair.blue.client, 'tenant_001'),
    );
    await eventually(
      'the registration on green',
      async () =>
        (await count(pair.green.client, "SELECT count(*) FROM central.tenants WHERE schema_name = 'tenant_new'")) === 1,
    );
    await pair.blue.client.query("INSERT INTO tenant_new.customers (email, plan_id) VALUES ('first@new', 1)");
    await eventually(
      "the new tenant's first row on green",
      async () =>
        (await count(pair.green.client, "SELECT count(*) FROM tenant_new.customers WHERE email = 'first@new'")) === 1,
    );
    const again = await run('tenants', 'add', 'tenant_new');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('schema tenant_new already exists on live (blue) and is a registered tenant');

    // An add interrupted after live committed (built on both sides and registered, never published): the rerun
    // joins it to the stream.
    for (const side of [pair.blue, pair.green]) await side.client.query(tenantSql('tenant_half', 0));
    await pair.blue.client.query("INSERT INTO central.tenants (schema_name) VALUES ('tenant_half')");
    await pair.blue.client.query("INSERT INTO tenant_half.customers (email, plan_id) VALUES ('early@half', 1)");
    const half = await run('--json', 'tenants', 'add', 'tenant_half');
    expect(half.code, half.stdout + half.stderr).toBe(0);
    expect(JSON.parse(half.stdout)).toMatchObject({
      resumed: 'tenant tenant_half was already created and registered on live: joined it to the stream',
      pair: { streaming: true },
    });
    await eventually(
      "tenant_half's early row on green",
      async () =>
        (await count(pair.green.client, "SELECT count(*) FROM tenant_half.customers WHERE email = 'early@half'")) === 1,
    );
    // One killed between the standby's build and live's: the empty copy on the standby is removed and the add done.
    await pair.green.client.query(tenantSql('tenant_orphan', 0));
    const orphan = await run('--json', 'tenants', 'add', 'tenant_orphan');
    expect(orphan.code, orphan.stdout + orphan.stderr).toBe(0);
    await pair.blue.client.query("INSERT INTO tenant_orphan.customers (email, plan_id) VALUES ('o@orphan', 2)");
    await eventually(
      "tenant_orphan's row on green",
      async () =>
        (await count(pair.green.client, "SELECT count(*) FROM tenant_orphan.customers WHERE email = 'o@orphan'")) === 1,
    );
    // A schema with rows on the standby alone is not one tenants add left: refused, left as it is.
    await pair.green.client.query(tenantSql('tenant_stray', 2));
    const stray = await run('tenants', 'add', 'tenant_stray');
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain(
      'schema tenant_stray exists on the standby (green) but not on live, and its table tenant_stray.customers holds rows',
    );
    expect(await count(pair.blue.client, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_stray'")).toBe(0);
    await pair.green.client.query('DROP SCHEMA tenant_stray CASCADE');

    const planned = await run('plan', '--name', 'notes', '--db', pair.blue.url);
    expect(planned.code, planned.stderr).toBe(0);
    const path = join(dirname(pair.configFile), 'plans/0001_notes.plan.yaml');
    const plan = await readPlan(path);
    const rehearsed = await run('rehearse', path, '--tenant-sample', '1');
    expect(rehearsed.code, rehearsed.stdout + rehearsed.stderr).toBe(0);

    const phases = planPhases(plan).filter((p) => p.steps.length);
    for (const p of phases.filter((x) => x.phase !== 'contract')) {
      const r = await run('--json', 'apply', path, '--release', String(p.release), '--phase', p.phase);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { pair: { side: string }; outcomes: Outcome[] };
      expect(out.pair.side).toBe('green');
      const expected = p.phase === 'expand' ? TENANTS.filter((t) => t !== 'tenant_mid') : TENANTS;
      expect(out.outcomes.map((o) => [o.tenant, o.state])).toEqual(expected.map((t) => [t, 'done']));
      if (p.phase !== 'expand') continue;
      // In the middle of the rollout each side gets the tenant at its own version: green's tenants have expand.
      const mid = JSON.parse((await run('--json', 'tenants', 'add', 'tenant_mid')).stdout) as {
        version: string;
        pair: { standby: { version: string } };
      };
      // Live has no ledger (expand ran on green): its tenants' structure is copied.
      expect(mid.version).toBe(`the structure of tenant ${HOSTILE}`);
      expect(mid.pair.standby.version).toBe('plan notes release 1 expand applied');
      expect(await tenantFingerprint(pair.green.client, 'tenant_mid')).toBe(
        await tenantFingerprint(pair.green.client, 'tenant_001'),
      );
      expect(await tenantFingerprint(pair.blue.client, 'tenant_mid')).toBe(
        await tenantFingerprint(pair.blue.client, 'tenant_001'),
      );
    }
    // Blue (live) still has the old schema; green has the new columns beside the old.
    const col = (c: typeof pair.blue.client, t: string, name: string) =>
      count(
        c,
        `SELECT count(*) FROM information_schema.columns WHERE table_schema = '${t.replaceAll("'", "''")}' AND table_name = 'orders' AND column_name = '${name}'`,
      );
    for (const t of TENANTS) {
      expect(await col(pair.blue.client, t, 'total__new'), t).toBe(0);
      expect(await col(pair.green.client, t, 'total__new'), t).toBe(1);
    }
    // The old application writes on blue; replication brings the row to green, where the tenant's sync trigger
    // (ENABLE ALWAYS) fills the new column.
    const orders = qualified(HOSTILE, 'orders');
    await pair.blue.client.query(
      "INSERT INTO tenant_mid.customers (email, plan_id) VALUES ('m@mid', 1); INSERT INTO tenant_mid.orders (customer_id, total) VALUES (1, 31)",
    );
    await eventually(
      "tenant_mid's order on green with total__new",
      async () =>
        (await count(pair.green.client, 'SELECT count(*) FROM tenant_mid.orders WHERE total__new = 31')) === 1,
    );
    const {
      rows: [row],
    } = await pair.blue.client.query<{ id: string }>(
      `INSERT INTO ${orders} (customer_id, total) VALUES (1, 7777) RETURNING id::text`,
    );
    await eventually(
      "the old version's row on green with total__new",
      async () =>
        (await count(
          pair.green.client,
          `SELECT count(*) FROM ${orders} WHERE id = ${row!.id} AND total__new = 7777`,
        )) === 1,
    );

    // status on the pair reads both ledgers: every tenant where the standby has it, none drifted, cutover next.
    type Status = {
      plan: {
        next?: string;
        phases: { phase: string; state: string; ranOn: string[] }[];
        tenants: { drifted: unknown[]; tenants: { tenant: string; where: string; state: string }[] };
      };
    };
    const before = JSON.parse((await run('--json', 'status', path, '--tenants')).stdout) as Status;
    expect(before.plan.tenants.tenants.map((t) => t.tenant).sort()).toEqual(TENANTS);
    expect(new Set(before.plan.tenants.tenants.map((t) => `${t.state}: ${t.where}`))).toEqual(
      new Set(['at a phase boundary: release 1 backfill applied']),
    );
    expect(before.plan.tenants.drifted).toEqual([]);
    expect(before.plan.phases.find((x) => x.phase === 'expand')).toMatchObject({ state: 'applied', ranOn: ['green'] });
    expect(before.plan.next).toMatch(/^switchyard cutover, then switchyard apply .* --phase contract --yes$/);
    const list = JSON.parse((await run('--json', 'tenants', 'list')).stdout) as {
      tenants: { tenant: string; where: string }[];
    };
    expect(new Set(list.tenants.map((t) => t.where))).toEqual(new Set(['release 1 backfill applied']));

    const report = await runSwitch('cutover', pair.config);
    expect(report.to).toBe('green');
    for (const p of phases.filter((x) => x.phase === 'contract')) {
      const r = await run(
        '--json',
        'apply',
        path,
        '--release',
        String(p.release),
        '--phase',
        p.phase,
        '--yes',
        '--allow-hazard',
        'DELETES_DATA,BREAKS_OLD_APP',
      );
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { pair: { side: string }; outcomes: Outcome[] };
      expect(out.pair.side).toBe('green');
      expect(out.outcomes.map((o) => [o.tenant, o.state])).toEqual(TENANTS.map((t) => [t, 'done']));
    }
    const st = await run('--json', 'status', path, '--tenants');
    expect(st.stdout, st.stderr).toContain('"plan"');
    const after = JSON.parse(st.stdout) as Status;
    expect(after.plan.tenants.tenants.map((t) => t.state)).toEqual(TENANTS.map(() => 'complete'));
    expect(after.plan.next).toBeUndefined();
    const target = templateFingerprint(plan.target.snapshot);
    for (const t of TENANTS) expect(await tenantFingerprint(pair.green.client, t), t).toBe(target);
    expect(await count(pair.green.client, `SELECT count(*) FROM ${orders} WHERE total = 7777`)).toBe(1);
  }, 240_000);
});
