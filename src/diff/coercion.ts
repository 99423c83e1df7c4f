// Which type changes PostgreSQL makes without rewriting the table. A static list on format_type() spellings,
// mirroring the planner support functions of the server (varchar_support, numeric_support, varbit_support,
// TemporalSimplify) and the binary-compatible casts. Anything not listed is treated as a rewrite: a wrong
// "no" costs the two-column recipe, a wrong "yes" would take an ACCESS EXCLUSIVE lock for a whole rewrite.

interface ParsedType {
  readonly name: string;
  /** Type modifiers, e.g. [12, 2] for numeric(12,2); empty when unconstrained. */
  readonly mods: readonly number[];
  /** ` with time zone` / ` without time zone`, or ''. */
  readonly zone: string;
}

const TYPE = /^([a-z][a-z ]*?)(?:\((\d+)(?:,(\d+))?\))?((?: with| without) time zone)?$/;

function parse(type: string): ParsedType | undefined {
  const m = TYPE.exec(type);
  if (!m) return undefined;
  const mods = [m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  return { name: m[1] as string, mods, zone: m[4] ?? '' };
}

// Both spellings PostgreSQL treats as the same family with a length modifier that only limits values.
const LENGTH_LIMITED = new Set(['character varying', 'bit varying']);
const TEMPORAL = new Set(['timestamp', 'time']);
const MAX_TEMPORAL_PRECISION = 6;

/** True when ALTER COLUMN ... TYPE from `from` to `to` needs no table rewrite on every supported server. */
export function isBinaryCoercible(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === 'cidr' && to === 'inet') return true;
  const f = parse(from);
  const t = parse(to);
  if (!f || !t) return false;
  // varchar and text share a representation; only a length limit on the target would need a check.
  if (f.name === 'character varying' && t.name === 'text') return true;
  if (f.name === 'text' && t.name === 'character varying') return t.mods.length === 0;
  if (f.name !== t.name || f.zone !== t.zone) return false;
  const [fm] = f.mods;
  const [tm] = t.mods;
  if (LENGTH_LIMITED.has(f.name)) return tm === undefined || (fm !== undefined && tm >= fm);
  if (f.name === 'numeric') {
    if (tm === undefined) return true;
    return fm !== undefined && tm >= fm && (f.mods[1] ?? 0) === (t.mods[1] ?? 0);
  }
  // timestamp -> timestamptz is not here: it depends on the session time zone (zone differs above).
  if (TEMPORAL.has(f.name)) {
    return tm === undefined || tm === MAX_TEMPORAL_PRECISION || (fm !== undefined && tm >= fm);
  }
  return false;
}
