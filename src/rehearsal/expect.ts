// What the planner expects after a phase, in its own terms: every object a step of the phase creates (and no
// later step of the phase drops) exists, and every object it drops (and does not create again) is gone.
// A hand-edited step that builds the wrong index, or forgets to drop the old column, fails here even when
// its rollback is right.
import { describeKey } from '../planner/keys.js';
import { modelKeys } from '../planner/keys.js';
import type { ObjectKey, Step } from '../planner/types.js';
import type { DatabaseSchema } from '../schema/model/model.js';

/** Key kinds a model shows; others (functions with argument lists, trigger states) are not checked here. */
const CHECKABLE = new Set([
  'schema',
  'type',
  'sequence',
  'table',
  'column',
  'index',
  'constraint',
  'trigger',
  'policy',
  'view',
]);

/** Readable problems: objects the phase should have created but did not, or should have dropped but left. */
export function unmetExpectations(steps: readonly Step[], after: DatabaseSchema): string[] {
  const created = new Map<ObjectKey, string>();
  const dropped = new Map<ObjectKey, string>();
  for (const s of steps) {
    // A raw SQL step names what it creates for ordering only: often an object the model does not hold (a
    // domain), which the rehearsal checks by comparing the inventory around the step instead.
    if (s.action === 'run_sql') continue;
    for (const k of s.drops) {
      created.delete(k);
      dropped.set(k, s.id);
    }
    for (const k of s.creates) {
      dropped.delete(k);
      created.set(k, s.id);
    }
  }
  const have = modelKeys(after);
  const checkable = (k: ObjectKey) => CHECKABLE.has(k.slice(0, k.indexOf(':')));
  const problems: string[] = [];
  for (const [k, id] of created)
    if (checkable(k) && !have.has(k))
      problems.push(`step ${id} should have created ${describeKey(k)}, which does not exist`);
  for (const [k, id] of dropped)
    if (checkable(k) && have.has(k))
      problems.push(`step ${id} should have dropped ${describeKey(k)}, which still exists`);
  return problems;
}
