// rename_table's compatibility view: security_invoker (PostgreSQL 15+), and the table's grants copied onto it
// when the step runs, so a role that could read and write the table under its old name still can.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { planScenario } from '../../support/scenario.js';
import { freshDatabase, serverMajor } from '../../support/db.js';
import { applyPhase, phaseSteps, rollbackPhase } from '../../support/plan-runner.js';

it('the compatibility view is security_invoker and carries the table grants', async () => {
  const db = await freshDatabase();
  const role = `compat_${randomBytes(4).toString('hex')}`;
  await db.client.query(`CREATE ROLE ${role}`);
  try {
    const source = `CREATE TABLE "it's" (id bigint PRIMARY KEY, note text);
      GRANT SELECT, INSERT ON "it's" TO ${role};
      GRANT SELECT ON "it's" TO PUBLIC;
      GRANT UPDATE ON "it's" TO ${role} WITH GRANT OPTION;`;
    const target = `schemas:\n  public:\n    tables:\n      notes:\n        renamedFrom: "it's"\n        columns: { id: { type: bigint, nullable: false }, note: { type: text } }\n        primaryKey: { columns: [id] }\n`;
    const s = await planScenario(db, source, target);
    const expand = phaseSteps(s.plan, 1, 'expand');
    expect(expand.map((x) => x.action)).toContain('create_compatibility_view');
    await applyPhase(db.client, expand);
    const acl = async () =>
      (
        await db.client.query<{ acl: string[]; options: string[] | null }>(
          `SELECT c.relacl::text[] AS acl, c.reloptions AS options FROM pg_class c WHERE c.oid = '"it''s"'::regclass AND c.relkind = 'v'`,
        )
      ).rows[0]!;
    const view = await acl();
    expect(view.acl).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${role}=arw\\*/`)), expect.stringMatching(/^=r\//)]),
    );
    if (serverMajor() >= 15) expect(view.options).toEqual(['security_invoker=true']);
    // Through the view, as the role: its own privileges on the table apply.
    await db.client.query(`SET ROLE ${role}`);
    await db.client.query(`INSERT INTO "it's" (id, note) VALUES (1, 'via the old name')`);
    expect((await db.client.query(`SELECT note FROM "it's"`)).rows).toEqual([{ note: 'via the old name' }]);
    await db.client.query('RESET ROLE');
    await rollbackPhase(db.client, expand);
    expect((await db.client.query(`SELECT relkind FROM pg_class WHERE relname = 'it''s'`)).rows).toEqual([
      { relkind: 'r' },
    ]);
  } finally {
    await db.client.query('RESET ROLE').catch(() => undefined);
    await db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
  }
});
