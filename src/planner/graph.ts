// Ordering from a dependency graph, never from the order changes were found: within a (release, phase) a step
// comes after every step creating what it requires, and a step dropping X comes after every step that
// requires X. Rolling a phase back runs the rollbacks in reverse, which is then also dependency order:
// foreign keys go before the unique indexes they use, sync triggers before the columns they write.
import { SwitchyardError } from '../errors.js';
import { milestone } from './recipes/dependents.js';
import { describeKey } from './keys.js';
import type { ObjectKey, StepDraft } from './types.js';

export class DependencyCycleError extends SwitchyardError {
  readonly steps: readonly string[];
  constructor(steps: readonly string[]) {
    super('DEPENDENCY_CYCLE', `the steps depend on each other in a cycle: ${steps.join(' -> ')}`, 1);
    this.steps = steps;
  }
}

/**
 * Topological order of `drafts` (Kahn's algorithm); among steps free to go, the one listed first goes first,
 * so the result is deterministic and keeps the natural order where dependencies allow.
 */
export function orderSteps<T extends Pick<StepDraft, 'creates' | 'requires' | 'drops' | 'description'>>(
  drafts: readonly T[],
): T[] {
  const n = drafts.length;
  const creators = new Map<ObjectKey, number[]>();
  const requirers = new Map<ObjectKey, number[]>();
  drafts.forEach((d, i) => {
    for (const k of d.creates) push(creators, k, i);
    for (const k of d.requires) push(requirers, k, i);
  });
  const after: Set<number>[] = drafts.map(() => new Set());
  const indegree = new Array<number>(n).fill(0);
  const edge = (from: number, to: number) => {
    if (from === to || after[from]!.has(to)) return;
    after[from]!.add(to);
    indegree[to]!++;
  };
  drafts.forEach((d, i) => {
    for (const k of d.requires) for (const c of creators.get(k) ?? []) if (!recreates(drafts[c]!, k)) edge(c, i);
    for (const k of d.drops) for (const r of requirers.get(k) ?? []) if (!drafts[r]!.creates.includes(k)) edge(r, i);
  });
  const ready = new MinHeap();
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  const out: T[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    out.push(drafts[i]!);
    for (const j of after[i]!) if (--indegree[j]! === 0) ready.push(j);
  }
  if (out.length < n) {
    const stuck = drafts.filter((_, i) => indegree[i]! > 0).map((d) => d.description);
    throw new DependencyCycleError(stuck);
  }
  return out;
}

/**
 * A step creating k that requires k's `gone` milestone puts k back under its old name after another step of
 * the phase dropped it (recreate_enum renames the replacement into place). Steps of the phase requiring k need
 * the object the drop removes, so they go before that drop, not after the re-creation.
 */
function recreates(d: Pick<StepDraft, 'requires'>, k: ObjectKey): boolean {
  return d.requires.includes(milestone.gone(k));
}

/** Keys some step requires that no step of the plan creates and the source does not have. */
export function missingRequirements(drafts: readonly StepDraft[], exists: (k: ObjectKey) => boolean): string[] {
  const created = new Set(drafts.flatMap((d) => d.creates));
  const missing = new Set<string>();
  for (const d of drafts)
    for (const k of d.requires)
      if (!created.has(k) && !exists(k)) missing.add(`${d.description} needs ${describeKey(k)}`);
  return [...missing].sort();
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Smallest index first, in O(log n): a plan over thousands of tables has phases of thousands of steps. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
