// A constraint redefined under the same name (add_check, add_foreign_key) lives under a temporary name until
// the old definition is dropped in the next release, then takes the name with RENAME CONSTRAINT.
import { ident } from '../../db/quote.js';
import { alterTable } from '../../sql/render/common.js';
import type { PlanContext } from '../types.js';
import { findTable } from './constraints.js';

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
