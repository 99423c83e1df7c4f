// Reporting every problem at once means checking references even when part of the file is malformed. The
// malformed parts are cut out (the smallest enclosing named entry or optional key) and remembered as
// broken, so that the semantic checks run on the rest and stay silent about references into broken parts.
import type { z } from 'zod';
import { flatten } from './issues.js';
import { schemaAt, shapeOf, slot, valueAt, type Path } from './zod-walk.js';

interface Cut {
  /** This path itself was cut out. */
  cut: boolean;
  readonly below: Map<string, Cut>;
}

/**
 * Paths cut out of the data, as a tree of segments: the checks ask about every reference, and a list of cut
 * paths scanned per question made a file with thousands of broken tables quadratic (22 s of 37 for 65,000
 * tables, issue #13). A node exists only on the way to a cut.
 */
export class Broken {
  private readonly root: Cut = { cut: false, below: new Map() };

  add(path: Path): void {
    let node = this.root;
    for (const seg of path) {
      let next = node.below.get(String(seg));
      if (!next) node.below.set(String(seg), (next = { cut: false, below: new Map() }));
      node = next;
    }
    node.cut = true;
  }

  /** Whether `path` or one of its ancestors was cut out. */
  covers(path: Path): boolean {
    let node: Cut | undefined = this.root;
    for (const seg of path) {
      node = node.below.get(String(seg));
      if (!node) return false;
      if (node.cut) return true;
    }
    return false;
  }

  /** Whether something at or below `path`, or an ancestor of it, was cut out. */
  within(path: Path): boolean {
    let node: Cut | undefined = this.root;
    for (const seg of path) {
      node = node.below.get(String(seg));
      if (!node) return false;
      if (node.cut) return true;
    }
    return true;
  }

  /** Whether a whole schema was cut out: `schema`, or any when it is undefined. */
  schemaCut(schema?: string): boolean {
    const schemas = this.root.below.get('schemas');
    if (!schemas) return false;
    if (schema !== undefined) return schemas.below.get(schema)?.cut === true;
    for (const s of schemas.below.values()) if (s.cut) return true;
    return false;
  }
}

function cutPoint(root: z.ZodType, data: unknown, path: Path): Path | undefined {
  for (let i = path.length; i >= 1; i--) {
    const parent = path.slice(0, i - 1);
    const parentSchema = schemaAt(root, data, parent);
    const where = parentSchema && slot(parentSchema, path[i - 1] as string | number, shapeOf(valueAt(data, parent)));
    if (where === 'entry' || where === 'optional') return path.slice(0, i);
  }
  return undefined;
}

/**
 * The valid part of `data` (or undefined when nothing sensible remains) and what was cut out. `issues`: those
 * of the parse the caller already ran on `data`, so that a large file is not parsed once more for them.
 */
export function salvage<T>(
  root: z.ZodType<T>,
  data: unknown,
  issues?: readonly z.core.$ZodIssue[],
): { data: T; broken: Broken } | undefined {
  const current: unknown = structuredClone(data);
  const broken = new Broken();
  for (let round = 0; round < 8; round++) {
    let found = round === 0 ? issues : undefined;
    if (!found) {
      const result = root.safeParse(current);
      if (result.success) return { data: result.data, broken };
      found = result.error.issues;
    }
    for (const issue of flatten(found, current, root)) {
      const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
      const target = valueAt(current, path);
      if (issue.code === 'unrecognized_keys' && target !== null && typeof target === 'object') {
        for (const k of issue.keys) delete (target as Record<string, unknown>)[k];
        continue;
      }
      const cut = cutPoint(root, current, path);
      if (!cut) return undefined;
      const holder = valueAt(current, cut.slice(0, -1));
      if (holder !== null && typeof holder === 'object')
        delete (holder as Record<string, unknown>)[String(cut[cut.length - 1])];
      broken.add(cut);
    }
  }
  return undefined;
}
