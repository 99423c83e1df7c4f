// Navigating the zod schema along a path of the input, so that YAML scalars can be read as the type the
// schema expects, unknown keys can get a "did you mean", and broken entries can be cut out (salvage.ts).
import { z } from 'zod';

export type Segment = string | number;
export type Path = readonly Segment[];
/** What an input value is, enough to choose between the options of a union. */
export type Shape = 'map' | 'list' | 'scalar';

type Schema = z.ZodType;

export function shapeOf(value: unknown): Shape {
  return Array.isArray(value) ? 'list' : value !== null && typeof value === 'object' ? 'map' : 'scalar';
}

/** The schema under optional/nullable/default/pipe wrappers. */
export function unwrap(s: Schema): Schema {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as Schema;
    else if (s instanceof z.ZodPipe) s = s.in as Schema;
    else return s;
  }
}

/** For a union, the option that fits an input of this shape (the first one when none fits). */
export function pick(s: Schema, shape: Shape): Schema {
  const u = unwrap(s);
  if (!(u instanceof z.ZodUnion)) return u;
  const options = u.options as readonly Schema[];
  const fits = (o: Schema): boolean => {
    const x = unwrap(o);
    return shape === 'list'
      ? x instanceof z.ZodArray
      : shape === 'map'
        ? x instanceof z.ZodObject || x instanceof z.ZodRecord
        : !(x instanceof z.ZodArray || x instanceof z.ZodObject || x instanceof z.ZodRecord);
  };
  return unwrap(options.find(fits) ?? (options[0] as Schema));
}

/** The schema of `segment` inside a value of schema `s` and shape `shape`. */
export function child(s: Schema, segment: Segment, shape: Shape): Schema | undefined {
  const u = pick(s, shape);
  if (u instanceof z.ZodObject) return (u.shape as Record<string, Schema>)[String(segment)];
  if (u instanceof z.ZodRecord) return u.valueType as Schema;
  if (u instanceof z.ZodArray) return u.element as Schema;
  return undefined;
}

/**
 * The schema of each key of a mapping of schema `s`, the union option picked once for all its keys (a
 * record of 65,000 tables is walked key by key). `names`: the keys are names (a record).
 */
export function childrenOf(s: Schema): { readonly names: boolean; readonly of: (key: string) => Schema | undefined } {
  const u = pick(s, 'map');
  if (u instanceof z.ZodRecord) {
    const value = u.valueType as Schema;
    return { names: true, of: () => value };
  }
  if (u instanceof z.ZodObject) {
    const shape = u.shape as Record<string, Schema>;
    return { names: false, of: (key) => (Object.hasOwn(shape, key) ? shape[key] : undefined) };
  }
  return { names: false, of: () => undefined };
}

/** How `segment` sits in its parent: a record entry, an optional or required key, a list item. */
export function slot(
  s: Schema,
  segment: Segment,
  shape: Shape,
): 'entry' | 'optional' | 'required' | 'item' | undefined {
  const u = pick(s, shape);
  if (u instanceof z.ZodRecord) return 'entry';
  if (u instanceof z.ZodArray) return 'item';
  if (u instanceof z.ZodObject) {
    const field = (u.shape as Record<string, Schema>)[String(segment)];
    return field === undefined ? undefined : field instanceof z.ZodOptional ? 'optional' : 'required';
  }
  return undefined;
}

/** The value at `path` inside plain data. */
export function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.hasOwn(v, seg) ? (v as Record<Segment, unknown>)[seg] : undefined;
  }
  return v;
}

/** The schema at `path`, choosing union options by the shapes found in `data`. */
export function schemaAt(root: Schema, data: unknown, path: Path): Schema | undefined {
  let s: Schema | undefined = root;
  for (let i = 0; i < path.length && s; i++) s = child(s, path[i] as Segment, shapeOf(valueAt(data, path.slice(0, i))));
  return s;
}

/** Keys an object schema accepts (for "did you mean"); empty for anything else. */
export function keysOf(s: Schema | undefined, shape: Shape = 'map'): string[] {
  const u = s && pick(s, shape);
  return u instanceof z.ZodObject ? Object.keys(u.shape as object) : [];
}

/** Whether a scalar at this schema is read as text (so `1.50` stays `"1.50"`, `true` stays `"true"`). */
export function expectsText(s: Schema | undefined): boolean {
  const u = s && pick(s, 'scalar');
  return u instanceof z.ZodString || u instanceof z.ZodEnum;
}
