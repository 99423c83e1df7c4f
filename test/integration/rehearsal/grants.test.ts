// A plan with grants, revokes and default privileges, rehearsed end to end on a throwaway server: that server
// has none of the roles the source grants to, so the rehearsal makes them (NOLOGIN) before building the source,
// then runs every phase forward, back and forward again with its expectations. Role names are cluster-wide
// and tests run in parallel: random ones, dropped after.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import { allSteps } from '../../../src/planner/plan.js';
import { rehearse } from '../../../src/rehearsal/rehearse.js';
import { freshDatabase } from '../../support/db.js';
import { planScenario } from '../../support/scenario.js';

describe('rehearsing grants', () => {
  it('makes the roles on the throwaway server and passes, expectations included', async () => {
    const db = await freshDatabase();
    const app = `rh_app_${randomBytes(4).toString('hex')}`;
    const ro = `rh_ro_${randomBytes(4).toString('hex')}`;
    await db.client.query(`CREATE ROLE ${ident(app)} NOLOGIN; CREATE ROLE ${ident(ro)} NOLOGIN`);
    try {
      const source = `
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
GRANT SELECT, INSERT ON notes TO ${app} WITH GRANT OPTION;
GRANT SELECT (id) ON notes TO ${ro};`;
      const target = `
schemas:
  public:
    tables:
      notes:
        columns: { id: { type: bigint, nullable: false }, body: { type: text } }
        primaryKey: { columns: [id] }
        grants:
          - { role: ${app}, privileges: [SELECT] }
          - { role: ${ro}, privileges: [SELECT, UPDATE], columns: [body] }
defaultPrivileges:
  - { forRole: ${app}, schema: public, on: tables, role: ${ro}, privileges: [SELECT] }
`;
      const { plan } = await planScenario(db, source, target);
      expect(new Set(allSteps(plan).map((s) => s.change))).toEqual(
        new Set(['grant_privileges', 'revoke_privileges', 'grant_default_privileges']),
      );
      const report = await rehearse(plan, { sampleRows: 5 });
      expect(report.failure, JSON.stringify(report.failure)).toBeUndefined();
      expect(report.passed).toBe(true);
    } finally {
      await db.client.query(`DROP OWNED BY ${ident(app)}, ${ident(ro)}; DROP ROLE ${ident(app)}, ${ident(ro)}`);
    }
  });
});
