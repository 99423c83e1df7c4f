// Roles are cluster objects: a declared policy names roles that must exist on the server it is built on.
import { databaseError } from '../errors.js';
import type { Queryable } from './options.js';

/** The names among `names` that no role of the server has, sorted. One query. */
export async function missingRoles(db: Queryable, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  try {
    const { rows } = await db.query<{ name: string }>(
      'SELECT DISTINCT r AS name FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) ORDER BY 1',
      [[...names]],
    );
    return rows.map((r) => r.name);
  } catch (e) {
    throw databaseError('reading the roles the declared policies name', e);
  }
}
