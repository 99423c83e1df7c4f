// Sorting and pruning so that equal schemas are equal data, serialize equal and hash equal.
import { normalizeDefaultPrivileges, normalizeGrants } from './grants.js';
import type { Column, CompositeAttribute, DatabaseSchema, Grant, Schema, Table, View } from './model.js';

/** `obj` with its grants in canonical form (the field absent when there are none). */
const withGrants = <T extends { readonly grants?: readonly Grant[] }>(obj: T): T =>
  obj.grants === undefined ? obj : prune({ ...obj, grants: normalizeGrants(obj.grants) });

const byName = <T extends { readonly name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** `obj` without keys whose value is undefined (the same object when there are none). */
export function prune<T extends object>(obj: T): T {
  // A loop, not Object.values(obj).includes: no array per object (a large catalog has 100,000 of them).
  let some = false;
  for (const k in obj)
    if (obj[k] === undefined) {
      some = true;
      break;
    }
  if (!some) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function sortByName<T extends { readonly name: string }>(items: readonly T[]): T[] {
  return [...items].sort(byName);
}

export function normalizeTable(t: Table): Table {
  return prune({
    ...t,
    columns: t.columns.map((c) => prune(c)),
    unique: sortByName(t.unique.map(prune)),
    indexes: sortByName(t.indexes.map((i) => prune({ ...i, keys: i.keys.map(prune) }))),
    foreignKeys: sortByName(t.foreignKeys.map(prune)),
    checks: sortByName(t.checks.map(prune)),
    triggers: sortByName(t.triggers.map(prune)),
    // In the catalog's order, which pg_dump prints and a rollback restores; compared as a set (fingerprint, diff).
    storage: t.storage?.length ? t.storage : undefined,
    exclusions: t.exclusions?.length ? sortByName(t.exclusions.map(prune)) : undefined,
    policies: t.policies?.length
      ? sortByName(t.policies.map((p) => prune({ ...p, roles: [...p.roles].sort() })))
      : undefined,
    ...(t.primaryKey ? { primaryKey: prune(t.primaryKey) } : {}),
    grants: normalizeGrants(t.grants),
  });
}

export function normalizeView(v: View): View {
  const indexes = v.indexes?.length
    ? sortByName(v.indexes.map((i) => prune({ ...i, keys: i.keys.map(prune) })))
    : undefined;
  const columnComments = v.columnComments?.length ? sortByName(v.columnComments) : undefined;
  return prune({ ...v, indexes, columnComments, grants: normalizeGrants(v.grants) });
}

export function normalizeSchema(s: Schema): Schema {
  const views = s.views?.length ? sortByName(s.views.map(normalizeView)) : undefined;
  return prune({
    ...s,
    enums: sortByName(s.enums.map((e) => withGrants(prune(e)))),
    sequences: sortByName(s.sequences.map((q) => withGrants(prune(q)))),
    tables: sortByName(s.tables.map(normalizeTable)),
    functions: [...s.functions.map((f) => withGrants(prune(f)))].sort(
      (a, b) => byName(a, b) || (a.args < b.args ? -1 : a.args > b.args ? 1 : 0),
    ),
    views,
    grants: normalizeGrants(s.grants),
    domains: s.domains?.length
      ? sortByName(s.domains.map((d) => prune({ ...d, checks: sortByName(d.checks.map(prune)) })))
      : undefined,
    composites: s.composites?.length
      ? sortByName(s.composites.map((c) => prune({ ...c, attributes: c.attributes.map(prune) })))
      : undefined,
    ranges: s.ranges?.length ? sortByName(s.ranges.map(prune)) : undefined,
  });
}

export function normalizeDatabase(db: DatabaseSchema): DatabaseSchema {
  return prune({
    ...db,
    schemas: sortByName(db.schemas.map(normalizeSchema)),
    ...(db.extensions ? { extensions: sortByName(db.extensions.map(prune)) } : {}),
    defaultPrivileges: normalizeDefaultPrivileges(db.defaultPrivileges),
  });
}

const HINTS = ['renamedFrom', 'up', 'down', 'backfill'] as const;

/** The structural part of a column: what a database can hold, without change hints. */
export function withoutHints<T extends Column | Table | CompositeAttribute>(obj: T): T {
  // Introspected objects never hold hints: kept as they are (a copy with `delete` is slow to read, and garbage).
  if (!HINTS.some((h) => h in obj)) return obj;
  const out: Record<string, unknown> = { ...obj };
  for (const h of HINTS) delete out[h];
  return out as T;
}

/** The database structure without change hints and without the tenants section. */
export function structureOnly(db: DatabaseSchema): DatabaseSchema {
  return {
    ...(db.defaultPrivileges ? { defaultPrivileges: db.defaultPrivileges } : {}),
    schemas: db.schemas.map((s) => ({
      ...s,
      tables: s.tables.map((t) => ({ ...withoutHints(t), columns: t.columns.map(withoutHints) })),
      ...(s.composites
        ? { composites: s.composites.map((c) => ({ ...c, attributes: c.attributes.map(withoutHints) })) }
        : {}),
    })),
  };
}

/** The database without what the catalog derives from views: what a fingerprint and a YAML file hold. */
export function declarable(db: DatabaseSchema): DatabaseSchema {
  const policies = db.schemas.some((s) => s.tables.some((t) => t.policies?.some((p) => p.derived !== undefined)));
  if (!policies && !db.schemas.some((s) => s.views?.some((v) => v.derived !== undefined))) return db;
  return {
    ...db,
    schemas: db.schemas.map((s) => {
      const withViews = s.views ? { ...s, views: s.views.map(withoutDerived) } : s;
      return policies ? { ...withViews, tables: s.tables.map(withoutPolicyDerived) } : withViews;
    }),
  };
}

/** A table whose policies carry nothing the catalog derives (what they read). */
export function withoutPolicyDerived(t: Table): Table {
  if (!t.policies?.some((p) => p.derived !== undefined)) return t;
  return {
    ...t,
    policies: t.policies.map((p) => {
      if (p.derived === undefined) return p;
      const { derived: _, ...rest } = p;
      return rest;
    }),
  };
}

/** A view without what the catalog derives from it (output columns, what it reads). */
export function withoutDerived(v: View): View {
  if (v.derived === undefined) return v;
  const { derived: _, ...rest } = v;
  return rest;
}
