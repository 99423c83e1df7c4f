// The roles policies name. Roles are cluster objects, outside any schema: a declared policy can only be built on a
// server where its roles exist. The shadow server that canonicalizes a declared schema has none of the target's
// roles, so policies are built there `TO PUBLIC` (roles change nothing in how expressions print) and get their
// declared roles back afterwards; the target's roles are checked on the target itself (commands/plan.ts).
import type { DatabaseSchema, Policy, Table } from './model.js';

/** Every role a policy of `db` names (not `public`), with where: `[role, ['schemas', s, 'tables', t, 'policies', p]]`. */
export function policyRoles(db: DatabaseSchema): Array<readonly [string, readonly string[]]> {
  const out: Array<readonly [string, readonly string[]]> = [];
  for (const s of db.schemas)
    for (const t of s.tables)
      for (const p of t.policies ?? [])
        for (const r of p.roles)
          if (r !== 'public') out.push([r, ['schemas', s.name, 'tables', t.name, 'policies', p.name]]);
  return out;
}

const mapPolicies = (db: DatabaseSchema, f: (schema: string, t: Table, p: Policy) => Policy): DatabaseSchema => ({
  ...db,
  schemas: db.schemas.map((s) => ({
    ...s,
    tables: s.tables.map((t) => (t.policies ? { ...t, policies: t.policies.map((p) => f(s.name, t, p)) } : t)),
  })),
});

/** `db` with every policy `TO PUBLIC`, to be built where its roles do not exist. */
export function policiesToPublic(db: DatabaseSchema): DatabaseSchema {
  if (!db.schemas.some((s) => s.tables.some((t) => t.policies?.length))) return db;
  return mapPolicies(db, (_, __, p) => ({ ...p, roles: ['public'] }));
}

/** `built` with each policy's roles taken from the same policy of `declared`. */
export function restorePolicyRoles(built: DatabaseSchema, declared: DatabaseSchema): DatabaseSchema {
  const roles = new Map<string, readonly string[]>();
  for (const s of declared.schemas)
    for (const t of s.tables) for (const p of t.policies ?? []) roles.set(`${s.name}\0${t.name}\0${p.name}`, p.roles);
  if (roles.size === 0) return built;
  return mapPolicies(built, (s, t, p) => ({ ...p, roles: roles.get(`${s}\0${t.name}\0${p.name}`) ?? p.roles }));
}
