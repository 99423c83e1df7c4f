// One statement per call, over the extended query protocol. A Parse message carries exactly one statement, so
// the server itself refuses a second one ("cannot insert multiple commands into a prepared statement"): even
// if the parser check of a declared text (schema/declared/sql-text.ts) had a gap, nothing could be chained after it.
// Every statement rendered from a declared schema or a plan goes through here; grep for `.query(` with a
// rendered statement to find one that does not.
import type pg from 'pg';

type Queryable = Pick<pg.Client, 'query'>;

/** The query config that forces the extended protocol (node-postgres otherwise uses it only with values). */
export function extended(text: string, values: readonly unknown[] = []): pg.QueryConfig {
  return { text, values: [...values], queryMode: 'extended' } as pg.QueryConfig;
}

/** Sends `text` as exactly one statement. */
export async function sendOne<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return db.query<R>(extended(text, values));
}
