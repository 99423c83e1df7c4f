// GRANT, REVOKE and ALTER DEFAULT PRIVILEGES. A role is quoted as a name; `PUBLIC` is the keyword. Column
// privileges are written per privilege (`SELECT (a, b), UPDATE (a)`): `SELECT, UPDATE (a)` would grant SELECT on
// the whole table.
import { ident, identList, qualified } from '../../db/quote.js';
import { byPrivilege, type DefaultPrivilegeScope, type PrivilegeOn } from '../../schema/model/grants.js';
import type { Grant, Privilege } from '../../schema/model/model.js';

export type { DefaultPrivilegeScope, PrivilegeOn };

/** The object of a GRANT: `ON TABLE` covers views and materialized views too. */
export type GrantTarget =
  | { readonly kind: 'schema'; readonly schema: string }
  | { readonly kind: 'table' | 'sequence' | 'type'; readonly schema: string; readonly name: string }
  | { readonly kind: 'function'; readonly schema: string; readonly name: string; readonly args: string };

const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const grantee = (role: string): string => (role === 'PUBLIC' ? 'PUBLIC' : ident(role));

export function grantObject(t: GrantTarget): string {
  switch (t.kind) {
    case 'schema':
      return `SCHEMA ${ident(t.schema)}`;
    case 'table':
      return `TABLE ${qualified(t.schema, t.name)}`;
    case 'sequence':
      return `SEQUENCE ${qualified(t.schema, t.name)}`;
    case 'type':
      return `TYPE ${qualified(t.schema, t.name)}`;
    case 'function':
      return `FUNCTION ${qualified(t.schema, t.name)}(${t.args})`;
  }
}

/** `SELECT, UPDATE (a, b)`: object privileges first, in PostgreSQL's order, then column privileges. */
export function privilegeList(privileges: readonly PrivilegeOn[]): string {
  const sorted = [...privileges].sort(
    (a, b) =>
      Number(a.columns !== undefined) - Number(b.columns !== undefined) ||
      byPrivilege(a.privilege, b.privilege) ||
      cmpText((a.columns ?? []).join('\u0000'), (b.columns ?? []).join('\u0000')),
  );
  return sorted.map((p) => (p.columns ? `${p.privilege} (${identList(p.columns)})` : p.privilege)).join(', ');
}

export function grant(
  target: GrantTarget,
  role: string,
  privileges: readonly PrivilegeOn[],
  withGrantOption: boolean,
): string {
  return `GRANT ${privilegeList(privileges)} ON ${grantObject(target)} TO ${grantee(role)}${withGrantOption ? ' WITH GRANT OPTION' : ''}`;
}

/** `grantOptionOnly`: REVOKE GRANT OPTION FOR, the role keeps the privileges. */
export function revoke(
  target: GrantTarget,
  role: string,
  privileges: readonly PrivilegeOn[],
  grantOptionOnly: boolean,
): string {
  return `REVOKE ${grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${privilegeList(privileges)} ON ${grantObject(target)} FROM ${grantee(role)}`;
}

/** The privileges of one grant entry, as PrivilegeOn. */
export const privilegesOf = (g: Grant): PrivilegeOn[] =>
  g.privileges.map((privilege) => (g.columns?.length ? { privilege, columns: g.columns } : { privilege }));

/** One GRANT per entry of a grant list (what an object created with these grants needs). */
export function grantStatements(target: GrantTarget, grants: readonly Grant[] | undefined): string[] {
  return (grants ?? []).map((g) => grant(target, g.role, privilegesOf(g), g.withGrantOption === true));
}

const defaultPrefix = (s: DefaultPrivilegeScope): string =>
  `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(s.forRole)}${s.schema !== undefined ? ` IN SCHEMA ${ident(s.schema)}` : ''}`;

export function grantDefault(
  scope: DefaultPrivilegeScope,
  role: string,
  privileges: readonly Privilege[],
  withGrantOption: boolean,
): string {
  return `${defaultPrefix(scope)} GRANT ${[...privileges].sort(byPrivilege).join(', ')} ON ${scope.on.toUpperCase()} TO ${grantee(role)}${withGrantOption ? ' WITH GRANT OPTION' : ''}`;
}

export function revokeDefault(
  scope: DefaultPrivilegeScope,
  role: string,
  privileges: readonly Privilege[],
  grantOptionOnly: boolean,
): string {
  return `${defaultPrefix(scope)} REVOKE ${grantOptionOnly ? 'GRANT OPTION FOR ' : ''}${[...privileges].sort(byPrivilege).join(', ')} ON ${scope.on.toUpperCase()} FROM ${grantee(role)}`;
}
