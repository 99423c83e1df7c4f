// set_replica_identity: ALTER TABLE ... REPLICA IDENTITY (ACCESS EXCLUSIVE, briefly; no rewrite), in expand, with
// its index's lifecycle: USING INDEX is set once that index (or unique constraint, or primary key) exists, and
// an identity using an index is reset before that index is dropped (a dropped replica identity index leaves the
// table with no identity: updates and deletes then fail on a publisher). On a dropped table, reset in the
// contract of the next release before the table goes, so that rolling the drop back restores it.
import type { SetReplicaIdentity } from '../../diff/index.js';
import { qualified } from '../../db/quote.js';
import { describeReplicaIdentity, replicaIdentity } from '../../sql/render/index.js';
import { draft, none } from '../draft.js';
import { key } from '../keys.js';
import type { Handler, PlanContext, StepDraft } from '../types.js';
import { findTable, lockOn } from '../recipes/tables.js';

function step(c: SetReplicaIdentity, ctx: PlanContext, dropped: boolean): StepDraft {
  const index = (ri: SetReplicaIdentity['to']) =>
    ri !== undefined && typeof ri === 'object' ? [key.index(c.schema, ri.index)] : [];
  return draft({
    phase: dropped ? 'contract' : 'expand',
    releaseOffset: dropped ? 1 : 0,
    action: 'set_replica_identity',
    description: `replica identity of ${qualified(c.schema, c.table)}: ${describeReplicaIdentity(c.from)} -> ${describeReplicaIdentity(c.to)}`,
    sql: replicaIdentity(c.schema, c.table, c.to),
    rollback: [replicaIdentity(c.schema, c.table, c.from)],
    lock: 'ACCESS EXCLUSIVE',
    locks: dropped ? [[c.schema, c.table]] : lockOn(ctx, c.schema, c.table),
    // The index it leaves must outlive the step (dropped after it), the one it takes must exist before it.
    requires: [key.table(c.schema, c.table), ...index(c.from), ...index(c.to)],
  });
}

const isDropped = (c: SetReplicaIdentity, ctx: PlanContext) => findTable(ctx.target, c.schema, c.table) === undefined;

export const setReplicaIdentityHandler: Handler<SetReplicaIdentity> = {
  validate: () => [],
  expand: (c, ctx) => (isDropped(c, ctx) ? [] : [step(c, ctx, false)]),
  backfill: none,
  contract: (c, ctx) => (isDropped(c, ctx) ? [step(c, ctx, true)] : []),
};
