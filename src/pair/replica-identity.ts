// Replica identity on the standby as on live. A keyless table that is REPLICA IDENTITY FULL on live replicates
// into the standby (the apply worker finds rows by their whole content), but if the new live side published it
// with DEFAULT and no key after a cutover, every UPDATE and DELETE there would fail: an outage. The model holds
// the replica identity (so the standby built from it has it); `pair init` still compares both sides and copies
// what differs, with the planner's statement (sql/render/security.ts).
import { databaseError } from '../errors.js';
import type { Queryable } from '../introspect/index.js';
import { qualified } from '../db/quote.js';
import { replicaIdentity } from '../sql/render/index.js';

interface IdentityRow {
  schema: string;
  table: string;
  /** d (default), f (full), n (nothing), i (index). */
  identity: 'd' | 'f' | 'n' | 'i';
  index: string | null;
}

async function identities(db: Queryable, schemas: readonly string[]): Promise<Map<string, IdentityRow>> {
  const { rows } = await db.query<IdentityRow>(
    `SELECT n.nspname AS schema, c.relname AS table, c.relreplident AS identity,
            (SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid AND x.indisreplident) AS index
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' ORDER BY 1, 2`,
    [schemas],
  );
  return new Map(rows.map((r) => [qualified(r.schema, r.table), r]));
}

/** The ALTER TABLE giving `r`'s replica identity. */
export function replicaIdentityStatement(r: IdentityRow): string {
  return replicaIdentity(
    r.schema,
    r.table,
    r.identity === 'f'
      ? 'full'
      : r.identity === 'n'
        ? 'nothing'
        : r.identity === 'i' && r.index
          ? { index: r.index }
          : undefined,
  );
}

/** Gives each table of `schemas` on `to` the replica identity it has on `from`; returns the statements run. */
export async function copyReplicaIdentity(
  from: Queryable,
  to: Queryable,
  schemas: readonly string[],
): Promise<string[]> {
  const [want, have] = [await identities(from, schemas), await identities(to, schemas)];
  const run: string[] = [];
  for (const [name, w] of want) {
    const h = have.get(name);
    if (!h || (h.identity === w.identity && h.index === w.index)) continue;
    const statement = replicaIdentityStatement(w);
    try {
      await to.query(statement);
    } catch (e) {
      throw databaseError(`setting the replica identity of ${name} on the standby`, e);
    }
    run.push(statement);
  }
  return run;
}
