// Preflight names the roles the plan's target grants to that the server lacks (roles belong to the cluster:
// a plan cannot create them). Role names are cluster-wide and tests run in parallel: a random one, dropped after.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ident } from '../../../src/db/quote.js';
import type { Plan } from '../../../src/planner/types.js';
import { only, plan, preflight, setup } from './preflight-support.js';

function grantingTo(p: Plan, role: string): Plan {
  const snapshot = p.target.snapshot;
  return {
    ...p,
    target: {
      ...p.target,
      snapshot: {
        ...snapshot,
        schemas: snapshot.schemas.map((s, i) => (i === 0 ? { ...s, grants: [{ role, privileges: ['USAGE'] }] } : s)),
      },
    },
  };
}

describe('roles check', () => {
  it('passes when every role granted to exists, fails naming the missing one', async () => {
    const s = await setup();
    const role = `r${randomBytes(5).toString('hex')}`;
    expect(only(await preflight(s), 'roles').detail).toBe('the schema grants to no role');
    await s.db.client.query(`CREATE ROLE ${ident(role)} NOLOGIN`);
    try {
      const present = only(await preflight(s, { plan: grantingTo(plan, role) }), 'roles');
      expect([present.status, present.detail]).toEqual(['pass', '1 role, all present']);
    } finally {
      await s.db.client.query(`DROP ROLE ${ident(role)}`);
    }
    const missing = only(await preflight(s, { plan: grantingTo(plan, role) }), 'roles');
    expect([missing.status, missing.detail]).toEqual(['fail', `1 role missing on this server: "${role}"`]);
    expect(missing.fix).toMatch(/CREATE ROLE/);
  });
});
