// The template of a tenant plan, as a live database has it.
import type pg from 'pg';
import type { DatabaseSchema, Schema } from '../schema/model/model.js';
import type { CatalogDependency, CatalogObject } from '../schema/model/dependencies.js';
import { sortByName } from '../schema/model/normalize.js';
import { introspect } from './index.js';
import { readRegistry } from './registry.js';

/** Gives a tenant's schema the template's name, in every object and body (tenants/rename.ts does it). */
export type RenameSchema = (schema: Schema, to: string) => Schema;

/**
 * A database of tenants often has no template schema of its own, only the tenants (the runbook's world). The
 * template's current state is then read from the first tenant the registry lists (by name), under the
 * template's name; `apply` checks every other tenant against it before touching it, and reports the ones
 * that differ.
 */
export async function withTemplate(
  c: pg.Client,
  source: DatabaseSchema,
  declared: Pick<DatabaseSchema, 'tenants'>,
  rename: RenameSchema,
  notice?: (m: string) => void,
): Promise<DatabaseSchema> {
  const t = declared.tenants;
  if (!t || source.schemas.some((s) => s.name === t.template)) return source;
  const registry = await readRegistry(c, t);
  const first = registry.tenants[0];
  if (first === undefined) {
    notice?.(
      `the database has no schema ${t.template} and the registry lists no tenant: the template is planned from nothing (every object created)`,
    );
    return source;
  }
  const tenant = await introspect(c, { includeSchemas: [first] });
  notice?.(
    `the database has no schema ${t.template}: the template's current state is read from tenant ${first} (the first the registry lists)`,
  );
  return { ...source, schemas: sortByName([...source.schemas, ...tenant.schemas.map((s) => rename(s, t.template))]) };
}

/**
 * The dependency edges a tenant plan is checked against: those of the declared schemas and of every tenant
 * schema the registry lists, each tenant object seen as the template's (the plan's steps name the template,
 * and run on every tenant). Messages still name the tenant's object (the dependent's description).
 */
export async function templateDependencies(
  c: pg.Client,
  declared: Pick<DatabaseSchema, 'tenants'>,
  names: readonly string[],
  read: (includeSchemas: string[]) => Promise<readonly CatalogDependency[]>,
): Promise<CatalogDependency[]> {
  const t = declared.tenants;
  if (!t) return [...(await read([...names]))];
  const tenants = new Set((await readRegistry(c, t)).tenants);
  const edges = await read([...new Set([...names, ...tenants])]);
  const asTemplate = <O extends CatalogObject>(o: O): O => (tenants.has(o.ns) ? { ...o, ns: t.template } : o);
  return edges.map((e) => ({ ...e, on: asTemplate(e.on), dependent: asTemplate(e.dependent) }));
}
