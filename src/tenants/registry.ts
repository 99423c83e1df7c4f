// Which tenant schemas a command works on: the registry query from the declared schema's `tenants:` section
// (the runbook's `SELECT schema_name FROM central.tenants WHERE active`), narrowed by --tenants and --shard.
// Reading the registry is introspect/registry.ts; this file narrows what it returns.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { Registry } from '../introspect/registry.js';
import { ident } from '../db/quote.js';

/** `--shard I/N`: 1 <= I <= N. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(
      `--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4 for the second of four jobs`,
    );
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
export function selectTenants(
  registry: Registry,
  template: string,
  spec: 'all' | readonly string[],
  shard?: Shard,
): string[] {
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
          (missing.length
            ? ` (${missing.map(ident).join(', ')}: listed by the registry, but no such schema exists)`
            : ' (the registry query does not list it)') +
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
