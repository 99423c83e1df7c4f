// What grant and revoke steps share: the GRANT target and the keys a step on it requires (the object, and the
// columns a column privilege names), so that a grant runs after the object is created and a revoke before it
// is dropped.
import type { GrantOn } from '../../diff/index.js';
import { ident, qualified } from '../../db/quote.js';
import type { DefaultPrivilegeScope, PrivilegeOn } from '../../schema/model/grants.js';
import type { GrantTarget } from '../../sql/render/index.js';
import { key } from '../keys.js';
import type { ObjectKey } from '../types.js';

export function grantTarget(schema: string, on: GrantOn): GrantTarget {
  switch (on.kind) {
    case 'schema':
      return { kind: 'schema', schema };
    case 'function':
      return { kind: 'function', schema, name: on.name, args: on.args };
    case 'view':
      return { kind: 'table', schema, name: on.name };
    default:
      return { kind: on.kind, schema, name: on.name };
  }
}

/** The object for people: `table "app"."users"`. */
export function grantWhat(schema: string, on: GrantOn): string {
  switch (on.kind) {
    case 'schema':
      return `schema ${ident(schema)}`;
    case 'function':
      return `function ${qualified(schema, on.name)}(${on.args})`;
    default:
      return `${on.kind} ${qualified(schema, on.name)}`;
  }
}

export function grantRequires(schema: string, on: GrantOn, privileges: readonly PrivilegeOn[]): ObjectKey[] {
  switch (on.kind) {
    case 'schema':
      return [key.schema(schema)];
    case 'type':
      return [key.type(schema, on.name)];
    case 'sequence':
      return [key.sequence(schema, on.name)];
    case 'function':
      return [key.function(schema, on.name, on.args)];
    case 'view':
      return [key.view(schema, on.name)];
    case 'table': {
      const columns = new Set(privileges.flatMap((p) => p.columns ?? []));
      return [key.table(schema, on.name), ...[...columns].sort().map((c) => key.column(schema, on.name, c))];
    }
  }
}

/** The schema an ALTER DEFAULT PRIVILEGES IN SCHEMA names must exist first. */
export const defaultRequires = (scope: DefaultPrivilegeScope): ObjectKey[] =>
  scope.schema !== undefined ? [key.schema(scope.schema)] : [];

export const roleText = (role: string): string => (role === 'PUBLIC' ? 'PUBLIC' : ident(role));
