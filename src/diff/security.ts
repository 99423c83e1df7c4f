// Row-level security, policies, replica identity and persistence of a table. A policy is compared on every field
// but what the catalog derives (what it reads); a new table's flags, policies and replica identity are changes
// of their own (a policy after the functions and tables its expressions read, a replica identity after its
// index), and so are a dropped table's, so that rolling the drop back restores them.
import type { Policy, Table } from '../schema/model/model.js';
import type { RowSecurity } from './changes.js';
import { byName, pairByKey, same } from './list.js';
import type { Emit } from './order.js';

const flags = (t: Table | undefined): RowSecurity => ({
  enabled: t?.rowSecurity === true,
  forced: t?.forceRowSecurity === true,
});

const bare = (p: Policy): Policy => {
  if (p.derived === undefined) return p;
  const { derived: _, ...rest } = p;
  return rest;
};

/** `from`/`to` undefined for a table created or dropped. */
export function diffSecurity(
  emit: Emit,
  schema: string,
  table: string,
  f: Table | undefined,
  t: Table | undefined,
): void {
  const [a, b] = [flags(f), flags(t)];
  if (a.enabled !== b.enabled || a.forced !== b.forced)
    emit({ kind: 'set_row_security', schema, table, from: a, to: b });
  for (const { from: pf, to: pt } of pairByKey(f?.policies ?? [], t?.policies ?? [], byName)) {
    if (pf && pt) {
      if (!same(bare(pf), bare(pt))) emit({ kind: 'alter_policy', schema, table, from: pf, to: pt });
    } else if (pf) emit({ kind: 'drop_policy', schema, table, policy: pf });
    else if (pt) emit({ kind: 'create_policy', schema, table, policy: pt });
  }
  if (!same(f?.replicaIdentity, t?.replicaIdentity))
    emit({
      kind: 'set_replica_identity',
      schema,
      table,
      ...(f?.replicaIdentity !== undefined ? { from: f.replicaIdentity } : {}),
      ...(t?.replicaIdentity !== undefined ? { to: t.replicaIdentity } : {}),
    });
  if (f && t && Boolean(f.unlogged) !== Boolean(t.unlogged))
    emit({ kind: 'set_persistence', schema, table, unlogged: t.unlogged === true });
}
