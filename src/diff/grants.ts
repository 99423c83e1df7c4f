// Grants and default privileges, compared as single privileges (model/grants.ts): what the target holds and the
// source does not is granted, what the source holds and the target does not is revoked, and a grant option
// gained or lost is granted or revoked alone. Changes are grouped per object, role and kind, so one GRANT says
// everything a role gains on an object. Objects created by the plan get their grants from here too (the source
// has none); objects dropped by it have theirs revoked with the drop (`withDrop`), for an exact rollback.
import {
  type AclItem,
  aclItems,
  byPrivilege,
  type DefaultPrivilegeScope,
  defaultPrivilegeScope,
  type PrivilegeOn,
} from '../schema/model/grants.js';
import type { DatabaseSchema, DefaultPrivilege, Grant, Privilege, Schema } from '../schema/model/model.js';
import type { GrantOn } from './changes.js';
import { byName, pairByKey } from './list.js';
import type { Emit } from './order.js';

interface Group {
  readonly role: string;
  readonly withGrantOption: boolean;
  readonly optionOnly: boolean;
  readonly withDrop: boolean;
  readonly items: AclItem[];
}

function grouper() {
  const groups = new Map<string, Group>();
  return {
    add(item: AclItem, withGrantOption: boolean, optionOnly: boolean, withDrop = false) {
      const k = `${item.role}\u0000${withGrantOption}\u0000${optionOnly}\u0000${withDrop}`;
      const g = groups.get(k) ?? { role: item.role, withGrantOption, optionOnly, withDrop, items: [] };
      groups.set(k, g);
      g.items.push(item);
    },
    list: () =>
      [...groups.values()].sort(
        (a, b) =>
          (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) ||
          Number(a.optionOnly) - Number(b.optionOnly) ||
          Number(a.withGrantOption) - Number(b.withGrantOption) ||
          Number(a.withDrop) - Number(b.withDrop),
      ),
  };
}

/** Items of one group as GRANT lists them: per privilege, on the object, or on its columns (sorted). */
export function privilegesOn(items: readonly AclItem[]): PrivilegeOn[] {
  const byPriv = new Map<Privilege, { own: boolean; columns: string[] }>();
  for (const i of items) {
    const e = byPriv.get(i.privilege) ?? { own: false, columns: [] };
    byPriv.set(i.privilege, e);
    if (i.column === '') e.own = true;
    else e.columns.push(i.column);
  }
  const out: PrivilegeOn[] = [];
  for (const p of [...byPriv.keys()].sort(byPrivilege)) {
    const e = byPriv.get(p)!;
    if (e.own) out.push({ privilege: p });
    if (e.columns.length) out.push({ privilege: p, columns: [...e.columns].sort() });
  }
  return out;
}

/**
 * The grant changes of one object. `from` undefined: the object is created; `to` undefined: dropped.
 * `keptColumns`: the target's columns, when the object has columns (a column grant on a column the target
 * lacks goes with the column's drop).
 */
export function diffObjectGrants(
  emit: Emit,
  schema: string,
  on: GrantOn,
  from: readonly Grant[] | undefined,
  to: readonly Grant[] | undefined,
  dropped: boolean,
  keptColumns?: ReadonlySet<string>,
): void {
  const f = aclItems(from);
  const t = aclItems(to);
  const grants = grouper();
  const revokes = grouper();
  for (const [k, item] of t) {
    const had = f.get(k);
    if (!had) grants.add(item, item.grantable, false);
    else if (item.grantable && !had.grantable) grants.add(item, true, true);
  }
  for (const [k, item] of f) {
    const keeps = t.get(k);
    const withDrop = dropped || (item.column !== '' && keptColumns !== undefined && !keptColumns.has(item.column));
    if (!keeps) revokes.add(item, item.grantable, false, withDrop);
    else if (item.grantable && !keeps.grantable) revokes.add(item, true, true);
  }
  for (const g of grants.list())
    emit({
      kind: 'grant_privileges',
      schema,
      on,
      role: g.role,
      privileges: privilegesOn(g.items),
      withGrantOption: g.withGrantOption,
      ...(g.optionOnly ? { optionOnly: true } : {}),
    });
  for (const g of revokes.list()) {
    // A table-wide privilege revoked takes the role's column privileges of the same kind with it.
    const revoked = new Set(g.items.filter((i) => i.column === '').map((i) => i.privilege));
    const kept =
      g.optionOnly || g.withDrop
        ? []
        : [...t.values()].filter((i) => i.role === g.role && i.column !== '' && revoked.has(i.privilege));
    emit({
      kind: 'revoke_privileges',
      schema,
      on,
      role: g.role,
      privileges: privilegesOn(g.items),
      withGrantOption: g.withGrantOption,
      ...(g.optionOnly ? { optionOnly: true } : {}),
      ...(g.withDrop ? { withDrop: true } : {}),
      ...(kept.length ? { keepColumns: privilegesOn(kept) } : {}),
      ...(kept.some((i) => i.grantable) ? { keepColumnsGrantable: true } : {}),
    });
  }
}

