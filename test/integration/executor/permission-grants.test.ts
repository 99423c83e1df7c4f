// A permission error (SQLSTATE 42501) at apply names what the role lacks and the GRANT to run, as preflight's
// privilege check does: for the ledger (CREATE on the database) and for the step that failed (membership in the
// tables' owning role, CREATE on the schema, SELECT and UPDATE for a backfill).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import { applyPhase } from '../../../src/executor/phase.js';
import { runPreflight } from '../../../src/executor/preflight.js';
import { urlFor } from '../../support/db.js';
import { plan, setup } from './preflight-support.js';

describe('a permission error at apply', () => {
  it('names the GRANT to run, for the ledger and then for the step that failed', async () => {
    const s = await setup();
    const suffix = randomBytes(4).toString('hex');
    const [role, owner] = [`sy_deployer_${suffix}`, `sy_owner_${suffix}`];
    const password = randomBytes(12).toString('hex');
    const admin = s.db.client;
    // The application's tables belong to a role of their own (not a superuser), as they should.
    await admin.query(`CREATE ROLE ${ident(role)} LOGIN PASSWORD '${password}'; CREATE ROLE ${ident(owner)} NOLOGIN`);
    await admin.query(`DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO ${owner}', r.nspname, r.relname);
      END LOOP; END $$`);
    const u = new URL(urlFor(s.db.name));
    u.username = role;
    u.password = password;
    const weak = new pg.Client({ connectionString: u.toString() });
    await weak.connect();
    try {
      const ledger = await applyPhase(weak, plan, 1, 'expand', { ledgerSchema: 'switchyard' }).catch((e: Error) => e);
      expect(ledger).toBeInstanceOf(Error);
      expect((ledger as Error).message).toContain(
        `${role}: no CREATE on database ${ident(s.db.name)} to make the ledger schema switchyard; have an administrator run: GRANT CREATE ON DATABASE ${ident(s.db.name)} TO ${role};`,
      );

      await admin.query(`GRANT CREATE ON DATABASE ${ident(s.db.name)} TO ${ident(role)}`);
      const step = await applyPhase(weak, plan, 1, 'expand', { ledgerSchema: 'switchyard' }).catch((e: Error) => e);
      expect(step).toBeInstanceOf(Error);
      const first = plan.releases[0]!.expand[0]!;
      const message = (step as Error).message;
      expect(message).toContain(`step ${first.id}`);
      expect(message).toMatch(/permission denied|must be owner/);
      // What the first step needs: CREATE on the schema of what it creates, the owner of what it alters.
      const expected = [
        ...(first.creates.some((k) => k.startsWith('table:public'))
          ? [`GRANT CREATE ON SCHEMA public TO ${role};`]
          : []),
        ...(first.lockedTables.length && first.lock !== 'none' ? [`GRANT ${owner} TO ${role};`] : []),
      ];
      expect(expected.length).toBeGreaterThan(0);
      for (const g of expected) expect(message).toContain(g);
      expect(message).toContain(`${role}: `);
      expect(message).toContain('have an administrator run: GRANT');

      // Preflight names the same GRANTs for the whole plan.
      const r = await runPreflight({ plan, planPath: s.planPath, db: weak, config: s.config });
      const c = r.checks.find((x) => x.id === 'privileges')!;
      expect(c.status).toBe('fail');
      expect(c.fix).toContain(`GRANT ${owner} TO ${role};`);
      expect(c.fix).toContain(`GRANT SELECT, UPDATE ON TABLE public.users TO ${role};`);
    } finally {
      await weak.end();
      await admin.query(
        `DROP OWNED BY ${ident(role)}; REVOKE CREATE ON DATABASE ${ident(s.db.name)} FROM ${ident(role)}`,
      );
      await admin.query(`DROP ROLE ${ident(role)}`);
    }
  });
});
