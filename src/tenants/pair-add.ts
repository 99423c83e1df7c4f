// A tenant added to a streaming pair: its schema is built on both sides (each at its own side's version, see
// tenants add), then its tables join the stream: the live side's publication gets them (the whole schema when
// it publishes schemas, else each table with the columns the standby has too), the standby's subscription is
// refreshed so it copies just those tables, and the command waits for their copy to finish.
import type { Client } from '../db/connect.js';
import { databaseError } from '../errors.js';
import { serverVersion } from '../introspect/index.js';
import { PairError } from '../pair/errors.js';
import { parseStreamName, publicationName } from '../pair/names.js';
import { pairSubscriptions, publishedTables } from '../pair/replicate.js';
import type { Sides } from '../pair/session.js';
import { addToPublication, refreshSubscription, type PublishedTable } from '../pair/sql.js';
import { tableSyncStates } from '../pair/sync.js';
import { ident, qualified } from '../db/quote.js';

export interface StreamJoin {
  /** False when the pair is not streaming from live (torn down after a contract, or never initialized). */
  readonly streaming: boolean;
  readonly publication?: string;
  readonly subscription?: string;
  readonly tables: number;
  readonly ms: number;
}

/** The live side's stream to the standby: its publication and the standby's subscription to it, if both exist. */
export async function liveStream(
  live: Client,
  standby: Client,
  sides: Sides,
): Promise<{ publication: string; subscription: string } | undefined> {
  const publication = publicationName(sides.live);
  if ((await publishedTables(live, publication)) === undefined) return undefined;
  const sub = (await pairSubscriptions(standby)).find(
    (s) => s.enabled && s.publications.includes(publication) && parseStreamName(s.name)?.publisher === sides.live,
  );
  return sub ? { publication, subscription: sub.name } : undefined;
}

/** Columns a table of `schema` has, in order (dropped and generated columns left out: they are not published). */
async function columns(db: Client, schema: string): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ t: string; cols: string[] }>(
    `SELECT c.relname AS t, array_agg(a.attname::text ORDER BY a.attnum) AS cols
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      GROUP BY c.relname ORDER BY 1`,
    [schema],
  );
  return new Map(rows.map((r) => [r.t, r.cols]));
}

/** Whether the publication publishes `schema` whole (15+), and which of its tables it publishes. */
async function published(
  live: Client,
  publication: string,
  schema: string,
): Promise<{ bySchema: boolean; schemaIn: boolean; tables: Set<string> }> {
  const { num } = await serverVersion(live);
  const ns =
    num >= 150000
      ? (
          await live.query<{ any: boolean; mine: boolean }>(
            `SELECT count(*) > 0 AS any, count(*) FILTER (WHERE n.nspname = $2) > 0 AS mine FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = $1`,
            [publication, schema],
          )
        ).rows[0]
      : undefined;
  const { rows } = await live.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2`,
    [publication, schema],
  );
  return { bySchema: ns?.any === true, schemaIn: ns?.mine === true, tables: new Set(rows.map((r) => r.t)) };
}

/** Whether every table of `schema` on live is already in the live side's stream (a finished `tenants add`). */
export async function inStream(live: Client, publication: string, schema: string): Promise<boolean> {
  const p = await published(live, publication, schema);
  if (p.schemaIn) return true;
  const onLive = await columns(live, schema);
  return !p.bySchema && [...onLive.keys()].every((t) => p.tables.has(t));
}

/** Idempotent: what is already published is left as it is, so a rerun finishes an interrupted join. */
export async function joinStream(
  live: Client,
  standby: Client,
  sides: Sides,
  schema: string,
  o: { timeoutMs?: number } = {},
): Promise<StreamJoin> {
  const started = Date.now();
  const stream = await liveStream(live, standby, sides);
  if (!stream) return { streaming: false, tables: 0, ms: 0 };
  const { publication, subscription } = stream;
  const onLive = await columns(live, schema);
  const onStandby = await columns(standby, schema);
  const already = await published(live, publication, schema);
  const bySchema = already.bySchema;
  try {
    if (bySchema) {
      if (!already.schemaIn) await live.query(addToPublication(publication, { schemas: [schema], tables: [] }));
    } else if ([...onLive.keys()].some((t) => !already.tables.has(t))) {
      const tables: PublishedTable[] = [...onLive]
        .filter(([t]) => !already.tables.has(t))
        .map(([t, cols]) => {
          const theirs = onStandby.get(t) ?? [];
          const shared = cols.filter((c) => theirs.includes(c));
          return shared.length === cols.length ? [schema, t] : [schema, t, shared];
        });
      await live.query(addToPublication(publication, { tables }));
    }
  } catch (e) {
    throw databaseError(
      `adding schema ${ident(schema)} to publication ${publication} on the live side (${sides.live})`,
      e,
    );
  }
  if (!onLive.size) return { streaming: true, publication, subscription, tables: 0, ms: Date.now() - started };
  try {
    await standby.query(refreshSubscription(subscription));
  } catch (e) {
    throw databaseError(
      `refreshing subscription ${subscription} on the standby (${sides.standby}) so it copies the tables of ${ident(schema)}`,
      e,
    );
  }
  const wanted = new Set([...onLive.keys()].map((t) => qualified(schema, t)));
  const timeoutMs = o.timeoutMs ?? 120_000;
  for (;;) {
    const states = (await tableSyncStates(standby, subscription)).filter((s) => wanted.has(s.table));
    if (states.length === wanted.size && states.every((s) => s.state === 'r')) break;
    if (Date.now() - started > timeoutMs) {
      const waiting = [...wanted].filter((t) => states.find((s) => s.table === t)?.state !== 'r');
      throw new PairError(
        'TENANT_COPY_TIMEOUT',
        `the tables of the new tenant ${ident(schema)} are published, but the standby (${sides.standby}) has not finished copying ${waiting.join(', ')} within ${Math.round(timeoutMs / 1000)} s\nfix: switchyard pair status shows the copy and any apply error; it goes on in the background`,
        1,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { streaming: true, publication, subscription, tables: wanted.size, ms: Date.now() - started };
}
