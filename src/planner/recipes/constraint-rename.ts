// A constraint redefined under the same name (add_check, add_foreign_key) lives under a temporary name until
// the old definition is dropped in the next release, then takes the name with RENAME CONSTRAINT.
import { ident } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import { draft } from '../draft.js';
import { key } from '../keys.js';
import type { PlanContext, StepDraft } from '../types.js';
import { findTable } from './constraints.js';
import { milestone } from './dependents.js';

export const renameConstraint = (schema: string, table: string, from: string, to: string): string =>
  alterTable(schema, table, `RENAME CONSTRAINT ${ident(from)} TO ${ident(to)}`);

/** Whether a constraint of the table is named `name` in the source or the target (names are unique per table). */
export function constraintNameTaken(ctx: PlanContext, schema: string, table: string, name: string): boolean {
  return [ctx.source, ctx.target].some((db) => {
    const t = findTable(db, schema, table);
    return (
      t?.primaryKey?.name === name ||
      [...(t?.unique ?? []), ...(t?.foreignKeys ?? []), ...(t?.checks ?? [])].some((x) => x.name === name)
    );
  });
}

/**
 * The contract step (a release after the old definition's drop) giving the new definition, built under
 * `temp`, its `name`: `action` is rename_check or rename_foreign_key, `what` the constraint for humans.
 */
export function renameToNameStep(
  schema: string,
  table: string,
  temp: string,
  name: string,
  action: string,
  what: string,
): StepDraft {
  return draft({
    phase: 'contract',
    releaseOffset: 1,
    action,
    description: `give the new definition of ${what} its name`,
    sql: renameConstraint(schema, table, temp, name),
    rollback: [renameConstraint(schema, table, name, temp)],
    lock: 'ACCESS EXCLUSIVE',
    locks: [[schema, table]],
    creates: [key.constraint(schema, table, name)],
    // The new definition leaves its temporary name: the phase's expectations (rehearsal) must not look for it.
    drops: [key.constraint(schema, table, temp)],
    requires: [key.constraint(schema, table, temp), milestone.gone(key.constraint(schema, table, name))],
  });
}
