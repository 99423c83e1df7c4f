// Roles are the cluster's, not the database's: a model that grants to a role, or whose policies name one, can
// only be built where the role exists. One query, whatever the number of roles.
import { databaseError } from '../errors.js';
import type { Queryable } from './options.js';

/** The names in `roles` that no role of the server has, in the order given. */
export async function missingRoles(db: Queryable, roles: readonly string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  try {
    const { rows } = await db.query<{ name: string }>(
      `SELECT r.name FROM unnest($1::text[]) WITH ORDINALITY AS r(name, ord)
       WHERE NOT EXISTS (SELECT FROM pg_roles pr WHERE pr.rolname = r.name) ORDER BY r.ord`,
      [roles],
    );
    return rows.map((r) => r.name);
  } catch (e) {
    throw databaseError('reading the roles the schema grants to or its policies name', e);
  }
}
