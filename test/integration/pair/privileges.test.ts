// The gate refuses a switch to a side where the application lacks privileges it has on live (pair init copies
// the schema, not its grants): its writes would fail there after the switch. The refusal names the GRANTs.
import { describe, expect, it } from 'vitest';
import { runSwitch } from '../../../src/pair/cutover.js';
import { pairInit } from '../../../src/pair/init.js';
import { grantStatement } from '../../../src/pair/privileges.js';
import { APP_SQL, freshPair } from '../../support/pair.js';

describe('cutover gate: privileges', () => {
  it('names the grants the new side is missing, and passes once they are given', async () => {
    const pair = await freshPair();
    await pair.blue.client.query(APP_SQL);
    await pairInit(pair.config);
    for (const side of [pair.blue, pair.green]) {
      await side.client.query(
        `DO $$ BEGIN CREATE ROLE "app writer" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      await side.client.query('GRANT USAGE ON SCHEMA public TO "app writer"');
    }
    await pair.blue.client.query(`GRANT SELECT, INSERT ON customers TO "app writer"; GRANT USAGE ON SEQUENCE invoice_numbers TO "app writer"; GRANT USAGE ON SCHEMA billing TO PUBLIC;
      GRANT UPDATE (tier) ON customers TO "app writer"; GRANT SELECT ON orders TO "app writer" WITH GRANT OPTION`);

    const dry = await runSwitch('cutover', pair.config, { dryRun: true });
    const check = dry.gate.find((c) => c.check === 'privileges')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      '6 privilege(s) the application has on blue are missing on green (its writes would fail there after the switch); run on green: ' +
        'GRANT INSERT ON TABLE public.customers TO "app writer"; GRANT SELECT ON TABLE public.customers TO "app writer"; ' +
        'GRANT SELECT ON TABLE public.orders TO "app writer" WITH GRANT OPTION; GRANT UPDATE (tier) ON TABLE public.customers TO "app writer"; ' +
        'GRANT USAGE ON SCHEMA billing TO PUBLIC; GRANT USAGE ON SEQUENCE public.invoice_numbers TO "app writer";',
    );
    await expect(runSwitch('cutover', pair.config)).rejects.toThrow(
      /cutover refused, nothing was changed; the gate found:\n {2}- privileges: 6 privilege\(s\)/,
    );

    // Granted on green as the detail says: the gate passes.
    for (const g of check.detail
      .split(': ')
      .at(-1)!
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean))
      await pair.green.client.query(g);
    const again = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(again.gate.find((c) => c.check === 'privileges')).toEqual({
      check: 'privileges',
      ok: true,
      detail: "every privilege granted on blue's application objects is granted on green too",
    });
    expect(
      grantStatement({
        kind: 'table',
        schema: 'Sales',
        name: "o'rders",
        grantee: 'app',
        privilege: 'UPDATE',
        grantable: false,
      }),
    ).toBe(`GRANT UPDATE ON TABLE "Sales"."o'rders" TO app`);
    expect(
      grantStatement({
        kind: 'function',
        schema: 'public',
        name: 'f',
        detail: 'a integer, b "Mood"',
        grantee: 'PUBLIC',
        privilege: 'EXECUTE',
        grantable: false,
      }),
    ).toBe('GRANT EXECUTE ON FUNCTION public.f(a integer, b "Mood") TO PUBLIC');
    expect(
      grantStatement({
        kind: 'column',
        schema: 'public',
        name: 't',
        detail: 'Note',
        grantee: 'app writer',
        privilege: 'UPDATE',
        grantable: true,
      }),
    ).toBe('GRANT UPDATE ("Note") ON TABLE public.t TO "app writer" WITH GRANT OPTION');
  }, 120_000);

  it("pair init copies live's grants to the standby, and refuses a role missing on the standby's cluster", async () => {
    const pair = await freshPair();
    await pair.blue.client.query(APP_SQL);
    for (const side of [pair.blue, pair.green])
      await side.client.query(
        `DO $$ BEGIN CREATE ROLE "app writer" LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
    await pair.blue.client.query(
      `DO $$ BEGIN CREATE ROLE only_on_blue; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await pair.blue.client.query(`GRANT USAGE ON SCHEMA public, billing TO "app writer"; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public, billing TO "app writer";
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "app writer"; GRANT SELECT ON customers TO only_on_blue`);
    // Roles belong to the cluster: pair init refuses before it changes anything, naming the role and its grant.
    await expect(pairInit(pair.config)).rejects.toThrow(
      /role only_on_blue \(privileges on TABLE public\.customers\)[\s\S]*CREATE ROLE only_on_blue/,
    );
    const sameCluster =
      (await pair.green.client.query(`SELECT 1 FROM pg_roles WHERE rolname = 'only_on_blue'`)).rows.length > 0;
    // The two test servers are separate clusters: only_on_blue does not exist on green.
    expect(sameCluster).toBe(false);
    await pair.blue.client.query('REVOKE SELECT ON customers FROM only_on_blue');
    const steps: string[] = [];
    await pairInit(pair.config, {
      onEvent: (e) => {
        if (e.kind === 'step' && e.step === 'grants') steps.push(e.detail);
      },
    });
    // The catalog copy gave every grant with the schema: nothing left for the grants step.
    expect(steps).toEqual(['0 grant(s) copied from blue to green']);
    expect(
      (await pair.green.client.query(`SELECT has_table_privilege('app writer', 'public.customers', 'UPDATE') AS ok`))
        .rows[0].ok,
    ).toBe(true);
    // A grant taken away by hand on the standby: the gate names the GRANT to run.
    await pair.green.client.query('REVOKE UPDATE ON customers FROM "app writer"');
    const dry = await runSwitch('cutover', pair.config, { dryRun: true });
    expect(dry.gate.find((c) => c.check === 'privileges')?.detail).toBe(
      '1 privilege(s) the application has on blue are missing on green (its writes would fail there after the switch); run on green: GRANT UPDATE ON TABLE public.customers TO "app writer";',
    );
    await pair.green.client.query('GRANT UPDATE ON customers TO "app writer"');
    expect(
      (await runSwitch('cutover', pair.config, { dryRun: true })).gate.find((c) => c.check === 'privileges')?.ok,
    ).toBe(true);
  }, 120_000);
});
