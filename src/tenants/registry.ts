// Which tenant schemas a command works on: the registry query from the declared schema's `tenants:` section
// (the runbook's `SELECT schema_name FROM central.tenants WHERE active`), narrowed by --tenants and --shard.
// The registry is user SQL: it runs read-only, and its values are only ever bound or quoted, never spliced.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { SwitchyardError, UsageError } from '../errors.js';
import type { TenantsConfig } from '../schema/model.js';
import { ident } from '../sql/quote.js';
import { sendOne } from '../db/send.js';

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
    if (field === undefined) throw new RegistryError(`the tenants registry query returned no column: it must return the tenant schema names (e.g. SELECT schema_name FROM central.tenants WHERE active)`);
    names = res.rows.map((r) => r[field]).filter((v): v is string => typeof v === 'string' && v !== '');
    if (names.length !== res.rows.length) throw new RegistryError(`the tenants registry query returned ${res.rows.length - names.length} row(s) whose first column is not a non-empty text schema name`);
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    if (e instanceof SwitchyardError) throw e;
    throw new RegistryError(`the tenants registry query failed: ${(e as Error).message}\n  query: ${config.registry}\nfix: check \`tenants.registry\` in the declared schema`, e);
  }
  const unique = [...new Set(names)].sort();
  const { rows } = await db.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])', [[...unique, config.template]]);
  const existing = new Set(rows.map((r) => r.nspname));
  return {
    tenants: unique.filter((n) => existing.has(n) && n !== config.template),
    missing: unique.filter((n) => !existing.has(n)),
    templateExists: existing.has(config.template),
  };
}

/** `--shard I/N`: 1 <= I <= N. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4 for the second of four jobs`);
  return { index, count };
}

/**
 * Stable: a tenant's shard depends only on its name (a hash), never on the registry's order or size, so
 * adding tenants does not move the others between jobs.
 */
export function shardOf(name: string, count: number): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) % count) + 1;
}

/** `--tenants all` (or absent) or a list of names; the template schema is a unit of `all` when it exists. */
export function selectTenants(registry: Registry, template: string, spec: 'all' | readonly string[], shard?: Shard): string[] {
  let units: string[];
  if (spec === 'all') {
    units = [...(registry.templateExists ? [template] : []), ...registry.tenants];
  } else {
    const known = new Set([...registry.tenants, ...(registry.templateExists ? [template] : [])]);
    const unknown = spec.filter((n) => !known.has(n));
    if (unknown.length) {
      const missing = unknown.filter((n) => registry.missing.includes(n));
      throw new UsageError(
        `--tenants: ${unknown.map(ident).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not an active tenant with a schema` +
          (missing.length ? ` (${missing.map(ident).join(', ')}: listed by the registry, but no such schema exists)` : ' (the registry query does not list it)') +
          `\nfix: switchyard tenants list shows the tenants`,
      );
    }
    units = [...new Set(spec)];
  }
  return shard ? units.filter((n) => shardOf(n, shard.count) === shard.index) : units;
}

/** `--tenants all|a,b`: names as given (quoting is the shell's business; commas separate). */
export function parseTenantsFlag(values: readonly string[] | undefined): 'all' | string[] {
  if (values === undefined || values.length === 0 || (values.length === 1 && values[0] === 'all')) return 'all';
  if (values.includes('all')) throw new UsageError('--tenants all cannot be combined with tenant names');
  return [...values];
}
