// An index redefined under the same name, online as pg-schema-diff does it: add_index builds the new definition
// concurrently under a temporary name (`<name>__new`), then swaps the names in one statement (the old one to
// `<name>__old`, the new one to the name: two renames in a DO block, one short transaction); drop_index drops
// the old one concurrently in the contract of the next release. Queries always have one of the two, an index
// always has the name, and every step has its rollback.
import type { Index } from '../../schema/model/model.js';
import { ident, qualified } from '../../db/quote.js';
import type { PlanContext } from '../types.js';
import { findTable, relationNamedInSource } from './constraints.js';
import { derivedName, sourceTable } from './tables.js';

export interface ReplacementNames {
  /** The new definition's name while it is built. */
  readonly temp: string;
  /** The old definition's name once the new one has taken its own. */
  readonly retired: string;
}

export const replacementNames = (name: string): ReplacementNames => ({
  temp: derivedName(name, '__new'),
  retired: derivedName(name, '__old'),
});

export const renameIndex = (schema: string, from: string, to: string): string =>
  `ALTER INDEX ${qualified(schema, from)} RENAME TO ${ident(to)}`;

/** For add_index: the valid source index of the same name on the same table that this one replaces. */
export function indexReplaced(ctx: PlanContext, schema: string, table: string, name: string): Index | undefined {
  const taken = relationNamedInSource(ctx, schema, name);
  return taken?.table === table && taken.index && !taken.index.invalid ? taken.index : undefined;
}

/** For drop_index: whether a target index of the same name on the same table replaces this (valid) one. */
export function indexReplacing(ctx: PlanContext, schema: string, table: string, ix: Index): boolean {
  return !ix.invalid && (findTable(ctx.target, schema, table)?.indexes.some((x) => x.name === ix.name) ?? false);
}

/**
 * Whether the table's replica identity is this index on both sides: REPLICA IDENTITY USING INDEX follows the
 * index, not the name, so the step giving the new definition the name must point the identity at it.
 */
export function replicaIdentityFollows(ctx: PlanContext, schema: string, table: string, name: string): boolean {
  const uses = (ri: unknown) => typeof ri === 'object' && ri !== null && (ri as { index: string }).index === name;
  return (
    uses(sourceTable(ctx, schema, table)?.replicaIdentity) &&
    uses(findTable(ctx.target, schema, table)?.replicaIdentity)
  );
}

/** The temporary names must be free in the source and the target. */
export function replacementNamesTaken(ctx: PlanContext, schema: string, name: string): string[] {
  const { temp, retired } = replacementNames(name);
  return [temp, retired].filter(
    (n) =>
      relationNamedInSource(ctx, schema, n) !== undefined ||
      (ctx.target.schemas.find((s) => s.name === schema)?.tables ?? []).some((t) =>
        t.indexes.some((x) => x.name === n),
      ),
  );
}
