// Reporting every problem at once means checking references even when part of the file is malformed. The
// malformed parts are cut out (the smallest enclosing named entry or optional key) and remembered as
// broken, so that the semantic checks run on the rest and stay silent about references into broken parts.
import type { z } from 'zod';
import { flatten } from './issues.js';
import { schemaAt, shapeOf, slot, valueAt, type Path } from './zod-walk.js';

/** Paths cut out of the data, with a prefix test. */
export class Broken {
  private readonly paths = new Set<string>();
  add(path: Path): void {
    this.paths.add(path.map(String).join('\0'));
  }
  /** Whether `path` or one of its ancestors was cut out. */
  covers(path: Path): boolean {
    for (let i = 1; i <= path.length; i++) if (this.paths.has(path.slice(0, i).map(String).join('\0'))) return true;
    return false;
  }
  some(test: (path: readonly string[]) => boolean): boolean {
    for (const p of this.paths) if (test(p.split('\0'))) return true;
    return false;
  }
  /** Whether something at or below `path` was cut out. */
  within(path: Path): boolean {
    const prefix = path.map(String).join('\0');
    for (const p of this.paths) if (p === prefix || p.startsWith(prefix + '\0') || prefix.startsWith(p + '\0')) return true;
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

/** The valid part of `data` (or undefined when nothing sensible remains) and what was cut out. */
export function salvage<T>(root: z.ZodType<T>, data: unknown): { data: T; broken: Broken } | undefined {
  const current: unknown = structuredClone(data);
  const broken = new Broken();
  for (let round = 0; round < 8; round++) {
    const result = root.safeParse(current);
    if (result.success) return { data: result.data, broken };
    for (const issue of flatten(result.error.issues, current, root)) {
      const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
      const target = valueAt(current, path);
      if (issue.code === 'unrecognized_keys' && target !== null && typeof target === 'object') {
        for (const k of issue.keys) delete (target as Record<string, unknown>)[k];
        continue;
      }
      const cut = cutPoint(root, current, path);
      if (!cut) return undefined;
      const holder = valueAt(current, cut.slice(0, -1));
      if (holder !== null && typeof holder === 'object') delete (holder as Record<string, unknown>)[String(cut[cut.length - 1])];
      broken.add(cut);
    }
  }
  return undefined;
}
