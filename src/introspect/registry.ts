// The tenants registry as the database answers it: the registry query from the declared schema's `tenants:`
// section (the runbook's `SELECT schema_name FROM central.tenants WHERE active`), checked against pg_namespace.
// The registry is user SQL: it runs read-only, and its values are only ever bound or quoted, never spliced.
// It lives with the catalog reads because the template reader (template.ts) needs it below the tenants layer.
import type pg from 'pg';
import { sendOne } from '../db/send.js';
import { SwitchyardError } from '../errors.js';
import type { TenantsConfig } from '../schema/model/model.js';

type Queryable = Pick<pg.Client, 'query'>;

export interface Registry {
  /** Schema names the registry lists that exist, sorted, without duplicates. */
  readonly tenants: readonly string[];
  /** Names the registry lists that have no schema in the database (never migrated; reported). */
  readonly missing: readonly string[];
  /** Whether the template schema itself exists in the database (then it is migrated with the tenants). */
  readonly templateExists: boolean;
}

export class RegistryError extends SwitchyardError {
  constructor(message: string, cause?: unknown) {
    super('TENANT_REGISTRY', message, 3, cause === undefined ? undefined : { cause });
  }
}

/** Runs the registry query in a read-only transaction and checks its names against pg_namespace. */
export async function readRegistry(db: Queryable, config: TenantsConfig): Promise<Registry> {
  let names: string[];
  await db.query('BEGIN READ ONLY');
  try {
    const res = await sendOne<Record<string, unknown>>(db, config.registry);
    const field = res.fields?.[0]?.name;
    if (field === undefined)
      throw new RegistryError(
        `the tenants registry query returned no column: it must return the tenant schema names (e.g. SELECT schema_name FROM central.tenants WHERE active)`,
      );
    names = res.rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string' && v !== '');
    if (names.length !== res.rows.length)
      throw new RegistryError(
        `the tenants registry query returned ${res.rows.length - names.length} row(s) whose first column is not a non-empty text schema name`,
      );
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    if (e instanceof SwitchyardError) throw e;
    throw new RegistryError(
      `the tenants registry query failed: ${(e as Error).message}\n  query: ${config.registry}\nfix: check \`tenants.registry\` in the declared schema`,
      e,
    );
  }
  const unique = [...new Set(names)].sort();
  const { rows } = await db.query<{ nspname: string }>(
    'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])',
    [[...unique, config.template]],
  );
  const existing = new Set(rows.map((r) => r.nspname));
  return {
    tenants: unique.filter((n) => existing.has(n) && n !== config.template),
    missing: unique.filter((n) => !existing.has(n)),
    templateExists: existing.has(config.template),
  };
}
