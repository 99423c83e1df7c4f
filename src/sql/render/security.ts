// Row-level security, policies, replica identity and persistence of a table. Expressions are canonical SQL from
// the model (a declared one was parsed as exactly one expression); role names always go through ident(), and
// `public` is the PUBLIC pseudo-role.
import type { Policy, ReplicaIdentity } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import { InvalidModelError } from '../../errors.js';
import { alterTable } from './common.js';

/** `TO` list of a policy: PUBLIC for `public`, each other role quoted. */
export function policyRoles(roles: readonly string[]): string {
  if (roles.length === 0) throw new InvalidModelError('policy', 'a policy applies to at least one role');
  return roles.map((r) => (r === 'public' ? 'PUBLIC' : ident(r))).join(', ');
}

const on = (schema: string, table: string, name: string) => `POLICY ${ident(name)} ON ${qualified(schema, table)}`;

export function createPolicy(schema: string, table: string, p: Policy): string {
  return (
    `CREATE ${on(schema, table, p.name)} AS ${p.restrictive ? 'RESTRICTIVE' : 'PERMISSIVE'}` +
    ` FOR ${p.command.toUpperCase()} TO ${policyRoles(p.roles)}` +
    (p.using !== undefined ? ` USING (${p.using})` : '') +
    (p.withCheck !== undefined ? ` WITH CHECK (${p.withCheck})` : '')
  );
}

/**
 * ALTER POLICY to `p`'s roles and expressions (its command and kind cannot change in place; an expression can be
 * set, never removed: both checked by the caller, see policyAltersInPlace).
 */
export function alterPolicy(schema: string, table: string, p: Policy): string {
  return (
    `ALTER ${on(schema, table, p.name)} TO ${policyRoles(p.roles)}` +
    (p.using !== undefined ? ` USING (${p.using})` : '') +
    (p.withCheck !== undefined ? ` WITH CHECK (${p.withCheck})` : '')
  );
}

/** Whether ALTER POLICY turns `from` into `to`: same command and kind, and no expression removed. */
export function policyAltersInPlace(from: Policy, to: Policy): boolean {
  return (
    from.command === to.command &&
    Boolean(from.restrictive) === Boolean(to.restrictive) &&
    (from.using === undefined || to.using !== undefined) &&
    (from.withCheck === undefined || to.withCheck !== undefined)
  );
}

export function dropPolicy(schema: string, table: string, name: string): string {
  return `DROP ${on(schema, table, name)}`;
}

export function rowSecurity(schema: string, table: string, enabled: boolean): string {
  return alterTable(schema, table, `${enabled ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`);
}

export function forceRowSecurity(schema: string, table: string, forced: boolean): string {
  return alterTable(schema, table, `${forced ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`);
}

/** `undefined` is DEFAULT. */
export function replicaIdentity(schema: string, table: string, ri: ReplicaIdentity | undefined): string {
  const what =
    ri === undefined
      ? 'DEFAULT'
      : ri === 'full'
        ? 'FULL'
        : ri === 'nothing'
          ? 'NOTHING'
          : `USING INDEX ${ident(ri.index)}`;
  return alterTable(schema, table, `REPLICA IDENTITY ${what}`);
}

/** SET LOGGED / SET UNLOGGED: rewrites the table under ACCESS EXCLUSIVE. */
export function setPersistence(schema: string, table: string, unlogged: boolean): string {
  return alterTable(schema, table, `SET ${unlogged ? 'UNLOGGED' : 'LOGGED'}`);
}

/** A readable form of a replica identity: `default`, `full`, `nothing`, `using index "i"`. */
export function describeReplicaIdentity(ri: ReplicaIdentity | undefined): string {
  return ri === undefined ? 'default' : typeof ri === 'string' ? ri : `using index ${ident(ri.index)}`;
}