/** The grant changes of a schema and everything in it (`f` and `t` are the renamed source and the target). */
export function diffSchemaGrants(emit: Emit, f: Schema | undefined, t: Schema | undefined): void {
  const schema = (t ?? f)!.name;
  diffObjectGrants(emit, schema, { kind: 'schema' }, f?.grants, t?.grants, t === undefined);
  for (const p of pairByKey(f?.enums ?? [], t?.enums ?? [], byName))
    diffObjectGrants(emit, schema, { kind: 'type', name: p.key }, p.from?.grants, p.to?.grants, !p.to);
  for (const p of pairByKey(f?.sequences ?? [], t?.sequences ?? [], byName))
    diffObjectGrants(emit, schema, { kind: 'sequence', name: p.key }, p.from?.grants, p.to?.grants, !p.to);
  const signature = (x: { name: string; args: string }) => `${x.name}(${x.args})`;
  for (const p of pairByKey(f?.functions ?? [], t?.functions ?? [], signature)) {
    const fn = (p.to ?? p.from)!;
    diffObjectGrants(
      emit,
      schema,
      { kind: 'function', name: fn.name, args: fn.args },
      p.from?.grants,
      p.to?.grants,
      !p.to,
    );
  }
  for (const p of pairByKey(f?.tables ?? [], t?.tables ?? [], byName))
    diffObjectGrants(
      emit,
      schema,
      { kind: 'table', name: p.key },
      p.from?.grants,
      p.to?.grants,
      !p.to,
      p.to ? new Set(p.to.columns.map((c) => c.name)) : undefined,
    );
  for (const p of pairByKey(f?.views ?? [], t?.views ?? [], byName))
    diffObjectGrants(emit, schema, { kind: 'view', name: p.key }, p.from?.grants, p.to?.grants, !p.to);
}

const scopeOf = (d: DefaultPrivilege): DefaultPrivilegeScope => ({
  forRole: d.forRole,
  ...(d.schema !== undefined ? { schema: d.schema } : {}),
  on: d.on,
});

/** ALTER DEFAULT PRIVILEGES changes, per scope and role, as for grants on an object. */
export function diffDefaultPrivileges(emit: Emit, from: DatabaseSchema, to: DatabaseSchema): void {
  const byScope = (list: readonly DefaultPrivilege[] | undefined) => {
    const out = new Map<string, { scope: DefaultPrivilegeScope; grants: Grant[] }>();
    for (const d of list ?? []) {
      const k = defaultPrivilegeScope(d);
      const e = out.get(k) ?? { scope: scopeOf(d), grants: [] };
      out.set(k, e);
      e.grants.push({
        role: d.role,
        privileges: d.privileges,
        ...(d.withGrantOption ? { withGrantOption: true as const } : {}),
      });
    }
    return out;
  };
  const f = byScope(from.defaultPrivileges);
  const t = byScope(to.defaultPrivileges);
  for (const k of [...new Set([...f.keys(), ...t.keys()])].sort()) {
    const scope = (t.get(k) ?? f.get(k))!.scope;
    const buffer: Parameters<Emit>[0][] = [];
    diffObjectGrants(
      (c) => buffer.push(c),
      scope.schema ?? '',
      { kind: 'schema' },
      f.get(k)?.grants,
      t.get(k)?.grants,
      false,
    );
    for (const c of buffer) {
      if (c.kind !== 'grant_privileges' && c.kind !== 'revoke_privileges') continue;
      emit({
        kind: c.kind === 'grant_privileges' ? 'grant_default_privileges' : 'revoke_default_privileges',
        schema: scope.schema ?? '',
        scope,
        role: c.role,
        privileges: c.privileges.map((p) => p.privilege),
        withGrantOption: c.withGrantOption,
        ...(c.optionOnly ? { optionOnly: true } : {}),
      });
    }
  }
}
