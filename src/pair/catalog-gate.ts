// The full catalog comparison of the two sides, for `pair status` and the cutover gate: every object of the
// application schemas (catalog.ts), not only what the model holds. A policy dropped by hand on the standby,
// a grant, a comment, a trigger's enabled state: each difference is named, and the gate refuses the switch.
//
// One exception, by design: while a release is in flight (its expand or backfill has run on one side and its
// contract on neither), the sides differ on purpose (expand runs on the standby, and after a cutover the old
// side keeps the old schema for a cutback). The differences are then named; the switch is refused only when
// the side it goes to is the one the expand ran on and lacks an object of the other (an expand never drops);
// the model-based checks of the gate (columns, reverse path, replica identity, grants) guard the rest.
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

/**
 * Releases whose expand or backfill ran on a side and whose contract ran on neither, as `plan release N`, each
 * with the indexes (in `sides`) of the sides whose ledger records its expand or backfill.
 */
export async function releasesInFlight(
  sides: readonly Queryable[],
  ledgerSchema: string,
): Promise<{ release: string; expandedOn: number[] }[]> {
  const expanded = new Map<string, number[]>();
  const contracted = new Set<string>();
  for (const [i, db] of sides.entries()) {
    const {
      rows: [t],
    } = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qualified(ledgerSchema, 'steps')]);
    if (!t?.t) continue;
    const { rows } = await db.query<{ plan: string; release: number; contract: boolean }>(
      `SELECT DISTINCT plan, release, phase = 'contract' AS contract FROM ${qualified(ledgerSchema, 'steps')} WHERE status = 'done'`,
    );
    for (const r of rows) {
      const key = `${r.plan} release ${r.release}`;
      if (r.contract) contracted.add(key);
      else if (!expanded.get(key)?.includes(i)) expanded.set(key, [...(expanded.get(key) ?? []), i]);
    }
  }
  return [...expanded]
    .filter(([release]) => !contracted.has(release))
    .map(([release, expandedOn]) => ({ release, expandedOn }))
    .sort((a, b) => (a.release < b.release ? -1 : 1));
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
  if (flight.length) {
    // An expand adds and alters, never drops: the side it ran on lacks nothing the other side has. Only a
    // cutback (to the side the release has not reached) may find objects missing on the side it goes to.
    const expandedOnNext = flight.some((f) => f.expandedOn.includes(1));
    const missing = c.differences.filter((d) => d.endsWith(`: missing on ${to}`));
    if (expandedOnNext && missing.length)
      return {
        check: 'catalog',
        ok: false,
        detail: `${to}, where ${flight.map((f) => f.release).join(', ')} ran its expand, lacks what ${from} has (an expand never drops): ${missing.slice(0, 20).join('; ')}; fix: make ${to} as ${from} is, or switchyard pair resync`,
      };
    return {
      check: 'catalog',
      ok: true,
      detail: `${c.differences.length} difference(s), expected while ${flight.map((f) => f.release).join(', ')} is in flight: ${shown}`,
    };
  }
  return {
    check: 'catalog',
    ok: false,
    detail: `${to} differs from ${from} (no release is in flight to explain it): ${shown}; fix: make ${to} as ${from} is, or switchyard pair resync`,
  };
}
