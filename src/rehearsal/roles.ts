// Roles on the rehearsal server. Roles are cluster objects: a plan's policies name roles of the target's cluster,
// which a throwaway rehearsal server does not have. They are created there, NOLOGIN and without privileges, so
// that the plan's CREATE POLICY ... TO role runs as it will on the target (plan checks they exist there).
import type pg from 'pg';
import { ident } from '../db/quote.js';
import { databaseError } from '../errors.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { policyRoles } from '../schema/model/policy-roles.js';

/** Creates every role the policies of `models` name that the server lacks; returns their names. */
export async function createPolicyRoles(db: pg.Client, models: readonly DatabaseSchema[]): Promise<string[]> {
  const wanted = [...new Set(models.flatMap((m) => policyRoles(m).map(([r]) => r)))].sort();
  if (wanted.length === 0) return [];
  try {
    const { rows } = await db.query<{ name: string }>(
      'SELECT r AS name FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r)',
      [wanted],
    );
    for (const { name } of rows) await db.query(`CREATE ROLE ${ident(name)} NOLOGIN`);
    return rows.map((r) => r.name);
  } catch (e) {
    throw databaseError('creating the roles the plan’s policies name on the rehearsal server', e);
  }
}
