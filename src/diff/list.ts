// The generic keyed list differ: every other differ pairs objects by identity here and compares the pairs.

/** One identity present in the source (`from`), the target (`to`), or both. */
export interface Pair<T> {
  readonly key: string;
  readonly from?: T;
  readonly to?: T;
}

// Code-unit order, the order normalize.ts sorts names in, so output never depends on the locale.
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Pairs two lists by key, in key order. Keys are unique within a list (the declared schema is validated). */
export function pairByKey<T>(from: readonly T[], to: readonly T[], key: (item: T) => string): Pair<T>[] {
  const source = new Map(from.map((x) => [key(x), x] as const));
  const target = new Map(to.map((x) => [key(x), x] as const));
  const keys = [...new Set([...source.keys(), ...target.keys()])].sort(byKey);
  return keys.map((k) => {
    const f = source.get(k);
    const t = target.get(k);
    return { key: k, ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) };
  });
}

export const byName = (x: { readonly name: string }): string => x.name;

/**
 * Structural equality, blind to key order and to keys whose value is undefined (the objects are plain JSON
 * data): what canonicalJson(a) === canonicalJson(b) says, without building the strings.
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i] ?? null, y[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x).filter((k) => x[k] !== undefined);
  const ky = Object.keys(y).filter((k) => y[k] !== undefined);
  if (kx.length !== ky.length) return false;
  for (const k of kx) if (!same(x[k], y[k])) return false;
  return true;
}

/** Copy without the given keys, for comparisons that leave some attributes to their own change kinds. */
export function omit<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  const out: Partial<T> = { ...obj };
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
}

/** `{ [key]: value }` when the value is present, `{}` otherwise: optional fields stay absent, never undefined. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
