// The full catalog comparison of the two sides, for `pair status` and the cutover gate: every object of the
// application schemas (catalog.ts), not only what the model holds. A policy dropped by hand on the standby,
// a grant, a comment, a trigger's enabled state: each difference is named, and the gate refuses the switch.
//
// One exception, by design: while a release is in flight (its expand or backfill has run on one side and its
// contract on neither), the sides differ on purpose (expand runs on the standby, and after a cutover the old
// side keeps the old schema for a cutback). The differences are then named but do not refuse the switch:
// the model-based checks of the gate (columns, reverse path, replica identity, grants) guard that case.
import { qualified } from '../db/quote.js';
import type { Queryable } from '../introspect/index.js';
import { readCatalog } from './catalog.js';
import { catalogDifferences, catalogFingerprint } from './catalog-compare.js';
import type { GateCheck } from './gate-roles.js';

export interface CatalogComparison {
  readonly live: string;
  readonly standby: string;
  readonly equal: boolean;
  /** One line per object that differs, naming it (catalog-compare.ts). */
  readonly differences: readonly string[];
}

/** Both sides' full catalog fingerprints and their differences (`names` say which side is which in the lines). */
export async function compareSides(
  live: Queryable,
  standby: Queryable,
  schemas: readonly string[],
  names: { live: string; standby: string },
): Promise<CatalogComparison> {
  const [l, s] = [await readCatalog(live, schemas), await readCatalog(standby, schemas)];
  const differences = catalogDifferences(l, s, names);
  return {
    live: catalogFingerprint(l, s.major),
    standby: catalogFingerprint(s, l.major),
    equal: differences.length === 0,
    differences,
  };
}

/** Releases whose expand or backfill ran on a side and whose contract ran on neither, as `plan release N`. */
export async function releasesInFlight(sides: readonly Queryable[], ledgerSchema: string): Promise<string[]> {
  const expanded = new Set<string>();
  const contracted = new Set<string>();
  for (const db of sides) {
    const {
      rows: [t],
    } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(ledgerSchema, 'steps')]);
    if (!t?.t) continue;
    const { rows } = await db.query<{ plan: string; release: number; contract: boolean }>(
      `SELECT DISTINCT plan, release, phase = 'contract' AS contract FROM ${qualified(ledgerSchema, 'steps')} WHERE status = 'done'`,
    );
    for (const r of rows) (r.contract ? contracted : expanded).add(`${r.plan} release ${r.release}`);
  }
  return [...expanded].filter((r) => !contracted.has(r)).sort();
}

/** The gate's `catalog` check: the side that becomes live has every object of the side that is live, the same. */
export async function catalogGate(
  live: Queryable,
  next: Queryable,
  from: string,
  to: string,
  schemas: readonly string[],
  ledgerSchema: string,
): Promise<GateCheck> {
  const c = await compareSides(live, next, schemas, { live: from, standby: to });
  if (c.equal)
    return {
      check: 'catalog',
      ok: true,
      detail: `${from} and ${to} have the same catalog (${c.live.slice(0, 19)}...)`,
    };
  const shown = `${c.differences.slice(0, 20).join('; ')}${c.differences.length > 20 ? `; and ${c.differences.length - 20} more` : ''}`;
  const flight = await releasesInFlight([live, next], ledgerSchema);
  if (flight.length)
    return {
      check: 'catalog',
      ok: true,
      detail: `${c.differences.length} difference(s), expected while ${flight.join(', ')} is in flight: ${shown}`,
    };
  return {
    check: 'catalog',
    ok: false,
    detail: `${to} differs from ${from} (no release is in flight to explain it): ${shown}; fix: make ${to} as ${from} is, or switchyard pair resync`,
  };
}
