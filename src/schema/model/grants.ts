// Grants as sets of single privileges. A grant list can be written many ways (one entry per privilege, per
// column, repeated roles); the model keeps one canonical form, so that equal privileges are equal data, and the
// differ compares single privileges (ACL items) rather than entries.
import type { DatabaseSchema, DefaultPrivilege, DefaultPrivilegeObjects, Grant, Privilege } from './model.js';

/** The order privileges are listed in (PostgreSQL's ACL letters order: arwdDxtmXUC). */
export const PRIVILEGE_ORDER: readonly Privilege[] = [
  'INSERT',
  'SELECT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
  'MAINTAIN',
  'EXECUTE',
  'USAGE',
  'CREATE',
];

/** The objects grants are held by, as GRANT ... ON names their class. */
export type GrantClass = 'schema' | 'table' | 'view' | 'sequence' | 'function' | 'type';

/** Privileges each class of object accepts (GRANT refuses the others). */
export const PRIVILEGES_OF: { readonly [K in GrantClass]: readonly Privilege[] } = {
  schema: ['USAGE', 'CREATE'],
  table: ['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  view: ['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  sequence: ['SELECT', 'UPDATE', 'USAGE'],
  function: ['EXECUTE'],
  type: ['USAGE'],
};

/** Privileges a column grant may hold. */
export const COLUMN_PRIVILEGES: readonly Privilege[] = ['INSERT', 'SELECT', 'UPDATE', 'REFERENCES'];

/** The class of objects ALTER DEFAULT PRIVILEGES ON <objects> is about. */
export const DEFAULT_PRIVILEGE_CLASS: { readonly [K in DefaultPrivilegeObjects]: GrantClass } = {
  tables: 'table',
  sequences: 'sequence',
  functions: 'function',
  types: 'type',
  schemas: 'schema',
};

/** A privilege, on the object (no columns) or on some of its columns. */
export interface PrivilegeOn {
  readonly privilege: Privilege;
  readonly columns?: readonly string[];
}

/** What an ALTER DEFAULT PRIVILEGES statement is about: whose objects, in which schema (absent: all), of what class. */
export interface DefaultPrivilegeScope {
  readonly forRole: string;
  readonly schema?: string;
  readonly on: DefaultPrivilegeObjects;
}

/** One privilege of one role, on the object or one of its columns. */
export interface AclItem {
  readonly role: string;
  /** '' for the object itself. */
  readonly column: string;
  readonly privilege: Privilege;
  readonly grantable: boolean;
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const rank = (p: Privilege) => PRIVILEGE_ORDER.indexOf(p);
export const byPrivilege = (a: Privilege, b: Privilege) => rank(a) - rank(b);

const itemKey = (role: string, column: string, privilege: string) => `${role}\u0000${column}\u0000${privilege}`;

/** The single privileges of a grant list, keyed by role, column and privilege (grantable if any entry says so). */
export function aclItems(grants: readonly Grant[] | undefined): Map<string, AclItem> {
  const out = new Map<string, AclItem>();
  for (const g of grants ?? []) {
    const grantable = g.withGrantOption === true;
    for (const column of g.columns?.length ? g.columns : ['']) {
      for (const privilege of g.privileges) {
        const k = itemKey(g.role, column, privilege);
        const prev = out.get(k);
        out.set(k, { role: g.role, column, privilege, grantable: grantable || (prev?.grantable ?? false) });
      }
    }
  }
  return out;
}

/**
 * Single privileges back to grant entries: per role and grant option, the object's privileges in one entry,
 * and column privileges in one entry per set of columns holding the same privileges. Sorted by role, then
 * object before columns, then without grant option first.
 */
export function grantsOf(items: Iterable<AclItem>): Grant[] {
  // role -> grantable -> column -> privileges
  const byRole = new Map<string, Map<boolean, Map<string, Set<Privilege>>>>();
  for (const i of items) {
    const g = byRole.get(i.role) ?? new Map<boolean, Map<string, Set<Privilege>>>();
    byRole.set(i.role, g);
    const c = g.get(i.grantable) ?? new Map<string, Set<Privilege>>();
    g.set(i.grantable, c);
    const p = c.get(i.column) ?? new Set<Privilege>();
    c.set(i.column, p);
    p.add(i.privilege);
  }
  const out: Grant[] = [];
  for (const role of [...byRole.keys()].sort(text)) {
    const g = byRole.get(role)!;
    const entry = (privileges: Set<Privilege>, grantable: boolean, columns?: string[]): Grant => ({
      role,
      privileges: [...privileges].sort(byPrivilege),
      ...(grantable ? { withGrantOption: true as const } : {}),
      ...(columns ? { columns } : {}),
    });
    for (const grantable of [false, true]) {
      const own = g.get(grantable)?.get('');
      if (own) out.push(entry(own, grantable));
    }
    const columnEntries: Grant[] = [];
    for (const grantable of [false, true]) {
      const bySet = new Map<string, { privileges: Set<Privilege>; columns: string[] }>();
      for (const [column, privileges] of g.get(grantable) ?? []) {
        if (column === '') continue;
        const k = [...privileges].sort(byPrivilege).join(',');
        const e = bySet.get(k) ?? { privileges, columns: [] };
        bySet.set(k, e);
        e.columns.push(column);
      }
      for (const e of bySet.values()) columnEntries.push(entry(e.privileges, grantable, e.columns.sort(text)));
    }
    columnEntries.sort(
      (a, b) =>
        text(a.columns!.join('\u0000'), b.columns!.join('\u0000')) ||
        Number(a.withGrantOption ?? false) - Number(b.withGrantOption ?? false),
    );
    out.push(...columnEntries);
  }
  return out;
}

/** The canonical form of a grant list; undefined for none. */
export function normalizeGrants(grants: readonly Grant[] | undefined): readonly Grant[] | undefined {
  if (!grants?.length) return undefined;
  const out = grantsOf(aclItems(grants).values());
  return out.length ? out : undefined;
}

/** What one ALTER DEFAULT PRIVILEGES entry is about: creator role, schema ('' for all) and objects. */
export const defaultPrivilegeScope = (d: Pick<DefaultPrivilege, 'forRole' | 'schema' | 'on'>): string =>
  `${d.forRole}\u0000${d.schema ?? ''}\u0000${d.on}`;

/** One entry per creator role, schema, objects, grantee and grant option; privileges in order; sorted. */
export function normalizeDefaultPrivileges(
  list: readonly DefaultPrivilege[] | undefined,
): readonly DefaultPrivilege[] | undefined {
  if (!list?.length) return undefined;
  const groups = new Map<string, { head: DefaultPrivilege; items: Grant[] }>();
  for (const d of list) {
    const k = defaultPrivilegeScope(d);
    const g = groups.get(k) ?? { head: d, items: [] };
    groups.set(k, g);
    g.items.push({ role: d.role, privileges: d.privileges, ...(d.withGrantOption ? { withGrantOption: true } : {}) });
  }
  const out: DefaultPrivilege[] = [];
  for (const { head, items } of groups.values()) {
    for (const g of grantsOf(aclItems(items).values())) {
      out.push({
        forRole: head.forRole,
        ...(head.schema !== undefined ? { schema: head.schema } : {}),
        on: head.on,
        role: g.role,
        privileges: g.privileges,
        ...(g.withGrantOption ? { withGrantOption: true } : {}),
      });
    }
  }
  return out.sort(
    (a, b) =>
      text(a.forRole, b.forRole) ||
      text(a.schema ?? '', b.schema ?? '') ||
      text(a.on, b.on) ||
      text(a.role, b.role) ||
      Number(a.withGrantOption ?? false) - Number(b.withGrantOption ?? false),
  );
}

/**
 * Every role a model grants to or names in FOR ROLE (PUBLIC is no role), with the declared paths that name it
 * (`['schemas', s, 'tables', t, 'grants']`, functions by name, `['defaultPrivileges']`): roles are cluster
 * objects, which a plan cannot create, so each must exist where the model is built.
 */
export function grantRoles(db: DatabaseSchema): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  const add = (role: string, path: string[]) => {
    if (role === 'PUBLIC') return;
    const list = out.get(role) ?? [];
    out.set(role, list);
    if (!list.some((p) => p.join('\u0000') === path.join('\u0000'))) list.push(path);
  };
  const each = (grants: readonly Grant[] | undefined, path: string[]) => {
    for (const g of grants ?? []) add(g.role, [...path, 'grants']);
  };
  for (const s of db.schemas) {
    const sp = ['schemas', s.name];
    each(s.grants, sp);
    for (const e of s.enums) each(e.grants, [...sp, 'enums', e.name]);
    for (const q of s.sequences) each(q.grants, [...sp, 'sequences', q.name]);
    for (const f of s.functions) each(f.grants, [...sp, 'functions', f.name]);
    for (const t of s.tables) each(t.grants, [...sp, 'tables', t.name]);
    for (const v of s.views ?? []) each(v.grants, [...sp, 'views', v.name]);
  }
  for (const d of db.defaultPrivileges ?? []) {
    add(d.forRole, ['defaultPrivileges']);
    add(d.role, ['defaultPrivileges']);
  }
  return out;
}

/** `db` without its grants to `roles` (and default privileges naming them). */
export function withoutGrantsTo(db: DatabaseSchema, roles: ReadonlySet<string>): DatabaseSchema {
  const keep = <T extends { readonly grants?: readonly Grant[] }>(o: T): T => {
    if (!o.grants) return o;
    const grants = o.grants.filter((g) => !roles.has(g.role));
    if (grants.length === o.grants.length) return o;
    const { grants: _, ...rest } = o;
    return (grants.length ? { ...rest, grants } : rest) as T;
  };
  const defaults = db.defaultPrivileges?.filter((d) => !roles.has(d.role) && !roles.has(d.forRole));
  const { defaultPrivileges: _, ...rest } = db;
  return {
    ...rest,
    ...(defaults?.length ? { defaultPrivileges: defaults } : {}),
    schemas: db.schemas.map((s) => ({
      ...keep(s),
      enums: s.enums.map(keep),
      sequences: s.sequences.map(keep),
      functions: s.functions.map(keep),
      tables: s.tables.map(keep),
      ...(s.views ? { views: s.views.map(keep) } : {}),
    })),
  };
}
