// The pair's full catalog fingerprint: both sides read by catalog.ts, each object's statements compared as
// text, every difference named. What legitimately differs between two servers is normalized here, and only
// this (README, "What the catalog comparison ignores"):
// - an extension's version (each server ships its own; the extension itself, and its schema, are compared);
// - runs of white space in definitions (pg_get_viewdef and pg_get_functiondef indent differently across majors);
// - when the majors differ, the owner and privileges of schema `public` (PostgreSQL 15 made it owned by
//   pg_database_owner, without CREATE for PUBLIC; a 14 server has the old ones);
// - when the majors differ, qualifiers in the definitions of views, materialized views and rules (PostgreSQL 16's
//   pg_get_viewdef prints `kind` where 15 printed `events.kind`): compared with every `name.` prefix removed;
// - the ledger schema: it is never read.
import { createHash } from 'node:crypto';
import type { Catalog, CatalogObject } from './catalog.js';

/** One object as compared: its statements (white space collapsed) and its owner. */
function normalized(o: CatalogObject): string {
  const statements = o.external ? o.statements : o.statements.map((s) => s.replace(/\s+/g, ' ').trim());
  return [...statements, ...(o.owner ? [`owner ${o.owner.role}`] : [])].join('\n');
}

const PUBLIC_SCHEMA = ['schema public', 'privileges on SCHEMA public'];

/** Objects whose text ruleutils prints: PostgreSQL 16 stopped qualifying column names it does not need to. */
const DEPARSED = /^(view|materialized view|rule) /;
/** `name.` and `"Name".` prefixes: qualifiers of tables, schemas and columns. */
const QUALIFIER = /(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\./g;

/** The objects of `c` by key, normalized for a comparison with a server of major `other`. */
export function comparable(c: Catalog, other: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of c.objects) {
    if (c.major !== other && PUBLIC_SCHEMA.includes(o.key)) continue;
    const text = normalized(o);
    out.set(o.key, c.major !== other && DEPARSED.test(o.key) ? text.replace(QUALIFIER, '') : text);
  }
  return out;
}

/** A fingerprint of the whole catalog (sha256 of every object's key and normalized definition). */
export function catalogFingerprint(c: Catalog, other = c.major): string {
  const h = createHash('sha256');
  for (const [k, v] of [...comparable(c, other)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    h.update(`${k}\0${v}\0`);
  return `sha256:${h.digest('hex')}`;
}

/** Where the first lines of two definitions part. */
function firstDifference(a: string, b: string): string {
  const [la, lb] = [a.split('\n'), b.split('\n')];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const cut = (s: string | undefined) =>
        s === undefined ? '(nothing)' : s.length > 160 ? `${s.slice(0, 160)}...` : s;
      return `${cut(la[i])} / ${cut(lb[i])}`;
    }
  }
  return '';
}

/**
 * Every difference between `live` and `standby`, one line each, naming the object: missing on the standby,
 * only on the standby, or defined differently (live's text / the standby's).
 */
export function catalogDifferences(
  live: Catalog,
  standby: Catalog,
  names = { live: 'live', standby: 'the standby' },
): string[] {
  const [l, s] = [comparable(live, standby.major), comparable(standby, live.major)];
  const out: string[] = [];
  for (const [key, def] of l) {
    const other = s.get(key);
    if (other === undefined) out.push(`${key}: missing on ${names.standby}`);
    else if (other !== def)
      out.push(`${key}: differs (${names.live} / ${names.standby}: ${firstDifference(def, other)})`);
  }
  for (const key of s.keys()) if (!l.has(key)) out.push(`${key}: only on ${names.standby}`);
  return out.sort();
}
