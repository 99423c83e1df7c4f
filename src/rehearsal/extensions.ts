// The source's extensions, created on a server before a schema is built there: the shadow's scratch database,
// the rehearsal database, the pair's standby. Without them an index with `gin_trgm_ops` cannot be built, and no
// change at all could be planned on a database that has one. An extension the server does not ship is a
// refusal naming it and the fix, never a silent skip: the schema built without it would not be the source's.
import type pg from 'pg';
import { databaseError, SwitchyardError, UsageError } from '../errors.js';
import type { Extension } from '../introspect/extensions.js';
import { ident } from '../db/quote.js';
import { sendOne } from '../db/send.js';
import { createExtension, createSchema, createSchemaIfMissing } from '../sql/render/index.js';

export class ExtensionUnavailableError extends SwitchyardError {
  readonly extensions: readonly string[];
  constructor(extensions: readonly string[], where: string, fix: string) {
    const names = extensions.map(ident).join(', ');
    super(
      'EXTENSION_UNAVAILABLE',
      `${where} does not ship the extension${extensions.length > 1 ? 's' : ''} ${names} the source database has (fix: ${fix})`,
      2,
    );
    this.extensions = extensions;
  }
}

export interface InstallOptions {
  /** The server, for the refusal ("the throwaway PostgreSQL 17 server"). */
  readonly where: string;
  /** What to do when the server lacks an extension. */
  readonly fix: string;
}

/**
 * Creates `extensions` (already in dependency order) in `db`, each schema first. Returns the `CREATE SCHEMA`
 * statements a build script must now leave out, since those schemas exist.
 */
export async function installExtensions(
  db: Pick<pg.Client, 'query'>,
  extensions: readonly Extension[],
  o: InstallOptions,
): Promise<ReadonlySet<string>> {
  if (extensions.length === 0) return new Set();
  let available: Set<string>;
  try {
    const { rows } = await sendOne<{ name: string }>(
      db,
      'SELECT name::text AS name FROM pg_available_extensions WHERE name = ANY($1::text[])',
      [extensions.map((e) => e.name)],
    );
    available = new Set(rows.map((r) => r.name));
  } catch (e) {
    throw databaseError(`reading the extensions ${o.where} ships`, e);
  }
  const missing = extensions.filter((e) => !available.has(e.name)).map((e) => e.name);
  if (missing.length) throw new ExtensionUnavailableError(missing, o.where, o.fix);
  // public and the system schemas exist everywhere (and CREATE SCHEMA would need CREATE on the database).
  const schemas = new Set<string>(['public', 'pg_catalog']);
  for (const e of extensions) {
    for (const sql of [
      ...(schemas.has(e.schema) ? [] : [createSchemaIfMissing(e.schema)]),
      createExtension(e.name, e.schema),
    ]) {
      try {
        await sendOne(db, sql);
      } catch (err) {
        if ((err as { code?: string }).code === '42501')
          throw new UsageError(
            `the role may not create the extension ${ident(e.name)} on ${o.where}: connect as a superuser, or as the database owner for a trusted extension`,
            { cause: err },
          );
        throw databaseError(`creating the extension ${ident(e.name)} on ${o.where}`, err);
      }
    }
    schemas.add(e.schema);
  }
  return new Set(extensions.map((e) => createSchema(e.schema)));
}
