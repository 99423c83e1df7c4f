// What the live side publishes, and what the role a subscription logs in as must read there. A publication
// names what it carries; the subscription's role (pair.replicationUser, when it is not the connected one) reads
// it by COPY for the initial copy, so it needs SELECT on every published table, the heartbeat included.
import type { Client } from '../db/connect.js';
import { ident, qualified } from '../db/quote.js';
import { serverVersion } from '../introspect/index.js';
import type { DatabaseSchema } from '../schema/model/model.js';
import { HEARTBEAT_TABLE } from './names.js';
import { schemaNames } from './scope.js';
import type { PublicationContent } from './sql.js';

/** What the live side publishes: the application schemas (or their tables before 15) and the heartbeat. */
export async function publicationContent(
  live: Client,
  model: DatabaseSchema,
  ledgerSchema: string,
): Promise<PublicationContent> {
  const { num } = await serverVersion(live);
  const {
    rows: [r],
  } = await live.query<{ su: boolean }>(`SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`);
  const heartbeat = [ledgerSchema, HEARTBEAT_TABLE] as const;
  // FOR TABLES IN SCHEMA (15+, superuser) also publishes tables created later; otherwise each table is named.
  if (num >= 150000 && r?.su) return { schemas: schemaNames(model), tables: [heartbeat] };
  // Unlogged tables cannot be published (preflight warns about them); partitions travel with their parent.
  const { rows } = await live.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition ORDER BY 1, 2`,
    [schemaNames(model)],
  );
  return { tables: [...rows.map((t) => [t.schema, t.name] as const), heartbeat] };
}

/** A separate replication role (pair.replicationUser) reads the heartbeat it carries; nothing for the connected role. */
export async function grantHeartbeat(db: Client, ledgerSchema: string, role: string): Promise<void> {
  const {
    rows: [r],
  } = await db.query<{ other: boolean }>(`SELECT rolname <> current_user AS other FROM pg_roles WHERE rolname = $1`, [
    role,
  ]);
  if (!r?.other) return;
  await db.query(`GRANT USAGE ON SCHEMA ${ident(ledgerSchema)} TO ${ident(role)}`);
  await db.query(`GRANT SELECT ON ${qualified(ledgerSchema, HEARTBEAT_TABLE)} TO ${ident(role)}`);
}
